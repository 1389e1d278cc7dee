"""The policy file schema (docs/policies.md) and the loaded, compiled policy set.

Validation happens once, at load: pydantic checks each policy's shape, ``cross_check`` checks it
against the controls catalogue, and everything the evaluator needs per check (the expectation
predicate, the applies-to matcher, the check's parameters) is compiled into private attributes.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from zoomaudit.controls import CATALOGUE, LOCK_TIERS, Control, FixTier
from zoomaudit.findings import Severity
from zoomaudit.policy.operators import OPERATORS, Test, compile_expectation
from zoomaudit.snapshot import HostContext
from zoomaudit.vocabulary import FixMode
from zoomaudit.zoom.models import Meeting

MEETING_TYPES = {
    1: "instant",
    2: "scheduled",
    3: "recurring, no fixed time",
    4: "PMI",
    8: "recurring",
    10: "screen share only",
}


def _regex(value: str | None) -> str | None:
    if value is not None:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"bad regular expression {value!r}: {exc}") from None
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Expect(_Strict):
    """One or more operators; the expectation holds when all of them do."""

    equals: Any = None
    not_equals: Any = None
    one_of: list[Any] | None = None
    not_one_of: list[Any] | None = None
    min_length: int | None = Field(default=None, ge=0)
    max_length: int | None = Field(default=None, ge=0)
    at_least: float | None = None
    at_most: float | None = None
    pattern: str | None = None
    not_pattern: str | None = None
    is_set: bool | None = None

    _pattern_ok = field_validator("pattern", "not_pattern")(_regex)

    @model_validator(mode="after")
    def _one_operator(self) -> Expect:
        if not self.model_fields_set:
            raise ValueError("expect needs at least one operator: " + ", ".join(OPERATORS))
        return self

    def spec(self) -> dict[str, Any]:
        """The operators given, in table order: also the finding's ``expected``."""
        return {name: getattr(self, name) for name in OPERATORS if name in self.model_fields_set}

    def describe(self) -> str:
        return " and ".join(OPERATORS[n][1].format(json.dumps(v)) for n, v in self.spec().items())


