"`deepinversion synth` as a user runs it: BN distance targets, resume after an interrupt, torchvision models, bad input, --preset auto."
import json, signal, subprocess, time, os
import pytest, torch
from conftest import cli, cli_here, cli_json, assert_one_line_error, BIN
from deepinversion_nb.data import InputError, load_embedded, normalize
from deepinversion_nb.features import bn_distance
from deepinversion_nb.models import build_model, save_checkpoint, load_teacher
from deepinversion_nb.train import default_teacher, teacher_path
from deepinversion_nb.synth import synthesize, recipe, PRESETS
from deepinversion_nb.auto import AUTO_RATIOS


@pytest.fixture(scope="module")
def teacher_ckpt():
    default_teacher("mnist5k", progress=False)
    return teacher_path("mnist5k")


def test_deepinversion_matches_real_bn_statistics(teacher_ckpt, tmp_path):
    "bn_distance of deepinversion images ≤ that of real batches of the same size, and ≥ 10× below logit images."
    runs = {r: cli_json("synth", "--teacher", teacher_ckpt, "--recipe", r, "--n", 50, "--batch-size", 50, "--steps", 200, "--out", tmp_path / r)
            for r in ("logit", "deepinversion")}
    teacher = default_teacher("mnist5k", progress=False)
    x = normalize(load_embedded("mnist5k", "test").tensors()[0], teacher.card.mean, teacher.card.std)
    real = bn_distance(teacher, x, batch_size=50)  # mean over the 20 real batches of 50
    di, logit = runs["deepinversion"]["bn_distance"], runs["logit"]["bn_distance"]
    assert di <= real, (di, real)
    assert di * 10 <= logit, (di, logit)
    # the reported number is the BN distance of the written images, recomputed independently
    saved = torch.load(tmp_path / "deepinversion" / "images.pt", weights_only=True)
    assert abs(bn_distance(teacher, saved["images"]) - di) < 1e-4
    for r in runs.values(): assert r["teacher_accuracy"] >= 0.9 and set(r["losses"]) >= {"ce"}
    assert set(runs["deepinversion"]["losses"]) == {"ce", "tv_l2", "l2", "bn"}
    pngs = list((tmp_path / "deepinversion" / "images").glob("*/*.png"))
    assert len(pngs) == 50 and {p.parent.name for p in pngs} == {str(i) for i in range(10)}
    metrics = json.loads((tmp_path / "deepinversion" / "metrics.json").read_text())
    assert {"bn_distance", "teacher_accuracy", "teacher_confidence", "losses", "seconds"} <= set(metrics)


def test_interrupted_run_resumes(teacher_ckpt, tmp_path):
    out = tmp_path / "run"
    args = [BIN / "deepinversion", "synth", "--teacher", teacher_ckpt, "--recipe", "deepinversion", "--n", 40, "--batch-size", 10, "--steps", 300, "--out", out]
    # a shell's background job inherits SIGINT ignored; give the child the default Ctrl-C handling a user's terminal has
    p = subprocess.Popen(list(map(str, args)), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "OMP_NUM_THREADS": "1"},
                         preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 300
    while not (out / "parts" / "batch_00000.pt").exists() and time.time() < deadline and p.poll() is None: time.sleep(0.02)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=120)
    assert p.returncode == 130 and "resume" in err, (p.returncode, err)
    finished = sorted(f.name for f in (out / "parts").glob("batch_*.pt"))
    assert 1 <= len(finished) < 4, finished
    first = (out / "parts" / "batch_00000.pt").stat().st_mtime_ns
    m = cli_json(*args[1:])
    assert m["batches_resumed"] == len(finished) and m["n"] == 40
    assert (out / "parts" / "batch_00000.pt").stat().st_mtime_ns == first  # kept, not redone
    assert_one_line_error(cli(*args[1:-4], "--steps", 301, "--out", out), "different arguments")


