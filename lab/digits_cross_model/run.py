"""Notebook 11's cross-model table on the digits over several seeds: `python lab/digits_cross_model/run.py OUT.json [SEED ...]`.

Each seed makes 40 DeepDream and 40 DeepInversion images from the digits teacher (1,000 steps, the notebook's setting,
with that seed), trains the three verifiers of other families (`mlp`, `convnet_small`, `convnet_tiny`; 8 epochs,
initialized and shuffled by the seed) and judges both sets and 40 real test digits with them, as notebook 11 does.
Finished seeds are kept in OUT.json (written atomically), so a rerun only adds the missing ones.
"""
import json, sys, tempfile
from pathlib import Path
import torch
from deepinversion_nb.data import load_embedded
from deepinversion_nb.metrics import ImageSet, Verifier, judge, read_image_set
from deepinversion_nb.models import build_model
from deepinversion_nb.store import write_json
from deepinversion_nb.synth import recipe, synthesize
from deepinversion_nb.loop import Run, seeded
from deepinversion_nb.train import default_teacher, train_classifier

VERIFIERS = ("mlp", "convnet_small", "convnet_tiny")


def one_seed(seed: int) -> dict:
    "Every measure of `judge` for DeepDream, DeepInversion and real digits, with verifiers and images of this seed."
    teacher, tmp = default_teacher("mnist5k", progress=False), Path(tempfile.mkdtemp())
    train, test = load_embedded("mnist5k", "train"), load_embedded("mnist5k", "test")
    for rec in ("deepdream", "deepinversion"):
        synthesize(teacher, recipe(rec, iters=1000), 40, tmp / rec, batch_size=40, run=Run.of(teacher, seed), progress=False)
    verifiers = []
    for arch in VERIFIERS:
        with seeded(seed + 1): m = build_model(arch, teacher.card.meta)
        train_classifier(m, train, epochs=8, seed=seed)
        verifiers.append(Verifier(m.eval(), arch))
    pick = torch.cat([(test.labels == c).nonzero()[:4, 0] for c in range(10)])  # 4 per class, as many as each dreamed set
    sets = {"deepdream": read_image_set(tmp / "deepdream"), "deepinversion": read_image_set(tmp / "deepinversion"),
            "real": ImageSet(test.images[pick].float() / 255, test.labels[pick], teacher.card.classes)}
    out = {}
    for name, s in sets.items():
        r = judge(s, verifiers, reference=test.images[200:700], features=verifiers[1])
        out[name] = {"top1": {k: v["top1"] for k, v in r["verifiers"].items()}, "inception_score": r["inception_score"],
                     "fid": r["fid"], "diversity": r["diversity"]}
    return out


if __name__ == "__main__":
    torch.set_num_threads(1)
    path, seeds = Path(sys.argv[1]), [int(s) for s in sys.argv[2:]] or [0, 1, 2, 3, 4]
    done = json.loads(path.read_text()) if path.exists() else {}
    for s in seeds:
        if str(s) in done: continue
        done[str(s)] = one_seed(s)
        write_json(path, done)
        print(s, json.dumps(done[str(s)]))
