"""The README's webhook receiver, run as written: it accepts a delivery signed by the
gateway's own signing code (after a rotation too, when two secrets sign) and refuses a
forged or replayed-late one. A README example that drifted from the signing would fail here."""

from __future__ import annotations

import base64
import re
import secrets
from pathlib import Path
from typing import Any

from webhooks.delivery.client_hooks import body_of, signed_headers
from webhooks.events.types import PortalEvent

README = Path(__file__).resolve().parents[2] / "README.md"
EVENT = PortalEvent(
    id="evt_readme_1", type="invoice.paid", account_id="1001", occurred_at=1_764_000_000.0,
    title="Invoice INV-0042 is paid", path="/invoices", data={"invoice": {"id": "in_42"}},
)  # fmt: skip


def _secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _receiver(secret: str) -> Any:
    """The README's Flask app, with the secret filled in."""
    found = re.search(
        r"<!-- webhook-receiver-example -->\n```python\n(.*?)```", README.read_text(), re.DOTALL
    )
    assert found, "README has no webhook receiver example"
    namespace: dict[str, Any] = {"__name__": "readme_receiver"}
    exec(found.group(1).replace("whsec_…", secret), namespace)  # noqa: S102 - our README
    return namespace["app"].test_client()


def test_the_readme_receiver_accepts_the_gateways_deliveries_and_refuses_forgeries(
    capsys: Any,
) -> None:
    secret, rotated_to, stranger = _secret(), _secret(), _secret()
    client = _receiver(secret)
    body = body_of(EVENT)

    def status(headers: dict[str, str], sent: str = body) -> int:
        code: int = client.post("/portal-events", data=sent, headers=headers).status_code
        return code

    assert status(signed_headers(EVENT.id, [secret], body)) == 204
    assert status(signed_headers(EVENT.id, [rotated_to, secret], body)) == 204  # overlap
    assert status(signed_headers(EVENT.id, [stranger], body)) == 400
    assert status(signed_headers(EVENT.id, [secret], body), body.replace("42", "43")) == 400
    late = signed_headers(EVENT.id, [secret], body) | {"webhook-timestamp": "1764000000"}
    assert status(late) == 400  # signed long ago (and this signature is not for that time)
    assert f"{EVENT.id} invoice.paid" in capsys.readouterr().out
