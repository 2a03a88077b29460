"""The Twilio sandbox speaks the Messages API as our connector (and Twilio's docs) expect:
201 with a message resource, Twilio's error codes, basic auth, and the shared knobs."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from config import SANDBOX_CREDENTIALS
from connectors import twilio
from connectors.http import JsonService, Rejected, Unavailable, open_session
from sandbox.control import VendorControl
from sandbox.runner import SandboxThread


@pytest.fixture
def control(sandbox_thread: SandboxThread) -> VendorControl:
    found = VendorControl(sandbox_thread.messaging_urls["twilio"])
    found.reset()
    return found


@pytest.fixture
async def client(control: VendorControl) -> AsyncIterator[twilio.TwilioClient]:
    async with open_session() as session:
        yield twilio.TwilioClient(
            JsonService("twilio", control.base_url, session),
            SANDBOX_CREDENTIALS["TWILIO_ACCOUNT_SID"],
            SANDBOX_CREDENTIALS["TWILIO_AUTH_TOKEN"],
            "+15005550006",
        )


async def test_a_message_is_created_and_listed(
    client: twilio.TwilioClient, control: VendorControl
) -> None:
    sent = await twilio.send_sms(client, "+14155550100", "Ticket #7 is now solved")
    assert sent.sid.startswith("SM") and len(sent.sid) == 34
    assert (sent.to, sent.status) == ("+14155550100", "queued")
    assert [(c.method, c.path, c.status) for c in control.requests()] == [
        ("POST", f"/2010-04-01/Accounts/{client.account_sid}/Messages.json", 201)
    ]


async def test_twilio_errors(client: twilio.TwilioClient, control: VendorControl) -> None:
    with pytest.raises(Rejected) as invalid:
        await twilio.send_sms(client, "0207 946 0000", "hello")
    assert invalid.value.status == 400 and '"code": 21211' in invalid.value.detail
    wrong = twilio.TwilioClient(client.http, client.account_sid, "not-the-token", "+15005550006")
    with pytest.raises(Rejected) as refused:
        await twilio.send_sms(wrong, "+14155550100", "hello")
    assert refused.value.status == 401 and '"code": 20003' in refused.value.detail
    control.set_knobs(outage=True)
    with pytest.raises(Unavailable):
        await twilio.send_sms(client, "+14155550100", "hello")
