"""Bad input, hostile files, occupied outputs and interruptions, on every verb: each case must end with exit code 2
(130 when interrupted), nothing on stdout, exactly one line on stderr naming the problem — and every file that
existed before the command byte-for-byte unchanged. Fast: a tiny teacher on the 8×8 digits, the CLI in-process."""
import dataclasses, io, json, os, pickle, shutil, signal, subprocess, sys, time
from pathlib import Path
import numpy as np, pytest, torch
from PIL import Image
from conftest import BIN, cli_here
from deepinversion_nb.data import load_embedded
from deepinversion_nb.models import build_model, save_checkpoint
from deepinversion_nb.loop import seeded
from deepinversion_nb.train import train_classifier

torch.set_num_threads(1)


def run(*argv):
    "The CLI in-process: (exit code, stdout, stderr)."
    r = cli_here(*argv)
    return r.returncode, r.stdout, r.stderr


def snapshot(root: Path) -> dict:
    return {p: p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def w(tmp_path_factory):
    "A workspace: a tiny digits teacher, a synthetic image folder, a user's text file and hostile files."
    d = tmp_path_factory.mktemp("adv")
    train = load_embedded("digits", "train")
    with seeded(0): t = build_model("convnet_tiny", train.meta)
    train_classifier(t, train, epochs=1)
    save_checkpoint(t, d / "teacher.pt", test_data="digits:test")
    with seeded(0): m = build_model("mlp", train.meta)
    save_checkpoint(m, d / "mlp.pt")
    assert run("synth", "--teacher", d / "teacher.pt", "--recipe", "deepinversion", "--n", 10, "--steps", 5, "--batch-size", 10,
               "--out", d / "imgs", "--json")[0] == 0
    (d / "notes.txt").write_text("a user's notes")
    (d / "random.pt").write_bytes(os.urandom(2000))
    (d / "truncated.pt").write_bytes((d / "teacher.pt").read_bytes()[:3000])
    class Payload:
        def __reduce__(self): return (os.system, (f"touch {d / 'PWNED'}",))
    (d / "pickle.pt").write_bytes(pickle.dumps({"format": "deepinversion_nb.checkpoint/1", "card": Payload()}))
    ck = torch.load(d / "teacher.pt", weights_only=True); ck["card"] = {"arch": "convnet_tiny"}; torch.save(ck, d / "badcard.pt")
    (d / "empty").mkdir()
    (d / "plain.pkl").write_bytes(pickle.dumps({"a": 1}))
    ck = torch.load(d / "teacher.pt", weights_only=True); ck["card"]["classes"][0] = "é" * 400; torch.save(ck, d / "longname.pt")
    good = torch.load(d / "imgs" / "images.pt", weights_only=True)
    for name, change in (("nan", dict(images=good["images"].clone().fill_(float("nan")))), ("fewlabels", dict(labels=good["labels"][:9])),
                         ("badlabels", dict(labels=good["labels"] + 10))):
        torch.save({**good, **change}, d / f"{name}.pt")
    ck = torch.load(d / "teacher.pt", weights_only=True); ck["card"]["std"] = [0.0]; torch.save(ck, d / "std0.pt")
    mnist = load_embedded("mnist5k", "train").meta
    with seeded(0): big = build_model("convnet_tiny", dataclasses.replace(mnist, classes=mnist.classes[:5]))
    save_checkpoint(big, d / "mnist04.pt")
    (d / "elsewhere").mkdir(); (d / "link.pt").symlink_to(d / "elsewhere" / "m.pt")
    shutil.copytree(d / "imgs", d / "linkrun"); shutil.rmtree(d / "linkrun" / "images"); (d / "linkrun" / "images").symlink_to(d / "elsewhere")
    (d / "other").mkdir(); (d / "other" / "keep.txt").write_text("not a run")
    (d / "broken" / "3").mkdir(parents=True); (d / "broken" / "3" / "x.png").write_bytes(b"not a png at all")
    (d / "alien" / "cat").mkdir(parents=True); Image.fromarray(np.zeros((8, 8), np.uint8)).save(d / "alien" / "cat" / "a.png")
    for i, s in enumerate((8, 12)):
        (d / "mixed" / str(i)).mkdir(parents=True); Image.fromarray(np.zeros((s, s), np.uint8)).save(d / "mixed" / str(i) / "a.png")
    return d


T, IMGS = "{d}/teacher.pt", "{d}/imgs"
SYNTH = ("synth", "--teacher", T, "--recipe", "deepinversion", "--steps", "5", "--batch-size", "10")
DISTILL = ("distill", "--teacher", T, "--images", IMGS, "--student", "convnet_tiny", "--steps", "20")
TRAIN = ("train", "--data", "digits:train", "--arch", "convnet_tiny", "--epochs", "1")
CASES = {  # name: (argv, text the one line must contain)
    "train: output is a user's file": ((*TRAIN, "--out", "{d}/notes.txt"), "exists; pass --overwrite"),
    "train: output is a folder": ((*TRAIN, "--out", "{d}/empty"), "is a folder"),
    "train: output under a file": ((*TRAIN, "--out", "{d}/notes.txt/m.pt"), "is a file, not a folder"),
    "train: zero epochs": ((*TRAIN, "--epochs", "0", "--out", "{d}/n.pt"), "whole number ≥ 1"),
    "train: negative batch": ((*TRAIN, "--batch-size", "-3", "--out", "{d}/n.pt"), "whole number ≥ 1"),
    "train: zero learning rate": ((*TRAIN, "--lr", "0", "--out", "{d}/n.pt"), "finite number > 0"),
    "train: NaN learning rate": ((*TRAIN, "--lr", "nan", "--out", "{d}/n.pt"), "finite number > 0"),
    "train: unknown dataset": (("train", "--data", "emnist:x", "--arch", "convnet", "--out", "{d}/n.pt"), "unknown dataset 'emnist'"),
    "train: unknown architecture": (("train", "--data", "digits:train", "--arch", "resnet9000", "--out", "{d}/n.pt"), "unknown architecture"),
    "train: empty image folder": (("train", "--data", "folder:{d}/empty", "--arch", "convnet_tiny", "--out", "{d}/n.pt"), "no images"),
    "train: a .png that is not an image": (("train", "--data", "folder:{d}/broken", "--arch", "convnet_tiny", "--out", "{d}/n.pt"), "cannot identify image"),
    "train: mixed image sizes": (("train", "--data", "folder:{d}/mixed", "--channels", "1", "--arch", "convnet_tiny", "--out", "{d}/n.pt"), "different sizes"),
    "train: CUDA without a GPU": ((*TRAIN, "--device", "cuda", "--out", "{d}/n.pt"), "no CUDA GPU"),
    "train: unknown device": ((*TRAIN, "--device", "tpu", "--out", "{d}/n.pt"), "unknown device"),
    "eval: random bytes": (("eval", "--model", "{d}/random.pt", "--data", "digits:test"), "not a readable checkpoint"),
    "eval: truncated checkpoint": (("eval", "--model", "{d}/truncated.pt", "--data", "digits:test"), "not a readable checkpoint"),
    "eval: pickle payload": (("eval", "--model", "{d}/pickle.pt", "--data", "digits:test"), "not a readable checkpoint"),
    "eval: malformed card": (("eval", "--model", "{d}/badcard.pt", "--data", "digits:test"), "malformed model card"),
    "eval: a text file": (("eval", "--model", "{d}/notes.txt", "--data", "digits:test"), "not a readable checkpoint"),
    "eval: missing file": (("eval", "--model", "{d}/nope.pt", "--data", "digits:test"), "no checkpoint at"),
    "eval: negative batch": (("eval", "--model", T, "--data", "digits:test", "--batch-size", "-3"), "whole number ≥ 1"),
    "eval: data of another size": (("eval", "--model", T, "--data", "mnist5k:test"), "28×28 images but the model takes 8×8"),
    "synth: zero images": ((*SYNTH, "--n", "0", "--out", "{d}/s"), "whole number ≥ 1"),
    "synth: more images than memory": ((*SYNTH, "--n", "1000000000000", "--out", "{d}/s"), "ask for fewer with --n"),
    "synth: zero batch": ((*SYNTH, "--n", "4", "--batch-size", "0", "--out", "{d}/s"), "whole number ≥ 1"),
    "synth: zero iterations": ((*SYNTH, "--n", "4", "--steps", "0", "--out", "{d}/s"), "whole number ≥ 1"),
    "synth: negative learning rate": ((*SYNTH, "--n", "4", "--lr", "-0.1", "--out", "{d}/s"), "finite number > 0"),
    "synth: zero size": ((*SYNTH, "--n", "4", "--image-size", "0", "--out", "{d}/s"), "whole number ≥ 1"),
    "synth: teacher of random bytes": (("synth", "--teacher", "{d}/random.pt", "--recipe", "logit", "--n", "4", "--out", "{d}/s"), "not a readable checkpoint"),
    "synth: target outside the classes": ((*SYNTH, "--n", "4", "--targets", "3,99", "--out", "{d}/s"), "target class 99 is outside"),
    "synth: float targets": ((*SYNTH, "--n", "4", "--targets", "1.5", "--out", "{d}/s"), "no class '1.5'"),
    "synth: weight not a number": ((*SYNTH, "--n", "4", "--weight", "bn=abc", "--out", "{d}/s"), "is not a number"),
    "synth: negative weight": ((*SYNTH, "--n", "4", "--weight", "bn=-1", "--out", "{d}/s"), "finite and ≥ 0"),
    "synth: unknown term": ((*SYNTH, "--n", "4", "--weight", "nope=1", "--out", "{d}/s"), "has no term 'nope'"),
    "synth: output is a file": ((*SYNTH, "--n", "4", "--out", "{d}/notes.txt"), "is a file"),
    "synth: output holds other files": ((*SYNTH, "--n", "4", "--out", "{d}/other"), "holds other files"),
    "synth: output holds another run": ((*SYNTH, "--n", "4", "--out", IMGS), "(n differs)"),
    "synth: fp16 on a CPU": ((*SYNTH, "--n", "4", "--amp", "fp16", "--device", "cpu", "--out", "{d}/s"), "needs a CUDA device"),
    "synth: BN term without BatchNorm": (("synth", "--teacher", "{d}/mlp.pt", "--recipe", "deepinversion", "--n", "4", "--out", "{d}/s"), "no BatchNorm"),
    "distill: output is the teacher": ((*DISTILL, "--out", T, "--overwrite"), "is also a file this command reads or writes"),
    "distill: output exists": ((*DISTILL, "--out", "{d}/notes.txt"), "exists; pass --overwrite"),
    "distill: empty image folder": (("distill", "--teacher", T, "--images", "{d}/empty", "--student", "convnet_tiny", "--out", "{d}/n.pt"), "no images"),
    "distill: a .png that is not an image": (("distill", "--teacher", T, "--images", "{d}/broken", "--student", "convnet_tiny", "--out", "{d}/n.pt"), "cannot identify image"),
    "distill: classes the teacher lacks": (("distill", "--teacher", T, "--images", "{d}/alien", "--student", "convnet_tiny", "--out", "{d}/n.pt"), "classes the model lacks: cat"),
    "distill: zero steps": ((*DISTILL, "--steps", "0", "--out", "{d}/n.pt"), "whole number ≥ 1"),
    "distill: unknown student": (("distill", "--teacher", T, "--images", IMGS, "--student", "resnet9000", "--out", "{d}/n.pt"), "unknown architecture"),
    "distill: images file of random bytes": (("distill", "--teacher", T, "--images", "{d}/random.pt", "--student", "convnet_tiny", "--out", "{d}/n.pt"), "not a readable tensor file"),
    "demo: output is a file": (("demo", "--scale", "tiny", "--out", "{d}/notes.txt"), "is a file"),
    "demo: output holds other files": (("demo", "--scale", "tiny", "--out", "{d}/other"), "holds other files"),
    "demo: unknown preset": (("demo", "--scale", "huge", "--out", "{d}/dm"), "invalid choice"),
    "demo: data not embedded": (("demo", "--scale", "tiny", "--data", "cifar10:/x", "--out", "{d}/dm"), "demo --data takes mnist5k or digits"),
    "eval: --json is the input checkpoint": (("eval", "--model", T, "--data", "digits:test", "--json", T), "is also a file this command reads or writes"),
    "train: --json is --out": ((*TRAIN, "--out", "{d}/n.pt", "--json", "{d}/n.pt"), "is also a file this command reads or writes"),
    "eval: --json is a user's file": (("eval", "--model", T, "--data", "digits:test", "--json", "{d}/notes.txt"), "exists and is no result"),
    "distill: --json is a user's file": ((*DISTILL, "--out", "{d}/n.pt", "--json", "{d}/notes.txt"), "pass --overwrite, choose another --json"),
    "eval: --json under a file": (("eval", "--model", T, "--data", "digits:test", "--json", "{d}/notes.txt/r.json"), "is a file, not a folder"),
    "synth: --json inside its own run folder": ((*SYNTH, "--n", "4", "--out", "{d}/s", "--json", "{d}/s/r.json"), "the run's own folder"),
    "eval: --json is a link": (("eval", "--model", T, "--data", "digits:test", "--json", "{d}/link.pt"), "is a symbolic link"),
    "train: empty --out": ((*TRAIN, "--out", ""), "--out is empty"),
    "synth: blank --out": ((*SYNTH, "--n", "4", "--out", "  "), "--out is empty"),
    "train: --out is a link": ((*TRAIN, "--out", "{d}/link.pt", "--overwrite"), "is a symbolic link"),
    "synth: resuming a run folder that holds a link": ((*SYNTH, "--n", "10", "--out", "{d}/linkrun"), "holds a symbolic link ('images')"),
    "distill: images holding NaN": ((*DISTILL[:4], "{d}/nan.pt", *DISTILL[5:], "--out", "{d}/n.pt"), "NaN or infinite pixels"),
    "metrics: images holding NaN": (("metrics", "--images", "{d}/nan.pt", "--verifier", T), "NaN or infinite pixels"),
    "distill: fewer labels than images": ((*DISTILL[:4], "{d}/fewlabels.pt", *DISTILL[5:], "--out", "{d}/n.pt"), "10 images but 9 labels"),
    "metrics: labels out of range": (("metrics", "--images", "{d}/badlabels.pt", "--verifier", T), "labels outside 0…9"),
    "eval: a card with std 0": (("eval", "--model", "{d}/std0.pt", "--data", "digits:test"), "is not > 0"),
    "train: empty --classes": ((*TRAIN, "--classes", "", "--out", "{d}/n.pt"), "names an empty class"),
    "extend: empty --classes": (("extend", "--teacher", T, "--data", "digits:train", "--classes", ",", "--out", "{d}/n.pt"), "names an empty class"),
    "extend: data of another size": (("extend", "--teacher", "{d}/mnist04.pt", "--data", "digits:train", "--classes", "5", "--out", "{d}/n.pt"), "has 1×8×8 images but the teacher takes 1×28×28"),
    "eval: a plain pickle": (("eval", "--model", "{d}/plain.pkl", "--data", "digits:test"), "not a readable checkpoint"),
    "synth: a class name of 400 bytes is cut, an error line stays short": (("synth", "--teacher", "{d}/longname.pt", "--recipe", "logit", "--n", "2", "--targets", "x" * 400, "--out", "{d}/s"), "has no class"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_refused_in_one_line_and_nothing_changes(w, name):
    argv, expect = CASES[name]
    before = snapshot(w)
    code, out, err = run(*(a.format(d=w) for a in argv))
    assert code == 2, (code, out, err)
    assert out == "" and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert len(err) < 400, f"an error line of {len(err)} characters"
    assert expect in err, err
    assert snapshot(w) == before, "a refused command changed files"
    assert not (w / "PWNED").exists(), "a pickle payload ran"


def test_class_names_cannot_escape_the_output_folder(w, tmp_path):
    "A shared checkpoint whose class names are paths: synth's PNG folder stays inside --out."
    ck = torch.load(w / "teacher.pt", weights_only=True)
    ck["card"]["classes"] = ["../../escaped", "/etc/evil", "..", *[str(i) for i in range(3, 10)]]
    torch.save(ck, tmp_path / "hostile.pt")
    code, _, err = run("synth", "--teacher", tmp_path / "hostile.pt", "--recipe", "logit", "--n", 3, "--steps", 2, "--out", tmp_path / "o" / "run")
    assert code == 0, err
    pngs = list(tmp_path.rglob("*.png"))
    assert len(pngs) == 3 and all((tmp_path / "o" / "run" / "images") in p.parents for p in pngs), pngs


def test_sigterm_keeps_finished_batches_and_resume_is_exact_for_adi(w, tmp_path):
    "SIGTERM (a cluster scheduler's stop) behaves like Ctrl-C; the resumed ADI run equals an uninterrupted one bit for bit."
    args = ["synth", "--teacher", w / "teacher.pt", "--recipe", "adi", "--student", "convnet_tiny", "--n", 80, "--batch-size", 10,
            "--steps", 100, "--device", "cpu"]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    p = subprocess.Popen([str(BIN / "deepinversion"), *map(str, args), "--out", tmp_path / "cut"], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=env)
    parts = tmp_path / "cut" / "parts"
    t0 = time.time()
    while len(list(parts.glob("batch_*.pt"))) < 2:
        assert time.time() - t0 < 300 and p.poll() is None, "the run did not reach its second batch"
        time.sleep(0.05)
    p.send_signal(signal.SIGTERM)
    out, err = p.communicate(timeout=120)
    assert p.returncode == 130, (p.returncode, err[-500:])
    assert "interrupted; finished work is kept" in err.strip().splitlines()[-1]
    assert 2 <= len(list(parts.glob("batch_*.pt"))) < 8
    assert run(*args, "--out", tmp_path / "cut", "--json")[0] == 0
    assert run(*args, "--out", tmp_path / "straight", "--json")[0] == 0
    a, b = (torch.load(tmp_path / f / "images.pt", weights_only=True)["images"] for f in ("cut", "straight"))
    assert torch.equal(a, b)


def test_damaged_part_is_named_and_recomputed_after_deleting(w, tmp_path):
    args = ["synth", "--teacher", w / "teacher.pt", "--recipe", "deepinversion", "--n", 20, "--batch-size", 10, "--steps", 5, "--out", tmp_path / "r"]
    assert run(*args, "--json")[0] == 0
    first = (tmp_path / "r" / "images.pt").read_bytes()
    part = tmp_path / "r" / "parts" / "batch_00001.pt"
    part.write_bytes(part.read_bytes()[:100])
    code, out, err = run(*args)
    assert code == 2 and "batch_00001.pt' is damaged; delete it" in err, err
    part.unlink()
    assert run(*args, "--json")[0] == 0
    assert torch.equal(torch.load(tmp_path / "r" / "images.pt")["images"], torch.load(io.BytesIO(first))["images"])


def test_overwrite_replaces_and_outputs_are_not_owner_only(w, tmp_path):
    (tmp_path / "old.pt").write_text("old")
    code, out, err = run(*(a.format(d=w) for a in DISTILL), "--out", tmp_path / "old.pt", "--overwrite")
    assert code == 0 and out.startswith("accuracy "), err
    assert (tmp_path / "old.pt").stat().st_mode & 0o044, "the checkpoint is readable only by its owner"


def test_json_replaces_only_its_own_result(w, tmp_path):
    "--json FILE may replace an earlier result of the same verb (a re-run), never another verb's or a user's file."
    res = tmp_path / "r.json"
    argv = ("eval", "--model", w / "teacher.pt", "--data", "digits:test", "--json", res)
    assert run(*argv)[0] == 0 and run(*argv)[0] == 0
    assert json.loads(res.read_text())["verb"] == "eval"
    code, _, err = run(*(a.format(d=w) for a in TRAIN), "--out", tmp_path / "t.pt", "--json", res)
    assert code == 2 and "no result of 'deepinversion train'" in err and not (tmp_path / "t.pt").exists(), err


def test_long_class_names_get_short_unique_folders(w, tmp_path):
    "A class name of 800 bytes: synth writes its PNGs under a name the file system takes, inside --out."
    code, _, err = run("synth", "--teacher", w / "longname.pt", "--recipe", "logit", "--n", 2, "--steps", 2, "--targets", "0,1",
                       "--out", tmp_path / "s")
    assert code == 0, err
    names = sorted(p.name for p in (tmp_path / "s" / "images").iterdir())
    assert len(names) == 2 and max(len(n.encode()) for n in names) <= 100 and "1" in names, names


def test_two_trains_into_one_file_never_replace_each_other(tmp_path):
    "Started together with the same --out, both pass the check; the second to finish keeps its own result beside it."
    out = tmp_path / "t.pt"
    argv = [str(BIN / "deepinversion"), "train", "--data", "digits:train", "--arch", "convnet_tiny", "--epochs", "3", "--out", str(out)]
    procs = [subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
             for _ in range(2)]
    results = sorted((p.wait(), p.stderr.read()) for p in procs)
    assert [c for c, _ in results] == [0, 2], results
    err = results[1][1].strip().splitlines()[-1]  # after its progress bar
    assert err.startswith("deepinversion train: error: ") and ("was written by another run" in err or "exists; pass --overwrite" in err), err
    assert torch.load(out, weights_only=True)["format"] == "deepinversion_nb.checkpoint/1"
    kept = [p for p in tmp_path.iterdir() if p.name != "t.pt"]
    assert len(kept) == ("was written by another run" in err), kept  # the loser's result, named in its line


def test_ctrl_c_during_train_says_what_is_true(tmp_path):
    "train writes at the end: interrupted, it says nothing was written (no promise of a resume) and leaves no file."
    out = tmp_path / "t.pt"
    p = subprocess.Popen([str(BIN / "deepinversion"), "train", "--data", "mnist5k:train", "--arch", "convnet", "--epochs", "50",
                          "--out", str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = ""
    while "train convnet" not in seen and p.poll() is None:
        seen += p.stderr.read(1)  # the progress bar (carriage returns, no newline): the work has started
    p.send_signal(signal.SIGINT)
    code, err = p.wait(60), p.stderr.read()
    assert code == 130 and "interrupted; nothing written" in err and "resume" not in err, err
    assert not out.exists() and not list(tmp_path.iterdir())


@pytest.mark.parametrize("verb", ["distill", "prune"])
def test_ctrl_c_during_a_distillation_resumes_bit_for_bit(w, tmp_path, verb):
    "distill and prune's recovery keep their state every 100 steps: stopped by Ctrl-C and run again, they end as unstopped."
    what = ["--student", "convnet_tiny"] if verb == "distill" else ["--ratio", "0.5"]
    args = [str(BIN / "deepinversion"), verb, "--teacher", str(w / "teacher.pt"), "--images", str(w / "imgs"), *what, "--steps", "3000"]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    assert subprocess.run([*args, "--out", str(tmp_path / "whole.pt")], env=env, capture_output=True).returncode == 0
    out, state = tmp_path / "cut.pt", tmp_path / ".cut.pt.resume"
    p = subprocess.Popen([*args, "--out", str(out)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    while not state.exists() and p.poll() is None:
        time.sleep(0.02)
    p.send_signal(signal.SIGINT)
    code, err = p.wait(60), p.stderr.read()
    assert code == 130 and "run the same command again to resume" in err and not out.exists(), err
    step = torch.load(state, weights_only=True)["step"]
    r = subprocess.run([*args, "--out", str(out)], env=env, capture_output=True, text=True)
    assert r.returncode == 0 and not state.exists(), r.stderr
    a, b = (torch.load(f, weights_only=True)["state_dict"] for f in (tmp_path / "whole.pt", out))
    assert all(torch.equal(a[k], b[k]) for k in a), f"resumed from step {step}, the student differs"
