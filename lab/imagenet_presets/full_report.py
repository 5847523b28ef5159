"""Judge full-size ImageNet runs of efficientnet_lite0 and draw them (run by hand on any machine, CPU is fine):

    .venv/bin/python lab/imagenet_presets/full_report.py gpu RUNS_DIR [FIGURE]  # the GPU sessions' runs (lab/imagenet_presets/gpu*.sh) → gpu_run.json
                                                                         # (added to the runs already there), FIGURE.png (default imagenet_gpu)
    .venv/bin/python lab/imagenet_presets/full_report.py cpu RUNS_DIR [FIGURE [RUN,RUN…]]  # the CPU runs of CPU_RUNS below → cpu_full.json
                                # (added to the runs already there), FIGURE.png (default imagenet_cpu_full) with those runs as rows

RUNS_DIR/<run>/ is a `deepinversion synth` folder (images.pt, images/<class>/*.png, metrics.json, parts/config.json; for
the GPU runs the unpacked OUT/<run>.tar). Each run is judged by `deepinversion metrics` with efficientnet_lite1 and
efficientnet_lite2 (each image resized, antialiased, to the verifier's native size; plus the mean over
resize/crop/flip/blur views). Writes lab/imagenet_presets/<name>.json and docs/images/<figure>.png.
"""
import json, subprocess, sys
from pathlib import Path
import numpy as np, torch
from PIL import Image
from matplotlib.figure import Figure

