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
