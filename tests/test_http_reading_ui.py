"""The reading room in a real browser (headless Chromium), as a reader uses it.

Each test loads its page from the session's ``sgkg serve`` and does what a reader does:
select a sentence and read its statements (with the mouse and with the keyboard),
follow a permalink, tick events and watch what activates change, open a difference
and land on its variant statements, read a page with scripts off, print it. axe-core
(installed by ``make ui`` from the npm registry, injected by the test, never served)
checks every page: no serious or critical violation. Screenshots and axe's reports are
kept in ``tests/artifacts/``.
"""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from conftest import ARTIFACTS, REPO, RunningServer, requested_urls

ID = "https://w3id.org/sgkg/id/"
AXE = REPO / "vendor-ui" / "node_modules" / "axe-core" / "axe.min.js"
#: Every page of the reading room, and the pages it links to most.
PAGES = {
    "read": "/read",
    "reading-final": "/id/version/paris-final",
    "reading-press": "/id/version/paris-press-release",
    "compare": "/compare",
    "scenarios": "/scenarios",
    "scenario-iri": "/id/scenario/paris-final/ceasefire-in-force",
    "codebook": "/codebook",
    "passage": "/id/passage/paris-final-c1-s2",
    "statement": "/id/readiness/stand-ready-to-commit-to-system-final",
    "interpretation": "/id/interpretation/we-stand-ready-final",
    "browse": "/id/",
    "downloads": "/download/",
    "shapes": "/shapes",
}


@pytest.fixture(scope="module")
def axe_source(ui_assets: Path) -> str:
    if not AXE.is_file():
        pytest.fail(f"axe-core is missing ({AXE}): run `make ui`")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def chrome(browser: webdriver.Chrome) -> Iterator[webdriver.Chrome]:
    """The module's browser, with scripts on and screen media when the test ends."""
    yield browser
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def wait(browser: webdriver.Chrome, seconds: float = 20) -> WebDriverWait:
    """A wait that looks again when the page redrew what it was reading."""
    return WebDriverWait(browser, seconds, ignored_exceptions=(StaleElementReferenceException,))


def screenshot(browser: webdriver.Chrome, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / f"reading-room-{name}.png"))


def panel(browser: webdriver.Chrome) -> WebElement:
    return browser.find_element(By.ID, "selection-body")


def severe_console_errors(browser: webdriver.Chrome) -> list[str]:
    return [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]


# --- reading -----------------------------------------------------------------------------


def test_a_reader_selects_a_sentence_and_sees_its_statements(
    server: RunningServer, chrome: webdriver.Chrome
) -> None:
    chrome.get(f"{server.url}/id/version/paris-final")
    grounds = chrome.find_element(By.CSS_SELECTOR, "section.grounds")
    assert not grounds.is_displayed()  # with scripts, the panel takes the lists' place
    sentence = chrome.find_element(By.ID, "paris-final-p4-commit")
    sentence.click()
    wait(chrome).until(lambda b: "selected" in sentence.get_attribute("class"))
    shown = panel(chrome)
    assert shown.find_element(By.TAG_NAME, "h3").text == "fourth paragraph, clause 'commit'"
    cards = shown.find_elements(By.CSS_SELECTOR, "li.statement")
    statements = {card.get_attribute("data-statement") for card in cards}
    assert ID + "readiness/stand-ready-to-commit-to-system-final" in statements
    readiness = next(c for c in cards if c.get_attribute("data-statement").endswith("system-final"))
    assert readiness.find_element(By.CSS_SELECTOR, ".kind").text == "READINESS"
    who = readiness.find_element(By.TAG_NAME, "dl").text
    assert "we: unresolved (the words do not say who)" in who
    assert "set apart from “we”: United States" in who
    assert "stand ready to commit" in who  # the modality
    beyond = readiness.find_element(By.CSS_SELECTOR, ".beyond")
    assert "Readings beyond the words" in beyond.text
    assert chrome.current_url.endswith("#paris-final-p4-commit")  # the address keeps it
    screenshot(chrome, "read-selected")
    # the statement's link leads to its page
    readiness.find_element(By.CSS_SELECTOR, "a").click()
    wait(chrome).until(lambda b: "/id/readiness/" in b.current_url)
    assert "stand ready to commit" in chrome.find_element(By.TAG_NAME, "h1").text
    assert severe_console_errors(chrome) == []


