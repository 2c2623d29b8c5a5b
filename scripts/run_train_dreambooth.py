"""Runs diffusers' examples/dreambooth/train_dreambooth.py (its path first, then its own flags).

Used by scripts/compare_dreambooth_with_diffusers.sh. The script imports torchvision for its image
transforms only. A torchvision wheel built for CUDA torch cannot load its C++ operators under a
CPU-only torch, and torchvision then fails at import while registering fake kernels for two of them
(torchvision::nms, torchvision::qnms). In that case, and only then, this launcher declares those two
operator schemas first (when a child `import torchvision` fails), so that the import succeeds;
nothing of train_dreambooth.py calls them.
"""

import importlib.util
import os
import runpy
import subprocess
import sys

import torch


def declare_missing_torchvision_operators():
    spec = importlib.util.find_spec("torchvision")
    if spec is None or spec.origin is None:
        sys.exit("run_train_dreambooth.py: torchvision is not installed (train_dreambooth.py imports it)")
    # First, whether torchvision imports as it is (in a child, so that a failure leaves nothing
    # registered here): then nothing is declared, since torchvision registers its own operators.
    probe = subprocess.run([sys.executable, "-c", "import torchvision"], capture_output=True, text=True)
    if probe.returncode == 0:
        return None
    last = (probe.stderr.strip().splitlines() or ["no message"])[-1]
    print(f"run_train_dreambooth.py: torchvision does not import here ({last}); "
          "declaring nms and qnms so that `import torchvision` succeeds", file=sys.stderr)
    library = torch.library.Library("torchvision", "DEF")
    library.define("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    library.define("qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    return library


if __name__ == "__main__":
    if len(sys.argv) < 2 or not sys.argv[1].endswith(".py") or not os.path.isfile(sys.argv[1]):
        sys.exit("usage: run_train_dreambooth.py PATH/TO/train_dreambooth.py [its flags…]")
    script = sys.argv[1]
    keep_alive = declare_missing_torchvision_operators()
    sys.argv = [script] + sys.argv[2:]
    runpy.run_path(script, run_name="__main__")
