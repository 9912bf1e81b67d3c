"""Safe reload. A broken edit never reaches the served graph; a good one does.

Each test serves a temporary copy of the project tree (never the repository's files)
with `sgkg serve`, edits the copy as a researcher would, and asks for a reload: by
``POST /admin/reload`` (with the admin token) or by ``--watch``. Meanwhile a client
queries without pause; every one of its queries must be answered.
"""

import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from api.build.pipeline import OUTPUT_FILES

from conftest import REPO, free_port, wait_until_ready

TOKEN = "reload-test-token-0123456789"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
MARKER = "urn:sgkg:reload-test"
GOOD_EDIT = f'\n<{MARKER}> <urn:sgkg:note> "added by the reload test" .\n'
BROKEN_TURTLE = "\nthis is not Turtle at all .\n"
#: Component 3 gets a second number, out of range: two violations of the Component shape.
SHACL_VIOLATION = (
    "\n<https://w3id.org/sgkg/id/component/3> "
    "<https://w3id.org/sgkg/ontology#componentNumber> 9 .\n"
)


@dataclass
class Tree:
    """A copy of the project tree, its build, and the server serving it."""

    root: Path
    build_dir: Path
    url: str = ""
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def append(self, relative: str, text: str) -> None:
        with (self.root / relative).open("a", encoding="utf-8") as handle:
            handle.write(text)

    def count(self) -> int:
        answer = httpx.get(f"{self.url}/sparql", params={"query": COUNT}, timeout=30)
        assert answer.status_code == 200, answer.text
        return int(answer.json()["results"]["bindings"][0]["n"]["value"])

    def asserted_count(self) -> int:
        """Triples outside the inferred graph (a reload without HermiT has none there)."""
        query = (
            "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
            "FILTER(?g != <https://w3id.org/sgkg/graph/inferred>) }"
        )
        answer = httpx.get(f"{self.url}/sparql", params={"query": query}, timeout=30)
        assert answer.status_code == 200, answer.text
        return int(answer.json()["results"]["bindings"][0]["n"]["value"])

    def has_marker(self) -> bool:
        answer = httpx.get(f"{self.url}/sparql", params={"query": f"ASK {{ <{MARKER}> ?p ?o }}"})
        return bool(answer.json()["boolean"])

    def health(self) -> dict:
        return httpx.get(f"{self.url}/health").json()

    def manifest(self) -> bytes:
        return (self.build_dir / "manifest.json").read_bytes()


def copy_tree(destination: Path, served_build: Path) -> Tree:
    root = destination / "project"
    for folder in ("ontology", "shapes", "data"):
        shutil.copytree(REPO / folder, root / folder)
    build_dir = destination / "build"
    build_dir.mkdir()
    for name in OUTPUT_FILES:
        shutil.copyfile(served_build / name, build_dir / name)
    return Tree(root, build_dir)


