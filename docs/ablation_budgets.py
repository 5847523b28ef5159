"""Where does competition (ADI) help? DeepInversion and ADI rows of the `quick` demo at image budgets of
100, 300 and 1,000 per row, seeds 0–2 (run by hand: `.venv/bin/python docs/ablation_budgets.py [WORKERS]`;
about 15 minutes with 2 workers on 2 cores). Writes docs/bench/ablation_budgets.json.

Each job is `run_demo` with the rows `feature` and `compete` and the `quick` preset's settings except the
number of images, in a fresh folder, one torch thread.
"""
import json, sys, tempfile, time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

OUT = Path(__file__).parent / "bench" / "ablation_budgets.json"
BUDGETS, SEEDS = (100, 300, 1000), (0, 1, 2)


def one(n: int, seed: int) -> dict:
    import torch
    torch.set_num_threads(1)
    from deepinversion_nb.experiments import DEMO_PRESETS, run_demo
    from deepinversion_nb.train import Run
    DEMO_PRESETS[f"quick-{n}"] = replace(DEMO_PRESETS["quick"], n=n)
    t0 = time.time()
    with tempfile.TemporaryDirectory() as d:
        rep = run_demo(f"quick-{n}", "mnist5k", Path(d) / "demo", Run.make("cpu", seed=seed), progress=False, rows=("feature", "compete"))
    return {"n": n, "seed": seed, "teacher_accuracy": rep["teacher"]["accuracy"], "seconds": round(time.time() - t0, 1),
            **{row: rep["rows"][row]["student_accuracy"] for row in ("feature", "compete")}}


if __name__ == "__main__":
    workers = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    jobs = [(n, s) for n in reversed(BUDGETS) for s in SEEDS]  # the longest first
    with ProcessPoolExecutor(workers) as ex: rows = list(ex.map(one, *zip(*jobs)))
    from deepinversion_nb.bench import machine
    OUT.write_text(json.dumps({"machine": {**machine(), "torch_threads": 1}, "preset": "quick", "rows": rows}, indent=1))
    for r in rows: print(r)
