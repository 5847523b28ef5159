"""Where an Inception Score comes from (notebook 13): for each run folder, each verifier's IS split into the entropy of
the mean prediction and the mean entropy of the predictions (IS = exp(first − second)), the true class's mean
probability, and the IS through each of `deepinversion metrics`' views.

    OMP_NUM_THREADS=1 .venv/bin/python lab/imagenet_presets/is_parts.py RUN_DIR [RUN_DIR …]   # folders written by `synth`
"""
import sys, torch
from deepinversion_nb.metrics import Verifier, read_image_set, logits_of, inception_score, VIEWS
from deepinversion_nb.models import load_teacher

entropy = lambda p: -(p * p.clamp_min(1e-12).log()).sum(-1)

if __name__ == "__main__":
    torch.set_num_threads(1)
    verifiers = {k: Verifier(load_teacher(f"efficientnet_{k}").eval()) for k in ("lite1", "lite2")}
    for run in sys.argv[1:]:
        s = read_image_set(f"{run}/images")
        for k, v in verifiers.items():
            logits = {w: logits_of(v, s.images, w) for w in VIEWS}  # "resize" is the plain view
            p, y = logits["resize"].softmax(1), v.class_map(s.classes)[s.labels]
            views = {w: inception_score(torch.nn.Flatten(), l) for w, l in logits.items()}
            print(f"{run} {k}: H(mean prediction) {entropy(p.mean(0)):.2f}, mean H(prediction) {entropy(p).mean():.2f}, "
                  f"p(true class) {p[torch.arange(len(y)), y].mean():.2f}; IS by view", {w: round(x, 2) for w, x in views.items()})
