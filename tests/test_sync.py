"The committed module is what the notebooks export, and the notebooks are clean (nbdev_clean changes nothing)."
import filecmp, shutil, subprocess
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


def test_readme_names_the_file_the_default_teacher_is_cached_in():
    "The README's commands read the default teacher from its cache; the file's name carries a version that changes with its recipe."
    import re
    from deepinversion_nb.train import teacher_path
    named = set(re.findall(r"~/\.cache/deepinversion_nb/teachers/(\S+\.pt)", (ROOT / "README.md").read_text()))
    assert named == {teacher_path("mnist5k").name}, f"README names {sorted(named)}; default_teacher writes {teacher_path('mnist5k').name}"


def test_readme_runs_write_distinct_folders():
    "A reader who runs the README's commands in one folder must not meet 'holds a run with different arguments': two different synth runs (or the Python quick start) never share a folder."
    import re
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```bash\n(.*?)```", readme, re.S)
    commands = [re.sub(r"\s+#.*$", "", c).strip() for b in blocks for c in b.replace("\\\n", " ").splitlines()]
    runs = {out: {f"python: synthesize(..., out={out!r})"} for out in re.findall(r'synthesize\(.*out="([^"]+)"', readme)}
    for c in commands:
        out = re.search(r" synth .*--out (\S+?)/?(\s|$)", c)
        if out: runs.setdefault(out.group(1), set()).add(" ".join(c.split()))
    assert len(runs) >= 5, runs
    shared = {out: cs for out, cs in runs.items() if len(cs) > 1}
    assert not shared, f"README synth commands with different arguments write the same folder: {shared}"
