"""Judge the GPU session's full-size ImageNet runs and draw them (run by hand on any machine, CPU is fine):

    .venv/bin/python docs/imagenet_gpu_report.py RUNS_DIR

RUNS_DIR holds the unpacked OUT/<run>.tar of `docs/imagenet_gpu.sh` (RUNS_DIR/<run>/images/<class>/*.png,
metrics.json). Each run is judged by `deepinversion metrics` with efficientnet_lite1 and efficientnet_lite2 (each
image resized, antialiased, to the verifier's native size; plus the mean over resize/crop/flip/blur views).
Writes docs/imagenet/gpu_run.json and docs/images/imagenet_gpu.png.
"""
import json, subprocess, sys
from pathlib import Path
import numpy as np
from PIL import Image
from matplotlib.figure import Figure

DOCS = Path(__file__).parent
RUNS = {"dd": "DeepDream", "di": "DI preset", "di_bn003": "DI bn=0.003"}  # run: its row label (DI: DeepInversion)
SHOWN = ["daisy", "volcano", "quill", "cheeseburger", "brown bear", "trolleybus", "flamingo", "king penguin"]


def judge(run: Path) -> dict:
    out = subprocess.run([sys.executable, "-m", "deepinversion_nb.cli", "metrics", "--images", str(run / "images"), "--verifier", "efficientnet_lite1",
                          "--verifier", "efficientnet_lite2", "--json"], capture_output=True, text=True, check=True)
    m, s = json.loads(out.stdout), json.loads((run / "metrics.json").read_text())
    return {"recipe": s["recipe"], "weights": s["weights"], "steps": s["steps"], "n": s["n"], "batch": s["n"], "seconds": round(s["seconds"], 1),
            "bn_distance": round(s["bn_distance"], 1), "teacher_accuracy": s["teacher_accuracy"],
            "verifiers": {v: {k: r[k] for k in ("top1", "top5", "top1_views", "inception_score")} for v, r in m["verifiers"].items()},
            "inception_score": m["inception_score"], "diversity": m["diversity"]}


def figure(root: Path, runs: list):
    fig = Figure(figsize=(13, 1.9 * len(runs)))
    for row, name in zip(fig.subplots(len(runs), len(SHOWN)), runs):
        for ax, cls in zip(row, SHOWN):
            ax.imshow(np.asarray(Image.open(sorted((root / name / "images" / cls).glob("*.png"))[0]).convert("RGB")))
            ax.set_xticks([]); ax.set_yticks([]); ax.set_title(cls, fontsize=8)
        row[0].set_ylabel(RUNS[name], fontsize=8)
    fig.savefig(DOCS / "images" / "imagenet_gpu.png", dpi=70, bbox_inches="tight")


if __name__ == "__main__":
    root = Path(sys.argv[1])
    runs = [r for r in RUNS if (root / r / "images").is_dir()]
    report = {"teacher": "efficientnet_lite0", "device": "NVIDIA H200 (lent GPU machine), torch 2.11.0+cu130, float32",
              "classes": sorted(p.name for p in (root / runs[0] / "images").iterdir()),
              "protocol": "each image resized (antialiased) to the verifier's native size (240, 260); top1_views: the mean over resize, centre crop, flip, blur",
              "runs": {r: judge(root / r) for r in runs}}
    (DOCS / "imagenet").mkdir(exist_ok=True)
    (DOCS / "imagenet" / "gpu_run.json").write_text(json.dumps(report, indent=1) + "\n")
    figure(root, runs)
    print(json.dumps({r: [v["top1"] for v in x["verifiers"].values()] for r, x in report["runs"].items()}))
