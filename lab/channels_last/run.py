"""Would channels_last memory make a CPU step cheaper? Times the teacher's bare forward + backward and one step of `invert`
(the recipe's loss terms and transforms) with the teacher's weights in the default NCHW layout and in channels_last
(`teacher.to(memory_format=torch.channels_last)`: the images stay NCHW, the convolutions turn them channels_last),
interleaved, medians over REPEATS rounds, one torch thread; and how far the images of the two layouts drift apart after
STEPS steps from the same noise. Writes lab/channels_last/results.json: `python lab/channels_last/run.py [REPEATS] [STEPS]`.
`python lab/channels_last/run.py --end-to-end DIR`: `--preset imagenet-cpu` (8 images, the paper's classes, seed 0) in both
layouts, two processes side by side, one thread each, judged by lite1 and lite2; adds the result to the same file.
"""
import copy, json, statistics, subprocess, sys, torch
from pathlib import Path
from deepinversion_nb.bench import bench_teacher, bare_steps, ours_steps
from deepinversion_nb.inversion import Phase, invert
from deepinversion_nb.synth import build_objective, build_transforms, recipe
from deepinversion_nb.loop import Run

CASES = [("mnist5k", 100, 28, "digits"), ("cifar_resnet34", 16, 32, "official"),
         ("efficientnet_lite0", 8, 224, "imagenet-cpu"), ("efficientnet_lite0", 8, 112, "imagenet-cpu")]  # 112: imagenet-cpu's first phase


def channels_last(teacher):
    "A copy of the teacher with channels_last weights, as a user makes it: its convolutions then hand on channels_last activations."
    m = copy.deepcopy(teacher).to(memory_format=torch.channels_last); m.card = teacher.card
    return m


def case(model, batch, px, preset, repeats, steps, run):
    r, t = recipe("deepinversion", preset), bench_teacher(model, px)
    teachers = {"nchw": t, "channels_last": channels_last(t)}
    y = torch.arange(batch) % t.card.num_classes
    k = 8 if px >= 112 else 20
    bare, ours = ({n: [] for n in teachers} for _ in range(2))
    for rep in range(repeats):
        for n in (list(teachers) if rep % 2 == 0 else list(teachers)[::-1]):  # alternate the order: drift hits both
            bare[n] += bare_steps(teachers[n], y, k, run)
            ours[n] += ours_steps(teachers[n], r, y, k, run)
    ms = lambda d: {n: round(statistics.median(v) * 1000, 1) for n, v in d.items()}
    imgs = {n: invert(m, build_objective(r), y, (Phase(steps),), r.lr, build_transforms(r), seed=0, run=run).images for n, m in teachers.items()}
    return {"model": model, "batch": batch, "resolution": px, "preset": preset, "steps_timed": k * repeats,
            "bare_ms": ms(bare), "ours_ms": ms(ours),
            "ours_nchw_over_channels_last": round(statistics.median(ours["nchw"]) / statistics.median(ours["channels_last"]), 3),
            "bare_nchw_over_channels_last": round(statistics.median(bare["nchw"]) / statistics.median(bare["channels_last"]), 3),
            f"image_max_abs_diff_after_{steps}_steps": (imgs["nchw"] - imgs["channels_last"]).abs().max().item(),
            "image_range": (imgs["nchw"].max() - imgs["nchw"].min()).item()}


def one_run(layout, out):
    "One `imagenet-cpu` synthesis in this process (called by `end_to_end` through a subprocess)."
    from deepinversion_nb.models import load_teacher
    from deepinversion_nb.synth import synthesize
    torch.set_num_threads(1)
    t = load_teacher("efficientnet_lite0", None, "cpu")
    if layout == "channels_last": t = t.to(memory_format=torch.channels_last)
    m = synthesize(t, recipe("deepinversion", "imagenet-cpu"), 8, out, batch_size=8, run=Run.make("cpu", seed=0),
                   targets=[985, 980, 749, 933, 294, 874, 130, 309], progress=False)
    print(json.dumps({k: m[k] for k in ("seconds", "teacher_accuracy", "bn_distance")}))


def end_to_end(root):
    "Both layouts side by side, then each folder judged by `deepinversion metrics`."
    layouts = ("nchw", "channels_last")
    procs = {l: subprocess.Popen([sys.executable, __file__, "--one", l, f"{root}/{l}"], stdout=subprocess.PIPE, text=True) for l in layouts}
    res = {l: json.loads(p.communicate()[0].strip().splitlines()[-1]) for l, p in procs.items()}
    cli = Path(sys.executable).parent / "deepinversion"
    for l in layouts:
        j = json.loads(subprocess.run([cli, "metrics", "--images", f"{root}/{l}", "--verifier", "efficientnet_lite1", "--verifier",
                                       "efficientnet_lite2", "--json"], capture_output=True, text=True, check=True).stdout)
        res[l].update({f"{v}_top1": r["top1"] for v, r in j["verifiers"].items()})
    res["nchw_over_channels_last"] = round(res["nchw"]["seconds"] / res["channels_last"]["seconds"], 3)
    return res


if __name__ == "__main__" and sys.argv[1:2] == ["--one"]: one_run(*sys.argv[2:4])
elif __name__ == "__main__" and sys.argv[1:2] == ["--end-to-end"]:
    out = Path(__file__).parent / "results.json"
    rec = json.loads(out.read_text())
    rec["imagenet-cpu, seed 0, two processes side by side"] = end_to_end(sys.argv[2]); print(rec["imagenet-cpu, seed 0, two processes side by side"])
    out.write_text(json.dumps(rec, indent=1) + "\n")
elif __name__ == "__main__":
    repeats, steps = int(sys.argv[1]) if len(sys.argv) > 1 else 4, int(sys.argv[2]) if len(sys.argv) > 2 else 50
    torch.set_num_threads(1)
    run = Run.make("cpu")
    rows = []
    for c in CASES:
        rows.append(case(*c, repeats, steps, run)); print(json.dumps(rows[-1]), flush=True)
    out = Path(__file__).parent / "results.json"
    out.write_text(json.dumps({"torch": torch.__version__, "threads": 1, "cases": rows}, indent=1) + "\n")
