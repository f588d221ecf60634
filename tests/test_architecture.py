"""The layer rules, checked on the source: api/, agent/ → tools/ → knowledge/ → store/; nothing imports api/.

An `ast` walk, so imports inside functions and `TYPE_CHECKING` blocks count too: an unchecked boundary
erodes one lazy import at a time."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LAYERS = ("agent", "tools", "api", "knowledge", "store", "migrations")
LLM_FRAMEWORKS = ("langchain", "langgraph")  # prefixes: langchain_core, langgraph_checkpoint, …

# What each package must never import (first-party packages exactly, frameworks by prefix).
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "store": ("api", "agent", "tools", "knowledge", *LLM_FRAMEWORKS),
    "knowledge": ("api", "agent", "tools", *LLM_FRAMEWORKS),
    "tools": ("api", "agent", *LLM_FRAMEWORKS),
    "agent": ("api",),
    # Migrations are frozen history: they may lean on store/ (models, settings), nothing above it.
    "migrations": ("api", "agent", "tools", "knowledge", *LLM_FRAMEWORKS),
    "api": (),
}


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(source: str, module: str, *, is_package: bool = False) -> list[tuple[int, str]]:
    """(line, absolute module) for every import in `source`, relative ones resolved against `module`."""
    found: list[tuple[int, str]] = []
    package = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
                prefix = ".".join([*base, node.module] if node.module else base)
            else:
                prefix = node.module or ""
            # `from api import deps` and `from . import x` name modules too: report both forms.
            found.append((node.lineno, prefix))
            found.extend((node.lineno, f"{prefix}.{alias.name}") for alias in node.names if alias.name != "*")
    return found


def is_forbidden(imported: str, forbidden: tuple[str, ...]) -> bool:
    top = imported.split(".")[0]
    return any(top.startswith(rule) if rule in LLM_FRAMEWORKS else top == rule for rule in forbidden)


def violations(layer: str, source: str, module: str, *, is_package: bool = False) -> list[str]:
    bad = {
        f"{module}:{line} imports {name}"
        for line, name in imported_modules(source, module, is_package=is_package)
        if is_forbidden(name, FORBIDDEN[layer])
    }
    return sorted(bad)


def layer_files(layer: str) -> list[Path]:
    return sorted((REPO / layer).rglob("*.py"))


@pytest.mark.parametrize("layer", LAYERS)
def test_layer_imports_only_what_it_may(layer: str) -> None:
    files = layer_files(layer)
    assert files, f"no Python files found under {layer}/: the check would pass vacuously"
    found: list[str] = []
    for path in files:
        found += violations(
            layer, path.read_text(), module_name(path, REPO), is_package=path.name == "__init__.py"
        )
    assert not found, "layer rule broken:\n" + "\n".join(found)


def test_nothing_outside_api_imports_api() -> None:
    """The rule the table encodes row by row, stated once: api/ is a leaf nobody depends on."""
    assert all("api" in FORBIDDEN[layer] for layer in LAYERS if layer != "api")


@pytest.mark.parametrize(
    ("layer", "module", "source"),
    [
        ("tools", "tools.plans", "from api.deps import DbSession\n"),
        ("tools", "tools.plans", "import api.errors\n"),
        ("tools", "tools.plans", "from ..api import deps\n"),
        ("tools", "tools.nutrition.targets", "from ...api import deps\n"),
        ("tools", "tools.plans", "def lazy() -> None:\n    from agent import graph\n"),
        ("tools", "tools.plans", "from langchain_core.tools import tool\n"),
        ("tools", "tools.plans", "import langgraph.graph\n"),
        ("knowledge", "knowledge.search", "from tools.errors import NotFound\n"),
        ("knowledge", "knowledge.search", "import langchain_openai\n"),
        ("store", "store.db", "from tools import access\n"),
        ("store", "store.db", "from knowledge.search import search\n"),
        (
            "store",
            "store.db",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import agent.graph\n",
        ),
        ("agent", "agent.graph", "from api.app import create_app\n"),
        ("migrations", "migrations.versions.x", "from tools.nutrition import targets\n"),
    ],
)
def test_checker_flags_a_broken_rule(layer: str, module: str, source: str) -> None:
    assert violations(layer, source, module), f"{module}: {source!r} should break the {layer} rules"


@pytest.mark.parametrize(
    ("layer", "module", "source"),
    [
        ("tools", "tools.plans", "from store.models import User\nfrom knowledge import search\n"),
        ("tools", "tools.plans", "from .errors import NotFound\nfrom . import access\n"),
        ("tools", "tools.plans", "import apis_client\nimport agentql\n"),  # names that only start alike
        ("knowledge", "knowledge.search", "from store.db import Database\n"),
        ("agent", "agent.graph", "from langgraph.graph import StateGraph\nfrom tools import plans\n"),
        ("api", "api.chat", "from agent.graph import build\nfrom .deps import DbSession\n"),
        ("migrations", "migrations.env", "import store.models\nfrom alembic import op\n"),
    ],
)
def test_checker_allows_a_permitted_import(layer: str, module: str, source: str) -> None:
    assert violations(layer, source, module) == []


def test_relative_imports_resolve_against_the_package() -> None:
    assert (1, "tools.errors") in imported_modules("from .errors import NotFound\n", "tools.plans")
    assert (1, "tools.errors") in imported_modules("from .errors import NotFound\n", "tools", is_package=True)
    assert (1, "api.deps") in imported_modules("from ..api import deps\n", "tools.plans")
