"""Build the documentation site offline: every notebook executed and rendered to HTML with its figures
embedded, an index page with navigation, and an API reference (pdoc). Output: docs/site/.

    python docs/build.py [--force] [--workers 2]

quarto (nbdev's own docs route, `nbdev_docs`) needs a download this machine cannot make; this route
needs only nbclient, nbconvert and pdoc from PyPI. A notebook page is rebuilt only when the notebook or
the package changed since it was last built (`--force` rebuilds everything).
"""
from __future__ import annotations
import argparse, html, json, os, re, subprocess, sys, time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NBS, SITE, PKG = ROOT / "nbs", ROOT / "docs" / "site", ROOT / "deepinversion_nb"
TEACHER_NOTEBOOK = "03_train.ipynb"  # trains (and caches) the digits teacher most notebooks load
SKIP_FLAGS = {"slow", "cuda"}  # as nbdev_test: cells with these flags need more than a CPU in minutes
WIDGET = "application/vnd.jupyter.widget-view+json"
FIGURE_TYPES = ("image/png", "image/jpeg", "image/svg+xml")
CSS = """
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",sans-serif}
nav.di-nav{position:sticky;top:0;z-index:10;background:#1f3a5f;padding:6px 16px;display:flex;flex-wrap:wrap;gap:4px 14px}
nav.di-nav a{color:#fff;text-decoration:none;font-size:14px}
nav.di-nav a.current{text-decoration:underline;font-weight:600}
.di-main{max-width:1100px;margin:0 auto;padding:16px 24px}
.di-note{border-left:4px solid #17becf;background:#eefafc;padding:8px 12px;margin:6px 0;font-size:14px}
.di-index li{margin:8px 0} .di-index small{color:#555}
"""


def directives(src: str) -> dict:
    "nbdev `#| name [args]` directives of a code cell's leading comment lines."
    out = {}
    for line in src.splitlines():
        m = re.match(r"\s*#\s*\|\s*([\w-]+):?\s*(.*)", line)
        if not m: break
        out[m.group(1)] = m.group(2).strip()
    return out


def for_execution(nb):
    "Drop the cells nbdev_test would not run (flags slow/cuda, `eval: false`)."
    keep = []
    for c in nb.cells:
        d = directives(c.source) if c.cell_type == "code" else {}
        if SKIP_FLAGS & set(d) or d.get("eval", "").lower() == "false": continue
        keep.append(c)
    nb.cells = keep
    return nb


def for_display(nb) -> int:
    "Hide what nbdev's docs hide, strip directive lines, stand in for live widgets; returns the number of figures."
    import nbformat
    keep, figures = [], 0
    for c in nb.cells:
        if c.cell_type == "code":
            d = directives(c.source)
            if "hide" in d or "default_exp" in d: continue
            c.source = "\n".join(l for l in c.source.splitlines() if not re.match(r"\s*#\s*\|", l)).strip("\n")
            outs = []
            for o in c.get("outputs", []):
                data = o.get("data", {})
                if WIDGET in data:
                    o = nbformat.v4.new_output("display_data", {"text/html": '<div class="di-note">▶ A live ipywidgets panel shows here '
                                               "when the notebook runs in JupyterLab; this page was rendered without a kernel.</div>"})
                elif any(t in data for t in FIGURE_TYPES): figures += 1
                outs.append(o)
            c.outputs = outs
            if not c.source and not outs: continue
        keep.append(c)
    nb.cells = keep
    return figures


def title_of(nb) -> tuple[str, str]:
    "The `# Title` and `> summary` of a notebook's first markdown cell that has them."
    for c in nb.cells:
        if c.cell_type == "markdown" and (m := re.search(r"^# (.+)$", c.source, re.M)):
            s = re.search(r"^> (.+)$", c.source, re.M)
            return m.group(1).strip(), s.group(1).strip() if s else ""
    return "", ""


README_START = "<!-- generated from nbs/index.ipynb by `make docs`: edit the notebook, not this block -->"
README_END = "<!-- end of the block generated from nbs/index.ipynb -->"


def index_markdown() -> str:
    "nbs/index.ipynb as Markdown for the README: its cells after the title, code without hidden cells."
    import nbformat
    parts = []
    for c in nbformat.read(NBS / "index.ipynb", as_version=4).cells:
        if c.cell_type == "markdown" and not re.match(r"# ", c.source): parts.append(c.source.strip())
        elif c.cell_type == "code" and not directives(c.source): parts.append(f"```python\n{c.source.strip()}\n```")
    return "\n\n".join(parts)


def readme_with_index(readme: str) -> str:
    "The README text with its generated block replaced by the current nbs/index.ipynb."
    i, j = readme.index(README_START) + len(README_START), readme.index(README_END)
    return readme[:i] + "\n\n" + index_markdown() + "\n\n" + readme[j:]