@pytest.mark.parametrize("arch", ["resnet18", "mobilenet_v2"])
def test_torchvision_models_invert(arch, tmp_path):
    "torchvision classifiers (weights=None) invert at small resolution through the API and the CLI."
    m = cli_json("synth", "--teacher", arch, "--image-size", 32, "--recipe", "deepinversion", "--n", 4, "--batch-size", 4, "--steps", 5, "--out", tmp_path / "cli")
    assert m["n"] == 4 and m["bn_distance"] > 0 and set(m["losses"]) == {"ce", "tv_l2", "l2", "bn"}
    saved = torch.load(tmp_path / "cli" / "images.pt", weights_only=True)
    assert saved["images"].shape == (4, 3, 32, 32) and saved["card"]["arch"] == arch
    teacher = load_teacher(arch, size=24)
    api = synthesize(teacher, recipe("adi", steps=3), 4, tmp_path / "api", batch_size=2, progress=False)
    assert api["n"] == 4 and torch.load(tmp_path / "api" / "images.pt", weights_only=True)["images"].shape == (4, 3, 24, 24)


def test_bad_input(teacher_ckpt, tmp_path, monkeypatch):
    mlp = tmp_path / "mlp.pt"
    save_checkpoint(build_model("mlp", load_embedded("mnist5k", "test").meta), mlp)
    base = ["synth", "--teacher", teacher_ckpt, "--n", 4, "--steps", 2]
    cases = [
        (["synth", "--teacher", mlp, "--recipe", "deepinversion", "--n", 4, "--out", tmp_path / "a"], ("no BatchNorm",)),
        ([*base, "--recipe", "deepinversion", "--weight", "bn=-1", "--out", tmp_path / "b"], ("'bn'", "finite and ≥ 0")),
        ([*base, "--recipe", "deepinversion", "--weight", "bn=nan", "--out", tmp_path / "c"], ("'bn'", "finite")),
        ([*base, "--recipe", "deepdream", "--weight", "bn=1", "--out", tmp_path / "d"], ("no term 'bn'",)),
        ([*base, "--recipe", "logit", "--targets", "3,12", "--out", tmp_path / "e"], ("target class 12", "0..9")),
        ([*base, "--recipe", "logit", "--targets", "3,seven", "--out", tmp_path / "e2"], ("no class 'seven'",)),
        (["synth", "--teacher", mlp, "--recipe", "logit", "--image-size", 32, "--n", 4, "--out", tmp_path / "f"], ("cannot take",)),
        ([*base, "--recipe", "deepdream", "--weight", "l2=1e308", "--out", tmp_path / "g"], ("loss term 'l2' became inf",)),
        (["synth", "--teacher", "resnet9000", "--recipe", "logit", "--n", 4, "--out", tmp_path / "h"], ("--teacher", "neither a checkpoint")),
        (["synth", "--teacher", "resnet18", "--weights", "DEFAULT", "--recipe", "logit", "--n", 4, "--out", tmp_path / "i"],
         ("weights are not on this machine", str(tmp_path / "torch" / "hub" / "checkpoints"))),
        (["synth", "--teacher", teacher_ckpt, "--weights", "DEFAULT", "--recipe", "logit", "--n", 4, "--out", tmp_path / "j"], ("for torchvision classifier names",)),
        ([*base, "--recipe", "logit", "--preset", "imagenet-cpu", "--weight", "bn=1", "--out", tmp_path / "k"], ("no term 'bn'",)),
        (["synth", "--teacher", mlp, "--recipe", "deepinversion", "--preset", "auto", "--n", 4, "--out", tmp_path / "l"], ("no BatchNorm",)),
    ]
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))  # an empty hub cache, whatever this machine holds
    for args, expect in cases:
        assert_one_line_error(cli_here(*args), *expect)
    assert not (tmp_path / "a").exists()  # refused before anything was written


