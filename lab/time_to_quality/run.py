"""Student accuracy against CPU seconds for single- and multi-resolution DeepInversion on the digits
(run by hand: `.venv/bin/python lab/time_to_quality/run.py [WORKERS]`; about 10 minutes with 2 workers).

For each step budget and seed: 200 DeepInversion images of the default mnist5k teacher (batch 100), one
full-resolution phase (`single`) or ¾ of the steps at half resolution then ¼ at full (`multires`), a
`convnet_narrow` student distilled for 600 steps of batch 64 (the `quick` demo's KD), evaluated on the
1,000 real test digits. CPU seconds: the process's CPU time for synthesis + distillation + evaluation,
one torch thread per run. Writes lab/time_to_quality/results.json.
"""
import json, sys, tempfile, time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

OUT = Path(__file__).parent / "results.json"
BUDGETS, SEEDS = (50, 100, 200, 400), (0, 1)


def one(schedule: str, steps: int, seed: int) -> dict:
    import torch
    torch.set_num_threads(1)
    from deepinversion_nb.data import get_data
    from deepinversion_nb.inversion import Phase
    from deepinversion_nb.models import build_model, evaluate
    from deepinversion_nb.store import read_images
    from deepinversion_nb.synth import SCHEDULES, recipe, synthesize
    from deepinversion_nb.loop import Run, seeded
    from deepinversion_nb.train import KDConfig, default_teacher, train_student
    teacher, test = default_teacher("mnist5k", progress=False), get_data("mnist5k:test")
    if schedule == "single": r = recipe("deepinversion", iters=steps)
    else:
        SCHEDULES["sweep"] = (Phase(steps * 3 // 4, scale=0.5), Phase(steps - steps * 3 // 4))
        r = recipe("deepinversion", schedule="sweep")
    with tempfile.TemporaryDirectory() as d:  # warm-up: the first run in a process pays one-time initialization
        synthesize(teacher, recipe("deepinversion", iters=2), 4, Path(d) / "w", batch_size=4, progress=False)
    run, cpu0 = Run.make("cpu", seed=seed), time.process_time()
    with tempfile.TemporaryDirectory() as d:
        m = synthesize(teacher, r, 200, Path(d) / "s", batch_size=100, run=run, progress=False)
        x = read_images(Path(d) / "s")["images"]
    cpu1 = time.process_time()
    with seeded(run.seed_for("student")): student = build_model("convnet_narrow", teacher.card.meta)
    train_student(student, teacher, x, KDConfig(steps=600, batch_size=64), seed=run.seed_for("kd"), run=run)
    acc = evaluate(student, test)["accuracy"]
    return {"schedule": schedule, "steps": steps, "seed": seed, "student_accuracy": acc, "teacher_accuracy_on_images": m["teacher_accuracy"],
            "bn_distance": m["bn_distance"], "synth_cpu_s": round(cpu1 - cpu0, 1), "cpu_s": round(time.process_time() - cpu0, 1)}


if __name__ == "__main__":
    workers = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    jobs = [(s, b, seed) for b in BUDGETS for s in ("single", "multires") for seed in SEEDS]
    with ProcessPoolExecutor(workers) as ex: rows = list(ex.map(one, *zip(*jobs)))
    import torch
    from deepinversion_nb.bench import machine
    from deepinversion_nb.train import default_teacher
    from deepinversion_nb.models import evaluate
    from deepinversion_nb.data import get_data
    t = evaluate(default_teacher("mnist5k", progress=False), get_data("mnist5k:test"))["accuracy"]
    OUT.write_text(json.dumps({"machine": {**machine(), "torch_threads": 1}, "teacher_accuracy": t, "n": 200, "kd": {"steps": 600, "batch_size": 64}, "rows": rows}, indent=1))
    for r in rows: print(r)
