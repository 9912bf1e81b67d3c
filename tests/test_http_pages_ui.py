"""The template pages in a real browser (headless Chromium): how they look, and axe-core.

Each page is loaded from the session's ``sgkg serve`` (the ontology documentation at its
top and at a class entry, a resource page, the query UI, the scenarios page, the API
docs) and the documentation as ``sgkg docs`` writes it, opened as a file. Every page
gets the site's stylesheet, names what it shows in its one ``h1``, and has no serious or
critical axe-core violation in the markup it writes. The screenshots (the first screens
of each page) are kept in ``tests/artifacts/pages/`` to compare a change of the
templates by eye.
"""

import base64
import json
import subprocess
import sys
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from conftest import ARTIFACTS, REPO, RunningServer

AXE = REPO / "vendor-ui" / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ARTIFACTS / "pages"
#: Height of each screenshot: the first screens of a page, from where it opens.
SHOT_HEIGHT = 2400

#: name -> (path, what the page must show in its text)
PAGES = {
    "ontology": ("/ontology", "Security Guarantee Knowledge Graph ontology"),
    "ontology-class": ("/ontology#Commitment", "Conditional commitment"),
    "resource": ("/id/mechanism/special-commission", "Special Commission"),
    "query-ui": ("/", "competency questions"),
    "scenarios": ("/scenarios", "Scenarios"),
    "api-docs": ("/docs", "/sparql"),
}

#: Markup the page hosts but does not write, left out of the accessibility check: YASGUI
#: and Swagger UI draw their widgets themselves (their own ARIA and contrast choices).
NOT_OURS = {"query-ui": ("#yasgui",), "api-docs": ("#swagger-ui",)}


@pytest.fixture(scope="module")
def axe_source(ui_assets: Path) -> str:
    if not AXE.is_file():
        pytest.fail(f"axe-core is missing ({AXE}): run `make ui`")
    return AXE.read_text(encoding="utf-8")


def capture(browser: webdriver.Chrome, name: str) -> None:
    """The page from where it is scrolled to, :data:`SHOT_HEIGHT` pixels down."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    top, width, height = browser.execute_script(
        "return [window.scrollY, document.documentElement.clientWidth,"
        " document.documentElement.scrollHeight];"
    )
    clip = {
        "x": 0,
        "y": top,
        "width": width,
        "height": max(1, min(SHOT_HEIGHT, height - top)),
        "scale": 1,
    }
    shot = browser.execute_cdp_cmd(
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip}
    )
    (SHOTS / f"{name}.png").write_bytes(base64.b64decode(shot["data"]))


def serious_violations(browser: webdriver.Chrome, axe_source: str, name: str) -> list[str]:
    """axe-core's serious and critical violations on the page; its report is kept."""
    browser.set_script_timeout(120)
    browser.execute_script(axe_source)
    report = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run({exclude: arguments[0]}, {resultTypes: ['violations']})"
        ".then(r => done(r.violations)).catch(e => done({error: String(e)}));",
        [[selector] for selector in NOT_OURS.get(name, ())],
    )
    assert not (isinstance(report, dict) and "error" in report), report
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / f"axe-{name}.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in report
        if v["impact"] in ("serious", "critical")
    ]


def styled(browser: webdriver.Chrome) -> bool:
    """The stylesheet applied: the body has the page's font, not the browser default."""
    font = browser.execute_script("return getComputedStyle(document.body).fontFamily;")
    return "system-ui" in font


def wait_for_page(browser: webdriver.Chrome, name: str) -> None:
    """Until the scripts have drawn what the page shows."""
    drawn = {"query-ui": ".tabsList .tab", "api-docs": ".swagger-ui .opblock"}
    if name in drawn:
        WebDriverWait(browser, 30).until(lambda b: b.find_elements(By.CSS_SELECTOR, drawn[name]))


@pytest.mark.parametrize("name", list(PAGES))
def test_page_looks_right_and_has_no_serious_accessibility_violation(
    server: RunningServer, ui_assets: Path, browser: webdriver.Chrome, axe_source: str, name: str
) -> None:
    path, expected = PAGES[name]
    browser.get(server.url + path)
    wait_for_page(browser, name)
    capture(browser, name)
    assert styled(browser)
    assert len(browser.find_elements(By.TAG_NAME, "h1")) == 1
    assert expected in browser.find_element(By.TAG_NAME, "body").text
    assert serious_violations(browser, axe_source, name) == []


def test_written_documentation_opens_as_a_file(
    browser: webdriver.Chrome, axe_source: str, tmp_path: Path
) -> None:
    """``sgkg docs`` writes a page that a browser opens as it is, offline."""
    folder = tmp_path / "docs"
    command = [sys.executable, "-m", "api.cli", "docs", "--out", str(folder)]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    browser.get((folder / "index.html").as_uri() + "#Commitment")
    assert styled(browser)
    assert "Conditional commitment" in browser.find_element(By.ID, "Commitment").text
    capture(browser, "docs-file-class")
    assert serious_violations(browser, axe_source, "docs-file") == []