def test_pretrained_imagenet_teacher_by_name(tmp_path):
    "A real ImageNet teacher by name, its classes by name too: synth runs on it and names the PNG folders with ImageNet classes."
    m = cli_json("synth", "--teacher", "efficientnet_lite0", "--image-size", 64, "--recipe", "deepinversion", "--n", 2, "--batch-size", 2,
                 "--steps", 2, "--targets", "daisy,Volcano", "--device", "cpu", "--out", tmp_path)
    d = torch.load(tmp_path / "images.pt", weights_only=True)
    assert tuple(d["images"].shape) == (2, 3, 64, 64) and d["card"]["arch"] == "efficientnet_lite0", d["card"]
    assert d["labels"].tolist() == [985, 980], d["labels"]
    assert sorted(p.name for p in (tmp_path / "images").iterdir()) == ["daisy", "volcano"] and m["n"] == 2


def test_an_ensemble_teacher_inverts_from_the_cli(tmp_path):
    "Names joined by + invert together; the run's BN distance is the members' mean, recomputed here member by member."
    ens = "efficientnet_lite0+efficientnet_lite1"
    m = cli_json("synth", "--teacher", ens, "--image-size", 96, "--recipe", "deepinversion", "--n", 2, "--batch-size", 2,
                 "--steps", 2, "--targets", "daisy,volcano", "--device", "cpu", "--out", tmp_path / "d")
    d = torch.load(tmp_path / "d" / "images.pt", weights_only=True)
    assert tuple(d["images"].shape) == (2, 3, 96, 96) and d["card"]["arch"] == ens, d["card"]
    assert m["weights"] == recipe("deepinversion", "imagenet").weights, m["weights"]  # the lite teachers' preset
    each = [bn_distance(load_teacher(name, 96), d["images"]) for name in ens.split("+")]
    assert abs(m["bn_distance"] - sum(each) / 2) < 1e-3 * m["bn_distance"], (m["bn_distance"], each)
    assert_one_line_error(cli_here("synth", "--teacher", "efficientnet_lite0+resnet9000", "--recipe", "logit", "--n", 2,
                                   "--out", tmp_path / "e"), "--teacher", "'resnet9000' is neither a checkpoint")


def test_synthesize_takes_class_names_from_python(tmp_path):
    "The Python API takes what --targets takes: names (any case where unique) and indices mixed, resolved by the teacher's card."
    teacher = load_teacher("efficientnet_lite0", 64)
    synthesize(teacher, recipe("logit", "imagenet-cpu", steps=1), 3, tmp_path / "d", batch_size=3,
               targets=["daisy", 980, "Brown bear"], progress=False)
    assert torch.load(tmp_path / "d" / "images.pt", weights_only=True)["labels"].tolist() == [985, 980, 294]
    with pytest.raises(InputError, match="no class 'vulcano' \\(did you mean volcano"):
        synthesize(teacher, recipe("logit", steps=1), 2, tmp_path / "e", targets=["vulcano"], progress=False)
    assert not (tmp_path / "e").exists()  # refused before any work


