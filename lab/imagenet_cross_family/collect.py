"""Collect runs/*/ (synth metrics.json + judged.json) into results.json: every run, and mean ± std per recipe and variant.
Runs already in results.json are kept unless runs/ holds a run of the same name (runs/ is not committed).

Colour: the images' mean RGB (0-1) and mean HSV saturation, beside scikit-image's real photos at 224 px.
Usage (from the repository root): python lab/imagenet_cross_family/collect.py
"""
import json, re, statistics
from pathlib import Path
import torch, torch.nn.functional as F
from deepinversion_nb.store import read_images

here = Path(__file__).parent


def colour(x):
    "Mean RGB and mean HSV saturation of images in [0, 1]."
    sat = (x.amax(1) - x.amin(1)) / x.amax(1).clamp_min(1e-6)
    return [round(c, 3) for c in x.mean((0, 2, 3)).tolist()], round(sat.mean().item(), 3)


def real_photos():
    from skimage import data
    names = ("astronaut", "chelsea", "coffee", "rocket", "hubble_deep_field", "retina")  # as notebook 13
    x = torch.stack([F.interpolate(torch.from_numpy(getattr(data, n)()).permute(2, 0, 1)[None].float() / 255, size=(224, 224),
                                   mode="bilinear", antialias=True)[0] for n in names])
    return dict(zip(("rgb", "saturation"), colour(x.clamp(0, 1)))) | {"photos": list(names)}


def run_entry(d):
    m, j, im = json.loads((d / "metrics.json").read_text()), json.loads((d / "judged.json").read_text()), read_images(d)
    x = (im["images"] * torch.tensor(im["std"]).view(1, -1, 1, 1) + torch.tensor(im["mean"]).view(1, -1, 1, 1)).clamp(0, 1)
    rgb, sat = colour(x)
    v = j["verifiers"]
    return {"run": d.name, "mobilenet_v2": v["mobilenet_v2_tflite"]["top1"], "mobilenet_v2_top5": v["mobilenet_v2_tflite"]["top5"],
            "lite1": v["efficientnet_lite1"]["top1"], "lite2": v["efficientnet_lite2"]["top1"],
            "is_mobilenet_v2": v["mobilenet_v2_tflite"]["inception_score"], "bn": m["bn_distance"], "teacher": m["teacher_accuracy"],
            "seconds": m["seconds"], "rgb": rgb, "saturation": sat, "images": len(im["images"])}


def main():
    new = {d.name: run_entry(d) for d in sorted((here / "runs").iterdir()) if (d / "judged.json").is_file()}
    old = {r["run"]: r for r in json.loads((here / "results.json").read_text())["runs"]} if (here / "results.json").exists() else {}
    runs = sorted((old | new).values(), key=lambda r: r["run"])
    groups = {}
    for r in runs: groups.setdefault(re.sub(r"-s\d+$", "", r["run"]), []).append(r)
    keys = ("mobilenet_v2", "mobilenet_v2_top5", "lite1", "lite2", "is_mobilenet_v2", "bn", "saturation", "seconds")
    ms = lambda xs: [statistics.mean(xs), statistics.stdev(xs) if len(xs) > 1 else 0.0]
    summary = {g: {"seeds": len(rs), "images": rs[0].get("images", 16)} | {k: ms([r[k] for r in rs]) for k in keys}
               | {"rgb": [round(statistics.mean(c), 3) for c in zip(*(r["rgb"] for r in rs))]} for g, rs in groups.items()}
    out = {"runs": runs, "summary": summary, "real_photos": real_photos()}
    (here / "results.json").write_text(json.dumps(out, indent=1))
    for g, s in summary.items():
        print(g, s["seeds"], "  ".join(f"{k} {v[0]:.3g}±{v[1]:.2g}" for k, v in s.items() if k in keys), "rgb", s["rgb"])


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()