def test_the_keyboard_reaches_and_selects_sentences(
    server: RunningServer, chrome: webdriver.Chrome
) -> None:
    chrome.get(f"{server.url}/id/version/paris-final")
    body = chrome.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)  # the skip link first
    assert chrome.switch_to.active_element.get_attribute("class") == "skip-link"
    start = chrome.find_element(By.ID, "paris-final-p3-s1")
    chrome.execute_script("arguments[0].focus()", start)
    start.send_keys(Keys.ARROW_DOWN)
    focused = chrome.switch_to.active_element
    assert focused.get_attribute("id") == "paris-final-p3-s2"
    outline = focused.value_of_css_property("outline-style")
    assert outline != "none"  # the focus is visible
    focused.send_keys(Keys.ENTER)
    wait(chrome).until(lambda b: "selected" in focused.get_attribute("class"))
    statements = {
        card.get_attribute("data-statement")
        for card in panel(chrome).find_elements(By.CSS_SELECTOR, "li.statement")
    }
    # the sentence and its two clauses: what was confirmed, and what it confirms
    assert ID + "affirmation/sovereignty-part-of-peace-agreement" in statements
    assert ID + "provision/settlement-backed-by-guarantees" in statements


def test_a_permalink_opens_the_text_at_its_passage(
    server: RunningServer, chrome: webdriver.Chrome
) -> None:
    chrome.get(f"{server.url}/id/passage/paris-final-c1-s2")
    chrome.find_element(By.LINK_TEXT, "Open the text at this passage").click()
    wait(chrome).until(
        lambda b: b.current_url.endswith("/id/version/paris-final#paris-final-c1-s2")
    )
    mark = chrome.find_element(By.ID, "paris-final-c1-s2")
    wait(chrome).until(lambda b: "selected" in mark.get_attribute("class"))
    assert "This will be led by the US" in panel(chrome).text
    assert "The ceasefire monitoring system will be led by the US" in panel(chrome).text
    screenshot(chrome, "permalink")


def test_with_scripts_off_the_lists_stand_under_each_paragraph(
    server: RunningServer, chrome: webdriver.Chrome
) -> None:
    chrome.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    chrome.get(f"{server.url}/id/version/paris-final")
    lists = chrome.find_elements(By.CSS_SELECTOR, "section.grounds")
    assert lists and all(section.is_displayed() for section in lists)
    entry = chrome.find_element(By.ID, "g-paris-final-c3-s4-us-commitment")
    assert entry.is_displayed()
    assert "A US commitment to support the force in case of attack" in entry.text
    assert "COMMITMENT" in entry.text
    assert "An attack (attacker and target not named)" in entry.text  # its condition
    screenshot(chrome, "read-without-scripts")


def test_the_reading_view_prints_the_text_and_its_lists(
    server: RunningServer, chrome: webdriver.Chrome
) -> None:
    chrome.get(f"{server.url}/id/version/paris-final")
    chrome.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    assert not chrome.find_element(By.CSS_SELECTOR, "header.site").is_displayed()
    assert not chrome.find_element(By.ID, "selection").is_displayed()
    assert all(s.is_displayed() for s in chrome.find_elements(By.CSS_SELECTOR, "section.grounds"))
    pdf = chrome.execute_cdp_cmd("Page.printToPDF", {"printBackground": False})
    assert len(pdf["data"]) > 10_000


# --- scenarios ---------------------------------------------------------------------------


def active_iris(browser: webdriver.Chrome) -> set[str]:
    items = browser.find_elements(By.CSS_SELECTOR, "#active-list > li")
    return {item.get_attribute("data-iri") for item in items}