def execute(path: str) -> dict:
    "Execute one notebook (in a worker process) and render it to HTML; returns its page record."
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    from nbconvert import HTMLExporter
    t0 = time.time()
    nb = for_execution(nbformat.read(path, as_version=4))
    try:
        NotebookClient(nb, timeout=1800, kernel_name="python3", resources={"metadata": {"path": str(NBS)}},
                       store_widget_state=False).execute()
    except CellExecutionError as e:
        lines = [l for l in str(e).splitlines() if l.strip()]
        last = re.sub(r"\x1b\[[0-9;]*m", "", lines[-1])[:300] if lines else str(e)  # no terminal colours
        return {"error": f"{Path(path).name}: a cell failed: {last}"}
    title, summary = title_of(nb)
    figures = for_display(nb)
    body, _ = HTMLExporter(template_name="lab", exclude_input_prompt=True, exclude_output_prompt=True,
                           embed_images=True).from_notebook_node(nb)
    stem = Path(path).stem
    return {"file": f"{stem}.html", "notebook": f"nbs/{Path(path).name}", "title": title or stem, "summary": summary,
            "figures": figures, "seconds": round(time.time() - t0, 1), "html": body}


# The reader's path through the notebooks (file numbers keep the order of dependencies instead)
GROUPS = [("Start here", ["12_widgets"]), ("The method in four steps", ["04_logit", "05_priors", "06_features", "07_compete", "08_synth"]),
          ("Distillation and the ablation", ["09_distill", "10_demo"]), ("ImageNet", ["13_imagenet", "17_auto"]),
          ("Applications", ["15_prune", "16_continual"]), ("Tools", ["11_metrics", "18_cli", "14_bench"]),
          ("Foundations", ["00_data", "01_store", "02_models", "02a_loop", "03_train"])]


def grouped(pages: list) -> list:
    "[(group, pages)] in the reader's order; a notebook no group names comes last, under 'More'."
    by_stem = {p["file"].removesuffix(".html"): p for p in pages}
    named = {s for _, stems in GROUPS for s in stems}
    groups = [(g, [by_stem[s] for s in stems if s in by_stem]) for g, stems in GROUPS]
    return [(g, ps) for g, ps in groups + [("More", [p for s, p in by_stem.items() if s not in named])] if ps]


def nav(pages: list, current: str, prefix: str = "") -> str:
    ordered = [p for _, ps in grouped(pages) for p in ps]
    links = [("index.html", "Home")] + [(p["file"], p["file"].split("_")[0] + " " + p["title"]) for p in ordered] + [("api/deepinversion_nb.html", "API reference")]
    return '<nav class="di-nav">' + "".join(
        f'<a href="{prefix}{f}"{" class=current" if f == current else ""}>{html.escape(t)}</a>' for f, t in links) + "</nav>"


def finish_page(body: str, pages: list, current: str) -> str:
    "Offline page: no scripts from the network (MathJax, require.js), our navigation bar on top."
    body = re.sub(r'<script[^>]*src="https?://[^"]*"[^>]*>\s*</script>', "", body)
    body = re.sub(r"<script[^>]*>[^<]*MathJax\.Hub\.Config[\s\S]*?</script>", "", body)
    body = body.replace("</head>", f"<style>{CSS}</style></head>", 1)
    return re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + nav(pages, current), body, count=1)


def site_links(markdown: str) -> str:
    "The README's relative links as the site's: figures in images/, notebooks as their pages, the rest of the repository two folders up."
    markdown = markdown.replace("](docs/images/", "](images/")
    markdown = re.sub(r"\]\(nbs/(\w+)\.ipynb\)", r"](\1.html)", markdown)
    return re.sub(r"\]\((lab/|CHANGELOG)", r"](../../\1", markdown)


def index_page(pages: list) -> str:
    "The home page: the user's guide (nbs/index.ipynb, as in the README), then every notebook on the reader's path."
    from nbconvert.filters.markdown import markdown2html
    settings = dict(re.findall(r"^(\w+)\s*=\s*(.*)$", (ROOT / "settings.ini").read_text(), re.M))
    code = lambda t: re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(t))
    item = lambda p: (f'<li><a href="{p["file"]}"><b>{code(p["title"])}</b></a> <small>({p["notebook"]}, {p["figures"]} figures)</small>'
                      f'<br>{code(p["summary"])}</li>')
    groups = "".join(f'<h3>{html.escape(g)}</h3><ul class="di-index">{"".join(item(p) for p in ps)}</ul>' for g, ps in grouped(pages))
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{settings.get("title", "docs")}</title><style>{CSS}</style></head>'
            f'<body>{nav(pages, "index.html")}<div class="di-main"><h1>{html.escape(settings.get("title", ""))}</h1>'
            f'<p>{html.escape(settings.get("description", ""))}</p>{markdown2html(site_links(index_markdown()))}'
            f'<h2>The notebooks</h2>{groups}'
            f'<h2><a href="api/deepinversion_nb.html">API reference</a></h2><p>Every public function and class of the '
            f'<code>deepinversion_nb</code> module, with signatures and docstrings.</p></div></body></html>')


