"""Time `--preset imagenet-cpu` (efficientnet_lite0, 8 images, one batch) on this machine's cores in four ways, side by side,
and write lab/shared_batch/results.json: `python lab/shared_batch/run.py OUT_DIR [REPEATS]` (`OUT_DIR --judge`: only judge
the first repeat's images again, with `deepinversion metrics` and efficientnet_lite1/lite2, into the same file).

- one process, one torch thread (how lab/imagenet_presets/cpu_runs.json was timed: two runs side by side);
- one process, torch's default threads (one per core);
- torchrun, one process per core sharing the batch (notebook 08: the same batch of 8, its statistics pooled);
- torchrun, one process per core with a batch of 8 / cores each (another method: BN matched over fewer images).

Each way runs REPEATS times (default 2), the ways interleaved so that the machine's drift hits all of them; the wall time
is the whole command's (start-up included), `seconds` the optimization's from metrics.json. The images of the shared
batch are compared with one process's: the same loss and gradient up to the order of additions (notebook 08), but on
a deep teacher rounding differences grow over hundreds of steps, as between one thread and two.
"""
import json, os, statistics, subprocess, sys, time
from pathlib import Path
import torch
from deepinversion_nb.bench import machine
from deepinversion_nb.store import write_json

TARGETS = "985,980,749,933,294,874,130,309"


def ways(cores: int) -> dict:
    bin_ = Path(sys.executable).parent
    synth = ["synth", "--teacher", "efficientnet_lite0", "--recipe", "deepinversion", "--preset", "imagenet-cpu", "--count", "8",
             "--targets", TARGETS, "--device", "cpu", "--seed", "0"]
    torchrun = [str(bin_ / "torchrun"), "--standalone", "--nproc-per-node", str(cores), "-m", "deepinversion_nb.cli", *synth]
    return {"one process, 1 thread": ({"OMP_NUM_THREADS": "1"}, [str(bin_ / "deepinversion"), *synth, "--batch", "8"]),
            f"one process, {cores} threads": ({"OMP_NUM_THREADS": str(cores)}, [str(bin_ / "deepinversion"), *synth, "--batch", "8"]),
            f"{cores} processes sharing the batch of 8": ({}, [*torchrun, "--batch", "8"]),
            f"{cores} processes, a batch of {8 // cores} each": ({}, [*torchrun, "--batch", str(8 // cores)])}


def run_once(env: dict, cmd: list, out: Path) -> dict:
    t0 = time.time()
    r = subprocess.run([*cmd, "--out", str(out)], env={**os.environ, **env}, capture_output=True, text=True)
    if r.returncode: sys.exit(f"{' '.join(cmd)} failed: {r.stderr[-800:]}")
    m = json.loads((out / "metrics.json").read_text())
    return {"wall_seconds": time.time() - t0, "seconds": m["seconds"], "bn_distance": m["bn_distance"], "teacher_accuracy": m["teacher_accuracy"]}


JSON = Path(__file__).parent / "results.json"


def judge(out: Path):
    "Each way's first run judged by the two verifiers (top-1) and its Inception Score (lite1), merged into the JSON."
    report, bin_ = json.loads(JSON.read_text()), Path(sys.executable).parent
    judged = {}
    for i, name in enumerate(report["runs"]):
        r = subprocess.run([str(bin_ / "deepinversion"), "metrics", "--images", str(out / f"way{i}_r0"), "--verifier", "efficientnet_lite1",
                            "--verifier", "efficientnet_lite2", "--json"], capture_output=True, text=True, check=True)
        m = json.loads(r.stdout)
        judged[name] = {**{v: m["verifiers"][v]["top1"] for v in m["verifiers"]}, "inception_score": m["inception_score"]}
    write_json(JSON, {**report, "judged_first_repeat": judged})


def main(out: Path, repeats: int = 2):
    cores = os.cpu_count()
    todo, runs = ways(cores), {}
    for k in range(repeats):
        for i, (name, (env, cmd)) in enumerate(todo.items()):
            runs.setdefault(name, []).append(run_once(env, cmd, out / f"way{i}_r{k}"))
            print(name, runs[name][-1], file=sys.stderr)
    images = lambda i: torch.load(out / f"way{i}_r0" / "images.pt", weights_only=True)["images"]
    median = {name: statistics.median(r["wall_seconds"] for r in rs) for name, rs in runs.items()}
    base = median[f"one process, {cores} threads"]
    write_json(JSON, {
        "machine": machine(), "command": " ".join(["torchrun", *todo[f"{cores} processes sharing the batch of 8"][1][1:]]), "repeats": repeats,
        "runs": runs, "median_wall_seconds": median, "speedup_vs_one_process_all_threads": {n: base / m for n, m in median.items()},
        "max_pixel_difference_model_space": {"shared batch vs one process, 1 thread": (images(2) - images(0)).abs().max().item(),
                                             f"one process, {cores} threads vs 1 thread": (images(1) - images(0)).abs().max().item()}})
    judge(out)


if __name__ == "__main__":
    if sys.argv[2:] == ["--judge"]: judge(Path(sys.argv[1]))
    else: main(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 2)
