"A new loss term is one class: defining it makes it appear in the recipes, the presets, the CLI help and the panel — no other module is touched."
import pytest, torch
from deepinversion_nb.data import DataMeta
from deepinversion_nb.models import build_model
from deepinversion_nb.inversion import Term
from deepinversion_nb.synth import recipe, recipe_terms, build_objective
from deepinversion_nb.cli import build_parser
from deepinversion_nb.widgets import Studio, color_of

torch.set_num_threads(1)


def _synth_help() -> str:
    sub = next(a for a in build_parser()._actions if a.dest == "verb")
    return sub.choices["synth"].format_help()


@pytest.fixture
def mean_pixel():
    class MeanPixel(Term):
        "Pull the batch's mean pixel towards 0 (a term defined only in this test)."
        name, method_step, defaults = "mean_pixel", 3, {"digits": 0.05}
        label, log_range, color = "α_mean", (-3, 0), "#123456"
        def __call__(self, s): return s.x.mean().abs()
    yield MeanPixel
    Term.registry.pop("mean_pixel")


def test_a_new_term_appears_everywhere(mean_pixel):
    assert "mean_pixel" in recipe_terms("deepinversion") and "mean_pixel" not in recipe_terms("deepdream")
    assert recipe("adi").weights["mean_pixel"] == 0.05 and recipe("adi", "imagenet").weights["mean_pixel"] == 1.0
    assert isinstance(build_objective(recipe("deepinversion"))["mean_pixel"], mean_pixel)
    assert "mean_pixel" in _synth_help()
    teacher = build_model("convnet_tiny", DataMeta("test", [str(i) for i in range(10)], 1, (28, 28), (0.1307,), (0.3081,))).eval()
    s = Studio(teacher, recipe="deepinversion", n=4)
    slider = s.controls["mean_pixel"]
    assert "di-slider-mean_pixel" in slider._dom_classes and slider.description == "α_mean"
    assert (slider.min, slider.max) == (-3, 0) and color_of("mean_pixel") == "#123456"
    s.run(steps=3)
    assert s.error is None and "mean_pixel" in s.rows[-1], s.rows[-1]


def test_without_it_nothing_mentions_it():
    assert "mean_pixel" not in _synth_help() and "mean_pixel" not in recipe("adi").weights
