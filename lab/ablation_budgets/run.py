"""Where does competition (ADI) help? DeepInversion and ADI rows of the `quick` demo at image budgets of
100, 300 and 1,000 per row, seeds 0–2 on mnist5k, and 100, 200, 300 and 1,000, seeds 0–4, on the 8×8 `digits` (run by hand:
`.venv/bin/python lab/ablation_budgets/run.py [WORKERS] [DATA]`; mnist5k about 15 minutes with 2 workers on 2 cores,
digits about 10 minutes with one). Writes lab/ablation_budgets/<DATA>.json.

Each job is `run_demo` with the rows `feature` and `compete` and the `quick` preset's settings except the
number of images, in a fresh folder, one torch thread.
"""
import json, sys, tempfile, time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

BENCH = Path(__file__).parent
BUDGETS = {"mnist5k": (100, 300, 1000), "digits": (100, 200, 300, 1000)}
SEEDS = {"mnist5k": (0, 1, 2), "digits": (0, 1, 2, 3, 4)}


def one(n: int, seed: int, data: str) -> dict:
    import torch
    torch.set_num_threads(1)
    from deepinversion_nb.experiments import DEMO_PRESETS, run_demo
    from deepinversion_nb.loop import Run
    DEMO_PRESETS[f"quick-{n}"] = replace(DEMO_PRESETS["quick"], n=n)
    t0 = time.time()
    with tempfile.TemporaryDirectory() as d:
        rep = run_demo(f"quick-{n}", data, Path(d) / "demo", Run.make("cpu", seed=seed), progress=False, rows=("feature", "compete"))
    return {"n": n, "seed": seed, "teacher_accuracy": rep["teacher"]["accuracy"], "seconds": round(time.time() - t0, 1),
            **{row: rep["rows"][row]["student_accuracy"] for row in ("feature", "compete")}}


if __name__ == "__main__":
    workers = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    data = sys.argv[2] if len(sys.argv) > 2 else "mnist5k"
    jobs = [(n, s, data) for n in reversed(BUDGETS[data]) for s in SEEDS[data]]  # the longest first
    with ProcessPoolExecutor(workers) as ex: rows = list(ex.map(one, *zip(*jobs)))
    from deepinversion_nb.bench import machine
    out = BENCH / ("ablation_budgets.json" if data == "mnist5k" else f"ablation_budgets_{data}.json")
    out.write_text(json.dumps({"machine": {**machine(), "torch_threads": 1}, "data": data, "preset": "quick", "rows": rows}, indent=1))
    for r in rows: print(r)