HERE = Path(__file__).parent
IMAGES = Path(__file__).parents[2] / "docs" / "images"
T16 = "985,980,749,933,294,874,130,309,1,9,22,88,145,207,288,323"  # the paper's six classes first; 16 classes × 2 images = --n 32
# every run here was made before session 20 changed imagenet-cpu: its zoom/turn then (±10 %, ±10°) are spelled out, and so is its
# BN weight then (0.004) in the DeepInversion runs that set none of their own
SYNTH = f"deepinversion synth --teacher efficientnet_lite0 --preset imagenet-cpu --zoom 0.1 --rotate 10 --n 32 --targets {T16} --seed 0 --device cpu"
C2 = "340,386,409,417,430,466,511,546,779,817,920,937,950,954,963,970"  # the other 16 of the GPU runs' 32 classes
R10 = "585,33,439,494,591,15,211,473,832,503,843,284,669,830,164,35"  # 16 classes drawn by random.Random(10).sample(range(1000), 16)
RUNS = [(0, "", T16, "seed 0"), *((s, f"_s{s}", T16, f"seed {s}") for s in range(1, 4)), (10, "_r10", R10, "random classes, seed 10")]
TURN = {"0.2": 15, "0.3": 20, "0.4": 25}
_seeded = lambda seed, targets: SYNTH.replace("--seed 0", f"--seed {seed}").replace(T16, targets)
CPU_RUNS = {  # run: (its row label, the command that made it; one torch thread, on the 2-core development machine beside another run)
    "dd_b32": ("DeepDream, one batch of 32, no zoom/turn", f"{SYNTH} --recipe deepdream --batch 32 --zoom 0 --rotate 0 --out RUNS_DIR/dd_b32"),
    "di_b32": ("DI, one batch of 32, no zoom/turn", f"{SYNTH} --recipe deepinversion --batch 32 --weight bn=0.004 --zoom 0 --rotate 0 --out RUNS_DIR/di_b32"),
    "di_b8": ("DI, batches of 8, no zoom/turn", f"{SYNTH} --recipe deepinversion --batch 8 --weight bn=0.004 --zoom 0 --rotate 0 --out RUNS_DIR/di_b8"),
    "dd": ("DeepDream, batches of 8", f"{SYNTH} --recipe deepdream --batch 8 --out RUNS_DIR/dd"),
    "di": ("DI, batches of 8 (imagenet-cpu)", f"{SYNTH} --recipe deepinversion --batch 8 --weight bn=0.004 --out RUNS_DIR/di"),
    # session 11, one change each, then both (three seeds) and DeepDream with the same zoom/turn; two or three runs side by side
    "di_bn002": ("DI bn 0.002", f"{SYNTH} --recipe deepinversion --batch 8 --weight bn=0.002 --out RUNS_DIR/di_bn002"),
    "di_zoom02": ("DI zoom 0.2", f"{SYNTH} --recipe deepinversion --batch 8 --weight bn=0.004 --zoom 0.2 --rotate 15 --out RUNS_DIR/di_zoom02"),
    **{f"di_bn002_zoom02{sfx}": (f"DI both, seed {seed}", f"{SYNTH.replace('--seed 0', f'--seed {seed}')} --recipe deepinversion --batch 8 "
                                 f"--weight bn=0.002 --zoom 0.2 --rotate 15 --out RUNS_DIR/di_bn002_zoom02{sfx}")
       for seed, sfx in ((0, ""), (1, "_s1"), (2, "_s2"), (3, "_s3"))},  # seed 3: session 19, a fresh clone, torch's default 2 threads
    "dd_zoom02": ("DeepDream zoom 0.2", f"{SYNTH} --recipe deepdream --batch 8 --zoom 0.2 --rotate 15 --out RUNS_DIR/dd_zoom02"),
    # session 12: lower BN weights with zoom 0.2, then zoom 0.3 / turn 20 (--preset imagenet in sessions 12-15), four seeds and 16 random classes
    **{f"di_bn{b[2:]}_zoom{z.replace('.', '')}{sfx}": (f"DI bn {b}, zoom {z}, {what}", _seeded(seed, t) + f" --recipe deepinversion --batch 8 "
       f"--weight bn={b} --zoom {z} --rotate {TURN[z]} --out RUNS_DIR/di_bn{b[2:]}_zoom{z.replace('.', '')}{sfx}")
       for b, z, seeds in (("0.0015", "0.2", (0,)), ("0.0005", "0.2", (0,)), ("0.001", "0.2", (0, 1, 2, 10)), ("0.001", "0.3", (0, 1, 2, 3, 10)),
                           ("0.001", "0.4", (0,)))
       for seed, sfx, t, what in RUNS if seed in seeds},
    **{f"dd_zoom03{sfx}": (f"DeepDream zoom 0.3, {what}", _seeded(seed, t) + f" --recipe deepdream --batch 8 --zoom 0.3 --rotate 20 --out RUNS_DIR/dd_zoom03{sfx}")
       for seed, sfx, t, what in RUNS},
    # session 13: the Inception Score levers (a softer TV prior; zoom 0.4 / turn 25° for both kinds) and --preset auto on imagenet's other settings
    "di_bn001_zoom03_tv3": ("DI bn 0.001, zoom 0.3, TV 3e-4, seed 0", f"{SYNTH} --recipe deepinversion --batch 8 --weight bn=0.001 --weight tv_l2=3e-4 "
                            "--zoom 0.3 --rotate 20 --out RUNS_DIR/di_bn001_zoom03_tv3"),
    "dd_zoom04": ("DeepDream zoom 0.4, seed 0", f"{SYNTH} --recipe deepdream --batch 8 --zoom 0.4 --rotate 25 --out RUNS_DIR/dd_zoom04"),
    # (made while --preset imagenet was 450 steps at zoom 0.3 / turn 20°, auto's base then; session 16 spelled those settings out)
    **{f"auto_inet{sfx}": (f"DI --preset auto, {what}", _seeded(seed, t).replace("--preset imagenet-cpu --zoom 0.1 --rotate 10", "--preset auto") +
                           f" --recipe deepinversion --batch 8 --schedule multires-450 --zoom 0.3 --rotate 20 --out RUNS_DIR/auto_inet{sfx}")
       for seed, sfx, t, what in RUNS if seed in (0, 1, 10)},
    # session 14: the GPU's other 16 classes at 450 steps, beside the 3,000-step GPU runs of them; zoom 0.4 and BN weight 0.0005 where lite2 fell short
    **{f"{run}_c2{sfx}": (f"{what}, the GPU's other 16 classes, seed {seed}", _seeded(seed, C2) + f" --recipe {recipe} --batch 8 {flags}"
                          f"--zoom {z} --rotate {TURN[z]} --out RUNS_DIR/{run}_c2{sfx}")
       for run, what, recipe, flags, z, seeds in (("di_bn001_zoom03", "DI bn 0.001, zoom 0.3", "deepinversion", "--weight bn=0.001 ", "0.3", (0, 1, 2)),
                                                  ("dd_zoom03", "DeepDream zoom 0.3", "deepdream", "", "0.3", (0, 1, 2)),
                                                  ("di_bn001_zoom04", "DI bn 0.001, zoom 0.4", "deepinversion", "--weight bn=0.001 ", "0.4", (1, 2)),
                                                  ("di_bn0005_zoom03", "DI bn 0.0005, zoom 0.3", "deepinversion", "--weight bn=0.0005 ", "0.3", (0, 1, 2)),
                                                  ("di_bn001_zoom03_tv27", "DI bn 0.001, zoom 0.3, TV 2.7e-3", "deepinversion",
                                                   "--weight bn=0.001 --weight tv_l2=2.7e-3 ", "0.3", (1, 2)))
       for seed, sfx in ((0, ""), (1, "_s1"), (2, "_s2")) if seed in seeds},
    # session 15: one batch of 8 images of the three classes lite2 misses most on the other 16 (bullet train, school bus, sports car), one change each
    **{f"h_{run}": (f"DI, bullet train/school bus/sports car, {what}", _seeded(seed, "466,779,817").replace("--n 32", "--n 8") +
                    f" --recipe deepinversion --batch 8 --weight bn={bn} --zoom 0.3 --rotate 20{flags} --out RUNS_DIR/h_{run}")
       for run, what, seed, bn, flags in (("base", "the preset, seed 1", 1, "0.001", ""), ("base_s2", "the preset, seed 2", 2, "0.001", ""),
                                          ("lr01", "lr 0.1", 1, "0.001", " --lr 0.1"), ("sched", "400 + 200 steps", 1, "0.001", " --schedule multires-cpu"),
                                          ("fbn10", "first BN ×10", 1, "0.001", " --first-bn-multiplier 10"), ("bn002", "BN 0.002", 1, "0.002", ""),
                                          *((f"long{sfx}", f"3,000 steps (2,000 at 112 px + 1,000 at 224), seed {s}", s, "0.001", " --schedule multires")
                                            for s, sfx in ((1, ""), (2, "_s2"))))},
    **{f"h_same{sfx}": (f"DI, eight bullet trains in one batch, seed {s}", _seeded(s, "466").replace("--n 32", "--n 8") +
                        f" --recipe deepinversion --batch 8 --weight bn=0.001 --zoom 0.3 --rotate 20 --out RUNS_DIR/h_same{sfx}") for s, sfx in ((1, ""), (2, "_s2"))},
    # session 16: --preset auto on today's --preset imagenet (3,000 steps, zoom 0.4 / turn 25°), two torchrun ranks on the 2 cores
    "auto_full": ("DI --preset auto, 3,000 steps, seed 0", "torchrun --standalone --nproc-per-node 2 -m deepinversion_nb.cli synth --teacher efficientnet_lite0 "
                  f"--preset auto --count 32 --targets {T16} --seed 0 --device cpu --recipe deepinversion --batch 8 --out RUNS_DIR/auto_full"),
    # session 17: --preset imagenet with BN weight 0.0001 on a third seed of the other 16 (the GPU's ROUND=5 had seed 1), same two ranks
    "full_bn0001_c2_s2": ("DI --preset imagenet, BN 0.0001, other 16 classes, seed 2", "torchrun --standalone --nproc-per-node 2 -m deepinversion_nb.cli "
                          f"synth --teacher efficientnet_lite0 --recipe deepinversion --count 32 --batch 8 --targets {C2} --seed 2 --weight bn=0.0001 "
                          "--out RUNS_DIR/full_bn0001_c2_s2"),
}
GPU_RUNS = {"dd": "DeepDream", "di": "DI preset", "di_bn003": "DI bn=0.003", "di_cpu_b8": "DI imagenet-cpu, batches of 8",
            "dd_cpu_b8": "DeepDream, batches of 8", "di_imagenet": "DI, bn 0.001, zoom 0.3", "dd_zoom03": "DeepDream, zoom 0.3",
            # _c2: ROUND=2's second call (TARGETS = the last 16 of the 32), unpacked under these names
            "di_zoom04": "DI, zoom 0.4, turn 25°"}
