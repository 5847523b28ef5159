"The committed module is what the notebooks export, and the notebooks are clean (nbdev_clean changes nothing)."
import filecmp, json, re, shlex, shutil, subprocess
from conftest import ROOT, BIN


def _copy(tmp_path):
    for d in ("nbs", "deepinversion_nb"): shutil.copytree(ROOT / d, tmp_path / d, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    shutil.copy(ROOT / "settings.ini", tmp_path)
    return tmp_path


def _same_tree(a, b, pattern):
    files = sorted(p.relative_to(a) for p in a.rglob(pattern))
    assert files == sorted(p.relative_to(b) for p in b.rglob(pattern)), "a file appeared or disappeared"
    return [str(f) for f in files if not filecmp.cmp(a / f, b / f, shallow=False)]


def test_module_matches_notebooks(tmp_path):
    work = _copy(tmp_path)
    subprocess.run([BIN / "nbdev_export"], cwd=work, check=True, capture_output=True)
    changed = _same_tree(ROOT / "deepinversion_nb", work / "deepinversion_nb", "*.py")
    assert not changed, f"nbdev_export changes {changed}: run nbdev_export and commit"


def test_notebooks_are_clean(tmp_path):
    work = _copy(tmp_path)
    subprocess.run([BIN / "nbdev_clean"], cwd=work, check=True, capture_output=True)
    changed = _same_tree(ROOT / "nbs", work / "nbs", "*.ipynb")
    assert not changed, f"nbdev_clean changes {changed}: run nbdev_clean and commit"


def test_readme_block_is_the_index_notebook():
    "README's quick start is generated from nbs/index.ipynb (whose example nbdev_test runs): `make docs` rewrites it."
    import importlib.util
    spec = importlib.util.spec_from_file_location("docs_build", ROOT / "docs" / "build.py")
    build = importlib.util.module_from_spec(spec); spec.loader.exec_module(build)
    readme = (ROOT / "README.md").read_text()
    assert build.README_START in readme and build.README_END in readme
    assert build.readme_with_index(readme) == readme, "README.md is out of date with nbs/index.ipynb: run make docs"


def test_readme_names_no_cache_path():
    "The README reaches the default teachers by name (mnist5k-convnet), never by a cache file whose name changes with its recipe."
    readme = (ROOT / "README.md").read_text()
    assert "~/.cache" not in readme and ".cache/deepinversion_nb" not in readme
    assert "--teacher mnist5k-convnet" in readme


def _commands(text: str, inline=False) -> list[str]:
    "The shell lines of a text's ```bash blocks (continuations joined, comments cut); with `inline`, its `code spans` too."
    blocks = re.findall(r"```bash\n(.*?)```", text, re.S)
    lines = [re.sub(r"\s+#.*$", "", c).strip() for b in blocks for c in b.replace("\\\n", " ").splitlines()]
    return lines + (re.findall(r"`([^`\n]+)`", text) if inline else [])


def test_readme_runs_write_distinct_folders():
    "A reader who runs the README's commands in one folder must not meet 'holds a run with different arguments': two different synth runs (or the Python quick start) never share a folder."
    readme = (ROOT / "README.md").read_text()
    runs = {out: {f"python: synthesize(..., out={out!r})"} for out in re.findall(r'synthesize\(.*out="([^"]+)"', readme)}
    for c in _commands(readme):
        out = re.search(r" synth .*--out (\S+?)/?(\s|$)", c)
        if out: runs.setdefault(out.group(1), set()).add(" ".join(c.split()))
    assert len(runs) >= 5, runs
    shared = {out: cs for out, cs in runs.items() if len(cs) > 1}
    assert not shared, f"README synth commands with different arguments write the same folder: {shared}"


def test_documented_commands_parse():
    "Every full `deepinversion` command in the README and the notebooks' prose (blocks and code spans) still parses: a renamed flag, a dropped choice or an unknown --weight term fails here, not in a reader's shell."
    from deepinversion_nb.cli import build_parser, _weights
    from deepinversion_nb.inversion import Term
    texts = {"README.md": (ROOT / "README.md").read_text()}
    for nb in sorted((ROOT / "nbs").glob("*.ipynb")):
        texts[nb.name] = "\n".join("".join(c["source"]) for c in json.loads(nb.read_text())["cells"] if c["cell_type"] == "markdown")
    checked, bad = 0, []
    for name, text in texts.items():
        for c in _commands(text, inline=True):
            m = re.search(r"(?:^|\s)(?:deepinversion|-m deepinversion_nb\.cli)\s+([a-z]+)\s+(-.*)$", c)
            # usage lines ([--a|--b]), elisions, placeholder seeds and a lone flag named in prose are not commands to run
            if not m or re.search(r"[\[…]|\.\.\.|--seeds? S\b", c) or len(argv := [m.group(1), *shlex.split(m.group(2))]) < 3: continue
            try:
                a = build_parser().parse_args(argv)
                unknown = set(_weights(getattr(a, "weight", None))) - set(Term.registry)
                if unknown: bad.append(f"{name}: {c}  (unknown --weight {sorted(unknown)})")
            except SystemExit: bad.append(f"{name}: {c}")
            checked += 1
    assert checked >= 30, checked
    assert not bad, "documented commands that no longer parse:\n" + "\n".join(bad)
