"""Collect the tuning runs (runs/tune/*/, made by tune.sh) into tuning.json and print them as a table.
Runs already in tuning.json are kept unless runs/tune/ holds a run of the same name (runs/ is not committed).
Beside collect.py's numbers: MobileNet-V2's top-1 over four views of each image and its mean probability of the
dreamed class — finer signals than the top-1 of 8 images, so the tuning sets tell settings apart.
Usage (from the repository root): python lab/imagenet_cross_family/tune_table.py
"""
import json, statistics
from pathlib import Path
import torch
from collect import run_entry

here = Path(__file__).parent


def tune_entry(d):
    j = json.loads((d / "judged.json").read_text())
    assert next(iter(j["verifiers"])) == "mobilenet_v2_tflite"  # `confidence` is the first verifier's
    return run_entry(d) | {"mobilenet_v2_views": j["verifiers"]["mobilenet_v2_tflite"]["top1_views"],
                           "mobilenet_v2_confidence": statistics.mean(j["confidence"].values()),
                           "weights": json.loads((d / "metrics.json").read_text())["weights"],
                           "command": (d / "command.txt").read_text().strip()}


def main():
    root, path = here / "runs" / "tune", here / "tuning.json"
    new = {d.name: tune_entry(d) for d in sorted(root.iterdir()) if (d / "judged.json").is_file()} if root.is_dir() else {}
    old = {r["run"]: r for r in json.loads(path.read_text())} if path.exists() else {}
    runs = sorted((old | new).values(), key=lambda r: r["run"])
    path.write_text(json.dumps(runs, indent=1))
    print("| run | images | MobileNet-V2 top-1 | over 4 views | P(class) | lite1 | lite2 | BN distance | saturation | command |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in runs:
        print(f"| {r['run']} | {r['images']} | {r['mobilenet_v2']:.1%} | {r['mobilenet_v2_views']:.1%} | {r['mobilenet_v2_confidence']:.2f}"
              f" | {r['lite1']:.1%} | {r['lite2']:.1%} | {r['bn']:,.0f} | {r['saturation']:.2f} | `{r['command']}` |")


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()
