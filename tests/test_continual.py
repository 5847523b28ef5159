"Data-free continual learning from the command line: `train --classes`, `extend`, `demo --task continual`, and their bad input."
import json
import pytest
from conftest import cli_json, cli_here, assert_one_line_error
from deepinversion_nb.models import load_checkpoint
from deepinversion_nb.data import get_data
from deepinversion_nb.store import load_images
from deepinversion_nb.loop import Run
from deepinversion_nb.continual import learn_new_classes, old_new_accuracy, only_classes


@pytest.fixture(scope="module")
def old_teacher(tmp_path_factory):
    "A digits classifier of classes 0-4 only, from the command line."
    out = tmp_path_factory.mktemp("old") / "old.pt"
    r = cli_json("train", "--data", "digits:train", "--arch", "convnet_small", "--classes", "0,1,2,3,4", "--epochs", 8, "--out", out)
    assert r["classes"] == list("01234") and r["n"] == int((get_data("digits:test").labels < 5).sum()) and r["accuracy"] > 0.8, r  # the test split's 0-4 only
    return out


def test_extend_adds_classes_after_the_old_ones(old_teacher, tmp_path):
    "10 outputs, old classes first in their order, readable by eval; with --images the verb computes what the library does."
    lwf = cli_json("extend", "--teacher", old_teacher, "--data", "digits:train", "--classes", "5,6,7,8,9", "--steps", 150, "--out", tmp_path / "lwf.pt")
    m = load_checkpoint(tmp_path / "lwf.pt")
    assert m.card.classes == list("0123456789") and lwf["classes"] == list("0123456789") and lwf["images"] == 0
    ev = cli_json("eval", "--model", tmp_path / "lwf.pt", "--data", "digits:test")
    assert ev["accuracy"] == lwf["all"] and ev["n"] == 359
    cli_json("synth", "--teacher", old_teacher, "--recipe", "deepinversion", "--n", 100, "--steps", 100, "--out", tmp_path / "dreams")
    di = cli_json("extend", "--teacher", old_teacher, "--data", "digits:train", "--classes", "5,6,7,8,9", "--images", tmp_path / "dreams",
                  "--steps", 150, "--out", tmp_path / "di.pt")
    assert di["images"] == 100 and di["samples"] == int((get_data("digits:train").labels >= 5).sum())
    # the verb is the library's computation: the same training, in this process, scores the same
    teacher = load_checkpoint(old_teacher)
    new_ds = only_classes(get_data("digits:train"), "56789", list("0123456789"))
    m = learn_new_classes(teacher, new_ds, load_images(tmp_path / "dreams", teacher.card), None, 150, seed=Run.make("cpu", None, 0).seed_for("kd"))
    here = old_new_accuracy(m, get_data("digits:test"), "01234")
    assert all(abs(here[k] - di[k]) <= 2 / 168 for k in ("old", "new", "all")), (here, di)


def test_extend_options_are_the_library_options(old_teacher, tmp_path):
    "--feature-kd, --kd and --batch-size reach the library: the verb's model is learn_new_classes' with the same options (not with the default kd)."
    r = cli_json("extend", "--teacher", old_teacher, "--data", "digits:train", "--classes", "5,6,7,8,9", "--steps", 150, "--feature-kd", 1,
                 "--kd", 10, "--batch-size", 32, "--out", tmp_path / "fk.pt")
    assert (r["feature_kd"], r["kd"], r["batch_size"]) == (1.0, 10.0, 32)
    assert load_checkpoint(tmp_path / "fk.pt").extra["feature_kd"] == 1.0
    teacher, seed = load_checkpoint(old_teacher), Run.make("cpu", None, 0).seed_for("kd")
    new_ds = only_classes(get_data("digits:train"), "56789", list("0123456789"))
    with_fk, without = (learn_new_classes(teacher, new_ds, None, None, 150, 32, kd=10.0, seed=seed, feature_kd=w) for w in (1.0, 0.0))
    here = old_new_accuracy(with_fk, get_data("digits:test"), "01234")
    assert all(abs(here[k] - r[k]) <= 2 / 168 for k in ("old", "new", "all")), (here, r)
    assert not all(a.equal(b) for a, b in zip(with_fk.parameters(), without.parameters()))
    cli_model = load_checkpoint(tmp_path / "fk.pt")
    gap = lambda m: max((p - q).abs().max().item() for p, q in zip(cli_model.parameters(), m.parameters()))
    default_kd = learn_new_classes(teacher, new_ds, None, None, 150, 32, seed=seed, feature_kd=1.0)
    assert gap(with_fk) < gap(default_kd) / 10  # the verb's weights are the library's with kd=10, not its default 4


