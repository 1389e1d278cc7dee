"""Loading policy files: every problem of every file, each located by file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from zoomaudit.errors import PolicyError, PolicyProblem
from zoomaudit.policy.load import BUNDLED_SOURCE, load_dir, load_policies

from .conftest import write

GOOD = """
- id: waiting-room
  title: Everyone waits
  severity: high
  control: waiting_room
  expect: {equals: true}
  rationale: Strangers must be admitted by staff.
  fix: {mode: suggest, tier: meeting, value: true}
"""


def problems(path: Path) -> list[PolicyProblem]:
    with pytest.raises(PolicyError) as caught:
        load_dir(path)
    return caught.value.problems


def one(path: Path) -> PolicyProblem:
    [problem] = problems(path)
    return problem


def test_a_good_file_loads(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD)
    policy_set = load_dir(tmp_path)
    assert [p.id for p in policy_set.policies] == ["waiting-room"]
    assert policy_set.source == str(tmp_path)
    policy = policy_set.get("waiting-room")
    assert policy is not None
    assert policy.fix is not None
    assert (policy.fix.mode, policy.fix.tier, policy.fix.value) == ("suggest", "meeting", True)
    assert policy_set.get("nope") is None


def test_a_policies_mapping_is_accepted_too(tmp_path: Path) -> None:
    write(tmp_path, "a.yml", "policies:\n" + "\n".join("  " + line for line in GOOD.strip().splitlines()))
    assert [p.id for p in load_dir(tmp_path).policies] == ["waiting-room"]


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    write(tmp_path, "broken.yaml", GOOD + "- id: [unclosed\n  title: x\n")
    problem = one(tmp_path)
    assert problem.file.endswith("broken.yaml")
    assert problem.line in (9, 10)
    assert "YAML syntax error" in problem.message


def test_schema_error_names_the_line_of_the_field(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD.replace("severity: high", "severity: urgent"))
    problem = one(tmp_path)
    assert (problem.line, problem.policy_id) == (3, "waiting-room")
    assert "severity" in problem.message


def test_unknown_field_is_rejected_at_its_line(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD + "  colour: red\n")
    problem = one(tmp_path)
    assert problem.line == 8
    assert "colour" in problem.message


def test_missing_field_names_the_policy_line(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD.replace("  rationale: Strangers must be admitted by staff.\n", ""))
    problem = one(tmp_path)
    assert problem.line == 1
    assert "rationale" in problem.message


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD)
    write(tmp_path, "b.yaml", GOOD)
    problem = one(tmp_path)
    assert problem.file.endswith("b.yaml")
    assert problem.line == 1
    assert "duplicate policy id 'waiting-room'" in problem.message
    assert "a.yaml:1" in problem.message


def test_duplicate_key_in_a_mapping(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD + "  severity: low\n")
    problem = one(tmp_path)
    assert problem.line == 8
    assert "duplicate key 'severity'" in problem.message


def test_unknown_control(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD.replace("control: waiting_room", "control: waiting_rom"))
    problem = one(tmp_path)
    assert problem.line == 4
    assert "unknown control 'waiting_rom'" in problem.message


@pytest.mark.parametrize(
    ("replace", "line"),
    [
        ("expect: {equals: true}", "expect: {pattern: '(unclosed'}"),
        ("expect: {equals: true}", "expect: {equals: true}\n  applies_to: {topic: '[a-'}"),
    ],
)
def test_bad_regex(tmp_path: Path, replace: str, line: str) -> None:
    write(tmp_path, "a.yaml", GOOD.replace(replace, line))
    found = problems(tmp_path)
    assert any("bad regular expression" in p.message for p in found)
    assert all(p.line in (5, 6) for p in found)


def test_bad_expectation_operator(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD.replace("expect: {equals: true}", "expect: {roughly: true}"))
    problem = one(tmp_path)
    assert problem.line == 5
    assert "roughly" in problem.message


def test_empty_expectation(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD.replace("expect: {equals: true}", "expect: {}"))
    assert "at least one operator" in one(tmp_path).message


def test_fix_tier_without_a_field(tmp_path: Path) -> None:
    text = GOOD.replace("control: waiting_room", "control: screen_share").replace(
        "expect: {equals: true}", "expect: {equals: host}"
    )
    write(tmp_path, "a.yaml", text.replace("value: true", "value: host"))
    problem = one(tmp_path)
    assert problem.line == 7
    assert "no Zoom field at tier meeting" in problem.message


def test_fix_value_must_meet_the_expectation(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD.replace("value: true}", "value: false}"))
    assert "does not satisfy" in one(tmp_path).message


def test_lock_fix_takes_a_flag(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.yaml",
        GOOD.replace("tier: meeting, value: true", "tier: account_lock, value: yes please"),
    )
    assert "lock flag" in one(tmp_path).message


def test_manual_control_takes_no_expectation(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD.replace("control: waiting_room", "control: self_view"))
    found = problems(tmp_path)
    assert any("manual" in p.message for p in found)


def test_unknown_check_and_bad_params(tmp_path: Path) -> None:
    text = GOOD.replace("control: waiting_room", "control: passcode").replace(
        "expect: {equals: true}", "check: passcode_strength\n  params: {length: 99}"
    )
    write(
        tmp_path, "a.yaml", text.replace("fix: {mode: suggest, tier: meeting, value: true}", "enabled: true")
    )
    write(tmp_path, "b.yaml", text.replace("waiting-room", "other").replace("passcode_strength", "vibes"))
    found = problems(tmp_path)
    assert any("bad params" in p.message and p.line == 6 for p in found)
    assert any("unknown check 'vibes'" in p.message for p in found)


def test_every_error_of_every_file_at_once(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.yaml",
        """
        - id: one
          title: One
          severity: urgent
          control: waiting_room
          expect: {equals: true}
          rationale: r
        - id: two
          title: Two
          severity: low
          control: nothing
          expect: {equals: true}
          rationale: r
        - id: Bad Id
          title: Three
          severity: low
          control: waiting_room
          expect: {pattern: '('}
          rationale: r
        """,
    )
    write(tmp_path, "b.yaml", "- id: x\n  title: [\n")
    found = problems(tmp_path)
    located = {(Path(p.file).name, p.line) for p in found}
    assert {("a.yaml", 3), ("a.yaml", 10), ("a.yaml", 13), ("a.yaml", 17)} <= located
    assert any(Path(p.file).name == "b.yaml" and "YAML" in p.message for p in found)
    text = str(PolicyError(found))
    assert "a.yaml:3" in text


def test_a_file_that_is_not_a_list(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "id: lonely\n")
    assert "list of policies" in one(tmp_path).message


def test_an_empty_folder_is_an_error(tmp_path: Path) -> None:
    assert "no policy files" in one(tmp_path).message
    assert "no such" in one(tmp_path / "missing").message


def test_hash_is_stable_and_follows_content(tmp_path: Path) -> None:
    second = GOOD.replace("waiting-room", "second")
    write(tmp_path / "one", "a.yaml", GOOD + second)
    write(tmp_path / "two", "z.yaml", second)
    write(tmp_path / "two", "a.yaml", GOOD)
    first = load_dir(tmp_path / "one").hash
    assert first == load_dir(tmp_path / "two").hash
    write(tmp_path / "two", "z.yaml", second.replace("severity: high", "severity: low"))
    assert load_dir(tmp_path / "two").hash != first


def test_environment_variable_chooses_the_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "mine", "a.yaml", GOOD)
    monkeypatch.setenv("ZOOMAUDIT_POLICIES", str(tmp_path / "mine"))
    policy_set = load_policies()
    assert [p.id for p in policy_set.policies] == ["waiting-room"]
    assert policy_set.source == str(tmp_path / "mine")


def test_default_is_the_bundled_pack() -> None:
    policy_set = load_policies()
    assert policy_set.source == BUNDLED_SOURCE
    assert len(policy_set.policies) >= 21


def test_controls_lists_what_enabled_policies_read(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.yaml",
        GOOD
        + GOOD.replace("waiting-room", "quiet")
        .replace("control: waiting_room", "control: mute_upon_entry")
        .replace("fix:", "enabled: false\n  fix:"),
    )
    assert set(load_dir(tmp_path).controls()) == {"waiting_room"}


def test_a_file_that_is_not_utf8_is_a_problem_of_that_file(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", GOOD)
    (tmp_path / "latin1.yaml").write_bytes(GOOD.replace("Strangers", "Étrangers").encode("latin-1"))
    problem = one(tmp_path)
    assert problem.file.endswith("latin1.yaml")
    assert problem.line == 7
    assert "not UTF-8" in problem.message
    assert "save it as UTF-8" in problem.message
