"""Regenerate the README's figures from the package (run by hand: `.venv/bin/python docs/figures.py`).

docs/images/recipes.png: the four recipes on the default mnist5k teacher, 20 images each, 300 steps, seed 0.
docs/images/imagenet_cpu.png (`docs/figures.py imagenet [DEEPDREAM_DIR DEEPINVERSION_DIR]`): efficientnet_lite0
dreamed with --preset imagenet-cpu, 8 classes, seed 0 (about 3 minutes each on one core); given two synth
folders made with those settings, it draws them instead of synthesizing.
docs/images/imagenet_top.png (`docs/figures.py imagenet-top DIR`): one row of the synth folder DIR, made with
`deepinversion synth --teacher efficientnet_lite0 --recipe deepinversion --preset imagenet-cpu --n 8 --batch-size 8
--targets 985,980,749,933,294,874,130,309 --seed 0 --out DIR`.
"""
import sys, tempfile
from pathlib import Path
import torch
from matplotlib.figure import Figure
from deepinversion_nb.data import show_images
from deepinversion_nb.store import read_images
from deepinversion_nb.models import load_teacher
from deepinversion_nb.loop import Run
from deepinversion_nb.train import default_teacher
from deepinversion_nb.synth import RECIPES, recipe, synthesize

IMAGES = Path(__file__).parent / "images"


def recipes_figure(n: int = 20, steps: int = 300):
    teacher, tmp = default_teacher("mnist5k"), Path(tempfile.mkdtemp())
    fig = Figure(figsize=(8, 2.9))
    for ax, name in zip(fig.subplots(len(RECIPES), 1), RECIPES):
        m = synthesize(teacher, recipe(name, iters=steps), n, tmp / name, batch_size=n, progress=False)
        d = read_images(tmp / name)
        show_images(d["images"], mean=d["mean"], std=d["std"], nrow=n, ax=ax,
                    title=f"{name}: BN distance {m['bn_distance']:.2f}, teacher confidence {m['teacher_confidence']:.0%}")
    fig.savefig(IMAGES / "recipes.png", dpi=100, bbox_inches="tight")
    return {name: read_images(tmp / name)["images"].shape for name in RECIPES}


IMAGENET_TARGETS = [985, 980, 749, 933, 294, 874, 130, 309]  # daisy, volcano, quill, cheeseburger, brown bear, trolleybus, flamingo, bee


def imagenet_rows(dirs, labels, path):
    "One row per synth folder of 8 ImageNet images (class names above, `labels` at the left), saved to `path`."
    fig = Figure(figsize=(13, 1.8 * len(dirs)))
    for row, d, label in zip(fig.subplots(len(dirs), 8), map(Path, dirs), labels):
        x = read_images(d)
        for ax, img, y in zip(row, x["images"], x["labels"]):
            ax.imshow(((img * 0.5 + 0.5).clamp(0, 1)).permute(1, 2, 0)); ax.set_xticks([]); ax.set_yticks([])
            ax.set_title(x["classes"][int(y)].split(",")[0], fontsize=8)
        row[0].set_ylabel(label, fontsize=9)
    fig.savefig(path, dpi=80, bbox_inches="tight")
    return [str(d) for d in dirs]


def imagenet_cpu_figure(dirs: list | None = None):
    if dirs is None:
        teacher, tmp = load_teacher("efficientnet_lite0"), Path(tempfile.mkdtemp())
        dirs = [tmp / name for name in ("deepdream", "deepinversion")]
        for d in dirs: synthesize(teacher, recipe(d.name, "imagenet-cpu"), 8, d, batch_size=8, targets=IMAGENET_TARGETS, run=Run.make("cpu", None, 0))
    return imagenet_rows(dirs, ["deepdream", "deepinversion"], IMAGES / "imagenet_cpu.png")


def imagenet_top_figure(d):
    "One row of a synth folder's ImageNet images, titled with their class names (the README's first picture)."
    x, fig = read_images(d), Figure(figsize=(13, 2.1))
    for ax, img, y in zip(fig.subplots(1, len(x["labels"])), x["images"], x["labels"]):
        ax.imshow(((img * 0.5 + 0.5).clamp(0, 1)).permute(1, 2, 0)); ax.set_xticks([]); ax.set_yticks([])
        ax.set_title(x["classes"][int(y)].split(",")[0], fontsize=9)
    fig.savefig(IMAGES / "imagenet_top.png", dpi=80, bbox_inches="tight")
    return str(d)


if __name__ == "__main__":
    torch.set_num_threads(1)
    if sys.argv[1:2] == ["imagenet"]: print(imagenet_cpu_figure(sys.argv[2:4] or None))
    elif sys.argv[1:2] == ["imagenet-top"]: print(imagenet_top_figure(sys.argv[2]))
    elif sys.argv[1:2] == ["imagenet-colour"]:
        print(imagenet_rows(sys.argv[2:4], ["first BN ×10", "first BN ×100"], IMAGES / "imagenet_colour.png"))
    else: print(recipes_figure())
