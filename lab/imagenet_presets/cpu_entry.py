"""One run's entry of lab/imagenet_presets/cpu_runs.json, printed as JSON: `python lab/imagenet_presets/cpu_entry.py DIR METRICS`.

DIR: a `deepinversion synth` folder of efficientnet_lite0 images; METRICS: what
`deepinversion metrics --images DIR --verifier efficientnet_lite1 --verifier efficientnet_lite2 --json` printed for it.
Besides the verifiers' top-1 (`lite1`, `lite2`, their `mean`, `views`), the BN distance (`bn`), Inception Score (`IS`,
lite1), seconds (`s`) and the teacher's accuracy, it records the images' colour (notebook 13): `rgb`, the mean pixel
colour (0-1), and `stem_mean`, ‖μ − running_mean‖ of the first BN layer's input (lite0's stem convolution) on them.
"""
import json, sys
import torch
from deepinversion_nb.features import bn_layers
from deepinversion_nb.models import load_teacher
from deepinversion_nb.store import read_images


def stem_mean_distance(teacher, x):
    "‖mean − running_mean‖ of the first BN layer's input over the batch `x` (model space)."
    bn, seen = bn_layers(teacher)[0], []
    h = bn.register_forward_hook(lambda m, i, o: seen.append(i[0].mean((0, 2, 3))))
    with torch.no_grad(): teacher(x)
    h.remove()
    return (seen[0] - bn.running_mean).norm().item()


def pixels(x):
    "A read image set's images in pixel space (0-1)."
    return x["images"] * torch.tensor(x["std"]).view(1, -1, 1, 1) + torch.tensor(x["mean"]).view(1, -1, 1, 1)


def entry(d, metrics):
    teacher, x, run = load_teacher("efficientnet_lite0").eval(), read_images(d), json.load(open(f"{d}/metrics.json"))
    v = metrics["verifiers"]
    l1, l2 = v["efficientnet_lite1"]["top1"], v["efficientnet_lite2"]["top1"]
    return {"lite1": l1, "lite2": l2, "mean": (l1 + l2) / 2, "views": {k: r["top1_views"] for k, r in v.items()},
            "bn": run["bn_distance"], "IS": metrics["inception_score"], "s": run["seconds"], "teacher": run["teacher_accuracy"],
            "weights": run["weights"], "rgb": [round(c, 4) for c in pixels(x).mean((0, 2, 3)).tolist()],
            "stem_mean": round(stem_mean_distance(teacher, x["images"]), 3)}


if __name__ == "__main__":
    torch.set_num_threads(1)
    print(json.dumps(entry(sys.argv[1], json.load(open(sys.argv[2])))))