def test_torchrun_shards_batches_and_gives_the_images_of_one_process(teacher_ckpt, tmp_path):
    "torchrun with 2 processes: each makes half the batches; the images are bit for bit those of one single-thread process; a rerun resumes."
    args = [str(a) for a in ["synth", "--teacher", teacher_ckpt, "--recipe", "deepinversion", "--count", 30, "--batch-size", 8, "--steps", 15, "--device", "cpu", "--json", "--seed", 4]]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    torchrun = [str(BIN / "torchrun"), "--standalone", "--nproc-per-node", "2", "-m", "deepinversion_nb.cli"]
    r = subprocess.run([*torchrun, *args, "--out", str(tmp_path / "two")], capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr[-1500:]
    two = json.loads(r.stdout)  # one JSON result: only rank 0 prints
    one = cli_json(*args, "--out", tmp_path / "one")
    a, b = (torch.load(tmp_path / d / "images.pt", weights_only=True) for d in ("one", "two"))
    assert torch.equal(a["images"], b["images"]) and torch.equal(a["labels"], b["labels"])
    assert two["n"] == one["n"] == 30 and len(two["batches"]) == 4 and two["bn_distance"] == one["bn_distance"]
    again = subprocess.run([*torchrun, *args, "--out", str(tmp_path / "two")], capture_output=True, text=True, env=env, timeout=600)
    assert again.returncode == 0 and json.loads(again.stdout)["batches_resumed"] == 4, again.stderr[-800:]
    # the bound notebook 08 states: one process with 2 threads sums in another order, by float rounding only
    r = subprocess.run([str(BIN / "deepinversion"), *args, "--out", str(tmp_path / "threads")], capture_output=True, text=True,
                       env={**os.environ, "OMP_NUM_THREADS": "2"}, timeout=600)
    c = torch.load(tmp_path / "threads" / "images.pt", weights_only=True)["images"]
    assert r.returncode == 0 and (c - a["images"]).abs().max() < 1e-3, r.stderr[-800:]


def test_torchrun_processes_share_a_batch_when_there_are_fewer_batches(teacher_ckpt, tmp_path):
    "One batch of 7, 2 processes (4 + 3 images): the images are one process's, not those of smaller batches; a rerun resumes; too small a batch is refused."
    args = lambda batch: [str(a) for a in ["synth", "--teacher", teacher_ckpt, "--recipe", "adi", "--count", 7, "--batch-size", batch, "--steps", 30,
                                           "--kd-steps", 5, "--device", "cpu", "--json", "--seed", 4]]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    torchrun = lambda k, batch, out: subprocess.run([str(BIN / "torchrun"), "--standalone", "--nproc-per-node", str(k), "-m", "deepinversion_nb.cli",
                                                     *args(batch), "--out", str(tmp_path / out)], capture_output=True, text=True, env=env, timeout=600)
    r = torchrun(2, 7, "two")
    assert r.returncode == 0, r.stderr[-1500:]
    two, one = json.loads(r.stdout), cli_json(*args(7), "--out", tmp_path / "one")
    cli_json(*args(4), "--out", tmp_path / "fours")  # one process, batches of 4 and 3: BN matched over 4 images, not 7
    a, b, f = (torch.load(tmp_path / d / "images.pt", weights_only=True)["images"] for d in ("one", "two", "fours"))
    # the two processes sum the batch's statistics in another order: float rounding, compounded by 30 Adam steps,
    # moves a pixel by up to 4e-4 (losses agree to 1e-6); matching BN over 4 images instead of 7 moves pixels by ~2
    assert (a - b).abs().max() < 5e-3 and (a[:4] - f[:4]).abs().max() > 0.1
    assert two["losses"] == pytest.approx(one["losses"], rel=1e-5) and two["bn_distance"] == pytest.approx(one["bn_distance"], rel=1e-5)
    again = torchrun(2, 7, "two")
    assert again.returncode == 0 and json.loads(again.stdout)["batches_resumed"] == 1, again.stderr[-800:]
    small = torchrun(3, 5, "small")  # batches of 5 and 2 for 3 processes
    assert small.returncode != 0 and "every batch needs at least 3 images, and the last has 2" in small.stderr, small.stderr[-800:]


def test_adi_under_torchrun_learns_once_per_round(teacher_ckpt, tmp_path):
    "ADI with 2 processes: the student learns after each round of 2 batches, the same on both ranks; rebuilt here from the schedule."
    from deepinversion_nb.compete import ADI_KD
    from deepinversion_nb.inversion import invert
    from deepinversion_nb.synth import build_objective, build_transforms
    from deepinversion_nb.loop import Run, seeded
    from deepinversion_nb.train import train_student
    from dataclasses import replace
    n, batch, iters, kd_steps, seed = 12, 4, 8, 12, 2
    args = [str(a) for a in ["synth", "--teacher", teacher_ckpt, "--recipe", "adi", "--count", n, "--batch-size", batch, "--steps", iters,
                             "--kd-steps", kd_steps, "--device", "cpu", "--seed", seed]]
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    torchrun = [str(BIN / "torchrun"), "--standalone", "--nproc-per-node", "2", "-m", "deepinversion_nb.cli"]
    r = subprocess.run([*torchrun, *args, "--json", "--out", str(tmp_path / "adi")], capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr[-1500:]
    got = torch.load(tmp_path / "adi" / "images.pt", weights_only=True)["images"]
    # the schedule, step by step in this process: rounds {0, 1} and {2}; the student learns after each round
    teacher, run, threads = default_teacher("mnist5k", progress=False), Run.make("cpu", seed=seed), torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        r_adi = recipe("adi", steps=iters)
        with seeded(run.seed_for("student")): student = build_model("convnet_small", teacher.card.meta)
        opt, kd = torch.optim.Adam(student.parameters(), ADI_KD.lr), replace(ADI_KD, steps=kd_steps)
        y = torch.arange(n) % 10
        made = []
        for b in range(3):
            res = invert(teacher, build_objective(r_adi, student), y[b * batch:(b + 1) * batch], r_adi.phases, r_adi.lr,
                         build_transforms(r_adi), seed=run.seed_for("batch", b), run=run)
            made.append(res.images)
            if b in (1, 2): train_student(student, teacher, torch.cat(made), kd, seed=run.seed_for("kd", b), opt=opt, run=run)
    finally: torch.set_num_threads(threads)
    assert torch.equal(got, torch.cat(made))
    # one process learns after every batch instead: batch 1 already competes with a trained student
    cli_json(*args, "--out", tmp_path / "one")
    one_images = torch.load(tmp_path / "one" / "images.pt", weights_only=True)["images"]
    assert torch.equal(one_images[:batch], got[:batch]) and not torch.equal(one_images[batch:2 * batch], got[batch:2 * batch])
    again = subprocess.run([*torchrun, *args, "--json", "--out", str(tmp_path / "adi")], capture_output=True, text=True, env=env, timeout=600)  # resumes: the rounds' KD is replayed
    assert again.returncode == 0 and json.loads(again.stdout)["batches_resumed"] == 3, again.stderr[-800:]
    assert torch.equal(torch.load(tmp_path / "adi" / "images.pt", weights_only=True)["images"], got)


def test_auto_preset(teacher_ckpt, tmp_path):
    "--preset auto measures this teacher's weights, writes how into metrics.json, and keeps a --weight the user gave."
    args = ["synth", "--teacher", teacher_ckpt, "--recipe", "deepinversion", "--preset", "auto", "--n", 4, "--batch-size", 4, "--steps", 3]
    m = cli_json(*args, "--out", tmp_path / "a")
    probe = json.loads((tmp_path / "a" / "metrics.json").read_text())["auto"]
    g = probe["gradient_norms"]
    assert g["l2"] == pytest.approx(1 / 8 ** 0.5, rel=1e-5)  # the L2 prior's gradient on the 8 probe images, by hand: 1/√n
    for t in ("bn", "tv_l2", "l2"):  # each weight puts its term's gradient at the target fraction of the cross-entropy's
        assert m["weights"][t] * g[t] / g["ce"] == pytest.approx(AUTO_RATIOS[t], rel=5e-3)
    assert m["weights"]["bn"] != recipe("deepinversion").weights["bn"]  # measured, not the digits preset
    kept = cli_json(*args, "--weight", "bn=0.05", "--out", tmp_path / "b")
    assert kept["weights"]["bn"] == 0.05 and kept["weights"]["tv_l2"] == m["weights"]["tv_l2"]


def test_auto_preset_keeps_the_tuned_settings_of_an_efficientnet_lite(tmp_path):
    "--preset auto on efficientnet_lite0 measures the weights and keeps --preset imagenet's other settings (zoom, turn, first BN, lr)."
    m = cli_json("synth", "--teacher", "efficientnet_lite0", "--image-size", 96, "--recipe", "deepinversion", "--preset", "auto", "--n", 2, "--batch-size", 2,
                 "--steps", 1, "--targets", "985,980", "--device", "cpu", "--out", tmp_path)
    used, tuned = json.loads((tmp_path / "parts" / "config.json").read_text())["recipe"], PRESETS["imagenet"]
    assert (used["zoom"], used["rotate"], used["first_bn_multiplier"], used["lr"]) == (tuned.zoom, tuned.rotate, tuned.first_bn_multiplier, tuned.lr)
    assert m["weights"]["bn"] != tuned.weights["bn"] and "auto" in json.loads((tmp_path / "metrics.json").read_text())
