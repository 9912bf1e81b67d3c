"""The README's examples work: a README example that rots is a bug.

- every ``console`` block is run, and its output must be what the README prints;
- every ``sgkg`` command in a ``sh`` block is valid for the CLI's parser, and the cheap
  ones are run for real (against a copy of the session's build, in a scratch folder);
- every ``curl`` command is sent to the session server (with httpx, from its options);
- every path of the server's route table is requested and answers.

Commands that start servers or write large corpora (``serve``, ``synth``, ``publish``,
builds of another tree) are only parsed here; their own tests run them.
"""

import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from api.cli import make_parser

from conftest import REPO, RunningServer

README = REPO / "README.md"
DOCUMENTED_URL = "http://127.0.0.1:8000"
#: sgkg subcommands the README may show but this module only parses (see the docstring).
PARSED_ONLY = {"serve", "synth", "publish"}
#: Route-table paths, with a request that exercises each: (method, path, body).
ROUTE_REQUESTS: dict[str, list[tuple[str, str, dict | None]]] = {
    "/": [("GET", "/", None)],
    "/sparql": [("GET", "/sparql?query=ASK%7B%7D", None), ("GET", "/sparql", None)],
    "/id/{kind}/{slug}": [("GET", "/id/component/3.ttl", None), ("GET", "/id/", None)],
    "/ontology": [("GET", "/ontology", None)],
    "/shapes": [("GET", "/shapes", None)],
    "/download/": [("GET", "/download/", None), ("GET", "/download/sgkg.nq", None)],
    "/void": [("GET", "/void", None)],
    "/read": [("GET", "/read", None)],
    "/id/version/{version}": [("GET", "/id/version/paris-final", None)],
    "/compare": [("GET", "/compare", None)],
    "/scenarios": [
        ("POST", "/scenarios", {"events": ["ceasefire-in-force"]}),
        ("GET", "/scenarios", None),
    ],
    "/codebook": [("GET", "/codebook", None)],
    "/download/codebook.csv": [("GET", "/download/codebook.csv", None)],
    "/download/codebook.xlsx": [("GET", "/download/codebook.xlsx", None)],
    "/static/{file}": [("GET", "/static/sgkg.css", None)],
    "/id/scenario/{version}/{events}": [
        ("GET", "/id/scenario/paris-final/ceasefire-in-force.ttl", None)
    ],
    "/id/scenario/{version}/{events}/interpretations/{names}": [
        ("GET", "/id/scenario/paris-final/ceasefire-in-force/interpretations/all.ttl", None)
    ],
    "/health": [("GET", "/health", None)],
    "/docs": [("GET", "/docs", None)],
}


@dataclass
class Block:
    language: str
    lines: list[str] = field(default_factory=list)


def code_blocks(text: str) -> list[Block]:
    """The fenced code blocks of a Markdown text, with their language."""
    blocks, current = [], None
    for line in text.splitlines():
        fence = re.match(r"^\s*```(\w*)\s*$", line)
        if fence and current is None:
            current = Block(fence.group(1))
        elif fence:
            blocks.append(current)
            current = None
        elif current is not None:
            current.lines.append(line.strip() if current.language == "sh" else line)
    return blocks


def shell_commands(blocks: list[Block]) -> list[str]:
    """The commands of the ``sh`` blocks: continuation lines joined, comments dropped."""
    commands, pending = [], ""
    for block in (b for b in blocks if b.language == "sh"):
        for line in block.lines:
            line = pending + line
            if line.endswith("\\"):
                pending = line[:-1] + " "
                continue
            pending = ""
            words = shlex.split(line, comments=True)
            if words:
                commands.append(shlex.join(words))
    return commands


def console_examples(blocks: list[Block]) -> list[tuple[str, list[str]]]:
    """(command, expected output lines) for every ``$ command`` in ``console`` blocks."""
    examples: list[tuple[str, list[str]]] = []
    for block in (b for b in blocks if b.language == "console"):
        for line in block.lines:
            if line.startswith("$ "):
                examples.append((line[2:], []))
            elif examples:
                examples[-1][1].append(line.rstrip())
    return examples


BLOCKS = code_blocks(README.read_text(encoding="utf-8"))
COMMANDS = shell_commands(BLOCKS)
SGKG_COMMANDS = [c for c in COMMANDS if c.startswith("sgkg ")]
CURL_COMMANDS = [c for c in COMMANDS if c.startswith("curl ")]


