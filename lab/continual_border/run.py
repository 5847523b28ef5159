"""Can the old teacher dream the border it never learned? "Border dreams": DeepInversion started from real images
of the *new* classes instead of noise, each pushed (BN statistics, priors, cross-entropy) to the old class the
0–4 teacher sees in it — a 9 turned into the teacher's 4. Rows: the demo's `feature` images alone (reproduces the
demo's row), border dreams alone, both. Run by hand: `.venv/bin/python lab/continual_border/run.py SEED PRESET`
(one thread; `quick`: 3–4 minutes on one core). Writes lab/continual_border/<preset>_seed<SEED>.json.
"""
import json, sys, time
from pathlib import Path
import torch
from deepinversion_nb.continual import class_teacher, learn_new_classes, old_new_accuracy, only_classes
from deepinversion_nb.data import get_data, normalize
from deepinversion_nb.experiments import DEMO_PRESETS, row_images
from deepinversion_nb.inversion import invert
from deepinversion_nb.synth import build_objective, build_transforms
from deepinversion_nb.loop import Run


def border_dreams(teacher, new_x, p, run, seed):
    "p.n images: random new-class images (model space) inverted towards the old class the teacher reads in each."
    r, pick = p.recipe("deepinversion"), torch.randperm(len(new_x), generator=torch.Generator().manual_seed(1000 + seed))[: p.n]
    out = []
    for b in range(0, p.n, p.batch):
        x0 = new_x[pick[b:b + p.batch]]
        with torch.no_grad(): targets = teacher(x0).argmax(1)
        out.append(invert(teacher, build_objective(r), targets, r.phases, r.lr, build_transforms(r), seed=seed * 100 + b, run=run, x0=x0).images)
    return torch.cat(out)


if __name__ == "__main__":
    seed, preset = int(sys.argv[1]), sys.argv[2]
    torch.set_num_threads(1)
    p, old, new, run = DEMO_PRESETS[preset], list("01234"), list("56789"), Run.make("cpu", seed=seed)
    teacher = class_teacher("mnist5k", old, "cpu", False)
    test_all, new_ds = get_data("mnist5k:test"), only_classes(get_data("mnist5k:train"), new, old + new)
    folder = Path(f"continual-border-{preset}-s{seed}")  # the feature row's images (resumable)
    dreams = row_images(teacher, only_classes(test_all, old), "feature", p, folder, run, False)[0]
    border = border_dreams(teacher, normalize(new_ds.tensors()[0], teacher.card.mean, teacher.card.std), p, run, seed)
    rows = {}
    for name, x in {"feature": dreams, "border": border, "feature+border": torch.cat([dreams, border])}.items():
        t0 = time.time()
        model = learn_new_classes(teacher, new_ds, x, None, p.kd.steps, p.kd.batch_size, kd=4.0, seed=run.seed_for("kd"), run=run)
        rows[name] = {**old_new_accuracy(model, test_all, old), "images": len(x), "kd_seconds": round(time.time() - t0)}
        print(name, rows[name], flush=True)
    out = Path(__file__).parent / f"{preset}_seed{seed}.json"
    out.write_text(json.dumps({"preset": preset, "seed": seed, "rows": rows}, indent=1) + "\n")
