"""Where do the old classes go? For each row of a continual-learning demo folder, the confusion matrix of the
extended model on the real test digits (rows: true class, columns: predicted class). Run by hand after
`deepinversion demo --task continual --preset quick --seed 0 --out DIR`:
`.venv/bin/python lab/continual_confusion/run.py DIR` writes lab/continual_confusion/seed0.json (read by notebook 16).
"""
import json, sys
from pathlib import Path
import torch
from deepinversion_nb.continual import CONTINUAL_ROWS
from deepinversion_nb.data import get_data, normalize
from deepinversion_nb.models import load_checkpoint

OUT = Path(__file__).parent / "seed0.json"

if __name__ == "__main__":
    demo = Path(sys.argv[1])
    rep = json.loads((demo / "report.json").read_text())
    x, y = get_data(f"{rep['data']}:test").tensors()
    rows = {}
    for name in CONTINUAL_ROWS:
        m = load_checkpoint(demo / "models" / f"{name}.pt")
        with torch.no_grad(): pred = m(normalize(x, m.card.mean, m.card.std)).argmax(1)
        k = m.card.num_classes
        rows[name] = torch.bincount(y * k + pred, minlength=k * k).view(k, k).tolist()
    OUT.write_text(json.dumps({"demo": {k: rep[k] for k in ("task", "data", "preset", "seed", "old", "new")},
                               "accuracy": {k: r["accuracy"] for k, r in rep["rows"].items()}, "confusion": rows}, indent=1))
    print(f"wrote {OUT}")
