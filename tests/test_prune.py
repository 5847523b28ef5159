"Data-free pruning from the command line: `demo --task prune`, the `prune` verb, and their bad input."
import json
import torch
from conftest import cli_json, cli_here, assert_one_line_error
from deepinversion_nb.train import default_teacher, teacher_path
from deepinversion_nb.models import load_checkpoint
from deepinversion_nb.prune import count_params, prune


def test_demo_task_prune_writes_rows_that_eval_reads(tmp_path):
    "report.json's schema; each row's model is on disk, smaller than the teacher, and 'eval' reproduces its accuracy."
    rep = cli_json("demo", "--task", "prune", "--scale", "tiny", "--ratios", "0.5", "--out", tmp_path)
    saved = json.loads((tmp_path / "report.json").read_text())
    assert {k: saved[k] for k in ("task", "data", "preset", "seed", "ratios")} == {"task": "prune", "data": "mnist5k", "preset": "tiny", "seed": 0, "ratios": [0.5]}
    assert list(saved["rows"]) == ["nofinetune-50", "real-50", "prior-50", "feature-50", "compete-50"] and rep["rows"] == saved["rows"]
    for row, r in saved["rows"].items():
        assert r["params"] < saved["teacher"]["params"] / 3 and r["flops"] < saved["teacher"]["flops"] / 3
        ev = cli_json("eval", "--model", tmp_path / "models" / f"{row}.pt", "--data", "mnist5k:test")
        assert ev["accuracy"] == r["accuracy"] and ev["n"] == 1000
    assert "| pruned, no finetune | 50% | 18,482 |" in (tmp_path / "report.md").read_text()


def test_prune_verb_recovers_with_kd(tmp_path):
    "The verb's model is the library's prune of the teacher (same widths and outputs); KD on dreamed digits lifts it far above no finetune."
    default_teacher("mnist5k", progress=False)
    teacher = load_checkpoint(teacher_path("mnist5k"))
    bare = cli_json("prune", "--teacher", teacher_path("mnist5k"), "--ratio", 0.5, "--out", tmp_path / "bare.pt")
    small = load_checkpoint(tmp_path / "bare.pt")
    assert small.card.kwargs == prune(teacher, 0.5).card.kwargs and count_params(small) == bare["params"] < count_params(teacher)
    torch.testing.assert_close(small(torch.ones(2, 1, 28, 28)), prune(teacher, 0.5)(torch.ones(2, 1, 28, 28)))
    assert bare["accuracy"] < 0.5  # without recovery near chance
    cli_json("synth", "--teacher", teacher_path("mnist5k"), "--recipe", "deepinversion", "--n", 100, "--steps", 100, "--out", tmp_path / "dreams")
    kd = cli_json("prune", "--teacher", teacher_path("mnist5k"), "--ratio", 0.5, "--images", tmp_path / "dreams", "--steps", 200, "--out", tmp_path / "kd.pt")
    assert kd["images"] == 100 and kd["steps"] == 200 and kd["accuracy"] > bare["accuracy"] + 0.3, (bare, kd)


def test_prune_bad_input(tmp_path):
    default_teacher("mnist5k", progress=False)
    t = teacher_path("mnist5k")
    for ratio in ("0", "1", "1.5", "-0.1"):
        assert_one_line_error(cli_here("prune", "--teacher", t, "--ratio", ratio, "--out", tmp_path / "p.pt"), "between 0 and 1")
    assert_one_line_error(cli_here("prune", "--teacher", t, "--ratio", "abc", "--out", tmp_path / "p.pt"), "--ratio")
    cli_json("train", "--data", "digits:train", "--arch", "mlp", "--epochs", 1, "--out", tmp_path / "mlp.pt")
    assert_one_line_error(cli_here("prune", "--teacher", tmp_path / "mlp.pt", "--ratio", "0.5", "--out", tmp_path / "p.pt"), "cannot prune")
    assert_one_line_error(cli_here("demo", "--task", "prune", "--ratios", "0.5,1.2", "--out", tmp_path / "d"), "between 0 and 1")
    assert not (tmp_path / "p.pt").exists() and not (tmp_path / "d").exists()
