"""Shared test helpers: fixture trees copied to tmp_path, and an in-process CLI runner.

Tests never write into the repository: each copies the fixture tree it needs into
``tmp_path`` and builds into a folder there.
"""

import json
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from rdflib import Dataset
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service

from api.build.pipeline import TRIG_FILE
from api.cli import main
from api.core.layout import Layout
from api.core.namespaces import bind_prefixes
from api.server.settings import Settings

REPO = Path(__file__).resolve().parent.parent
#: Screenshots and reports of the browser tests (git-ignored).
ARTIFACTS = REPO / "tests" / "artifacts"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
MINI = FIXTURES / "mini"
OVERLAYS = FIXTURES / "overlays"


@dataclass(frozen=True)
class CliRun:
    code: int
    out: str
    err: str


@pytest.fixture
def mini_tree(tmp_path: Path) -> Path:
    """A fresh copy of the mini project tree (good input: conforms, QC clean)."""
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    return root


@pytest.fixture
def build_dir(tmp_path: Path) -> Path:
    return tmp_path / "build"


def load_built_dataset(layout: Layout) -> Dataset:
    """The built dataset, read back from ``sgkg.trig`` by rdflib, a parser other than the
    one that wrote it (the graphs and their prefixes)."""
    dataset = Dataset(default_union=True)
    dataset.parse(layout.build_dir / TRIG_FILE, format="trig")
    bind_prefixes(dataset)
    return dataset


def add_overlay(root: Path, overlay: str, destination: str) -> Path:
    """Copy ``tests/fixtures/overlays/<overlay>`` to ``<root>/<destination>``."""
    target = root / destination
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(OVERLAYS / overlay, target)
    return target


@pytest.fixture
def sgkg(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliRun]:
    """Run ``sgkg ARGS`` in-process and capture exit code, stdout and stderr."""

    def run(*args: str | Path) -> CliRun:
        code = main([str(arg) for arg in args])
        captured = capsys.readouterr()
        return CliRun(code=code, out=captured.out, err=captured.err)

    return run


# --- the OWL API (Protégé's library), compiled once per test session -------------------


