"""A chapter notebook in JupyterLab, as on Binder: it runs top to bottom and its widget redraws.

JupyterLab runs from the repository's .venv on 127.0.0.1 with a random token, its settings,
workspaces, checkpoints and runtime files in a temporary folder, and autosave off, so the
committed notebook is never rewritten and nothing is left in the repository (both checked).
The browser is cut off from everything but 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from browserbook import ROOT, SCREENSHOTS

NOTEBOOK = "book/01-foundations/fault-tolerance.ipynb"  # a chapter with an explore() widget
FIGURE = "img.widget-image"  # the live widget's figure: an ipywidgets Image whose PNG each redraw replaces
ANIMATED = "book/01-foundations/concurrency.ipynb"  # a chapter with animate_trace()
START_TIMEOUT_S = 120
RUN_TIMEOUT_MS = 240_000
SETTINGS = {  # JupyterLab user settings: never save the notebook, never ask about news or updates,
    # and keep every cell in the page (by default JupyterLab 4 renders only the cells on screen)
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false",
                                                                       "checkForUpdates": False},
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    """A JupyterLab server on 127.0.0.1; yields (url, token); shuts it down and its kernels afterwards."""
    tmp_path = tmp_path_factory.mktemp("jupyterlab")
    port, token = free_port(), secrets.token_hex(16)
    settings = tmp_path / "settings"
    for name, values in SETTINGS.items():
        (settings / name).parent.mkdir(parents=True, exist_ok=True)
        (settings / name).write_text(json.dumps(values))
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "config"), JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"),
               LABSUPPORT_WIDGETS="live", PYDEVD_DISABLE_FILE_VALIDATION="1")
    log = (tmp_path / "jupyterlab.log").open("w")
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "jupyter"), "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
         f"--port={port}", "--port-retries=0", f"--IdentityProvider.token={token}", "--ServerApp.open_browser=False",
         f"--ServerApp.root_dir={ROOT}", f"--LabApp.user_settings_dir={settings}",
         f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}", "--LabApp.extension_manager=readonly",
         f"--FileCheckpoints.root_dir={tmp_path / 'checkpoints'}",  # not .ipynb_checkpoints/ in the repository
         *(["--allow-root"] if os.geteuid() == 0 else [])],  # CI runs as root
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail("JupyterLab did not start:\n" + (tmp_path / "jupyterlab.log").read_text()[-3000:])
            time.sleep(0.5)
        yield url, token
    finally:
        try:  # a clean shutdown also stops the kernels the server started
            request = urllib.request.Request(f"{url}/api/shutdown?token={token}", method="POST")
            urllib.request.urlopen(request, timeout=10).close()
            server.wait(timeout=30)
        except Exception:
            pass
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        log.close()


def menu(page, top: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{top}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{item}$")).click()


# The notebook on screen (JupyterLab keeps other tabs in the page, hidden).
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
PANEL_JS = f"document.querySelector('{PANEL}')"

KERNEL_IDLE = f"""() => {{
  const panel = {PANEL_JS};
  const name = panel && panel.querySelector('.jp-Toolbar-kernelName');
  const status = panel && panel.querySelector('.jp-Notebook-ExecutionIndicator');
  return name && /Python 3/.test(name.textContent) && status && status.dataset.status === 'idle';
}}"""

PROMPTS = (f"() => Array.from({PANEL_JS}.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt'))"
           ".map(p => p.textContent.trim())")

ALL_RUN = f"""() => {{
  const prompts = ({PROMPTS})();
  const status = {PANEL_JS}.querySelector('.jp-Notebook-ExecutionIndicator');
  return prompts.length > 0 && prompts.every(p => /^\\[\\d+\\]:$/.test(p)) && status.dataset.status === 'idle';
}}"""


def run_all(page, url: str, token: str, notebook: str) -> None:
    """Open ``notebook``, clear its outputs (so every output is from this run) and run all cells."""
    page.goto(f"{url}/lab/tree/{notebook}?reset&token={token}")  # reset: no tabs restored from an earlier test
    page.locator(f"{PANEL} .jp-CodeCell").first.wait_for()
    page.wait_for_function(KERNEL_IDLE, polling=250)
    menu(page, "Edit", "Clear Outputs of All Cells")
    page.wait_for_function(f"() => ({PROMPTS})().every(p => p === '[ ]:')")
    assert page.locator(f"{PANEL} .jp-OutputArea-output").count() == 0
    menu(page, "Run", "Run All Cells")
    page.wait_for_function(ALL_RUN, polling=500)
    cells = page.evaluate(PROMPTS)
    assert cells == [f"[{i}]:" for i in range(1, len(cells) + 1)], f"cells ran out of order: {cells}"
    assert page.locator(f"{PANEL} .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
    assert page.locator(f"{PANEL} .jp-OutputArea-output .jp-RenderedText[data-mime-type*='error']").count() == 0, \
        "a cell raised an error"


def checked(page, name: str):
    """Screenshot the page if the block fails (an artifact for CI)."""
    class Guard:
        def __enter__(self):
            return self

        def __exit__(self, kind, error, trace):
            if kind is not None:
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SCREENSHOTS / f"jupyterlab-{name}-failure.png"))
    return Guard()


def test_a_chapter_runs_in_jupyterlab_and_its_slider_redraws_the_figure(jupyterlab, new_page):
    url, token = jupyterlab
    before = digest(ROOT / NOTEBOOK)
    had_checkpoints = (ROOT / NOTEBOOK).with_name(".ipynb_checkpoints").exists()
    page, network = new_page()
    page.set_default_timeout(RUN_TIMEOUT_MS)
    with checked(page, "slider"):
        run_all(page, url, token, NOTEBOOK)
        boxes = page.locator(f"{PANEL} .jp-OutputArea-output .widget-vbox")
        widget = boxes.filter(has=page.locator(".noUi-handle")).first
        widget.scroll_into_view_if_needed()
        figure = widget.locator(FIGURE).first
        figure.wait_for()
        first = figure.get_attribute("src")
        handle = widget.locator(".noUi-handle").first
        handle.focus()
        handle.press("ArrowLeft")  # the widget opens at the slider's right end (99 %: the figure above shows 90 %)
        page.wait_for_function(
            "([box, src, sel]) => { const img = box.querySelector(sel); return img && img.src !== src; }",
            arg=[widget.element_handle(), first, FIGURE], polling=250)
        assert widget.locator(FIGURE).first.get_attribute("src") != first
    assert not network.blocked, f"JupyterLab reached beyond 127.0.0.1: {network.blocked}"
    assert digest(ROOT / NOTEBOOK) == before, "the committed notebook must not be saved by the test"
    assert not (ROOT / NOTEBOOK).with_name(".ipynb_checkpoints").exists() or had_checkpoints, \
        "JupyterLab left .ipynb_checkpoints/ in the repository"


def test_a_protocol_animation_plays_in_jupyterlab(jupyterlab, new_page):
    url, token = jupyterlab
    before = digest(ROOT / ANIMATED)
    page, network = new_page()
    page.set_default_timeout(RUN_TIMEOUT_MS)
    with checked(page, "animation"):
        run_all(page, url, token, ANIMATED)
        root = page.locator(f"{PANEL} .jp-OutputArea-output div.trace-animation").first
        root.scroll_into_view_if_needed()
        caption = root.locator(".anim-caption")
        page.wait_for_function("el => el.dataset.ready === '1'", arg=root.element_handle())  # the player took over
        opening = int(caption.get_attribute("data-step"))  # the events at the first event's time
        assert opening >= 1, "the player should open on its first frame, not an empty diagram"
        root.locator(".anim-forward").click()
        assert int(caption.get_attribute("data-step")) == opening + 1
        root.locator(".anim-play").click()
        page.wait_for_function("([el, s]) => Number(el.dataset.step) > s", arg=[caption.element_handle(), opening + 1])
    assert not network.blocked, f"JupyterLab reached beyond 127.0.0.1: {network.blocked}"
    assert digest(ROOT / ANIMATED) == before, "the committed notebook must not be saved by the test"
