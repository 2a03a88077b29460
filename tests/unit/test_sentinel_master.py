"""The rule a confirmed command on Sentinel passes (cache/sentinel_master.py): the sentinels,
asked after it ran, agree the server that ran it is their master, with no failover under way.
Failovers themselves run against real servers in tests/events/test_on_sentinel.py."""

from __future__ import annotations

from typing import Any

from cache.sentinel_master import settled_on

HERE = ("10.0.0.1", 6379)


def _view(ip: str = "10.0.0.1", port: int = 6379, flags: str = "master") -> dict[str, Any]:
    return {"ip": ip, "port": port, "flags": flags}


def test_every_sentinel_naming_this_server_settles_it() -> None:
    assert settled_on(HERE, [_view(), _view(), _view()], 3)


def test_a_majority_that_answered_is_enough() -> None:
    assert settled_on(HERE, [_view(), _view()], 3)
    assert not settled_on(HERE, [_view()], 3)
    assert not settled_on(HERE, [], 3)


def test_a_failover_under_way_unsettles_it_though_only_its_leader_knows() -> None:
    leading = _view(flags="master,failover_in_progress,force_failover")
    assert not settled_on(HERE, [leading, _view(), _view()], 3)


def test_one_sentinel_naming_another_master_unsettles_it() -> None:
    assert not settled_on(HERE, [_view(ip="10.0.0.2"), _view(), _view()], 3)
    assert not settled_on(HERE, [_view(port=6380), _view(), _view()], 3)


def test_flags_as_resp3_gives_them() -> None:
    assert not settled_on(HERE, [{"ip": "10.0.0.1", "port": 6379,
                                  "flags": {"master", "failover_in_progress"}}], 1)  # fmt: skip
    assert settled_on(HERE, [{"ip": "10.0.0.1", "port": 6379, "flags": {"master"}}], 1)