@pytest.fixture(scope="session")
def owlapi_classes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``tests/owlapi/OwlApiCheck.java`` compiled; tests run it with :mod:`owlapi.owlapi`."""
    from owlapi.owlapi import OwlApiUnavailable, compile_checker

    try:
        return compile_checker(tmp_path_factory.mktemp("owlapi"))
    except OwlApiUnavailable as error:
        pytest.fail(f"the OWL API check cannot run: {error}")


# --- the HTTP server: real uvicorn on a free loopback port, once per session --


@dataclass(frozen=True)
class RunningServer:
    """A server the tests talk to over HTTP."""

    url: str
    build_dir: Path


def free_port() -> int:
    """A loopback port nobody listens on (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_ready(url: str, seconds: float, alive: Callable[[], bool]) -> None:
    """Poll ``/health`` until it answers 200 (the graph is loaded), or fail."""
    deadline = time.monotonic() + seconds
    last = "no answer"
    while time.monotonic() < deadline:
        if not alive():
            pytest.fail(f"the server at {url} stopped before it was ready ({last})")
        try:
            answer = httpx.get(f"{url}/health", timeout=2)
            if answer.status_code == 200:
                return
            last = answer.text
        except httpx.TransportError as error:
            last = str(error)
        time.sleep(0.1)
    pytest.fail(f"the server at {url} was not ready after {seconds} s ({last})")


def wait_for_workers(url: str, count: int, seconds: float = 120) -> dict:
    """/health once ``count`` query workers run, all of them idle (a replacement for one
    that was killed may still be starting), or fail, showing what it says."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        health = httpx.get(f"{url}/health").json()
        workers = health["query_workers"]
        if workers["running"] == count and workers["idle"] == count:
            return health
        time.sleep(0.05)
    pytest.fail(f"not {count} workers after {seconds} s: {health['query_workers']}")


@pytest.fixture(scope="session")
def served_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build of this repository for the HTTP tests, outside the repository's build/:
    a copy of build/ when that is fresh (``make test`` builds first), else a new build."""
    from api.build.pipeline import OUTPUT_FILES, build, build_status
    from api.core.layout import discover_layout

    build_dir = tmp_path_factory.mktemp("http") / "build"
    repository_build = REPO / "build"
    if build_status(discover_layout(REPO, repository_build)).is_fresh:
        build_dir.mkdir()
        for name in OUTPUT_FILES:
            shutil.copyfile(repository_build / name, build_dir / name)
    else:
        build(discover_layout(REPO, build_dir))
    return build_dir


@pytest.fixture(scope="session")
def server(served_build: Path) -> Iterator[RunningServer]:
    """``sgkg serve`` in its own process, as a person starts it, on a free port."""
    port = free_port()
    command = [sys.executable, "-m", "api.cli", "--build-dir", str(served_build), "serve"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--no-access-log"]
    log = (served_build.parent / "serve.log").open("w")
    process = subprocess.Popen(command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(url, 120, lambda: process.poll() is None)
        yield RunningServer(url=url, build_dir=served_build)
    finally:
        stop_process(process)
        log.close()


def stop_process(process: subprocess.Popen, seconds: float = 10) -> None:
    """SIGTERM, then SIGKILL if it has not exited within ``seconds``; reaped either way."""
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def server_in_thread(settings: Settings, *, ready: bool = True) -> Iterator[str]:
    """The app with these settings under a real uvicorn in a thread; yields its URL.
    For settings the session server does not have (no UI files, a tiny time limit).
    ``ready=False`` only waits for the graph to stop loading (for broken builds)."""
    import uvicorn

    from api.server.app import create_app

    config = uvicorn.Config(
        create_app(settings), host=settings.host, port=settings.port, log_level="warning"
    )
    runner = uvicorn.Server(config)
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    url = settings.base_url
    try:
        if ready:
            wait_until_ready(url, 60, thread.is_alive)
        else:
            wait_until_loaded(url, 60)
        yield url
    finally:
        runner.should_exit = True
        thread.join(timeout=10)


def wait_until_loaded(url: str, seconds: float) -> None:
    """Poll ``/health`` until the graph is no longer loading (ready or failed)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/health", timeout=2).json()["status"] != "loading":
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    pytest.fail(f"the server at {url} was still loading after {seconds} s")


@pytest.fixture(scope="session")
def ui_assets() -> Path:
    """The query UI's npm packages, installed with ``make ui`` when missing."""
    from api.server.routes.ui import YASGUI
    from api.server.settings import VENDOR_UI_DIR

    folder = REPO / VENDOR_UI_DIR
    if not (folder / "node_modules" / YASGUI.npm_name / YASGUI.folder / YASGUI.entry).is_file():
        done = subprocess.run(["make", "ui"], cwd=REPO, capture_output=True, text=True)
        if done.returncode != 0:
            pytest.fail(f"`make ui` failed:\n{done.stdout}\n{done.stderr}")
    return folder


#: Queries that would run far past any time limit on the shipped graph (the timeout
#: tests and the hardening bench): each a different way to run away.
PATHOLOGICAL = {
    "cartesian product": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
    "deep property path": "SELECT (COUNT(*) AS ?n) WHERE { ?a (!<urn:x:none>)* ?b . "
    "?c (!<urn:x:none>)* ?d }",
    "regex over a product": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . "
    'FILTER(REGEX(CONCAT(STR(?c), STR(?f)), "^(a|aa)+(b|c)*z$", "i")) }',
}


# --- headless Chromium (Debian's chromium and chromium-driver) for the web pages --------

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1400,1000",
)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    """Headless Chromium driven by Selenium, logging the console and the network."""
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if chromium is None or driver is None:
        pytest.fail("chromium and chromium-driver are missing: run `make system-deps`")
    options = Options()
    options.binary_location = chromium
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    chrome = webdriver.Chrome(options=options, service=Service(driver))
    chrome.set_page_load_timeout(60)
    try:
        yield chrome
    finally:
        chrome.quit()


def requested_urls(browser: webdriver.Chrome) -> list[str]:
    """Every URL the page asked the network for (from Chromium's performance log)."""
    urls = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def raw_request(
    url: str, request: bytes, *, timeout: float = 30
) -> tuple[int, dict[str, str], bytes]:
    """Send bytes as they are (no client tidies them up: malformed requests, odd methods)
    and read until the server closes; return status, headers, body."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as connection:
        connection.sendall(request)
        received = b""
        while chunk := connection.recv(65536):
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body
