"""Regenerate the README's figures from the package (run by hand: `.venv/bin/python docs/figures.py`).

docs/images/recipes.png: the four recipes on the default mnist5k teacher, 20 images each, 300 steps, seed 0.
"""
import tempfile
from pathlib import Path
import torch
from matplotlib.figure import Figure
from deepinversion_nb.data import show_images
from deepinversion_nb.store import read_images
from deepinversion_nb.train import default_teacher
from deepinversion_nb.synth import RECIPES, recipe, synthesize

IMAGES = Path(__file__).parent / "images"


def recipes_figure(n: int = 20, steps: int = 300):
    teacher, tmp = default_teacher("mnist5k"), Path(tempfile.mkdtemp())
    fig = Figure(figsize=(8, 2.9))
    for ax, name in zip(fig.subplots(len(RECIPES), 1), RECIPES):
        m = synthesize(teacher, recipe(name, iters=steps), n, tmp / name, batch=n, progress=False)
        d = read_images(tmp / name)
        show_images(d["images"], mean=d["mean"], std=d["std"], nrow=n, ax=ax,
                    title=f"{name}: BN distance {m['bn_distance']:.2f}, teacher confidence {m['teacher_confidence']:.0%}")
    fig.savefig(IMAGES / "recipes.png", dpi=100, bbox_inches="tight")
    return {name: read_images(tmp / name)["images"].shape for name in RECIPES}


if __name__ == "__main__":
    torch.set_num_threads(1)
    print(recipes_figure())
