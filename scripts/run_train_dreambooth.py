"""Runs diffusers' examples/dreambooth/train_dreambooth.py (its path first, then its own flags).

Used by scripts/compare_dreambooth_with_diffusers.sh. The script imports torchvision for its image
transforms only. A torchvision wheel built for CUDA torch cannot load its C++ operators under a
CPU-only torch, and torchvision then fails at import while registering fake kernels for two of them
(torchvision::nms, torchvision::qnms). In that case, and only then, this launcher declares those two
operator schemas first, so that the import succeeds; nothing of train_dreambooth.py calls them.
"""

import importlib.util
import os
import runpy
import sys

import torch


def declare_missing_torchvision_operators():
    spec = importlib.util.find_spec("torchvision")
    if spec is None or spec.origin is None:
        sys.exit("run_train_dreambooth.py: torchvision is not installed (train_dreambooth.py imports it)")
    extension = os.path.join(os.path.dirname(spec.origin), "_C.so")
    try:
        torch.ops.load_library(extension)
        return
    except (OSError, RuntimeError) as error:
        print(f"run_train_dreambooth.py: torchvision's operators do not load here ({str(error).splitlines()[0]}); "
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
