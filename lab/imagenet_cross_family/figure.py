"""The study's figure: seed 0's first image of each class, one row per run, each titled with MobileNet-V2's top-1 class.

Usage (from the repository root): python lab/imagenet_cross_family/figure.py OUT.png RUN [RUN ...]   (RUN: a folder under runs/)
"""
import sys
from pathlib import Path
import torch, matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from deepinversion_nb.metrics import load_verifier, read_image_set

here = Path(__file__).parent
ROW_NAMES = {"deepinversion-no-shift": "DeepInversion,\nno colour shift", "deepinversion-preset": "DeepInversion,\nimagenet-cpu",
             "deepdream-preset": "DeepDream,\nsame preset", "deepdream-no-shift": "DeepDream,\nno colour shift",
             "deepinversion-long-no-shift": "DeepInversion, 3,000\nsteps, no colour shift", "deepinversion-long": "DeepInversion,\nimagenet (3,000 steps)",
             "deepdream-long": "DeepDream,\nimagenet (3,000 steps)",
             "deepinversion-long-paper": "DeepInversion, 3,000\nsteps, jitter + flip only",
             "deepdream-long-paper": "DeepDream, 3,000\nsteps, jitter + flip only",
             "deepinversion-long-blur": "DeepInversion, 3,000\nsteps, jitter + flip + blur",
             "deepdream-long-blur": "DeepDream, 3,000\nsteps, jitter + flip + blur",
             "tune/f01-deepinversion-B": "DeepInversion, spectrum,\njitter + flip only", "tune/f01-deepdream-B": "DeepDream, spectrum,\njitter + flip only",
             "tune/fp-deepinversion-B": "DeepInversion,\nspectrum, the preset", "tune/fp-deepdream-B": "DeepDream,\nspectrum, the preset",
             "tune/e01-blur-di-B": "DeepInversion, lite0\n+ lite1, jitter + flip + blur",
             "tune/e01-blur-dd-B": "DeepDream, lite0\n+ lite1, jitter + flip + blur",
             "tune/e012-blur-di-B": "DeepInversion, lite0 + lite1\n+ lite2, jitter + flip + blur",
             "tune/e012-blur-dd-B": "DeepDream, lite0 + lite1\n+ lite2, jitter + flip + blur",
             "tune/di-zoom-B": "DeepInversion, 3,000 steps,\nzoom + turn + blur", "tune/dd-zoom-B": "DeepDream, 3,000 steps,\nzoom + turn + blur",
             "deepinversion-long-zoom": "DeepInversion, 3,000 steps,\nzoom + turn + blur", "deepdream-long-zoom": "DeepDream, 3,000 steps,\nzoom + turn + blur"}


def main(out, runs):
    judge = load_verifier("mobilenet_v2_tflite")
    fig, axs = plt.subplots(len(runs), 8, figsize=(16, 2.5 * len(runs)), squeeze=False)
    for row, run in zip(axs, runs):
        s = read_image_set(here / "runs" / run)
        first = [int((s.labels == c).nonzero()[0, 0]) for c in s.labels.unique()][:8]  # one image per class
        with torch.no_grad(): said = judge(s.images[first]).argmax(1)
        mine = judge.class_map(s.classes)[s.labels[first]]
        for ax, i, p, y in zip(row, first, said, mine):
            ax.imshow(s.images[i].permute(1, 2, 0)); ax.set_xticks([]); ax.set_yticks([])
            ax.set_title(judge.card.classes[p][:18], fontsize=8, color="green" if p == y else "red")
            ax.set_xlabel(s.classes[s.labels[i]][:18], fontsize=8)
        row[0].set_ylabel(ROW_NAMES.get(run.rsplit("-s", 1)[0], run), fontsize=9)
    which = "tuning" if all(r.startswith("tune/") for r in runs) else "held-out"
    teacher = "the teachers'" if any("/e0" in r for r in runs) else "efficientnet_lite0's"
    fig.suptitle(f"{teacher} dreams of 8 {which} classes; above each, what MobileNet-V2 (another family) sees "
                 "(green: the dreamed class); below, the dreamed class", fontsize=10)
    plt.tight_layout(); fig.savefig(out, dpi=80)
    from PIL import Image  # 256 colours: a third of the bytes, the same picture
    Image.open(out).convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT).save(out, optimize=True)


if __name__ == "__main__":
    torch.set_num_threads(1)
    main(sys.argv[1], sys.argv[2:])
