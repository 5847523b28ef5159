"""One run with an ensemble teacher: several efficientnet_lite models inverted together as the package's `Ensemble`
(`--teacher efficientnet_lite0+efficientnet_lite1`: their mean logits for the cross-entropy, every member's BN layers
for R_feature, the first BN layer at its multiplier and every other layer at 1/k), then judged like tune.sh's runs.

metrics.json's `bn_distance` (the package's: the members' mean) is replaced by lite0's alone, so that it compares with
the other runs; the members' mean is kept as `bn_distance_ensemble`.
Usage, from the repository root:
  .venv/bin/python lab/imagenet_cross_family/ensemble.py NAME SET MEMBERS RECIPE [--preset P] [--zoom Z] [--rotate R]
      [--color-shift C] [--smooth S] [--lr L] [--count N] [--seed S]
  MEMBERS: teacher names joined by + (or ,)
  e.g. ensemble.py ens01-paper-B B efficientnet_lite0+efficientnet_lite1 deepinversion --zoom 0 --rotate 0
       --color-shift 0 --smooth 0 --preset imagenet-cpu
  SET held-out with --seed S: run.sh's held-out class set of seed S, written to runs/NAME-sS/ (collect.py's runs)
Writes lab/imagenet_cross_family/runs/tune/NAME/ (images, metrics.json, judged.json, command.txt).
"""
import argparse, json, os, subprocess, sys
from pathlib import Path
import torch
from deepinversion_nb.features import bn_distance
from deepinversion_nb.loop import Run
from deepinversion_nb.models import load_teacher
from deepinversion_nb.store import read_images
from deepinversion_nb.synth import recipe, synthesize

here = Path(__file__).parent
SETS = {"A": [985, 980, 749, 933, 294, 874, 130, 309], "B": [340, 386, 409, 417, 430, 466, 511, 546]}  # as tune.sh
OVERRIDES = ("zoom", "rotate", "color_shift", "smooth", "lr")  # recipe fields the options set
HELD_OUT = [[23, 61, 301, 349, 829, 841, 956, 965], [0, 85, 189, 264, 286, 534, 664, 924], [86, 290, 395, 465, 582, 600, 697, 778]]  # run.sh's, by seed % 3


def main():
    p = argparse.ArgumentParser()
    p.add_argument("name"), p.add_argument("set", choices=[*SETS, "held-out"]), p.add_argument("members"), p.add_argument("recipe")
    p.add_argument("--seed", type=int, default=0)  # held-out: run.sh's class set of this seed, written to runs/NAME-sSEED
    p.add_argument("--preset", default="imagenet")
    for f in OVERRIDES:
        p.add_argument("--" + f.replace("_", "-"), dest=f, type=float)
    p.add_argument("--count", type=int, default=8)
    a = p.parse_args()
    torch.set_num_threads(1)
    teacher = load_teacher(a.members.replace(",", "+"), 224)
    over = {f: getattr(a, f) for f in OVERRIDES if getattr(a, f) is not None}
    r = recipe(a.recipe, a.preset, **over)
    held = a.set == "held-out"
    out = here / "runs" / (f"{a.name}-s{a.seed}" if held else f"tune/{a.name}")
    classes = HELD_OUT[a.seed % 3] if held else SETS[a.set]
    synthesize(teacher, r, a.count, out, batch_size=a.count, run=Run.make("cpu", seed=a.seed), targets=classes)
    m = json.loads((out / "metrics.json").read_text())
    im = read_images(out)
    m["bn_distance_ensemble"], m["bn_distance"] = m["bn_distance"], bn_distance(teacher.members[0], im["images"])
    (out / "metrics.json").write_text(json.dumps(m, indent=1))
    subprocess.run(["deepinversion", "metrics", "--images", str(out), "--verifier", "mobilenet_v2_tflite", "--verifier",
                    "efficientnet_lite1", "--verifier", "efficientnet_lite2", "--json", str(out / "judged.json")], check=True)
    (out / "command.txt").write_text(".venv/bin/python lab/imagenet_cross_family/ensemble.py " + " ".join(sys.argv[1:]) + "\n")


if __name__ == "__main__":
    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]
    main()
