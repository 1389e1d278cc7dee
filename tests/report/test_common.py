"""How values and expectations read to a person in the human formats."""

from __future__ import annotations

from typing import Any

import pytest

from zoomaudit.report.common import expected_text, value_text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (True, "on"),
        (False, "off"),
        (None, "not set"),
        ("", "(empty)"),
        ("host", "host"),
        (8, "8"),
        (2.5, "2.5"),
        ([], "none"),
        (["host", True], "host, on"),
        ({"length": 6, "unmet": ["a letter", "a number"]}, "length: 6; unmet: a letter, a number"),
    ],
)
def test_values_read_plainly(value: Any, text: str) -> None:
    assert value_text(value) == text


@pytest.mark.parametrize(
    ("expected", "text"),
    [
        ({"equals": True}, "on"),
        ({"not_equals": "all"}, "not all"),
        ({"one_of": ["host", "off"]}, "one of host, off"),
        ({"not_one_of": ["all"]}, "none of all"),
        ({"min_length": 8, "pattern": "[0-9]"}, "at least 8 long and matches /[0-9]/"),
        ({"at_most": 40}, "at most 40"),
        ({"is_set": True}, "set"),
        ({"is_set": False}, "not set"),
        ({"manual": True}, "checked by a person"),
        (
            {"check": "passcode_strength", "length": 8, "have_letter": True, "only_allow_numeric": False},
            "passcode strength: length 8, have letter",
        ),
        ({"required": True}, "required: on"),  # not an operator: shown as a value
        (True, "on"),
    ],
)
def test_expectations_read_as_sentences(expected: Any, text: str) -> None:
    assert expected_text(expected) == text
