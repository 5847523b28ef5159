"""The README's cross-family table from results.json: `python lab/imagenet_cross_family/table.py`."""
import json
from pathlib import Path

ROWS = [("deepdream-no-smooth", "DeepDream, colour shift, no blur"), ("deepdream-preset", "DeepDream, `imagenet-cpu`"),
        ("deepinversion-no-shift", "DeepInversion, neither (`--color-shift 0 --smooth 0 --weight tv_l2=0.0009`)"),
        ("deepinversion-no-smooth", "DeepInversion, colour shift, no blur (`--smooth 0`)"),
        ("deepinversion-preset", "**DeepInversion, `imagenet-cpu`**"), ("adi-preset", "ADI, `imagenet-cpu`"),
        ("deepdream-long", "DeepDream, `imagenet` (3,000 steps)"),
        ("deepinversion-long-no-shift", "DeepInversion, 3,000 steps without colour shift and blur"),
        ("deepinversion-long", "**DeepInversion, `imagenet` (3,000 steps)**"),
        ("deepdream-long-zoom", "DeepDream, 3,000 steps, `imagenet` without its colour shift (`--color-shift 0`)"),
        ("deepinversion-long-zoom", "DeepInversion, 3,000 steps, `imagenet` without its colour shift (`--color-shift 0`)"),
        ("deepdream-long-paper", "DeepDream, 3,000 steps, the paper's priors (jitter and flip only)"),
        ("deepinversion-long-paper", "DeepInversion, 3,000 steps, the paper's priors (jitter and flip only)"),
        ("deepdream-long-blur", "DeepDream, 3,000 steps, the paper's priors and the blur"),
        ("deepinversion-long-blur", "DeepInversion, 3,000 steps, the paper's priors and the blur"),
        ("deepinversion-long-blur-bn03", "DeepInversion, the same, R_feature at 0.0003 (`--weight bn=0.0003`)"),
        ("deepdream-ens01-blur", "DeepDream, the same, lite0 + lite1 inverted together (`ensemble.py`)"),
        ("deepinversion-ens01-blur", "DeepInversion, the same, lite0 + lite1 inverted together (`ensemble.py`)"),
        ("deepdream-ens012-blur", "DeepDream, the same, lite0 + lite1 + lite2 inverted together (`ensemble.py`)"),
        ("deepinversion-ens012-blur", "DeepInversion, the same, lite0 + lite1 + lite2 inverted together (`ensemble.py`)")]


def main():
    r = json.loads((Path(__file__).parent / "results.json").read_text())
    print("| images (8 held-out classes) | seeds × images | MobileNet-V2 top-1 | MobileNet-V2 top-5 | lite1 top-1 | lite2 top-1 "
          "| Inception Score (MobileNet-V2) | BN distance | saturation | mean colour (RGB) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for key, name in ROWS:
        if key not in r["summary"]: continue
        s = r["summary"][key]
        # mean ± std over seeds; a single seed's value alone (no spread was measured)
        f = lambda m, spec, scale=1, unit="": (f"{scale * m[0]:{spec}}" + (f" ± {scale * m[1]:{spec}}" if s["seeds"] > 1 else "")
                                               + unit)
        pct = lambda m: f(m, ".1f", 100, " %")
        print(f"| {name} | {s['seeds']} × {s['images']} | {pct(s['mobilenet_v2'])} | {pct(s['mobilenet_v2_top5'])} | {pct(s['lite1'])} | {pct(s['lite2'])} "
              f"| {f(s['is_mobilenet_v2'], '.2f')} | {f(s['bn'], ',.0f')} "
              f"| {f(s['saturation'], '.2f')} | {', '.join(f'{c:.2f}' for c in s['rgb'])} |")
    p = r["real_photos"]
    print(f"\nreal photos ({len(p['photos'])} of scikit-image's): saturation {p['saturation']:.2f}, mean colour "
          f"{', '.join(f'{c:.2f}' for c in p['rgb'])}; ImageNet's mean colour (the teachers' normalization): 0.49, 0.46, 0.41")


if __name__ == "__main__":
    main()
