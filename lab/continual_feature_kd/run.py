"""Does keeping the features help, or a stronger hold on the old outputs? The continual demo's rows (0–4 → 0–9, real 5–9
only; `feature`: DeepInversion images of the 0–4 teacher, `oracle_distilled`: the real 0–4 training images) trained with
`feature_kd=W` — the loss also pulls the features the classifier reads towards the old model's — and KD weight KD.
Run by hand: `.venv/bin/python lab/continual_feature_kd/run.py PRESET SEED W [KD [ROWS]]` (one thread; KD: 4, the demo's,
unless given; ROWS: some of lwf,feature,oracle_distilled, comma-separated, lwf,feature unless given; `full`: about 5 to
10 minutes a row on one core). Appends its rows to lab/continual_feature_kd/results.json.
"""
import fcntl, json, sys, tempfile, time
from pathlib import Path
import torch
from deepinversion_nb.continual import old_class_images, class_teacher, learn_new_classes, old_new_accuracy, only_classes
from deepinversion_nb.data import get_data
from deepinversion_nb.experiments import DEMO_PRESETS
from deepinversion_nb.loop import Run

OUT = Path(__file__).parent / "results.json"

if __name__ == "__main__":
    preset, seed, w = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    kd, wanted = float(sys.argv[4]) if len(sys.argv) > 4 else 4.0, sys.argv[5].split(",") if len(sys.argv) > 5 else ["lwf", "feature"]
    torch.set_num_threads(1)
    p, old, new, run = DEMO_PRESETS[preset], list("01234"), list("56789"), Run.make("cpu", seed=seed)
    teacher = class_teacher("mnist5k", old, "cpu", False)
    test_all, new_ds = get_data("mnist5k:test"), only_classes(get_data("mnist5k:train"), new, old + new)
    rows = []
    for name in wanted:  # each row's old-class images as the demo makes them (dreams kept in continual-feature-kd-PRESET-sSEED/)
        x = old_class_images(name, teacher, only_classes(test_all, old), p, Path(f"continual-feature-kd-{preset}-s{seed}"), run, False, "mnist5k")[0]
        t0 = time.time()
        model = learn_new_classes(teacher, new_ds, x, None, p.kd.steps, p.kd.batch_size, kd=kd, seed=run.seed_for("kd"), run=run, feature_kd=w)
        rows.append({"preset": preset, "seed": seed, "feature_kd": w, "kd": kd, "row": name, **old_new_accuracy(model, test_all, old), "kd_seconds": round(time.time() - t0)})
        print(rows[-1], flush=True)
    with open(Path(tempfile.gettempdir()) / "deepinversion-feature-kd.lock", "w") as lock:  # two runs may finish together
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = json.loads(OUT.read_text())["rows"] if OUT.exists() else []
        OUT.write_text(json.dumps({"rows": done + rows}, indent=1) + "\n")