def test_ticking_two_events_changes_what_activates(
    server: RunningServer, chrome: webdriver.Chrome
) -> None:
    chrome.get(f"{server.url}/scenarios")
    before = active_iris(chrome)
    assert ID + "mechanism/coordination-cell" in before  # outside the system: always
    assert ID + "system/paris-declaration" not in before

    def tick(label: str) -> None:
        box = chrome.find_element(By.XPATH, f"//label[contains(., {json.dumps(label)})]/input")
        count = chrome.find_element(By.ID, "active-count").text
        box.click()
        wait(chrome).until(lambda b: b.find_element(By.ID, "active-count").text != count)

    tick("A ceasefire has entered into force")
    after_ceasefire = active_iris(chrome)
    assert ID + "system/paris-declaration" in after_ceasefire
    assert ID + "component/4" not in after_ceasefire
    assert chrome.current_url.endswith("/id/scenario/paris-final/ceasefire-in-force")
    tick("A future armed attack by Russia")
    after_attack = active_iris(chrome)
    assert after_ceasefire < after_attack
    assert ID + "component/4" in after_attack
    assert ID + "commitment/finalise-binding-commitments" in after_attack
    item = chrome.find_element(
        By.CSS_SELECTOR,
        f'#active-list > li[data-iri="{ID}commitment/finalise-binding-commitments"]',
    )
    assert "met: A future armed attack by Russia" in item.text  # why
    assert item.find_elements(By.CSS_SELECTOR, "ul.evidence a")  # the passages
    # interpretations asked for: the page says what the server answered with
    chrome.find_element(By.XPATH, "//label[contains(., 'Include interpretations')]/input").click()
    wait(chrome).until(lambda b: "interpretations=all" in b.current_url)
    mode = chrome.find_element(By.ID, "answer-mode").text
    assert mode.startswith(("strict", "interpreted"))
    screenshot(chrome, "scenarios")
    # the scenario's IRI is the same designed page
    chrome.get(f"{server.url}/id/scenario/paris-final/armed-attack-by-russia+ceasefire-in-force")
    assert active_iris(chrome) == after_attack
    assert severe_console_errors(chrome) == []


# --- comparing ---------------------------------------------------------------------------


def test_opening_a_difference_lands_on_its_variant_statements(
    server: RunningServer, chrome: webdriver.Chrome
) -> None:
    chrome.get(f"{server.url}/compare")
    change = next(
        link for link in chrome.find_elements(By.CSS_SELECTOR, "a.diff") if link.text == "proposed"
    )
    target = change.get_attribute("href").rsplit("#", 1)[1]
    change.click()
    wait(chrome).until(lambda b: b.current_url.endswith("#" + target))
    entry = chrome.find_element(By.ID, target)
    assert chrome.execute_script("return document.querySelector(':target').id") == target
    assert "only in Paris Declaration, press-release version" in entry.text
    variant = entry.find_element(
        By.LINK_TEXT, "The ceasefire monitoring and verification mechanism is US-led"
    )
    screenshot(chrome, "compare-difference")
    variant.click()
    wait(chrome).until(lambda b: b.current_url.endswith("/id/participation/us-leads-monitoring"))
    assert "US-led" in chrome.find_element(By.TAG_NAME, "h1").text
    card = chrome.find_element(By.CSS_SELECTOR, "li.statement")
    assert "Variant of" in card.text and "proposed US-led" in card.text


# --- accessibility -----------------------------------------------------------------------


@pytest.mark.parametrize("name", list(PAGES))
def test_no_serious_accessibility_violations(
    server: RunningServer, chrome: webdriver.Chrome, axe_source: str, name: str
) -> None:
    chrome.get(server.url + PAGES[name])
    chrome.set_script_timeout(60)
    chrome.execute_script(axe_source)
    report = chrome.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(r => done(r.violations)).catch(e => done({error: String(e)}));"
    )
    assert not (isinstance(report, dict) and "error" in report), report
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"axe-{name}.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    serious = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes'][:3]]}"
        for v in report
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
    screenshot(chrome, f"page-{name}")
    network = [u for u in requested_urls(chrome) if u.startswith(("http:", "https:"))]
    assert [u for u in network if not u.startswith(server.url)] == []  # nothing from elsewhere