def stale(nb: Path, page: Path) -> bool:
    "A page is stale when missing or older than its notebook or any module of the package."
    if not page.exists(): return True
    newest = max([nb.stat().st_mtime] + [p.stat().st_mtime for p in PKG.glob("*.py")])
    return page.stat().st_mtime < newest


def start_order(nb: Path) -> int:
    "The notebook that trains the default teacher first, then those that need no teacher, then the rest (which wait for it)."
    if nb.name == TEACHER_NOTEBOOK: return 0
    return 2 if re.search(r"default_teacher|teacher_path", nb.read_text()) else 1


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--force", action="store_true", help="re-execute every notebook")
    ap.add_argument("--workers", type=int, default=2, help="notebooks executed at once (one torch thread each)")
    a = ap.parse_args(argv)
    os.environ["OMP_NUM_THREADS"] = "1"  # kernels inherit it: on 2 cores one thread per notebook is fastest
    t0 = time.time()
    readme = ROOT / "README.md"
    if (new := readme_with_index(readme.read_text())) != readme.read_text(): readme.write_text(new); print("docs: README.md updated from nbs/index.ipynb")
    SITE.mkdir(parents=True, exist_ok=True)
    old = {}
    if (SITE / "manifest.json").exists():
        old = {p["file"]: p for p in json.loads((SITE / "manifest.json").read_text()).get("pages", [])}
    nbs = sorted(NBS.glob("[0-9][0-9]*_*.ipynb"))
    todo = [p for p in nbs if a.force or stale(p, SITE / f"{p.stem}.html") or f"{p.stem}.html" not in old]
    if a.force: todo.append(NBS / "index.ipynb")  # the README's quick start: executed as a test, rendered as the home page
    print(f"docs: executing {len(todo)} notebooks ({a.workers} at a time)", flush=True)
    done, errors = {}, []
    with ProcessPoolExecutor(max(1, a.workers)) as ex:
        jobs = {p: ex.submit(execute, str(p)) for p in sorted(todo, key=start_order)}
        for p in todo:
            rec = jobs[p].result()
            if "error" in rec: errors.append(rec["error"]); print(f"  {rec['error']}", flush=True); continue
            if p.stem != "index": done[rec["file"]] = rec
            print(f"  {p.name}: {rec['figures']} figures, {rec['seconds']} s", flush=True)
    # a notebook that failed gets no page (the docs test then fails on it); the others are still written
    failed = {e.split(":")[0].replace(".ipynb", ".html") for e in errors}
    pages = [done.get(f) or old[f] for f in (f"{p.stem}.html" for p in nbs) if f in done or (f in old and f not in failed)]
    for f in failed: (SITE / f).unlink(missing_ok=True)
    for p in pages:
        if "html" in p: (SITE / p["file"]).write_text(finish_page(p.pop("html"), pages, p["file"]))
        else:  # unchanged page: refresh its navigation (the list of notebooks may have changed)
            f = SITE / p["file"]; f.write_text(re.sub(r'<nav class="di-nav">.*?</nav>', lambda m: nav(pages, p["file"]), f.read_text(), count=1, flags=re.S))
    (SITE / "images").mkdir(exist_ok=True)
    for img in (ROOT / "docs" / "images").glob("*.png"): (SITE / "images" / img.name).write_bytes(img.read_bytes())
    (SITE / "index.html").write_text(index_page(pages))
    r = subprocess.run([sys.executable, "-m", "pdoc", "deepinversion_nb", "!deepinversion_nb._modidx", "-o", str(SITE / "api"), "--no-search"],
                       capture_output=True, text=True, cwd=ROOT)
    if r.returncode: sys.exit(f"docs: pdoc failed: {(r.stderr.strip().splitlines() or ['?'])[-1]}")
    (SITE / "manifest.json").write_text(json.dumps({"pages": pages, "api": "api/deepinversion_nb.html"}, indent=1))
    if errors: sys.exit(f"docs: {len(errors)} notebook(s) failed, their pages are missing: " + "; ".join(errors))
    print(f"docs: {len(pages)} notebook pages, {sum(p['figures'] for p in pages)} figures, API reference -> "
          f"{SITE.relative_to(ROOT)}/index.html ({time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main()
