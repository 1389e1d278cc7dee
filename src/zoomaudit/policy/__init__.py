"""Safeguarding policies: the file schema, the loader and the pure evaluator (docs/policies.md)."""

from __future__ import annotations

from zoomaudit.policy.checks import PasscodeRequirement, passcode_requirement, passcode_satisfies
from zoomaudit.policy.evaluate import effective_values, evaluate_batch, evaluate_subject
from zoomaudit.policy.load import load_policies
from zoomaudit.policy.model import AppliesTo, Expect, FixSpec, Policy, PolicySet

__all__ = [
    "AppliesTo",
    "Expect",
    "FixSpec",
    "PasscodeRequirement",
    "Policy",
    "PolicySet",
    "effective_values",
    "evaluate_batch",
    "evaluate_subject",
    "load_policies",
    "passcode_requirement",
    "passcode_satisfies",
]
