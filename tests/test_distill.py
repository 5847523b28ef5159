"`deepinversion distill` on a user's own synthetic images, and its bad input."
import numpy as np, pytest, torch
from PIL import Image
from conftest import cli_here, cli_json, assert_one_line_error
from deepinversion_nb.train import default_teacher, teacher_path


@pytest.fixture(scope="module")
def teacher_ckpt():
    default_teacher("mnist5k", progress=False)
    return teacher_path("mnist5k")


@pytest.fixture(scope="module")
def synth_dir(teacher_ckpt, tmp_path_factory):
    d = tmp_path_factory.mktemp("synth")
    cli_json("synth", "--teacher", teacher_ckpt, "--recipe", "deepinversion", "--n", 100, "--batch-size", 100, "--steps", 100, "--out", d)
    return d


def test_distill_from_user_images(teacher_ckpt, synth_dir, tmp_path):
    "A synth folder, its tensor file and its PNG ImageFolder all distill; the first two are the same images (same student)."
    res = {}
    for source, images in {"folder": synth_dir, "tensor_file": synth_dir / "images.pt"}.items():  # the PNG copy: notebook 09
        out = tmp_path / f"{source}.pt"
        r = res[source] = cli_json("distill", "--teacher", teacher_ckpt, "--images", images, "--student", "convnet_narrow", "--steps", 200, "--out", out)
        assert r["images"] == 100 and r["n"] == 1000 and r["test_data"] == "mnist5k:test"
        assert r["accuracy"] > 0.15, r  # 100 DeepInversion images teach a 41k-parameter student above chance (0.10)
        assert cli_json("eval", "--model", out, "--data", "mnist5k:test")["accuracy"] == r["accuracy"]
    assert res["folder"]["accuracy"] == res["tensor_file"]["accuracy"]


def test_distill_bad_input(teacher_ckpt, synth_dir, tmp_path):
    base = ["distill", "--teacher", teacher_ckpt, "--steps", 2, "--out", tmp_path / "s.pt"]
    (tmp_path / "empty" / "3").mkdir(parents=True)
    alien = tmp_path / "alien" / "cat"; alien.mkdir(parents=True)
    Image.fromarray(np.zeros((28, 28), np.uint8)).save(alien / "0.png")
    for args, expect in [
        (["--images", tmp_path / "empty", "--student", "convnet_tiny"], ("no images",)),
        (["--images", tmp_path / "alien", "--student", "convnet_tiny"], ("classes the model lacks", "cat")),
        (["--images", synth_dir, "--student", "inception_v3"], ("cannot take",)),
        (["--images", synth_dir, "--student", "lenet"], ("unknown architecture 'lenet'",)),
        (["--images", tmp_path / "nowhere", "--student", "convnet_tiny"], ("no such images",)),
    ]:
        assert_one_line_error(cli_here(*base, *args), *expect)
    assert not (tmp_path / "s.pt").exists()


def test_adi_student_changes_what_is_synthesized_next(tmp_path):
    "In the ADI loop the student trained on batch 1 steers batch 2: same seeds, with and without student training."
    from deepinversion_nb.synth import synthesize, recipe
    teacher = default_teacher("mnist5k", progress=False)
    runs = {}
    for kd_steps in (1, 40):
        synthesize(teacher, recipe("adi", steps=30), 20, tmp_path / str(kd_steps), batch_size=10, kd_steps=kd_steps, progress=False)
        runs[kd_steps] = torch.load(tmp_path / str(kd_steps) / "images.pt", weights_only=True)["images"]
    assert torch.equal(runs[1][:10], runs[40][:10])          # batch 1: same untrained student, same images
    assert (runs[1][10:] - runs[40][10:]).abs().max() > 0.1  # batch 2: the trained student moved the images