class AppliesTo(_Strict):
    """Which meetings a policy judges. Every criterion given must match; lists match any item."""

    meeting_types: list[Literal[1, 2, 3, 4, 8, 10]] | None = None
    topic: str | None = None
    """A regular expression searched in the topic (case-insensitive)."""
    agenda: str | None = None
    host_emails: list[str] | None = None
    """Host e-mails; shell-style wildcards allowed (``*@youth.example.org``), case-insensitive."""
    host_groups: list[str] | None = None
    """Names of groups; the host must be in one of them (case-insensitive)."""
    tracking_fields: dict[str, str] | None = None
    """Tracking field name -> regular expression its value must match."""

    _topic_ok = field_validator("topic", "agenda")(_regex)

    @field_validator("tracking_fields")
    @classmethod
    def _values_ok(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        for pattern in (value or {}).values():
            _regex(pattern)
        return value


class FixSpec(_Strict):
    mode: FixMode = "suggest"
    tier: FixTier
    value: Any = None
    """The control's value to set (for lock tiers: the lock flag). ``generate`` for passcodes."""


class Policy(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)
    title: str = Field(min_length=1)
    severity: Severity
    rationale: str = Field(min_length=1)
    control: str
    expect: Expect | None = None
    check: str | None = None
    """A code-backed check by name (policy/checks.py), instead of ``expect``."""
    params: dict[str, Any] = Field(default_factory=dict)
    applies_to: AppliesTo = Field(default_factory=AppliesTo)
    fix: FixSpec | None = None
    enabled: bool = True
    references: list[str] = Field(default_factory=list)
    guidance: str = ""
    """What people should do (manual controls), or extra advice shown by ``explain``."""
    conflicts: list[str] = Field(default_factory=list)
    """Safeguards this one works against (shown by ``explain`` and in the docs)."""

    @field_validator("title", "rationale", "guidance")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()

    _test: Test | None = PrivateAttr(default=None)
    _applies: Applies | None = PrivateAttr(default=None)
    _params: Any = PrivateAttr(default=None)
    _expected: Any = PrivateAttr(default=None)
    _compiled: bool = PrivateAttr(default=False)

    @property
    def control_def(self) -> Control:
        return CATALOGUE[self.control]

    @property
    def expected(self) -> Any:
        """A JSON-friendly description of what the policy expects."""
        return self._expected

    def compile(self) -> None:
        """Prepare the hot path: call once after ``cross_check`` found nothing."""
        from zoomaudit.policy.registry import CHECKS

        self._applies = compile_applies(self.applies_to)
        if self.expect is not None:
            self._test = compile_expectation(self.expect.spec())
            self._expected = self.expect.spec()
        elif self.check is not None:
            self._params = CHECKS[self.check].params.model_validate(self.params)
            self._expected = {"check": self.check, **self._params.model_dump()}
        else:
            self._expected = {"manual": True}
        self._compiled = True


def cross_check(policy: Policy) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Problems of a well-shaped policy against the catalogue and checks: (location, message)."""
    from zoomaudit.policy.registry import CHECKS

    control = CATALOGUE.get(policy.control)
    if control is None:
        yield ("control",), f"unknown control {policy.control!r}; known: {', '.join(sorted(CATALOGUE))}"
        return
    if control.manual:
        if policy.expect is not None or policy.check is not None:
            yield (
                ("control",),
                f"control {control.name} is manual (no Zoom field): give guidance, not expect/check",
            )
        if policy.fix is not None and policy.fix.mode != "off":
            yield ("fix",), f"control {control.name} is manual and cannot be fixed through the API"
        return
    if (policy.expect is None) == (policy.check is None):
        yield (), "give exactly one of expect (an operator table) or check (a code-backed check)"
    if policy.check is not None:
        spec = CHECKS.get(policy.check)
        if spec is None:
            yield ("check",), f"unknown check {policy.check!r}; known: {', '.join(sorted(CHECKS))}"
        else:
            try:
                spec.params.model_validate(policy.params)
            except ValueError as exc:
                yield ("params",), f"bad params for check {policy.check}: {exc}".splitlines()[0]
    elif policy.params:
        yield ("params",), "params are only for a check"
    yield from _fix_problems(policy, control)


def _fix_problems(policy: Policy, control: Control) -> Iterator[tuple[tuple[str | int, ...], str]]:
    fix = policy.fix
    if fix is None:
        return
    if control.path(fix.tier) is None:
        tiers = ", ".join(control.fixable_tiers())
        yield (
            ("fix", "tier"),
            f"control {control.name} has no Zoom field at tier {fix.tier} (it has: {tiers})",
        )
        return
    if fix.mode == "off" and fix.value is None:
        return
    if fix.value is None:
        yield ("fix", "value"), "a fix needs a value"
    elif fix.tier in LOCK_TIERS:
        if not isinstance(fix.value, bool):
            yield ("fix", "value"), "a lock fix takes the lock flag: true or false"
    elif control.fix_placeholder is not None and fix.value == control.fix_placeholder:
        return
    elif policy.expect is not None:
        try:
            ok = compile_expectation(policy.expect.spec())(fix.value)
        except TypeError:
            ok = False
        if not ok:
            yield ("fix", "value"), f"fix value {fix.value!r} does not satisfy the policy's own expectation"


@dataclass(frozen=True)
class PolicySet:
    policies: tuple[Policy, ...]
    hash: str
    source: str
    _by_id: dict[str, Policy] = field(default_factory=dict, repr=False, compare=False)
    _cache: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    """The evaluator's compiled form of the set (built on first use)."""

    @classmethod
    def build(cls, policies: tuple[Policy, ...] | list[Policy], source: str) -> PolicySet:
        ordered = tuple(policies)
        for policy in ordered:
            if not policy._compiled:  # built in code (tests, copies) rather than loaded
                policy.compile()
        return cls(ordered, policy_hash(ordered), source, {p.id: p for p in ordered})

    def get(self, policy_id: str) -> Policy | None:
        return self._by_id.get(policy_id)

    @property
    def enabled(self) -> tuple[Policy, ...]:
        return tuple(p for p in self.policies if p.enabled)

    def controls(self) -> dict[str, Control]:
        """The controls the enabled policies read (what the collector must fetch)."""
        return {p.control: CATALOGUE[p.control] for p in self.enabled}

    def with_only(self, keep: Callable[[Policy], bool]) -> PolicySet:
        return PolicySet.build([p for p in self.policies if keep(p)], self.source)


def policy_hash(policies: tuple[Policy, ...]) -> str:
    """A stable hash of the set's contents (independent of file layout and order)."""
    dumped = sorted((p.model_dump(mode="json") for p in policies), key=lambda d: str(d["id"]))
    text = json.dumps(dumped, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


Applies = Callable[["Meeting", "HostContext", frozenset[str]], bool]
"""``applies(meeting, host, host_group_names_lowercased)``."""


def compile_applies(spec: AppliesTo) -> Applies | None:
    """A predicate for ``applies_to``; None when the policy applies to every meeting."""
    tests: list[Applies] = []
    if spec.meeting_types is not None:
        types = frozenset(spec.meeting_types)
        tests.append(lambda m, h, g: m.type in types)
    if spec.topic is not None:
        topic = re.compile(spec.topic, re.IGNORECASE)
        tests.append(lambda m, h, g: topic.search(m.topic or "") is not None)
    if spec.agenda is not None:
        agenda = re.compile(spec.agenda, re.IGNORECASE)
        tests.append(lambda m, h, g: agenda.search(m.agenda or "") is not None)
    if spec.host_emails is not None:
        emails = re.compile("|".join(fnmatch.translate(p.lower()) for p in spec.host_emails) or "(?!)")
        tests.append(lambda m, h, g: emails.match((m.host_email or h.user.email or "").lower()) is not None)
    if spec.host_groups is not None:
        wanted = frozenset(name.lower() for name in spec.host_groups)
        tests.append(lambda m, h, g: not wanted.isdisjoint(g))
    if spec.tracking_fields is not None:
        fields = {name: re.compile(rx) for name, rx in spec.tracking_fields.items()}

        def tracked(m: Meeting, h: HostContext, g: frozenset[str]) -> bool:
            values = {t.field: t.value or "" for t in m.tracking_fields}
            return all(n in values and rx.search(values[n]) for n, rx in fields.items())

        tests.append(tracked)
    if not tests:
        return None
    if len(tests) == 1:
        return tests[0]
    return lambda m, h, g: all(t(m, h, g) for t in tests)
