"""Free text from Zoom made safe for people's screens, spreadsheets and XML.

Topics, host e-mails, names, agendas and Zoom's messages are typed by users of the Zoom account
(or by whoever sent the message). An escape sequence in a topic (``ESC ] 0 ; ... BEL`` retitles a
terminal, ``ESC [ 2 J`` clears it) must not reach an admin's terminal as a command, and a
right-to-left override (U+202E) must not make ``gpj.exe`` read as ``exe.jpg``. Every human format
(table, Markdown, CSV, HTML, JUnit, the ``upcoming``, ``runs`` and ``fixes`` output) passes its
text through ``printable``; JUnit XML also drops what XML 1.0 forbids (``xml_text``). The JSON
report keeps the text exactly as Zoom sent it: it is data, not a screen.
"""

from __future__ import annotations

import re

_CONTROL = r"\x00-\x08\x0b-\x1f\x7f-\x9f"
"""C0 controls except tab and newline, DEL and the C1 controls (CSI, OSC, ... as one code point)."""
_BIDI = r"\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
"""Arabic letter mark, LRM and RLM, the embeddings and overrides (LRE..RLO) and the isolates
(LRI..PDI): characters that reorder the text around them on screen."""
_UNPRINTABLE = re.compile(f"[{_CONTROL}{_BIDI}]")
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")
"""What XML 1.0 forbids beyond the controls ``printable`` drops: lone surrogates, U+FFFE, U+FFFF."""

FORMULA_START = frozenset("=+-@\t\r")
"""First characters that make a spreadsheet read a cell as a formula (CSV injection)."""


def printable(text: str) -> str:
    """``text`` without control characters (tab and newline stay) and bidi controls."""
    return _UNPRINTABLE.sub("", text)


def xml_text(text: str) -> str:
    """``printable`` text that XML 1.0 also allows (every character it keeps is a legal ``Char``)."""
    return _NOT_XML.sub("", printable(text))


def csv_cell(text: str | None) -> str:
    """Free text as a CSV cell: ``printable``, and a leading apostrophe when a spreadsheet would
    otherwise run it as a formula."""
    if not text:
        return ""
    clean = printable(text)
    return "'" + clean if clean and clean[0] in FORMULA_START else clean
