import time

import pytest

from auth.signing import BadSignature, Signer


def test_round_trip() -> None:
    signer = Signer("key", "cursor")
    assert signer.unsign(signer.sign({"p": "in_123", "n": 1})) == {"p": "in_123", "n": 1}


def test_a_token_of_one_purpose_fails_for_another() -> None:
    token = Signer("key", "cursor").sign({"p": 1})
    with pytest.raises(BadSignature, match="signature does not match"):
        Signer("key", "session").unsign(token)


def test_a_changed_payload_fails() -> None:
    signer = Signer("key", "cursor")
    body, _, mac = signer.sign({"p": 1}).partition(".")
    forged = Signer("other", "cursor").sign({"p": 2}).partition(".")[0]
    with pytest.raises(BadSignature):
        signer.unsign(f"{forged}.{mac}")
    with pytest.raises(BadSignature):
        signer.unsign(body)


def test_expired_tokens_fail() -> None:
    signer = Signer("key", "download")
    with pytest.raises(BadSignature, match="expired"):
        signer.unsign(signer.sign({"exp": time.time() - 1}))