GPU_RUNS |= {f"{r}_c2": f"{GPU_RUNS[r]}, other 16 classes" for r in ("di_imagenet", "dd_zoom03", "di_zoom04")}
# ROUND=3 and 4 (fourth GPU session): zoom 0.4 / turn 25° on more seeds and class sets, DeepDream with the same zoom/turn beside
GPU_RUNS |= {f"{kind}_zoom04{sfx}": f"{label}, zoom 0.4, {what}" for kind, label in (("di", "DI"), ("dd", "DeepDream"))
             for sfx, what in (("_s1", "seed 1"), ("_c2_s1", "other 16 classes, seed 1"), ("_c2_s2", "other 16 classes, seed 2"))}
GPU_RUNS["di_zoom04_r10"] = "DI, zoom 0.4, random classes, seed 10"
# ROUND=5 (fifth GPU session): the preset with less BN weight, beside di_zoom04_s1 / _c2_s1 and their DeepDream pairs
GPU_RUNS |= {f"di_bn{w}{sfx}": f"DI, BN 0.{w}{what}" for w in ("0003", "0001", "00003") for sfx, what in (("_s1", ", seed 1"), ("_c2_s1", ", other 16 classes, seed 1"))}
NO_CONFIG = {r: {"zoom": 0.1, "rotate": 10.0} for r in ("di_cpu_b8", "dd_cpu_b8")}  # came back without parts/config.json: the imagenet-cpu preset's
SHOWN = ["daisy", "volcano", "quill", "cheeseburger", "brown bear", "trolleybus", "flamingo", "king penguin",
         "bullet train", "school bus", "sports car"]  # the paper's classes, then the other 16's hardest (notebook 13)