def serve(tree: Tree, *options: str) -> Iterator[Tree]:
    port = free_port()
    command = [sys.executable, "-m", "api.cli", "--root", str(tree.root)]
    command += ["--build-dir", str(tree.build_dir), "serve", "--port", str(port)]
    command += ["--no-access-log", "--workers", "2", *options]
    log_path = tree.build_dir.parent / "serve.log"
    with log_path.open("w") as log:
        tree.process = subprocess.Popen(command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        tree.url = f"http://127.0.0.1:{port}"
        try:
            wait_until_ready(tree.url, 120, lambda: tree.process.poll() is None)
            yield tree
        finally:
            tree.process.terminate()
            tree.process.wait(timeout=20)
    assert "built first" not in log_path.read_text()  # the copied build was fresh


class SteadyClient:
    """Queries the server without pause in a thread; records every status."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.statuses: list[int] = []
        self.counts: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "SteadyClient":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        with httpx.Client(timeout=30) as client:
            while not self._stop.is_set():
                try:
                    answer = client.get(f"{self.url}/sparql", params={"query": COUNT})
                except httpx.HTTPError:
                    self.statuses.append(0)  # lost: no answer at all
                    continue
                self.statuses.append(answer.status_code)
                if answer.status_code == 200:
                    self.counts.add(int(answer.json()["results"]["bindings"][0]["n"]["value"]))
                time.sleep(0.02)


def reload(tree: Tree, token: str | None = TOKEN) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.post(f"{tree.url}/admin/reload", headers=headers, timeout=300)


@pytest.fixture
def admin_served(served_build: Path, tmp_path: Path) -> Iterator[Tree]:
    yield from serve(copy_tree(tmp_path, served_build), "--admin-token", TOKEN)


def test_admin_reload_refuses_broken_edits_and_takes_good_ones(admin_served: Tree) -> None:
    tree = admin_served
    original_count, original_manifest = tree.count(), tree.manifest()
    assert reload(tree, token=None).status_code == 401
    wrong = reload(tree, token="not-the-token-at-all-0000")
    assert wrong.status_code == 401 and "Bearer" in wrong.headers["www-authenticate"]

    with SteadyClient(tree.url) as steady:
        # 1. a Turtle file that does not parse
        ontology = tree.root / "ontology" / "sgkg.ttl"
        good_ontology = ontology.read_text(encoding="utf-8")
        tree.append("ontology/sgkg.ttl", BROKEN_TURTLE)
        refused = reload(tree)
        assert refused.status_code == 422, refused.text
        assert "ontology/sgkg.ttl" in refused.json()["message"]
        assert "still serving the previous graph" in refused.json()["message"]
        assert tree.count() == original_count and tree.manifest() == original_manifest
        health = tree.health()
        assert health["status"] == "ready"
        assert health["reload"]["outcome"] == "refused"
        assert "ontology/sgkg.ttl" in health["reload"]["reason"]
        ontology.write_text(good_ontology, encoding="utf-8")

        # 2. data that violates the shapes
        semantics = tree.root / "data" / "semantics" / "paris-declaration.ttl"
        good_semantics = semantics.read_text(encoding="utf-8")
        tree.append("data/semantics/paris-declaration.ttl", SHACL_VIOLATION)
        refused = reload(tree)
        assert refused.status_code == 422, refused.text
        assert "SHACL violation" in refused.json()["message"]
        assert "componentNumber" in refused.json()["message"]
        assert tree.count() == original_count and tree.manifest() == original_manifest
        semantics.write_text(good_semantics, encoding="utf-8")

        # 3. a good edit is built, validated, reasoned and served
        pids_before = set(tree.health()["query_workers"]["pids"])
        tree.append("data/semantics/parties.ttl", GOOD_EDIT)
        done = reload(tree)
        assert done.status_code == 200, done.text
        assert done.json()["outcome"] == "reloaded"
        assert tree.has_marker()
        assert tree.manifest() != original_manifest  # published for the next start
        health = tree.health()
        new_count = tree.count()
        assert new_count == health["total_triples"] > original_count  # + inferred triples
        assert health["reload"]["outcome"] == "reloaded"
        assert set(health["query_workers"]["pids"]).isdisjoint(pids_before)  # new workers

    assert steady.statuses and set(steady.statuses) == {200}, set(steady.statuses)
    assert steady.counts <= {original_count, new_count}  # one graph or the other, never a mix


def test_watch_mode_reloads_good_edits_and_keeps_the_graph_on_bad_ones(
    served_build: Path, tmp_path: Path
) -> None:
    for tree in serve(copy_tree(tmp_path, served_build), "--watch", "--no-reason-on-reload"):
        original = tree.asserted_count()
        wait_until_watching(tree)
        with SteadyClient(tree.url) as steady:
            tree.append("data/semantics/parties.ttl", GOOD_EDIT)
            wait_for_reload(tree, "reloaded")
            assert tree.has_marker() and tree.asserted_count() == original + 1
            assert "data/semantics/parties.ttl" in tree.health()["reload"]["trigger"]
            tree.append("shapes/sgkg-shapes.ttl", BROKEN_TURTLE)
            record = wait_for_reload(tree, "refused")
            assert "shapes/sgkg-shapes.ttl" in record["reason"]
            assert tree.has_marker() and tree.asserted_count() == original + 1
        assert steady.statuses and set(steady.statuses) == {200}


def wait_until_watching(tree: Tree, seconds: float = 60) -> None:
    """Until the server's log says the files are watched: an edit from then on is seen."""
    log_path = tree.build_dir.parent / "serve.log"
    deadline = time.monotonic() + seconds
    while "sgkg: watching ontology/, shapes/, data/ for changes" not in log_path.read_text():
        assert time.monotonic() < deadline, f"not watching after {seconds} s"
        time.sleep(0.05)


def wait_for_reload(tree: Tree, outcome: str, seconds: float = 120) -> dict:
    """The next reload record with this outcome (polling /health)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        record = tree.health().get("reload")
        if record is not None and record["outcome"] == outcome:
            return record
        time.sleep(0.2)
    pytest.fail(f"no reload with outcome {outcome!r} within {seconds} s: {tree.health()}")