@pytest.fixture(scope="module")
def scratch(served_build: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder to run README commands in: ``data`` links to this project's data (so
    relative paths work), and its own copy of the build (so nothing writes into ours)."""
    folder = tmp_path_factory.mktemp("readme")
    (folder / "data").symlink_to(REPO / "data")
    shutil.copytree(served_build, folder / "build")
    return folder


def run_sgkg(words: list[str], scratch: Path) -> subprocess.CompletedProcess[str]:
    """``sgkg WORDS`` on this project and the scratch build, run from the scratch folder."""
    command = [sys.executable, "-m", "api.cli", "--root", str(REPO)]
    command += ["--build-dir", str(scratch / "build"), *words]
    return subprocess.run(
        command, cwd=scratch, capture_output=True, text=True, timeout=300, check=False
    )


def test_the_readme_has_examples_to_check() -> None:
    assert len(console_examples(BLOCKS)) >= 5
    assert len(SGKG_COMMANDS) >= 15 and len(CURL_COMMANDS) >= 4


@pytest.mark.parametrize(("command", "expected"), console_examples(BLOCKS))
def test_console_examples_print_what_the_readme_says(
    command: str, expected: list[str], scratch: Path
) -> None:
    words = shlex.split(command)
    assert words[0] == "sgkg"
    done = run_sgkg(words[1:], scratch)
    assert done.returncode == 0, done.stderr
    shown = [line.rstrip() for line in done.stdout.splitlines()]
    assert sorted(shown) == sorted(expected)  # unordered questions may list rows in any order


@pytest.mark.parametrize("command", SGKG_COMMANDS)
def test_sgkg_commands_are_valid_and_run(command: str, scratch: Path) -> None:
    words = [w for w in shlex.split(command)[1:]]
    make_parser().parse_args(words)  # exits (fails the test) on an unknown option
    subcommand = next(w for w in words if not w.startswith("-") and w not in _option_values(words))
    if subcommand in PARSED_ONLY or "--root" in words:
        return
    done = run_sgkg(words, scratch)
    assert done.returncode == 0, f"{command}: {done.stderr}"
    assert "Traceback" not in done.stderr


def _option_values(words: list[str]) -> set[str]:
    """Values of the global options (``--root DIR``), which come before the subcommand."""
    return {words[i + 1] for i, w in enumerate(words[:-1]) if w in ("--root", "--build-dir")}


def test_python_snippets_run(scratch: Path) -> None:
    snippets = [c for c in COMMANDS if c.startswith("python3 -c")]
    assert snippets
    for snippet in snippets:
        done = subprocess.run(
            [sys.executable, *shlex.split(snippet)[1:]],
            cwd=scratch,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0 and done.stdout.strip(), done.stderr


@pytest.mark.parametrize("command", CURL_COMMANDS)
def test_curl_examples_answer(command: str, server: RunningServer) -> None:
    if "$SGKG_ADMIN_TOKEN" in command:
        pytest.skip("needs an admin token: tests/test_http_reload.py sends this request")
    method, url, headers, body = parse_curl(command)
    answer = httpx.request(
        method, url.replace(DOCUMENTED_URL, server.url), headers=headers, content=body, timeout=60
    )
    assert answer.status_code == 200, f"{command}: {answer.status_code} {answer.text[:300]}"
    assert answer.content


def parse_curl(command: str) -> tuple[str, str, dict[str, str], bytes | None]:
    """Method, URL, headers and body of the curl options the README uses."""
    words = shlex.split(command)[1:]
    method, url, headers, body = "GET", "", {}, None
    index = 0
    while index < len(words):
        word = words[index]
        if word in ("-H", "--header"):
            name, _, value = words[index + 1].partition(":")
            headers[name.strip()] = value.strip()
            index += 1
        elif word == "-X":
            method = words[index + 1]
            index += 1
        elif word in ("-d", "--data"):
            body, method = words[index + 1].encode(), "POST" if method == "GET" else method
            index += 1
        elif word == "--data-urlencode":
            name, _, file_name = words[index + 1].partition("@")
            value = (REPO / file_name).read_text(encoding="utf-8")
            body = httpx.QueryParams({name: value}).__str__().encode()
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
            method = "POST" if method == "GET" else method
            index += 1
        elif not word.startswith("-"):
            url = word
        index += 1
    if body is not None and method == "POST":
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    return method, url, headers, body


def route_table_paths() -> list[str]:
    """The paths in the first column of the README's route table."""
    text = README.read_text(encoding="utf-8")
    table = text[text.index("| path | what |") :].split("\n\n", 1)[0]
    paths = []
    for row in table.splitlines()[2:]:
        paths += re.findall(r"`(/[^`]*)`", row.split("|")[1])
    return paths


def test_every_route_in_the_table_answers(server: RunningServer) -> None:
    paths = route_table_paths()
    assert set(paths) == set(ROUTE_REQUESTS), "the table and ROUTE_REQUESTS disagree"
    for path in paths:
        for method, request_path, body in ROUTE_REQUESTS[path]:
            answer = httpx.request(method, server.url + request_path, json=body, timeout=60)
            assert answer.status_code == 200, f"{method} {request_path}: {answer.status_code}"
