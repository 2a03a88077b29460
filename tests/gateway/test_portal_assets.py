"""The portal's files as the gateway serves them: the shell points at a content-stamped
folder of immutable files, and every module any screen imports is there."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from tests.gateway.conftest import GatewayClient
from web.routes.portal import assets_version

IMPORTS = re.compile(r"""(?:from\s*|import\s*\(\s*)["'](\.{1,2}/[^"']+)["']""")


async def test_the_shell_loads_stamped_immutable_files_that_all_resolve(
    client: GatewayClient,
) -> None:
    shell = await client.http.get("/documents")
    assert shell.headers["cache-control"] == "no-store"
    stamped = f"/portal/{assets_version()}/"
    referenced = re.findall(r'<(?:link|script)[^>]* (?:src|href)="([^"]+)"', shell.text)
    assert referenced and all(url.startswith(stamped) for url in referenced), referenced

    # Walk the module graph from the entry point: static imports and lazy screens alike.
    pending, seen = [stamped + "app.js"], set()
    while pending:
        url = pending.pop()
        if url in seen:
            continue
        seen.add(url)
        response = await client.http.get(url)
        assert response.status_code == 200, url
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.headers["content-type"] == "text/javascript; charset=utf-8"
        pending += [urljoin(url, found) for found in IMPORTS.findall(response.text)]
    screens = {url.rsplit("/", 1)[1] for url in seen if "/screens/" in url}
    assert {"dashboard.js", "documents.js", "not-found.js", "api-tokens.js"} <= screens
    assert {url for url in referenced if url.endswith(".js")} <= seen
