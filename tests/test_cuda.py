"GPU checks (pytest -m cuda on a machine with an NVIDIA GPU): the exported module runs on CUDA unchanged, fp16 and bf16 included."
import pytest, torch
from conftest import cli_json
from deepinversion_nb.train import default_teacher, teacher_path
from deepinversion_nb.inversion import invert, CrossEntropy, Phase, make_targets, teacher_confidence
from deepinversion_nb.synth import recipe, build_objective, build_transforms
from deepinversion_nb.train import Run

pytestmark = pytest.mark.cuda


def test_cuda_is_there():
    assert torch.cuda.is_available(), "pytest -m cuda needs an NVIDIA GPU"


@pytest.mark.parametrize("amp", [None, "bf16", "fp16"])
def test_deepinversion_on_gpu(amp):
    teacher = default_teacher("mnist5k", device="cuda", progress=False)
    r = recipe("deepinversion", iters=200)
    y = make_targets(50, 10)
    res = invert(teacher, build_objective(r), y, r.phases, r.lr, build_transforms(r), run=Run.make("cuda", amp=amp))
    c = teacher_confidence(teacher.cpu(), res.images, y)
    assert c["teacher_accuracy"] >= 0.9, c
    assert res.losses["bn"] < 3.0, res.losses  # the BN term converged under mixed precision too


def test_synth_cli_on_gpu(tmp_path):
    default_teacher("mnist5k", progress=False)
    m = cli_json("synth", "--teacher", teacher_path("mnist5k"), "--recipe", "adi", "--n", 40, "--batch", 20, "--iters", 100,
                 "--device", "cuda", "--amp", "fp16", "--out", tmp_path)
    assert m["teacher_accuracy"] >= 0.9 and m["bn_distance"] < 5, m
