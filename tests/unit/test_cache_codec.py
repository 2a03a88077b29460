from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from auth.viewer import Role, Viewer
from cache.codec import Codec, CodecError
from connectors.drive import DriveFile, FilePage
from resolvers.request.cacheable import cacheable_types


def test_records_enums_dates_and_containers_come_back_equal() -> None:
    codec = Codec(cacheable_types())
    when = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
    page = FilePage(
        (DriveFile("f1", "a.pdf", "application/pdf", 12, when, when, ("folder",), None, False),),
        next_page_token=None,
    )
    value = {
        "page": page,
        "viewer": Viewer("7", "a@b.example", Role.ADMIN, ("1001", "1002")),
        "day": date(2026, 11, 1),
        "ids": ["1", "2"],
        "$r": "not a tag when it is a key",
    }

    restored = codec.loads(codec.dumps(value))

    assert restored == value
    assert restored["viewer"].role is Role.ADMIN
    assert isinstance(restored["page"].files, tuple)


def test_unregistered_types_are_refused_both_ways() -> None:
    codec = Codec([Viewer])  # Role not registered

    with pytest.raises(CodecError, match=r"auth\.viewer\.Role is not registered"):
        codec.dumps(Viewer("7", "a@b.example", Role.ADMIN, ()))
    with pytest.raises(CodecError, match="cannot store a object"):
        codec.dumps(object())
    with pytest.raises(CodecError, match="undecodable"):
        codec.loads(b'{"$r": "os.system", "f": {"command": "true"}}')
