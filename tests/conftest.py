import json, os, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def cli(*args, cwd=None):
    "Run the installed `deepinversion` command; returns the CompletedProcess."
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    return subprocess.run([str(BIN / "deepinversion"), *map(str, args)], capture_output=True, text=True, cwd=cwd, env=env, timeout=900)


def cli_here(*args):
    "The `deepinversion` entry point called in this process (no interpreter start-up): a CompletedProcess-like result."
    import contextlib, io, types
    from deepinversion_nb.cli import main
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try: code = main([str(a) for a in args])
        except SystemExit as e: code = e.code
    return types.SimpleNamespace(returncode=code, stdout=out.getvalue(), stderr=err.getvalue())


def cli_json(*args):
    r = cli(*args, "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def assert_one_line_error(r, *expect):
    "Exit code 2, nothing on stdout, exactly one line on stderr containing every `expect`."
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    for e in expect: assert e in lines[0], lines[0]
