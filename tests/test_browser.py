"""End-to-end tests in a real browser: Debian's headless Chromium driven by Playwright.

1. JupyterLab on 127.0.0.1 opens the widgets notebook, runs it, moves a slider, presses Start, sees the
   live image change between two screenshots, pins a snapshot, and presses Stop; then, on the ImageNet
   teacher's panel (its CPU preset chosen by itself), types the class "volcano" and runs it.
2. The built documentation site (`make docs`) renders every page with all its images.

Screenshots are kept under test-artifacts/. Without Chromium (a laptop, macOS, a container without root) they are
skipped with one line saying how to enable them; with DEEPINVERSION_BROWSER=1 (CI sets it) a missing Chromium fails.
"""
import functools, http.server, io, json, os, re, secrets, shutil, socket, subprocess, threading, time, urllib.request
from pathlib import Path
import pytest
from conftest import ROOT, BIN

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
ART = ROOT / "test-artifacts"
SITE = ROOT / "docs" / "site"


@pytest.fixture(scope="module")
def browser():
    try: from playwright.sync_api import sync_playwright
    except ImportError: pytest.fail("the playwright package is missing: run `make test`, which installs the dev extra")
    if not os.access(CHROMIUM, os.X_OK):
        why = f"{CHROMIUM} is missing: `sudo make browser` (Debian's chromium) enables the browser tests"
        if os.environ.get("DEEPINVERSION_BROWSER") == "1": pytest.fail(why)
        pytest.skip(why)
    ART.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0)); return s.getsockname()[1]


@pytest.fixture
def lab(tmp_path):
    "JupyterLab on 127.0.0.1 with a random token, serving a copy of the widgets notebook; yields (url, token)."
    shutil.copy(ROOT / "nbs" / "12_widgets.ipynb", tmp_path)
    settings = tmp_path / ".jupyter" / "lab" / "user-settings" / "@jupyterlab"
    for ext, value in {"notebook-extension/tracker": {"windowingMode": "none"},  # every cell in the DOM
                       "apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False}}.items():
        (settings / ext).parent.mkdir(parents=True, exist_ok=True)
        (settings / f"{ext}.jupyterlab-settings").write_text(json.dumps(value))
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "OMP_NUM_THREADS": "1", "JUPYTER_CONFIG_DIR": str(tmp_path / ".jupyter"),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / ".runtime")}
    log = open(tmp_path / "lab.log", "w")
    proc = subprocess.Popen([str(BIN / "jupyter"), "lab", "--allow-root", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
                             f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={tmp_path}"],
                            stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tmp_path)
    url = f"http://127.0.0.1:{port}"
    try:
        t0 = time.time()
        while True:
            if proc.poll() is not None: pytest.fail(f"jupyter lab exited with {proc.returncode}: {(tmp_path / 'lab.log').read_text()[-2000:]}")
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2); break
            except OSError:
                if time.time() - t0 > 120: pytest.fail("jupyter lab did not answer within 120 s")
                time.sleep(0.5)
        yield url, token
    finally:
        proc.terminate()
        try: proc.wait(20)
        except subprocess.TimeoutExpired: proc.kill()
        log.close()
        ART.mkdir(exist_ok=True); shutil.copy(tmp_path / "lab.log", ART / "jupyterlab.log")


def _wait(pred, timeout: float, what: str, page=None, every: float = 0.1):
    "Poll `pred` until it returns something truthy; fail with `what` (and a screenshot) after `timeout` seconds."
    t0 = time.time()
    while time.time() - t0 < timeout:
        v = pred()
        if v: return v
        time.sleep(every)
    if page is not None: page.screenshot(path=str(ART / "lab_failure.png"))
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


def _run_all_cells(page):
    "Start the kernel if JupyterLab asks, wait for Idle, run all cells and wait until every one has run without error."
    page.wait_for_selector(".jp-Notebook", timeout=120_000)
    dialog = page.locator(".jp-Dialog")
    try:
        dialog.get_by_role("button", name="Select").click(timeout=15_000)  # the notebook names no kernel: take the default
    except Exception: pass
    status = page.locator(".jp-Notebook-ExecutionIndicator")
    _wait(lambda: "| Idle" in " ".join(page.locator(".jp-StatusBar-Widget").all_inner_texts()), 120, "the kernel to be Idle", page)
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
    prompts = page.locator(".jp-CodeCell .jp-InputPrompt")
    def done():
        err = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"], .jp-RenderedText[data-mime-type="application/vnd.jupyter.error"]')
        if err.count(): page.screenshot(path=str(ART / "lab_failure.png")); pytest.fail(f"a cell failed in JupyterLab: {err.first.inner_text()[-1500:]}")
        texts = prompts.evaluate_all("els => els.map(e => e.textContent)")
        return texts and all(re.fullmatch(r"\[\d+\]:", t.strip()) for t in texts) and status.get_attribute("data-status") == "idle"
    _wait(done, 300, "all cells of the widgets notebook to run", page, every=0.5)


