"""Makes Tests/Fixtures/schedulers_extra.safetensors with diffusers (run once, in a virtual environment
outside the repository; the tests read only the file it writes):

    python scripts/make_scheduler_fixture.py Tests/Fixtures/schedulers_extra.safetensors

DDIM runs of 10 steps for every timestep_spacing (leading with steps_offset 1, trailing, linspace),
set_alpha_to_one True and False, eta 0 and 0.7 (with the variance noise recorded), epsilon and
v_prediction; and a DDPM run after set_timesteps(10). The stand-in model is the reference README's
m(x, t) = 0.5·tanh(x) + 0.01·t/1000. Float64 throughout except alphas_cumprod, which diffusers
keeps in float32.
"""
import sys
import torch
from diffusers import DDIMScheduler, DDPMScheduler
from safetensors.torch import save_file

torch.manual_seed(7)
out = {}
x0 = torch.randn(1, 3, 4, 4, dtype=torch.float64)
out["start"] = x0
model = lambda x, t: 0.5 * torch.tanh(x) + 0.01 * float(t) / 1000
for schedule in ["linear", "squaredcos_cap_v2"]:
    for spacing, offset in [("leading", 1), ("trailing", 0), ("linspace", 0)]:
        for one in [True, False]:
            for eta in [0.0, 0.7]:
                for pred in ["epsilon", "v_prediction"]:
                    s = DDIMScheduler(beta_schedule=schedule, timestep_spacing=spacing, steps_offset=offset,
                                      set_alpha_to_one=one, prediction_type=pred, clip_sample=False)
                    s.set_timesteps(10)
                    key = f"ddim.{schedule}.{spacing}.{'one' if one else 'first'}.eta{eta}.{pred}"
                    x = x0.clone()
                    states, noises = [x], []
                    for t in s.timesteps:
                        z = torch.randn_like(x)
                        noises.append(z)
                        x = s.step(model(x, t), t, x, eta=eta, variance_noise=z if eta > 0 else None).prev_sample
                        states.append(x)
                    out[key + ".timesteps"] = s.timesteps.to(torch.float64)
                    out[key + ".trajectory"] = torch.stack(states)
                    out[key + ".noise"] = torch.stack(noises)
# DDPM with recorded noise: variance_noise is not an argument of DDPMScheduler.step, so monkey-patch
# randn_tensor inside the scheduler module to return the recorded noise.
import diffusers.schedulers.scheduling_ddpm as ddpm_module
for schedule in ["linear", "squaredcos_cap_v2"]:
    for pred in ["epsilon", "v_prediction"]:
        s = DDPMScheduler(beta_schedule=schedule, prediction_type=pred, clip_sample=False)
        s.set_timesteps(10)
        key = f"ddpm.{schedule}.{pred}"
        x = x0.clone()
        states, noises = [x], []
        for t in s.timesteps:
            z = torch.randn_like(x)
            noises.append(z)
            ddpm_module.randn_tensor = lambda *a, **k: z
            x = s.step(model(x, t), t, x).prev_sample
            states.append(x)
        out[key + ".timesteps"] = s.timesteps.to(torch.float64)
        out[key + ".trajectory"] = torch.stack(states)
        out[key + ".noise"] = torch.stack(noises)
save_file({k: v.contiguous() for k, v in out.items()}, sys.argv[1])
print(f"wrote {len(out)} tensors to {sys.argv[1]}")
