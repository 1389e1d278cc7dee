"""The expectation operators: one small table, compiled once at load into a plain predicate.

Each operator takes the policy's operand and returns ``test(value) -> bool``; an expectation with
several operators holds when all of them do. A value of the wrong type raises ``TypeError``,
which the evaluator reports as an error finding (never as a pass or a violation).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Test = Callable[[Any], bool]


def _same(a: Any, b: Any) -> bool:
    # True == 1 in Python; a boolean expectation must not accept the number 1.
    return a == b and isinstance(a, bool) == isinstance(b, bool)


def _sized(value: Any) -> int:
    if not isinstance(value, str | list | tuple | dict):
        raise TypeError(f"expected text or a list, got {type(value).__name__}")
    return len(value)


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"expected a number, got {type(value).__name__}")
    return float(value)


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, got {type(value).__name__}")
    return value


def _equals(operand: Any) -> Test:
    return lambda v: _same(v, operand)


def _not_equals(operand: Any) -> Test:
    return lambda v: not _same(v, operand)


def _one_of(operand: Any) -> Test:
    options = tuple(operand)
    return lambda v: any(_same(v, o) for o in options)


def _not_one_of(operand: Any) -> Test:
    options = tuple(operand)
    return lambda v: not any(_same(v, o) for o in options)


def _min_length(operand: Any) -> Test:
    return lambda v: _sized(v) >= operand


def _max_length(operand: Any) -> Test:
    return lambda v: _sized(v) <= operand


def _at_least(operand: Any) -> Test:
    return lambda v: _number(v) >= operand


def _at_most(operand: Any) -> Test:
    return lambda v: _number(v) <= operand


def _pattern(operand: Any) -> Test:
    rx = re.compile(operand)
    return lambda v: rx.search(_text(v)) is not None


def _not_pattern(operand: Any) -> Test:
    rx = re.compile(operand)
    return lambda v: rx.search(_text(v)) is None


def _is_set(operand: Any) -> Test:
    # Set: true, or non-empty text/list. Not set: false, empty, or None.
    def test(v: Any) -> bool:
        present = v is True or (isinstance(v, str | list | tuple | dict) and len(v) > 0)
        return present if operand else not present

    return test


OPERATORS: dict[str, tuple[Callable[[Any], Test], str]] = {
    "equals": (_equals, "is {}"),
    "not_equals": (_not_equals, "is not {}"),
    "one_of": (_one_of, "is one of {}"),
    "not_one_of": (_not_one_of, "is none of {}"),
    "min_length": (_min_length, "has at least {} items or characters"),
    "max_length": (_max_length, "has at most {} items or characters"),
    "at_least": (_at_least, "is at least {}"),
    "at_most": (_at_most, "is at most {}"),
    "pattern": (_pattern, "matches /{}/"),
    "not_pattern": (_not_pattern, "does not match /{}/"),
    "is_set": (_is_set, "is set: {}"),
}
"""name -> (compile(operand) -> test, description template)."""


def compile_expectation(spec: dict[str, Any]) -> Test:
    tests = [OPERATORS[name][0](operand) for name, operand in spec.items()]
    if len(tests) == 1:
        return tests[0]
    return lambda v: all(t(v) for t in tests)
