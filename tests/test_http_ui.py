"""The query UI in a real browser (headless Chromium), and its assets.

Chromium and chromedriver are Debian's (``.ci/install-system-deps`` installs them); the
UI's npm packages come from ``make ui`` (the ``ui_assets`` fixture runs it when they
are missing). The browser loads the page from the local server, runs the first
competency question and must show its expected rows; a screenshot is kept in
``tests/artifacts/``.
"""

from pathlib import Path

import httpx
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from api.analysis.competency import load_questions
from api.core.layout import discover_layout
from api.server.settings import Settings

from conftest import ARTIFACTS, REPO, RunningServer, free_port, requested_urls, server_in_thread

ID = "https://w3id.org/sgkg/id/"


def test_the_ui_runs_a_competency_question(
    server: RunningServer, ui_assets: Path, browser: webdriver.Chrome
) -> None:
    questions = load_questions(discover_layout(REPO))
    first = questions[0]
    browser.get(f"{server.url}/")
    wait = WebDriverWait(browser, 30)
    wait.until(lambda b: len(b.find_elements(By.CSS_SELECTOR, ".tabsList .tab")) == len(questions))
    names = [
        tab.get_attribute("textContent")
        for tab in browser.find_elements(By.CSS_SELECTOR, ".tabsList .tab a span")
    ]
    assert names == [q.title for q in questions]

    browser.find_element(By.CSS_SELECTOR, ".yasqe_queryButton").click()
    rows_selector = ".yasr table tbody tr"
    wait.until(
        lambda b: len(b.find_elements(By.CSS_SELECTOR, rows_selector)) == len(first.expected)
    )
    table = browser.find_element(By.CSS_SELECTOR, ".yasr table").text
    for row in first.expected:
        assert ID + row["party"] in table
        assert row["date"] in table
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "ui-competency-question.png"))

    # a result IRI is browsed on this server, not on w3id.org (which does not resolve yet)
    links = [
        link
        for link in browser.find_elements(By.CSS_SELECTOR, ".yasr table a")
        if link.text.startswith(ID)  # the IRI is still what is shown
    ]
    assert links and all(link.get_attribute("href").startswith(server.url) for link in links)
    browser.get(links[0].get_attribute("href"))
    assert browser.find_element(By.TAG_NAME, "h1").text
    browser.back()

    # nothing came from another origin (no CDN, no autocompletion service)
    network = [u for u in requested_urls(browser) if u.startswith(("http:", "https:", "ws"))]
    foreign = [u for u in network if not u.startswith(server.url)]
    assert foreign == []
    errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []


def test_a_resource_page_in_the_browser(server: RunningServer, browser: webdriver.Chrome) -> None:
    browser.get(f"{server.url}/id/mechanism/special-commission")
    heading = browser.find_element(By.TAG_NAME, "h1").text
    assert "Special Commission" in heading
    quotes = browser.find_elements(By.TAG_NAME, "blockquote")
    assert quotes and all(q.text for q in quotes)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "resource-page.png"))


def test_ui_page_and_assets(server: RunningServer, ui_assets: Path) -> None:
    page = httpx.get(f"{server.url}/")
    assert page.status_code == 200
    assert '<script src="/assets/yasgui/yasgui.min.js"></script>' in page.text
    assert "<script>" not in page.text  # configuration is data, not inline script
    for path, media_type in (
        ("/assets/yasgui/yasgui.min.js", "text/javascript"),
        ("/assets/yasgui/yasgui.min.css", "text/css"),
        ("/static/query-ui.js", "text/javascript"),
        ("/static/api-docs.js", "text/javascript"),
    ):
        answer = httpx.get(server.url + path)
        assert answer.status_code == 200, path
        assert answer.headers["content-type"].startswith(media_type)
    for path in (
        "/assets/yasgui/..%2Fpackage.json",
        "/assets/yasgui/.hidden.js",
        "/assets/npm/x.js",
    ):
        assert httpx.get(server.url + path).status_code == 404, path


def test_missing_ui_files_say_how_to_install_them(served_build: Path, tmp_path: Path) -> None:
    settings = Settings(
        layout=discover_layout(REPO, served_build),
        port=free_port(),
        vendor_ui_dir=tmp_path / "no-vendor-ui",
    )
    with server_in_thread(settings) as url:
        page = httpx.get(f"{url}/")
        assert page.status_code == 200
        assert "make ui" in page.text
        assert "not installed" in page.text
        docs = httpx.get(f"{url}/docs")
        assert "make ui" in docs.text
        asset = httpx.get(f"{url}/assets/yasgui/yasgui.min.js")
        assert asset.status_code == 404
        assert "make ui" in asset.text
        # the endpoint itself does not need the UI
        assert httpx.get(f"{url}/sparql", params={"query": "ASK {}"}).status_code == 200
