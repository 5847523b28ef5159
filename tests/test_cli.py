"The `deepinversion` command as a user runs it: train, eval (also on a torchvision MNIST folder), demo, bad input."
import json, os, signal, subprocess, threading, time
import numpy as np, pytest, torch
from PIL import Image
from conftest import BIN, cli, cli_here, cli_json, assert_one_line_error
from deepinversion_nb.data import load_embedded, save_mnist_raw
from deepinversion_nb.train import default_teacher, teacher_path


@pytest.fixture(scope="module")
def teacher_ckpt():
    default_teacher("mnist5k", progress=False)  # trained once, shared with the notebooks through the cache
    return teacher_path("mnist5k")


@pytest.fixture(scope="module")
def rgb_folder(tmp_path_factory):
    "An ImageFolder of 3 classes of 12×12 RGB images (colour = class), as a user's own data."
    d = tmp_path_factory.mktemp("rgb")
    rng = np.random.default_rng(0)
    for c, colour in enumerate([(200, 30, 30), (30, 200, 30), (30, 30, 200)]):
        (d / f"c{c}").mkdir()
        for j in range(20):
            img = np.clip(np.array(colour) + rng.normal(0, 25, (12, 12, 3)), 0, 255).astype(np.uint8)
            Image.fromarray(img).save(d / f"c{c}" / f"{j}.png")
    return d


def test_eval_on_torchvision_mnist_folder(teacher_ckpt, tmp_path):
    te = load_embedded("mnist5k", "test")
    save_mnist_raw(te.images, te.labels, tmp_path)
    on_disk = cli_json("eval", "--model", teacher_ckpt, "--data", f"mnist:{tmp_path}")
    embedded = cli_json("eval", "--model", teacher_ckpt, "--data", "mnist5k:test")
    assert on_disk["n"] == embedded["n"] == 1000
    assert on_disk["accuracy"] == embedded["accuracy"] >= 0.98
    assert torch.load(teacher_ckpt, weights_only=True)["extra"]["accuracy"] == embedded["accuracy"]


def test_train_eval_folder_and_mismatches(rgb_folder, tmp_path, teacher_ckpt):
    out = tmp_path / "rgb.pt"
    res = cli_json("train", "--data", f"folder:{rgb_folder}", "--arch", "convnet_tiny", "--epochs", "6", "--batch-size", "16", "--out", out, "--test", f"folder:{rgb_folder}")
    assert res["accuracy"] == 1.0 and res["n"] == 60  # colours are trivially separable
    ck = torch.load(out, weights_only=True)
    assert ck["card"]["channels"] == 3 and ck["card"]["size"] == [12, 12] and ck["card"]["classes"] == ["c0", "c1", "c2"]
    # a checkpoint that does not fit the data: channels, size, classes
    assert_one_line_error(cli_here("eval", "--model", out, "--data", "mnist5k:test"), "1-channel", "takes 3")
    assert_one_line_error(cli_here("eval", "--model", teacher_ckpt, "--data", "digits:test"), "8×8", "28×28")
    assert_one_line_error(cli_here("eval", "--model", teacher_ckpt, "--data", f"folder:{rgb_folder}"), "classes the model lacks", "c0")


def test_bad_input_never_overwrites(tmp_path, teacher_ckpt):
    keep = tmp_path / "keep.pt"; keep.write_bytes(b"precious")
    for args, expect in [
        (("train", "--data", "mnist5k:dev", "--arch", "convnet"), ("unknown split", "mnist5k:test")),
        (("train", "--data", "svhn:/x", "--arch", "convnet"), ("unknown dataset 'svhn'", "cifar10:ROOT")),
        (("train", "--data", "mnist5k", "--arch", "convnet"), ("needs NAME:ARG",)),
        (("train", "--data", "mnist5k:train", "--arch", "lenet9"), ("unknown architecture 'lenet9'", "convnet_small")),
        (("train", "--data", f"mnist:{tmp_path}/none", "--arch", "convnet"), ("no such folder",)),
        (("train", "--data", f"folder:{tmp_path}", "--arch", "convnet"), ("no images",)),
    ]:
        assert_one_line_error(cli_here(*args, "--out", keep, "--overwrite"), *expect)  # even when replacing is allowed
    assert_one_line_error(cli_here("train", "--data", "mnist5k:train", "--arch", "convnet", "--out", keep), "exists; pass --overwrite")
    assert keep.read_bytes() == b"precious"
    assert_one_line_error(cli_here("eval", "--model", keep, "--data", "mnist5k:test"), "not a readable checkpoint")
    foreign = tmp_path / "foreign.pt"; torch.save({"weights": torch.zeros(3)}, foreign)
    assert_one_line_error(cli_here("eval", "--model", foreign, "--data", "mnist5k:test"), "not a deepinversion_nb checkpoint")
    assert_one_line_error(cli_here("eval", "--model", tmp_path / "missing.pt", "--data", "mnist5k:test"), "no checkpoint at")


@pytest.fixture(scope="module")
def tiny_demo(teacher_ckpt, tmp_path_factory):
    "One uninterrupted demo on the tiny preset (seed 1), as a user runs it: its folder and printed report."
    out = tmp_path_factory.mktemp("demo") / "straight"
    return out, cli_json("demo", "--scale", "tiny", "--out", out, "--seed", 1, "--device", "cpu")


