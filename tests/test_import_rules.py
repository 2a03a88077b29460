"""Imports point one way, downward (docs/architecture.md, "Layers"): a lower layer that
imports a higher one fails here, naming the file and the import."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {"connectors", "cache", "auth", "webhooks", "resolvers", "schema", "web"}
ENTRY_POINTS = {"app", "gateway", "cli", "config"}

# What each top-level package may import of ours (itself always).
MAY_IMPORT: dict[str, set[str]] = {
    "config": set(),
    "connectors": set(),
    "cache": {"connectors"},
    "auth": {"cache", "connectors", "config"},
    "webhooks": {"auth", "cache", "connectors", "config"},
    "resolvers": {"auth", "webhooks", "cache", "connectors", "config"},
    "schema": {"resolvers", "auth", "webhooks", "cache", "connectors", "config"},
    # The edge and the entry points assemble everything; only the CLI starts the sandbox.
    "web": PRODUCTION | {"gateway", "config"},
    "gateway": PRODUCTION | {"config"},
    "app": PRODUCTION | {"gateway", "config"},
    "cli": PRODUCTION | ENTRY_POINTS | {"sandbox"},
    # The sandbox is a stand-in for the vendors: it shares no code with the gateway.
    "sandbox": set(),
}
OURS = PRODUCTION | ENTRY_POINTS | {"sandbox", "tests", "bench"}


def _layer_of(path: Path) -> str:
    return path.relative_to(ROOT).parts[0].removesuffix(".py")


def _sources() -> list[Path]:
    files = [ROOT / f"{name}.py" for name in ENTRY_POINTS]
    for package in (*PRODUCTION, "sandbox"):
        files.extend(sorted((ROOT / package).rglob("*.py")))
    return files


def _imported_layers(path: Path) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        else:
            continue
        found += [(node.lineno, n.split(".")[0]) for n in names if n.split(".")[0] in OURS]
    return found


def _violations() -> list[str]:
    out: list[str] = []
    for path in _sources():
        layer = _layer_of(path)
        allowed = MAY_IMPORT[layer] | {layer}
        for line, target in _imported_layers(path):
            if target not in allowed:
                out.append(f"{path.relative_to(ROOT)}:{line}: {layer} imports {target}")
    return out


def test_no_layer_imports_upward() -> None:
    assert _violations() == []


def test_every_package_has_a_rule() -> None:
    packages = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()}
    assert packages - {"tests", "bench"} <= set(MAY_IMPORT)


@pytest.mark.parametrize(
    ("layer", "source"),
    [
        ("connectors", "from resolvers.request.context import RequestContext\n"),
        ("cache", "import resolvers.team\n"),
        ("connectors", "from schema import schema\n"),
        ("resolvers", "from sandbox.accounts import Backbone\n"),
    ],
)
def test_the_rule_catches_an_upward_import(tmp_path: Path, layer: str, source: str) -> None:
    """The checker itself: the imports the issue names as forbidden are found."""
    fake = tmp_path / "bad.py"
    fake.write_text(source)
    targets = [target for _, target in _imported_layers(fake)]
    assert targets and not set(targets) <= MAY_IMPORT[layer] | {layer}
