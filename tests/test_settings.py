"""Settings are declared once (config.py): the loop reads them, the README's table is printed
from them, start-up refuses malformed ones with a screen, check-config masks secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

import cli
from config import Settings, SettingsError, settings_table

README = Path(__file__).resolve().parent.parent / "README.md"
BEGIN, END = "<!-- settings-table: begin -->\n", "<!-- settings-table: end -->"


def test_the_readme_table_is_the_declared_settings() -> None:
    text = README.read_text()
    table = text[text.index(BEGIN) + len(BEGIN) : text.index(END)]
    assert table == settings_table(), "run `portal-gateway settings-table` into README.md"


def test_unset_settings_are_their_declared_defaults() -> None:
    read = Settings.from_env({})
    assert read.secret_key  # random per process when unset
    assert read == Settings(secret_key=read.secret_key)


def test_each_type_is_read_from_its_variable() -> None:
    read = Settings.from_env({
        "PORTAL_CACHE_TTL_S": "12.5", "SMTP_PORT": "25", "PORTAL_GRAPHIQL": "no",
        "PORTAL_OUTBOX_DIR": "/var/spool/portal", "PORTAL_CORS_ORIGINS": "https://a.example, https://b",
        "ZENDESK_SUBDOMAIN": "acme", "PORTAL_PUBLIC_URL": "https://portal.example/",
        "PORTAL_SECRET_KEY": "k",
    })  # fmt: skip
    assert (read.cache_ttl_s, read.smtp_port, read.graphiql) == (12.5, 25, False)
    assert read.outbox_dir == Path("/var/spool/portal")
    assert read.cors_origins == ("https://a.example", "https://b")
    assert read.zendesk_base_url == "https://acme.zendesk.com"
    assert (read.public_url, read.secret_key) == ("https://portal.example", "k")
    assert Settings.from_env({"ZENDESK_SUBDOMAIN": "acme", "ZENDESK_BASE_URL": "http://z"}) \
        .zendesk_base_url == "http://z"  # fmt: skip


def test_every_malformed_or_missing_setting_is_named_at_once() -> None:
    env = {"PORTAL_CACHE_TTL_S": "soon", "PORTAL_GRAPHIQL": "maybe", "SMTP_PORT": "2.5",
           "ZENDESK_API_TOKEN": "zd-secret-token"}  # fmt: skip
    with pytest.raises(SettingsError) as raised:
        Settings.from_env(env)
    assert [p.env for p in raised.value.problems] == [
        "ZENDESK_EMAIL", "PORTAL_CACHE_TTL_S", "SMTP_PORT", "PORTAL_GRAPHIQL",
    ]  # fmt: skip


def test_start_up_with_a_malformed_setting_prints_a_screen_and_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PORTAL_REQUEST_DEADLINE_S", "2s")
    monkeypatch.setenv("SMTP_PASSWORD", "hunter2")
    monkeypatch.setenv("SMTP_PORT", "smtp")

    with pytest.raises(SystemExit) as exited:
        cli.main(["serve"])

    assert exited.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("portal-gateway cannot start: 2 settings to fix in the environment.")
    assert "  PORTAL_REQUEST_DEADLINE_S='2s' is not a number.\n" in err
    assert "      Example: PORTAL_REQUEST_DEADLINE_S=1.8\n" in err
    assert "  SMTP_PORT='smtp' is not a whole number.\n" in err
    assert "Traceback" not in err and "hunter2" not in err


def test_check_config_prints_values_in_effect_with_secrets_masked(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("STRIPE_API_KEY", "sk_live_very_secret")
    monkeypatch.setenv("PORTAL_CACHE_TTL_S", "45")
    monkeypatch.delenv("HUBSPOT_ACCESS_TOKEN", raising=False)

    cli.main(["check-config"])

    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()}
    assert lines["STRIPE_API_KEY"].split(maxsplit=1)[1] == "(set, hidden)  [env]"
    assert lines["HUBSPOT_ACCESS_TOKEN"].split(maxsplit=1)[1] == "(not set)  [default]"
    assert lines["PORTAL_CACHE_TTL_S"].split(maxsplit=1)[1] == "45  [env]"
    assert not any("sk_live_very_secret" in line for line in lines.values())
    assert len(lines) == len(settings_table().splitlines()) - 2
