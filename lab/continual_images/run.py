"""Do more dreamed images keep more of the old classes? The `feature` row of the continual-learning demo
(DeepInversion images of the 0–4 teacher, then 0–4 → 0–9 with real 5–9 only) with N images instead of the
preset's. Run by hand: `.venv/bin/python lab/continual_images/run.py N SEED PRESET` (one thread; `full`, N = 2,000:
about 20 minutes on one core). Appends its result to lab/continual_images/results.json.
"""
import json, sys, time
from pathlib import Path
import torch
from deepinversion_nb.continual import class_teacher, learn_new_classes, old_new_accuracy, only_classes
from deepinversion_nb.data import get_data
from deepinversion_nb.experiments import DEMO_PRESETS
from deepinversion_nb.store import read_images
from deepinversion_nb.synth import synthesize
from deepinversion_nb.loop import Run

OUT = Path(__file__).parent / "results.json"

if __name__ == "__main__":
    n, seed, preset = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    torch.set_num_threads(1)
    p, old, new, run = DEMO_PRESETS[preset], list("01234"), list("56789"), Run.make("cpu", seed=seed)
    teacher = class_teacher("mnist5k", old, "cpu", False)
    new_ds = only_classes(get_data("mnist5k:train"), new, old + new)
    folder = Path(f"continual-images-{preset}-n{n}-s{seed}")  # resumable: run again to continue
    t0 = time.time()
    synthesize(teacher, p.recipe("deepinversion"), n, folder, batch_size=p.batch, run=run, progress=False)
    synth_s, t0 = time.time() - t0, time.time()
    model = learn_new_classes(teacher, new_ds, read_images(folder)["images"], None, p.kd.steps, p.kd.batch_size, kd=4.0,
                              seed=run.seed_for("kd"), run=run)
    row = {"preset": preset, "seed": seed, "images": n, "synth_seconds": round(synth_s), "kd_seconds": round(time.time() - t0),
           **old_new_accuracy(model, get_data("mnist5k:test"), old)}
    rows = json.loads(OUT.read_text())["rows"] if OUT.exists() else []
    OUT.write_text(json.dumps({"rows": rows + [row]}, indent=1))
    print(row)
