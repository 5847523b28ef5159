"`deepinversion metrics` as a user runs it: real photos judged by the pretrained ImageNet verifiers, digits by checkpoints, bad input."
import numpy as np, pytest, torch
from PIL import Image
from conftest import cli_here, cli_json, assert_one_line_error
from deepinversion_nb.data import load_embedded, normalize
from deepinversion_nb.train import default_teacher, teacher_path


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    "scikit-image's cat and coffee photos at their own sizes, in an ImageFolder named by ImageNet class."
    import skimage.data
    d = tmp_path_factory.mktemp("photos")
    for cls, photo in [("Egyptian cat", "chelsea"), ("espresso", "coffee")]:
        (d / cls).mkdir()
        Image.fromarray(getattr(skimage.data, photo)()).save(d / cls / f"{photo}.png")
    return d


def test_imagenet_verifiers_recognize_real_photos(photos):
    r = cli_json("metrics", "--images", photos, "--verifier", "efficientnet_lite1", "--verifier", "efficientnet_lite2")
    assert r["n"] == 2 and set(r["verifiers"]) == {"efficientnet_lite1", "efficientnet_lite2"}
    for v in r["verifiers"].values():
        assert v["top1"] == v["top5"] == 1.0, v  # a wrong resize, normalization or class match fails this
        assert set(v["views"]) == {"resize", "crop", "flip", "blur"} and v["top1_views"] >= 0.75
    assert 1.5 < r["inception_score"] <= 2.0  # two confident, different classes: close to 2
    assert r["diversity"] is None  # one image per class
    assert set(r["confidence"]) == {"Egyptian cat", "espresso"}


def test_mobilenet_v2_of_another_family_recognizes_real_photos(photos, tmp_path):
    both = tmp_path / "both"  # each photo and its mirror image: two per class, so that diversity is measured
    for f in photos.glob("*/*.png"):
        (both / f.parent.name).mkdir(parents=True, exist_ok=True)
        Image.open(f).save(both / f.parent.name / f.name); Image.open(f).transpose(Image.FLIP_LEFT_RIGHT).save(both / f.parent.name / f"m{f.name}")
    r = cli_json("metrics", "--images", both, "--verifier", "mobilenet_v2_tflite", "--verifier", "efficientnet_lite1")
    v = r["verifiers"]["mobilenet_v2_tflite"]
    assert v["top1"] == v["top5"] == 1.0, v  # 285 and 967 after the background label: an offset of 0 or 2 fails this
    assert 1.5 < v["inception_score"] < 2.5 and r["inception_score_model"] == "mobilenet_v2_tflite"  # two classes, confident: about 2
    assert 0 < r["diversity"] < 0.5  # from lite1's features (the TFLite file has none to give): a photo and its mirror are close
    (tmp_path / "broken.tflite").write_bytes(b"not a model")
    assert_one_line_error(cli_here("metrics", "--images", photos, "--verifier", tmp_path / "broken.tflite"), "--verifier", "is not a TensorFlow Lite model")
    assert_one_line_error(cli_here("metrics", "--images", photos, "--verifier", "mobilenet_v2_tflite", "--reference", f"folder:{photos}"),
                          "FID needs a feature network", "--features")



def test_an_onnx_file_judges_like_the_network_it_was_exported_from(photos, tmp_path):
    import warnings, onnx
    from deepinversion_nb.models import load_teacher
    path = tmp_path / "lite1.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(load_teacher("efficientnet_lite1"), (torch.rand(1, 3, 240, 240),), path, dynamo=False)
    model = onnx.load(path)
    onnx.helper.set_model_props(model, {"mean": "0.5,0.5,0.5", "std": "0.5,0.5,0.5"})  # lite1 takes [-1, 1]
    onnx.save(model, path)
    r = cli_json("metrics", "--images", photos, "--verifier", path, "--verifier", "efficientnet_lite1", "--score-with", path)
    mine, torch_own = r["verifiers"]["lite1"], r["verifiers"]["efficientnet_lite1"]
    assert mine["top1"] == 1.0 and mine["views"] == torch_own["views"], (mine, torch_own)
    assert mine["inception_score"] == pytest.approx(torch_own["inception_score"], abs=1e-3)  # same probabilities
    assert r["inception_score_model"] == "lite1" and r["inception_score"] == mine["inception_score"]
    (tmp_path / "broken.onnx").write_bytes(b"not a model")
    assert_one_line_error(cli_here("metrics", "--images", photos, "--verifier", tmp_path / "broken.onnx"), "--verifier", "is not an ONNX model")

def test_digits_metrics_match_a_direct_computation(tmp_path):
    teacher = default_teacher("mnist5k", progress=False)
    out = tmp_path / "di"
    cli_json("synth", "--teacher", teacher_path("mnist5k"), "--recipe", "deepinversion", "--n", 30, "--steps", 60, "--out", out)
    r = cli_json("metrics", "--images", out, "--verifier", teacher_path("mnist5k"), "--reference", "mnist5k:test", "--views", "resize,crop")
    d = torch.load(out / "images.pt", weights_only=True)
    with torch.no_grad(): direct = (teacher(d["images"]).argmax(1) == d["labels"]).float().mean().item()
    v = r["verifiers"][str(teacher_path("mnist5k"))]
    assert v["top1"] == pytest.approx(direct, abs=1e-6) and set(v["views"]) == {"resize", "crop"}
    assert r["fid"] > 0 and 1 <= r["inception_score"] <= 10 and 0 < r["diversity"] < 2
    test = load_embedded("mnist5k", "test")
    real = tmp_path / "real"
    for i in range(20):
        (real / str(int(test.labels[i]))).mkdir(parents=True, exist_ok=True)
        Image.fromarray(test.images[i, 0].numpy()).save(real / str(int(test.labels[i])) / f"{i}.png")
    r_real = cli_json("metrics", "--images", real, "--verifier", teacher_path("mnist5k"))
    with torch.no_grad():
        x = normalize(test.images[:20].float() / 255, teacher.card.mean, teacher.card.std)
        assert r_real["verifiers"][str(teacher_path("mnist5k"))]["top1"] == pytest.approx((teacher(x).argmax(1) == test.labels[:20]).float().mean().item())


def test_metrics_bad_input(photos, tmp_path):
    (tmp_path / "empty" / "cat").mkdir(parents=True)
    digits = tmp_path / "digits" / "3"; digits.mkdir(parents=True)
    Image.fromarray(np.zeros((28, 28), np.uint8)).save(digits / "0.png")
    for args, expect in [
        (["--images", photos, "--verifier", "resnet9000"], ("--verifier", "'resnet9000' is neither a checkpoint file")),
        (["--images", tmp_path / "digits", "--verifier", "efficientnet_lite1"], ("does not know the images' class '3'",)),
        (["--images", tmp_path / "empty", "--verifier", "efficientnet_lite1"], ("no images",)),
        (["--images", tmp_path / "nowhere", "--verifier", "efficientnet_lite1"], ("no such images",)),
        (["--images", photos, "--verifier", "efficientnet_lite1", "--views", "resize,rotate"], ("unknown view 'rotate'",)),
        (["--images", photos, "--verifier", "resnet18"], ("weights are not on this machine", "checkpoints")),
    ]:
        assert_one_line_error(cli_here("metrics", *args), *expect)
