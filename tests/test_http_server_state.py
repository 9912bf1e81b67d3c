"""The server's life: `sgkg serve` builds first, /health tells the truth, time limits hold."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from api.core.layout import discover_layout
from api.server.settings import Settings, SettingsError

from conftest import REPO, free_port, server_in_thread, wait_until_ready

#: 4 million rows to count: about half a second, far beyond a 50 ms limit.
SLOW_QUERY = """SELECT (COUNT(*) AS ?n) WHERE {
  ?a ?b ?c . ?d <http://www.w3.org/2000/01/rdf-schema#label> ?e }"""


def test_serve_builds_first_and_prints_the_url(mini_tree: Path, tmp_path: Path) -> None:
    build_dir = tmp_path / "build"
    port = free_port()
    command = [sys.executable, "-m", "api.cli", "--root", str(mini_tree)]
    command += ["--build-dir", str(build_dir), "serve", "--port", str(port), "--no-access-log"]
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_until_ready(f"http://127.0.0.1:{port}", 120, lambda: process.poll() is None)
            health = httpx.get(f"http://127.0.0.1:{port}/health").json()
        finally:
            process.terminate()
            process.wait(timeout=10)
    output = log_path.read_text()
    assert "built first" in output
    assert f"http://127.0.0.1:{port}/" in output
    manifest = json.loads((build_dir / "manifest.json").read_text())
    assert health["total_triples"] == manifest["total_triples"]


def test_health_is_503_when_there_is_no_build(tmp_path: Path) -> None:
    settings = Settings(layout=discover_layout(REPO, tmp_path / "nothing"), port=free_port())
    with server_in_thread(settings, ready=False) as url:
        health = httpx.get(f"{url}/health")
        assert health.status_code == 503
        assert health.json()["status"] == "failed"
        assert "no build" in health.json()["problem"]
        query = httpx.get(f"{url}/sparql", params={"query": "ASK {}"})
        assert query.status_code == 503
        assert "could not be loaded" in query.text
        posted = httpx.post(f"{url}/sparql", data={"query": "ASK {}"})
        assert posted.status_code == 503  # the fast path leaves it to the route
        assert posted.headers["retry-after"] == "2"
        assert posted.headers["x-request-id"]


def test_health_is_503_for_a_build_that_does_not_conform(
    served_build: Path, tmp_path: Path
) -> None:
    broken = tmp_path / "build"
    shutil.copytree(served_build, broken)
    manifest = json.loads((broken / "manifest.json").read_text())
    manifest["validation"]["conforms"] = False
    (broken / "manifest.json").write_text(json.dumps(manifest))
    settings = Settings(layout=discover_layout(REPO, broken), port=free_port())
    with server_in_thread(settings, ready=False) as url:
        health = httpx.get(f"{url}/health").json()
        assert health["status"] == "failed"
        assert "does not conform" in health["problem"]


def test_a_query_past_the_time_limit_gets_503(served_build: Path) -> None:
    settings = Settings(
        layout=discover_layout(REPO, served_build), port=free_port(), query_timeout=0.05
    )
    with server_in_thread(settings) as url:
        answer = httpx.post(f"{url}/sparql", data={"query": SLOW_QUERY}, timeout=30)
        assert answer.status_code == 503  # a finished query would have been a 200
        assert re.search(r"limit of 0\.05 s", answer.text)
        assert httpx.get(f"{url}/sparql", params={"query": "ASK {}"}).status_code == 200


def test_settings_refuse_nonsense() -> None:
    layout = discover_layout(REPO)
    nonsense = [
        {"port": 70000},
        {"store": "mystery"},
        {"query_timeout": 0},
        {"query_workers": 0},
        {"query_queue": -1},
        {"max_result_rows": 0},
        {"max_body_bytes": 0},
        {"admin_token": "short"},  # guessable
    ]
    for bad in nonsense:
        with pytest.raises(SettingsError):
            Settings(layout=layout, **bad)
    assert Settings(layout=layout, host="::1", port=8000).base_url == "http://[::1]:8000"
    assert "secret" not in repr(Settings(layout=layout, admin_token="secret-token-0123456789"))


def test_health_and_void_say_whether_the_build_reasoned(mini_tree: Path, tmp_path: Path) -> None:
    """A build without reasoning has an empty inferred graph: the server says so."""
    from api.build.pipeline import build
    from api.reason.reasoning import reason

    expectations = {
        "plain": (None, False, "did not reason"),
        "reasoned": (reason, True, "Complete for the ontology's constructs"),
    }
    for name, (reasoner, reasoned, words) in expectations.items():
        layout = discover_layout(mini_tree, tmp_path / name)
        build(layout, reason=reasoner)
        with server_in_thread(Settings(layout=layout, port=free_port())) as url:
            health = httpx.get(f"{url}/health").json()
            void = httpx.get(f"{url}/void", headers={"Accept": "text/turtle"}).text
        assert health["reasoning"]["reasoned"] is reasoned, name
        assert health["reasoning"]["complete"] is reasoned, name
        assert words in health["reasoning"]["note"], name
        assert words in void, name