def _png_diff(a: bytes, b: bytes) -> float:
    "Fraction of pixels that differ visibly (any channel by more than 16 of 255) between two same-sized screenshots."
    import numpy as np
    from PIL import Image
    x, y = (np.asarray(Image.open(io.BytesIO(v)).convert("RGB")).astype(int) for v in (a, b))
    assert x.shape == y.shape, (x.shape, y.shape)
    return float((np.abs(x - y).max(-1) > 16).mean())


def _step(status_text: str) -> int:
    m = re.search(r"step (\d+)/", status_text)
    return int(m.group(1)) if m else -1


def test_widget_panel_runs_live_in_jupyterlab(browser, lab):
    url, token = lab
    page = browser.new_page(viewport={"width": 1500, "height": 1100})
    page.goto(f"{url}/lab/tree/12_widgets.ipynb?token={token}")
    _run_all_cells(page)

    panel = page.locator(".jp-OutputArea-output .di-studio").first
    panel.scroll_into_view_if_needed()
    status, frame = panel.locator(".di-status"), panel.locator("img.di-frame")
    assert "ready" in status.inner_text(), status.inner_text()  # the notebook's last cell reset the panel
    for name, value in (("first_bn_multiplier", 10.0), ("lr", 0.1)):  # every log-slider shows its value, the settings' too
        shown = panel.locator(f".di-slider-{name} .widget-readout")
        assert float(shown.inner_text()) == value, (name, shown.inner_text())
        on_top = shown.evaluate("e => { const r = e.getBoundingClientRect(); const t = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2); return e.contains(t) || t.contains(e); }")
        assert on_top, f"the {name} slider's readout is hidden (clipped or covered)"

    # move the α_tv slider by dragging its handle, as a person would
    readout = panel.locator(".di-slider-tv_l2 .widget-readout")
    before = float(readout.inner_text())
    box = panel.locator(".di-slider-tv_l2 .noUi-handle").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down(); page.mouse.move(box["x"] + box["width"] / 2 + 25, box["y"] + box["height"] / 2, steps=10); page.mouse.up()
    after = float(_wait(lambda: readout.inner_text() if float(readout.inner_text()) != before else None, 5, "the slider readout to change", page))
    assert after > before, (before, after)

    blank = frame.screenshot()
    panel.locator("button.di-start").click()
    _wait(lambda: "running" in status.inner_text() and _step(status.inner_text()) >= 20, 30, "the run to start", page)
    shot1 = frame.screenshot(path=str(ART / "lab_frame_1.png"))
    page.screenshot(path=str(ART / "lab_panel_running_1.png"))
    step1 = _step(status.inner_text())
    _wait(lambda: _step(status.inner_text()) >= step1 + 40, 30, "the run to advance 40 steps", page)
    shot2 = frame.screenshot(path=str(ART / "lab_frame_2.png"))
    page.screenshot(path=str(ART / "lab_panel_running_2.png"))
    assert "running" in status.inner_text(), status.inner_text()  # both frames were taken mid-run
    assert _png_diff(blank, shot1) > 0.2, "the first live frame still looks like the blank grid"
    changed = _png_diff(shot1, shot2)
    assert changed > 0.02, f"only {changed:.1%} of the live image's pixels changed visibly between two frames"

    # Snapshot pins the running grid with the slider's value into the gallery
    pinned = panel.locator(".di-pinned")
    n0 = pinned.count()
    panel.locator("button.di-snapshot").click()
    _wait(lambda: pinned.count() == n0 + 1, 10, "a snapshot in the gallery", page)
    caption = pinned.last.inner_text()
    shown = float(re.search(r"α_tv ([0-9.e+-]+)", caption).group(1))
    assert abs(shown - after) / after < 0.06, (caption, after)  # the loop ran with the dragged value

    t0 = time.time()
    panel.locator("button.di-stop").click()
    _wait(lambda: "stopped" in status.inner_text(), 3, "the panel to report 'stopped'", page)
    stopped_after = time.time() - t0
    last = _step(status.inner_text())
    time.sleep(1.0)
    assert _step(status.inner_text()) == last, "the run went on after Stop"
    page.screenshot(path=str(ART / "lab_panel_stopped.png"))
    print(f"frames differ in {changed:.1%} of pixels; Stop reported after {stopped_after:.2f} s at step {last}")

    # the ImageNet panel: type a class name, start the preset's schedule, and see that class dreamed
    big = page.locator(".jp-OutputArea-output .di-studio").nth(1)
    big.scroll_into_view_if_needed()
    bstatus, bframe = big.locator(".di-status"), big.locator("img.di-frame")
    assert "ready" in bstatus.inner_text(), bstatus.inner_text()
    picker = big.locator(".di-classes input")
    picker.fill("volcano"); picker.press("Enter")
    blank = bframe.screenshot()
    big.locator("button.di-start").click()
    _wait(lambda: "class volcano" in bstatus.inner_text() and _step(bstatus.inner_text()) >= 5, 90, "the ImageNet panel to run on 'volcano'", page)
    assert "phase 1/2 at 112 px" in bstatus.inner_text(), bstatus.inner_text()  # the imagenet-cpu preset, chosen by itself
    big.locator("button.di-stop").click()
    _wait(lambda: "stopped" in bstatus.inner_text(), 10, "the ImageNet panel to stop", page)
    dreamed = bframe.screenshot(path=str(ART / "lab_imagenet_frame.png"))
    assert _png_diff(blank, dreamed) > 0.2, "the ImageNet frame still looks like the blank grid"
    assert bframe.bounding_box()["width"] >= 2 * 224 - 2, bframe.bounding_box()  # two 224-px images side by side, not shrunk