def test_demo_tiny_writes_the_report(tiny_demo):
    "The demo's files, on the tiny preset: report schema, table, grids, and checkpoints that 'eval' reads back."
    out, rep = tiny_demo
    saved = json.loads((out / "report.json").read_text())
    assert {k: saved[k] for k in ("data", "preset", "seed")} == {"data": "mnist5k", "preset": "tiny", "seed": 1}
    assert saved["teacher"]["arch"] == "convnet" and saved["teacher"]["accuracy"] >= 0.98
    assert list(saved["rows"]) == ["noise", "prior", "feature", "compete", "real"]
    for row, r in saved["rows"].items():
        assert {"student_accuracy", "images", "iterations", "synth_seconds", "kd_seconds"} <= set(r)
        ev = cli_json("eval", "--model", out / "students" / f"{row}.pt", "--data", "mnist5k:test")
        assert ev["accuracy"] == r["student_accuracy"] and ev["n"] == 1000
    assert cli_json("eval", "--model", out / "teacher.pt", "--data", "mnist5k:test")["accuracy"] == saved["teacher"]["accuracy"]
    assert rep["rows"] == saved["rows"]
    md = (out / "report.md").read_text()
    assert "+ R_feature (DeepInversion)" in md and f"{saved['rows']['real']['student_accuracy']:.2%}" in md
    assert len(list(out.glob("grid_*.png"))) == 4


def test_interrupted_demo_resumes_to_the_same_report(tiny_demo, tmp_path):
    "The demo killed by SIGTERM after two finished rows, run again, reports exactly what the uninterrupted demo reports."
    cmd = [str(BIN / "deepinversion"), "demo", "--scale", "tiny", "--seed", "1", "--device", "cpu", "--json", "--out", str(tmp_path)]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
    t0 = time.time()
    while len(list((tmp_path / "students").glob("*.pt"))) < 2:
        if p.poll() is not None or time.time() - t0 > 600: pytest.fail(f"the demo ended before two rows ({p.returncode}): {p.communicate()[1][-800:]}")
        time.sleep(0.05)
    p.send_signal(signal.SIGTERM)
    _, err = p.communicate(timeout=120)
    rows = json.loads((tmp_path / "report.json").read_text())["rows"]
    finished = p.returncode in (0, -signal.SIGTERM) and len(rows) == 5  # it ended before the signal landed
    assert p.returncode == 130 or finished, (p.returncode, err[-500:])
    cli_json("demo", "--scale", "tiny", "--seed", 1, "--device", "cpu", "--out", tmp_path)  # resume
    strip = lambda r: {k: {f: v for f, v in row.items() if not f.endswith("seconds")} for k, row in r["rows"].items()}
    a, b = (json.loads((d / "report.json").read_text()) for d in (tmp_path, tiny_demo[0]))
    assert strip(a) == strip(b), (strip(a), strip(b))


def test_help_for_every_verb():
    top = cli("--help")  # the installed entry point once; each verb's help in-process
    assert top.returncode == 0
    for verb in ("train", "eval", "synth", "distill", "metrics", "demo"):
        assert verb in top.stdout
        r = cli_here(verb, "--help")
        assert r.returncode == 0 and "--json" in r.stdout, r.stdout

def test_demo_first_line_says_how_long_and_the_old_flag_name_still_works(tmp_path):
    "`demo` opens with how long it takes and how to run the paper-size version; `--preset`, the old name of --scale, still parses, with one line."
    from deepinversion_nb.cli import build_parser, _demo_note
    quick = _demo_note(build_parser().parse_args(["demo"]))
    assert "--scale quick: about 3 minutes" in quick and "--scale full is the paper-size run" in quick, quick
    r = cli_here("demo", "--preset", "tiny", "--seed", "1", "--device", "cpu", "--out", tmp_path / "d")
    assert r.returncode == 0, r.stderr
    lines = r.stderr.splitlines()
    assert lines[0] == "deepinversion demo: --preset is now --scale; the old name goes in the next release"
    assert "--scale tiny: a few seconds" in lines[1], r.stderr
    assert "--preset" not in cli_here("demo", "--help").stdout  # hidden from --help


def test_named_teacher_is_the_cached_default(teacher_ckpt, tmp_path):
    "`--model mnist5k-convnet` / `--teacher mnist5k-convnet` read the default teacher, and it is an input the output may not replace."
    assert cli_json("eval", "--model", "mnist5k-convnet", "--data", "mnist5k:test") == cli_json("eval", "--model", teacher_ckpt, "--data", "mnist5k:test") | {"model": "mnist5k-convnet"}
    r = cli_here("prune", "--teacher", "mnist5k-convnet", "--ratio", "0.5", "--out", teacher_ckpt, "--overwrite")
    assert r.returncode == 2 and "is also a file this command reads" in r.stderr, r.stderr


def test_demo_seeds_bad_input(tmp_path):
    for seeds, expect in [("0,x", "whole numbers separated by commas"), ("1", "two or more different seeds"), ("2,2", "two or more different seeds")]:
        assert_one_line_error(cli_here("demo", "--scale", "tiny", "--seeds", seeds, "--out", tmp_path / "d"), expect)
    assert not (tmp_path / "d").exists()  # refused before anything was written


def test_lite_default_on_cpu_names_the_quick_preset_before_it_starts(tmp_path):
    "The README's ImageNet command without --preset takes the 3,000-step `imagenet` preset: on a CPU it says so first, and the way out."
    cmd = [str(BIN / "deepinversion"), "synth", "--teacher", "efficientnet_lite0", "--recipe", "deepinversion", "--n", "8",
           "--targets", "volcano,daisy", "--device", "cpu", "--out", str(tmp_path / "d")]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
    guard = threading.Timer(300, p.kill); guard.start()  # no note: the progress bar writes no newline, so end the run instead of waiting it out
    try: first = p.stderr.readline()  # the note comes before the first step
    finally: guard.cancel(); p.send_signal(signal.SIGTERM); p.communicate(timeout=120)
    assert first.startswith("deepinversion synth: note: efficientnet_lite0's default, --preset imagenet, runs 3,000 steps"), first
    assert "--preset imagenet-cpu (450 steps)" in first, first