def test_extend_bad_input(old_teacher, tmp_path):
    for classes, expect in [("4,5", "already one of the model's"), ("5,x", "has no class 'x'"), ("5,5", "named twice")]:
        assert_one_line_error(cli_here("extend", "--teacher", old_teacher, "--data", "digits:train", "--classes", classes, "--out", tmp_path / "e.pt"), expect)
    assert_one_line_error(cli_here("extend", "--teacher", old_teacher, "--data", "digits:train", "--classes", "5", "--kd", "-1", "--out", tmp_path / "e.pt"),
                          "must be a finite number > 0")
    assert_one_line_error(cli_here("train", "--data", "digits:train", "--arch", "convnet_small", "--classes", "0,11", "--out", tmp_path / "t.pt"), "no class '11'")
    assert not (tmp_path / "e.pt").exists() and not (tmp_path / "t.pt").exists()


def test_demo_task_continual_writes_rows_that_eval_reads(tmp_path):
    rep = cli_json("demo", "--task", "continual", "--scale", "tiny", "--out", tmp_path)
    saved = json.loads((tmp_path / "report.json").read_text())
    assert {k: saved[k] for k in ("task", "data", "preset", "seed", "old", "new")} == {"task": "continual", "data": "mnist5k", "preset": "tiny", "seed": 0,
                                                                                       "old": list("01234"), "new": list("56789")}
    assert list(saved["rows"]) == ["lwf", "prior", "feature", "feature_fkd", "oracle_distilled", "oracle_classified"] and rep["rows"] == saved["rows"]
    held, plain = (load_checkpoint(tmp_path / "models" / f"{k}.pt") for k in ("feature_fkd", "feature"))
    assert saved["rows"]["feature_fkd"]["images"] == saved["rows"]["feature"]["images"] and not (tmp_path / "images" / "feature_fkd").exists()  # the same dreams
    assert not all(a.equal(b) for a, b in zip(held.parameters(), plain.parameters()))  # another loss
    for row, r in saved["rows"].items():
        assert {"accuracy", "old", "new", "images"} <= set(r)
        assert cli_json("eval", "--model", tmp_path / "models" / f"{row}.pt", "--data", "mnist5k:test")["accuracy"] == r["accuracy"]
    assert_one_line_error(cli_here("demo", "--task", "continual", "--scale", "tiny", "--new", "4,5", "--out", tmp_path / "d"), "already one of")


def test_verbs_score_a_class_subset_model_on_its_classes(old_teacher, tmp_path):
    "eval and prune of a `train --classes` checkpoint test it on its own classes of the test split (as only_classes selects them)."
    from deepinversion_nb.models import evaluate
    test = get_data("digits:test")
    ev = cli_json("eval", "--model", old_teacher, "--data", "digits:test")
    assert ev["n"] == int((test.labels < 5).sum()) and ev["accuracy"] == evaluate(load_checkpoint(old_teacher), only_classes(test, "01234"))["accuracy"]
    pr = cli_json("prune", "--teacher", old_teacher, "--ratio", 0.5, "--out", tmp_path / "p.pt")
    assert pr["n"] == ev["n"] and pr["test_data"] == "digits:test"
    assert_one_line_error(cli_here("eval", "--model", old_teacher, "--data", "mnist5k:test"), "28×28")  # other sizes still refused
