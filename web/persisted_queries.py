"""Persisted queries: Automatic Persisted Queries (a client sends a document's SHA-256
instead of the document, registering it once) and trusted documents (a manifest of the
portal web app's own operations, which in production may be the only documents a browser
session sends).

APQ follows the protocol Apollo clients speak: `extensions.persistedQuery = {version: 1,
sha256Hash}`; an unknown hash answers `PersistedQueryNotFound` and the client retries with
the document, which is checked against the hash before it is kept (in the shared cache, so
every replica knows it).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import Path

from strawberry.http import GraphQLRequestData

from cache.backend import CacheBackend

_KEY = "apq:"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class PersistedQueryError(Exception):
    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def document_hash(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def manifest_of(document_log: Path) -> dict[str, str]:
    """The manifest (sha256 -> document) of every document in a document log."""
    entries = [json.loads(line) for line in document_log.read_text().splitlines() if line]
    return {e["sha256"]: e["document"] for e in sorted(entries, key=lambda e: e["sha256"])}


def load_manifest(path: Path) -> dict[str, str]:
    """hash -> document of the web app's operations; none when the manifest is absent."""
    if not path.exists():
        return {}
    documents: dict[str, str] = json.loads(path.read_text())
    return documents


class PersistedQueries:
    def __init__(
        self,
        backend: CacheBackend,
        trusted: Mapping[str, str],
        ttl_s: float,
        document_log: Path | None = None,
    ) -> None:
        self._backend = backend
        self._trusted = dict(trusted)
        self._ttl_s = ttl_s
        self._document_log = document_log

    def note_browser_document(self, document: str) -> None:
        """Appends a document the web app sent to the log the manifest is built from
        (tests and builds only: off unless PORTAL_DOCUMENT_LOG is set)."""
        if self._document_log is not None:
            line = json.dumps({"sha256": document_hash(document), "document": document})
            with self._document_log.open("a") as log:
                log.write(line + "\n")

    def is_trusted(self, document: str) -> bool:
        return document_hash(document) in self._trusted

    async def resolve(self, request: GraphQLRequestData, may_register: bool) -> None:
        """Fills in `request.query` from its hash, or checks and keeps a document sent with
        one. Raises `PersistedQueryError` for an unknown hash or a mismatch."""
        persisted = (request.extensions or {}).get("persistedQuery")
        if persisted is None:
            return
        sha = persisted.get("sha256Hash") if isinstance(persisted, dict) else None
        version = persisted.get("version") if isinstance(persisted, dict) else None
        if version != 1 or not isinstance(sha, str) or not _SHA256.match(sha):
            raise PersistedQueryError(
                "persistedQuery needs version 1 and a lowercase hex sha256Hash",
                "PERSISTED_QUERY_INVALID",
            )
        if request.query is None:
            request.query = await self._known(sha)
            return
        if document_hash(request.query) != sha:
            raise PersistedQueryError(
                "provided sha256Hash does not match the query", "PERSISTED_QUERY_HASH_MISMATCH"
            )
        if may_register and sha not in self._trusted:
            await self._backend.set(_KEY + sha, request.query, self._ttl_s)

    async def _known(self, sha: str) -> str:
        if sha in self._trusted:
            return self._trusted[sha]
        entry = await self._backend.get(_KEY + sha)
        if entry is None:
            raise PersistedQueryError("PersistedQueryNotFound", "PERSISTED_QUERY_NOT_FOUND")
        document: str = entry.value
        return document
