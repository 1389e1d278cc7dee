"""Text that comes from Zoom users or admins is printed as text, never as terminal commands."""

from __future__ import annotations

import pytest

from zoomaudit.cli.fix_output import table
from zoomaudit.report.common import printable
from zoomaudit.settings import load_settings


def test_printable_drops_escape_sequences_but_keeps_text() -> None:
    assert printable("Youth club\x1b[2J\x07 · host") == "Youth club[2J · host"
    assert printable("Café — séance") == "Café — séance"


def test_fix_tables_print_markup_like_notes_literally(capsys: pytest.CaptureFixture[str]) -> None:
    table(None, ("id", "note"), [("fx-1", "[/x] closing tag and [bold]not bold[/bold]")])
    out = capsys.readouterr().out
    assert "[/x]" in out
    assert "[bold]not bold[/bold]" in out


def test_doctor_shows_the_database_url_without_its_password() -> None:
    masked = load_settings(ZOOMAUDIT_DATABASE_URL="postgresql+psycopg://audit:s3cret@db/zoomaudit").masked()
    assert "s3cret" not in masked["ZOOMAUDIT_DATABASE_URL"]
    assert masked["ZOOMAUDIT_DATABASE_URL"].startswith("postgresql+psycopg://audit:")


def test_an_error_message_reaches_the_terminal_as_text(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from zoomaudit.cli import app as app_module
    from zoomaudit.errors import ZoomApiError

    def fail() -> None:
        raise ZoomApiError(400, 300, "Invalid topic \x1b]0;owned\x07\x1b[2J\u202eexe.jpg")

    monkeypatch.setattr(app_module, "app", fail)
    with pytest.raises(SystemExit) as raised:
        app_module.main()
    assert raised.value.code == 3
    err = capsys.readouterr().err
    assert "Invalid topic" in err
    assert "\x1b" not in err
    assert "\u202e" not in err