def judge(run: Path) -> dict:
    src = run if (run / "images.pt").exists() else run / "images"  # the GPU runs came back as PNGs only
    out = subprocess.run([sys.executable, "-m", "deepinversion_nb.cli", "metrics", "--images", str(src), "--verifier", "efficientnet_lite1",
                          "--verifier", "efficientnet_lite2", "--json"], capture_output=True, text=True, check=True)
    m, s = json.loads(out.stdout), json.loads((run / "metrics.json").read_text())
    cfg = json.loads((run / "parts" / "config.json").read_text()) if (run / "parts" / "config.json").exists() else \
        {"batch": -(-s["n"] // len(s.get("batches", [0]))), "recipe": NO_CONFIG.get(run.name, {})}
    return {"recipe": s["recipe"], "weights": s["weights"], "zoom": cfg["recipe"].get("zoom", 0.0), "rotate": cfg["recipe"].get("rotate", 0.0),
            "steps": s["steps"], "n": s["n"], "batch": cfg["batch"], "seconds": round(s["seconds"], 1),
            "bn_distance": round(s["bn_distance"], 1), "teacher_accuracy": s["teacher_accuracy"], **({"targets": cfg["targets"]} if "targets" in cfg else {}),
            "verifiers": {v: {k: r[k] for k in ("top1", "top5", "top1_views", "inception_score", "per_class")} for v, r in m["verifiers"].items()},
            "inception_score": m["inception_score"], "diversity": m["diversity"], **pixel_stats(run / "images")}


def pixel_stats(folder: Path) -> dict:
    "The PNGs' mean colour (0-1; notebook 13's violet cast) and mean per-image pixel standard deviation (0-255; near 0: flat grey)."
    px = np.stack([np.asarray(Image.open(f).convert("RGB"), dtype=float) for f in sorted(folder.glob("*/*.png"))])
    return {"rgb": [round(c, 4) for c in (px.mean((0, 1, 2)) / 255).tolist()], "pixel_std": round(float(px.std((1, 2, 3)).mean()), 1)}


def wall_seconds(root: Path) -> dict:
    "Each run's wall-clock seconds from the GPU script's log.txt ('[T s] synth NAME …' to '[T s] done NAME: …'), where there is one."
    log = (root / "log.txt").read_text().splitlines() if (root / "log.txt").exists() else []
    t = {(w[2], w[3].rstrip(":")): int(w[0][1:]) for w in (l.split() for l in log) if len(w) > 3 and w[2] in ("synth", "done")}
    return {name: t[("done", name)] - t[("synth", name)] for kind, name in t if kind == "done" and ("synth", name) in t}


def real_photos_bn() -> float:
    "The teacher's BN distance at 224 px of notebook 13's six scikit-image photos as one batch (the reference for 'natural')."
    import torch.nn.functional as F
    from skimage import data as photos
    from deepinversion_nb.data import normalize
    from deepinversion_nb.features import bn_distance
    from deepinversion_nb.models import load_teacher
    lite0 = load_teacher("efficientnet_lite0")
    photo = lambda a: F.interpolate(torch.as_tensor(a).permute(2, 0, 1)[None].float() / 255, size=(224, 224), mode="bilinear", antialias=True)[0].clamp(0, 1)
    real = torch.stack([photo(getattr(photos, n)()) for n in ("chelsea", "coffee", "astronaut", "rocket", "hubble_deep_field", "retina")])
    return round(bn_distance(lite0, normalize(real, lite0.card.mean, lite0.card.std)), 1)


def figure(root: Path, labels: dict, path: Path):
    first = root / next(iter(labels)) / "images"  # the classes of SHOWN the runs have, then the rest: eight
    shown = ([c for c in SHOWN if (first / c).is_dir()] + sorted(p.name for p in first.iterdir() if p.name not in SHOWN))[:8]
    fig = Figure(figsize=(13, 1.9 * len(labels)))
    for row, (name, label) in zip(np.atleast_2d(fig.subplots(len(labels), len(shown))), labels.items()):
        for ax, cls in zip(row, shown):
            ax.imshow(np.asarray(Image.open(sorted((root / name / "images" / cls).glob("*.png"))[0]).convert("RGB")))
            ax.set_xticks([]); ax.set_yticks([]); ax.set_title(cls, fontsize=8)
        row[0].set_ylabel(label, fontsize=8)
    fig.savefig(path, dpi=70, bbox_inches="tight")


if __name__ == "__main__":
    torch.set_num_threads(1)
    kind, root = sys.argv[1], Path(sys.argv[2])
    labels = {r: l for r, l in (GPU_RUNS.items() if kind == "gpu" else ((r, v[0]) for r, v in CPU_RUNS.items())) if (root / r / "images").is_dir()}
    report = {"teacher": "efficientnet_lite0",
              "device": "NVIDIA H200 (lent GPU machine), torch 2.11.0+cu130, float32" if kind == "gpu" else
                        f"the 2-core AMD EPYC development machine, no GPU, torch {torch.__version__}, float32, one torch thread per run, two runs side by side",
              "classes": sorted(p.name for p in (root / next(iter(labels)) / "images").iterdir()),
              "protocol": "each image resized (antialiased) to the verifier's native size (240, 260); top1_views: the mean over resize, centre crop, flip, blur",
              "runs": {r: judge(root / r) for r in labels}}
    for r, sec in wall_seconds(root).items():  # runs made side by side as torchrun ranks: "seconds" above is their sum
        if r in report["runs"]: report["runs"][r]["wall_seconds"] = sec
    if kind == "cpu": report.update(commands={r: CPU_RUNS[r][1] for r in labels}, real_photos_bn_distance=real_photos_bn())
    name, fig = ("gpu_run", "imagenet_gpu") if kind == "gpu" else ("cpu_full", "imagenet_cpu_full")
    old = HERE / f"{name}.json"
    if old.exists():  # the earlier sessions' runs stay (their images are not kept in the repo)
        old = json.loads(old.read_text())
        for key in ("runs", "commands"):
            if key in report: report[key] = {**old[key], **report[key]}
        report["classes"] = old["classes"]
    (HERE / f"{name}.json").write_text(json.dumps(report, indent=1) + "\n")
    fig = sys.argv[3] if len(sys.argv) > 3 else fig
    rows = {"dd": "DeepDream", "di": "DeepInversion"} if kind == "cpu" and {"dd", "di"} <= set(labels) else labels
    if len(sys.argv) > 4: rows = {r: labels[r] for r in sys.argv[4].split(",")}  # the runs the figure shows, top to bottom
    figure(root, rows, IMAGES / f"{fig}.png")
    print(json.dumps({r: [v["top1"] for v in x["verifiers"].values()] for r, x in report["runs"].items()}))
