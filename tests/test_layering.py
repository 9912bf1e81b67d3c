"""The package's layers: no subpackage of ``api`` imports one above it.

The order is the one drawn in the README's architecture section, lowest first. An import
is read from the code itself (every ``import`` and ``from ... import`` anywhere in a
module, inside functions too, since a late import is still a dependency); imports made
only for type checking count as well, so the layers hold for a reader, not only at run
time.
"""

import ast
from pathlib import Path

import pytest

from conftest import REPO

#: Lowest first: each layer may import the layers before it, never one after it.
LAYERS = (
    "core",
    "sparql",
    "store",
    "formats",
    "load",
    "validate",
    "reason",
    "build",
    "query",
    "analysis",
    "synth",
    "linked_data",
    "html",
    "notebook",
    "server",
    "cli",
)

PACKAGE = REPO / "api"


def _imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every sgkg module the file imports."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "api":
                found += [(node.lineno, f"api.{alias.name}") for alias in node.names]
            elif node.module.startswith("api."):
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("api.")]
    return found


def _layer_of(module: str) -> str | None:
    """The layer an ``api.x.y`` module belongs to (None: the package itself)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def test_every_subpackage_is_a_layer_and_says_what_it_owns() -> None:
    subpackages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert subpackages == set(LAYERS)
    for name in LAYERS:
        docstring = ast.get_docstring(ast.parse((PACKAGE / name / "__init__.py").read_text()))
        assert docstring, f"api/{name}/__init__.py says nothing of what it owns"
        assert "may import" in docstring.lower(), (
            f"api/{name}/__init__.py does not say what it may import"
        )


def test_the_package_root_holds_no_modules_but_its_own() -> None:
    assert [p.name for p in PACKAGE.glob("*.py")] == ["__init__.py"]


@pytest.mark.parametrize("layer", LAYERS)
def test_no_layer_imports_one_above_it(layer: str) -> None:
    rank = LAYERS.index(layer)
    upward = []
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        for line, module in _imported_modules(path):
            target = _layer_of(module)
            if target is not None and LAYERS.index(target) > rank:
                upward.append(f"{path.relative_to(REPO)}:{line} imports {module}")
    assert not upward, "imports from a higher layer:\n" + "\n".join(upward)


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    """The reader of imports finds the forms the package uses, late imports included."""
    module = tmp_path / "example.py"
    module.write_text(
        "from api.core.errors import SgkgError\n"
        "def late():\n"
        "    from api.server import app\n"
        "    import api.cli.query\n"
    )
    found = [name for _, name in _imported_modules(module)]
    assert found == ["api.core.errors", "api.server", "api.cli.query"]
    assert [_layer_of(name) for name in found] == ["core", "server", "cli"]
