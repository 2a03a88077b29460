"""`/documents/{id}/download`: signed, short-lived, owner-only links that stream the bytes of
a Drive file or a Stripe invoice PDF with the right headers."""

from __future__ import annotations

import base64
import time
import urllib.request
from typing import Any
from urllib.parse import quote

import pytest

from config import SANDBOX_CREDENTIALS
from sandbox.control import SandboxControl
from tests.gateway.conftest import GatewayClient
from tests.gateway.people import ACME, GLOBEX, member
from tests.gateway.upstream_state import stripe_invoice

DOCUMENTS = """{ viewer { account { documents(first: 10) {
  nodes { id name type mimeType size downloadUrl } } } } }"""


def raw_get(url: str, headers: dict[str, str] | None = None) -> bytes:
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - loopback
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        body: bytes = response.read()
        return body


async def documents(client: GatewayClient, as_: Any) -> list[dict[str, Any]]:
    body = await client.query(DOCUMENTS, as_=as_)
    nodes: list[dict[str, Any]] = body["data"]["viewer"]["account"]["documents"]["nodes"]
    return nodes


def path_of(url: str) -> str:
    return url.removeprefix("http://localhost")


async def bearer(client: GatewayClient, person: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {await client.token_for(person)}"}


def upstream_id(document: dict[str, Any]) -> str:
    """The source's own id, e.g. "drive-1AbC" or "invoice-in_123", from the global id."""
    raw = str(document["id"])
    return base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)).decode().split(":", 2)[2]


async def test_the_owner_gets_a_drive_files_exact_bytes_with_its_headers(
    client: GatewayClient, sandbox: SandboxControl, urls: dict[str, str]
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    document = next(d for d in await documents(client, admin) if d["type"] != "INVOICE")
    file_id = upstream_id(document).removeprefix("drive-")
    sandbox.clear_requests()

    response = await client.http.get(
        path_of(document["downloadUrl"]), headers=await bearer(client, admin)
    )

    assert response.status_code == 200
    # The file's parents now (does the account still own it?), then its bytes.
    assert [(c.method, c.path, "alt=media" in c.query) for c in sandbox["drive"].requests()] == [
        ("GET", f"/drive/v3/files/{file_id}", False),
        ("GET", f"/drive/v3/files/{file_id}", True),
    ]
    direct = raw_get(
        f"{urls['drive']}/drive/v3/files/{file_id}?alt=media",
        {"Authorization": f"Bearer {SANDBOX_CREDENTIALS['DRIVE_ACCESS_TOKEN']}"},
    )
    assert response.content == direct
    assert len(direct) == document["size"]
    assert response.headers["content-type"].startswith(document["mimeType"])
    assert response.headers["content-length"] == str(len(direct))
    fallback = "".join(c if c.isascii() else "_" for c in document["name"])
    assert response.headers["content-disposition"] == (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(document['name'], safe='')}"
    )
    assert response.headers["cache-control"] == "private, no-store"


async def test_the_owner_gets_an_invoice_pdf_as_stripe_serves_it(
    client: GatewayClient, urls: dict[str, str]
) -> None:
    user = member(client.backbone, ACME, "USER")
    document = next(d for d in await documents(client, user) if d["type"] == "INVOICE")
    invoice_number = document["name"].removeprefix("Invoice ").removesuffix(".pdf")
    invoice_id = upstream_id(document).removeprefix("invoice-")

    response = await client.http.get(
        path_of(document["downloadUrl"]), headers=await bearer(client, user)
    )

    assert response.status_code == 200
    expected = raw_get(stripe_invoice(urls, invoice_id).invoice_pdf or "")
    assert expected.startswith(b"%PDF")
    assert response.content == expected
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-length"] == str(len(expected))
    assert response.headers["content-disposition"] == (
        f'attachment; filename="{document["name"]}"; '
        f"filename*=UTF-8''Invoice%20{invoice_number}.pdf"
    )


async def test_another_accounts_viewer_gets_404_even_with_a_valid_link(
    client: GatewayClient,
) -> None:
    owner = member(client.backbone, ACME, "ADMIN")
    outsider = member(client.backbone, GLOBEX, "ADMIN")
    links = [d["downloadUrl"] for d in await documents(client, owner)]

    for link in links[:3]:
        response = await client.http.get(path_of(link), headers=await bearer(client, outsider))
        assert (response.status_code, response.text) == (404, "No such document.")


@pytest.mark.parametrize("spoil", ["expired", "tampered", "other document", "missing"])
async def test_a_spoilt_link_is_refused_before_any_upstream_call(
    client: GatewayClient, sandbox: SandboxControl, spoil: str
) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    first, second = (await documents(client, admin))[:2]
    signer = client.gateway.services.download_signer
    url = path_of(first["downloadUrl"])
    base, _, token = url.partition("?token=")
    spoilt = {
        "expired": f"{base}?token={signer.sign({'d': first['id'], 'exp': int(time.time()) - 1})}",
        "tampered": f"{base}?token={token[:-2]}{'AA' if not token.endswith('AA') else 'BB'}",
        "other document": f"{base}?token={path_of(second['downloadUrl']).partition('?token=')[2]}",
        "missing": base,
    }[spoil]
    sandbox.clear_requests()

    response = await client.http.get(spoilt, headers=await bearer(client, admin))

    assert (response.status_code, response.text) == (
        403, "This download link is not valid, or it has expired."
    )  # fmt: skip
    assert sandbox["drive"].requests() == [] and sandbox["stripe"].requests() == []


async def test_a_link_alone_is_not_enough_without_signing_in(client: GatewayClient) -> None:
    admin = member(client.backbone, ACME, "ADMIN")
    [document, *_] = await documents(client, admin)

    response = await client.http.get(path_of(document["downloadUrl"]))

    assert response.status_code == 401
