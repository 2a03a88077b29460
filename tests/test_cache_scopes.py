"""Cache scopes are named in one place (cache/scopes.py): a scope string written anywhere
else in the gateway fails here, naming the file and the line."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("connectors", "cache", "auth", "webhooks", "resolvers", "schema", "web")
HOME = ROOT / "cache" / "scopes.py"
# How every scope begins: the upstream it mirrors, or the gateway's own viewer entries.
SCOPE = re.compile(r"^(hubspot|stripe|zendesk|drive|viewer):")


def _scope_strings(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
            continue
        if SCOPE.match(node.value):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}")
    return found


def test_no_scope_is_spelled_outside_cache_scopes() -> None:
    sources = [p for package in PACKAGES for p in sorted((ROOT / package).rglob("*.py"))]
    assert HOME in sources
    assert _scope_strings(HOME)  # the pattern still matches how scopes are spelled
    assert [s for p in sources if p != HOME for s in _scope_strings(p)] == []
