"The `deepinversion` command as a user runs it: train, eval (also on a torchvision MNIST folder), demo, bad input."
import json
import numpy as np, pytest, torch
from PIL import Image
from conftest import cli, cli_here, cli_json, assert_one_line_error
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
    res = cli_json("train", "--data", f"folder:{rgb_folder}", "--arch", "convnet_tiny", "--epochs", "6", "--batch", "16", "--out", out, "--test", f"folder:{rgb_folder}")
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


def test_demo_tiny_writes_the_report(teacher_ckpt, tmp_path):
    "The demo's files, on the tiny preset: report schema, table, grids, and checkpoints that 'eval' reads back."
    rep = cli_json("demo", "--preset", "tiny", "--out", tmp_path, "--seed", 1)
    saved = json.loads((tmp_path / "report.json").read_text())
    assert {k: saved[k] for k in ("data", "preset", "seed")} == {"data": "mnist5k", "preset": "tiny", "seed": 1}
    assert saved["teacher"]["arch"] == "convnet" and saved["teacher"]["accuracy"] >= 0.98
    assert list(saved["rows"]) == ["noise", "prior", "feature", "compete", "real"]
    for row, r in saved["rows"].items():
        assert {"student_accuracy", "images", "iterations", "synth_seconds", "kd_seconds"} <= set(r)
        ev = cli_json("eval", "--model", tmp_path / "students" / f"{row}.pt", "--data", "mnist5k:test")
        assert ev["accuracy"] == r["student_accuracy"] and ev["n"] == 1000
    assert cli_json("eval", "--model", tmp_path / "teacher.pt", "--data", "mnist5k:test")["accuracy"] == saved["teacher"]["accuracy"]
    assert rep["rows"] == saved["rows"]
    md = (tmp_path / "report.md").read_text()
    assert "+ R_feature (DeepInversion)" in md and f"{saved['rows']['real']['student_accuracy']:.2%}" in md
    assert len(list(tmp_path.glob("grid_*.png"))) == 4


def test_help_for_every_verb():
    top = cli("--help")
    assert top.returncode == 0
    for verb in ("train", "eval", "synth", "distill", "demo"):
        assert verb in top.stdout
        r = cli(verb, "--help")
        assert r.returncode == 0 and "--json" in r.stdout, r.stdout
