"""The live panel's logic in plain Python: build it, click Start, frames arrive, slider changes reach the loop, Stop ends it."""
import io, time
import pytest, torch
from deepinversion_nb.data import DataMeta, InputError
from deepinversion_nb.models import build_model
from deepinversion_nb.widgets import Studio, curves_svg, describe, grid_png

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def teacher():
    "An untrained BN teacher with a card: the panel's logic does not need a good one."
    torch.manual_seed(0)
    return build_model("convnet_tiny", DataMeta("test", [str(i) for i in range(10)], 1, (28, 28), (0.1307,), (0.3081,))).eval()


def wait_for(pred, timeout=30, what="condition"):
    t0 = time.time()
    while not pred():
        assert time.time() - t0 < timeout, f"timed out waiting for {what}"
        time.sleep(0.01)


@pytest.fixture
def studio(teacher):
    s = Studio(teacher, n=10, steps=100_000, fps=50)
    yield s
    s.stop()


def test_start_streams_frames_and_stop_ends_the_run(studio):
    blank = studio.frame.value
    assert "ready" in studio.status.value
    studio.buttons["start"].click()
    wait_for(lambda: len(studio.rows) >= 30, what="30 steps")
    assert studio.running and studio._thread.is_alive()
    first = studio.frame.value
    assert first != blank and first[:8] == b"\x89PNG\r\n\x1a\n"
    wait_for(lambda: studio.frame.value != first, what="a second frame")
    assert "<polyline" in studio.curves.value and "running" in studio.status.value
    t0 = time.time()
    studio.buttons["stop"].click()
    assert time.time() - t0 < 1.0 and not studio._thread.is_alive()
    n = len(studio.rows)
    time.sleep(0.2)
    assert len(studio.rows) == n and "stopped" in studio.status.value
    assert n < 100_000


def test_slider_changes_reach_the_running_loop(studio):
    studio.start()
    wait_for(lambda: len(studio.rows) >= 10, what="10 steps")
    studio.controls["tv_l2"].value = 0.25
    studio.enabled["bn"].value = False
    studio.controls["first_bn_multiplier"].value = 3.0
    studio.controls["jitter"].value = 0
    studio.controls["flip"].value = True
    mark = len(studio.rows)
    wait_for(lambda: len(studio.rows) >= mark + 5, what="5 more steps")
    early, late = studio.rows[2], studio.rows[-1]
    assert early["weights"]["tv_l2"] == studio.defaults["tv_l2"] and late["weights"]["tv_l2"] == 0.25
    assert early["weights"]["bn"] > 0 and late["weights"]["bn"] == 0 and "bn" not in late  # switched off: not computed
    assert studio._objective["bn"].first_bn_multiplier == 3.0
    assert studio._jitter.limit == 0 and studio._flip.p == 0.5
    studio.controls["lr"].value = 1e-3
    mark = len(studio.rows)
    wait_for(lambda: len(studio.rows) >= mark + 3, what="3 more steps")
    assert studio.rows[-1]["lr"] <= 1e-3 < studio.rows[-(len(studio.rows) - mark) - 2]["lr"]


def test_snapshot_pins_the_grid_with_its_settings(studio):
    with pytest.raises(InputError, match="press Start first"): studio.snapshot()
    studio.controls["classes"].value = "7"
    studio.run(steps=30)
    assert (studio._targets == 7).all() and len(studio.rows) == 30 and "done" in studio.status.value
    snap = studio.snapshot()
    studio.enabled["tv_l2"].value = False
    studio.run(steps=30)
    studio.buttons["snapshot"].click()
    assert len(studio.gallery.children) == 2 and len(studio.snapshots) == 2
    assert snap["settings"]["weights"]["tv_l2"] > 0 and studio.snapshots[1]["settings"]["weights"]["tv_l2"] == 0
    caption = studio.gallery.children[1].children[1].value
    assert "α_tv off" in caption and "step 30" in caption
    assert snap["images"].shape == (10, 1, 28, 28) and 0 <= snap["images"].min() and snap["images"].max() <= 1


def test_reset_restores_the_preset(studio):
    studio.controls["tv_l2"].value, studio.enabled["bn"].value, studio.controls["n"].value = 0.5, False, 3
    studio.run(steps=5)
    studio.buttons["reset"].click()
    assert studio.controls["tv_l2"].value == studio.defaults["tv_l2"] and studio.enabled["bn"].value
    assert studio.controls["n"].value == 10 and studio.rows == [] and "ready" in studio.status.value


def test_competition_distills_the_student_after_a_run(teacher):
    s = Studio(teacher, recipe="adi", n=10, off=())
    before = [p.clone() for p in s.student.parameters()]
    s.run(steps=20)
    assert "compete" in s.rows[-1] and s.rows[-1]["weights"]["compete"] > 0
    assert any((a != b).any() for a, b in zip(before, s.student.parameters())), "the student did not learn from the run"


def test_an_error_in_the_loop_is_shown_and_raised(teacher):
    import copy
    broken = copy.deepcopy(teacher)
    with torch.no_grad(): list(broken.parameters())[-1].fill_(float("nan"))  # NaN logits from the first step on
    s = Studio(broken, n=4)
    s.start(steps=5)
    with pytest.raises(InputError, match="loss term 'ce' became nan at step 0"): s.wait()
    assert "error" in s.status.value and "lower its weight" in s.status.value and not s.running


def test_bad_input_gives_one_clear_line(teacher):
    with pytest.raises(InputError, match="at least one image"): Studio(teacher, n=0)
    with pytest.raises(InputError, match="has no control 'compete'"): Studio(teacher, recipe="deepinversion", show=["compete"])
    with pytest.raises(InputError, match="unknown recipe"): Studio(teacher, recipe="dream")
    with pytest.raises(InputError, match="has no card"): Studio(torch.nn.Linear(2, 2))


def test_small_panels_show_only_their_controls(teacher):
    s = Studio(teacher, recipe="logit", show=["lr", "steps", "classes"])
    assert s.terms == [] and s.settings()["weights"] == {}
    shown = s.panel.children[0].children[0].children
    assert len(shown) == 3 and shown[0].children[1] is s.controls["lr"]  # a log-slider row: spacer, slider


def test_pictures_and_captions():
    from PIL import Image
    png = grid_png(torch.zeros(3, 1, 28, 28), nrow=3, scale=2)
    img = Image.open(io.BytesIO(png))
    assert img.size == (2 * (3 * 29 + 1), 2 * 30)
    svg = curves_svg([{"step": 0, "ce": 2.0, "teacher_confidence": 0.5}, {"step": 1, "ce": 1.0, "teacher_confidence": 0.75}], steps=2)
    assert svg.count("<polyline") == 2 and "75%" in svg
    s = {"weights": {"tv_l2": 0.003, "bn": 0.0}, "first_bn_multiplier": 10.0, "lr": 0.1, "jitter": 2, "flip": True}
    assert describe(s) == "α_tv 3.0e-03, α_f (BN) off, first BN ×10, lr 0.1, jitter 2, flips"