@pytest.fixture(scope="module")
def site():
    "The built documentation site, served on 127.0.0.1; yields (url, manifest)."
    manifest = SITE / "manifest.json"
    if not manifest.exists(): pytest.fail(f"{SITE} is not built: run `make docs` (make test builds it first)")
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *a): pass
    handler = functools.partial(Quiet, directory=str(SITE))
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}", json.loads(manifest.read_text())
    srv.shutdown()


def _images(page) -> list:
    return page.eval_on_selector_all("img", "els => els.map(e => ({ok: e.complete && e.naturalWidth > 0, src: e.src.slice(0, 80), w: e.naturalWidth}))")


def test_docs_site_renders_every_page_with_its_images(browser, site):
    url, manifest = site
    page = browser.new_page(viewport={"width": 1300, "height": 1000})
    failed = []
    page.on("requestfailed", lambda r: failed.append(r.url) if r.url.startswith(url) else None)
    page.goto(f"{url}/index.html")
    links = page.eval_on_selector_all("a", "els => els.map(e => e.getAttribute('href'))")
    page.screenshot(path=str(ART / "docs_index.png"), full_page=True)
    pages = manifest["pages"]
    missing = {f"{nb.stem}.html" for nb in (ROOT / "nbs").glob("[0-9][0-9]*_*.ipynb")} - {p["file"] for p in pages}
    assert not missing, f"notebooks without a page (run `make docs`): {sorted(missing)}"
    for p in pages + [{"file": manifest["api"], "title": "API reference", "figures": 0}]:
        assert p["file"] in links, f"the index does not link to {p['file']}"
        resp = page.goto(f"{url}/{p['file']}")
        assert resp.status == 200, (p["file"], resp.status)
        assert page.locator("h1").first.is_visible(), f"{p['file']} shows no title"
        imgs = _images(page)
        broken = [i["src"] for i in imgs if not i["ok"]]
        assert not broken, f"{p['file']}: images that did not render: {broken}"
        figures = page.locator(".jp-OutputArea-output img, .jp-RenderedImage img")
        assert figures.count() >= p["figures"], f"{p['file']}: {figures.count()} figures shown, the executed notebook has {p['figures']}"
        if p["figures"]:  # a screenshot around its last figure, to look at
            figures.last.scroll_into_view_if_needed()
            page.screenshot(path=str(ART / f"docs_{Path(p['file']).stem}.png"))
    assert sum(p["figures"] for p in pages) >= 10, "the notebooks should carry their figures"
    page.goto(f"{url}/{manifest['api']}")  # the API reference: a page per module, with its functions and classes
    modules = {p.stem for p in (ROOT / "deepinversion_nb").glob("[a-z]*.py")}
    api_links = set(page.eval_on_selector_all("a", "els => els.map(e => e.textContent.trim())"))
    assert {f"deepinversion_nb.{m}" for m in modules} <= api_links | {f"deepinversion_nb.{m}" for m in api_links}, (modules, api_links)
    for module, name in (("widgets", "Studio"), ("inversion", "invert"), ("features", "FeatureStats")):
        assert page.goto(f"{url}/api/deepinversion_nb/{module}.html").status == 200
        assert page.locator(f"#{name}").count() == 1, f"the API reference of {module} does not document {name}"
    assert not failed, f"requests that failed on the docs site: {failed[:5]}"
