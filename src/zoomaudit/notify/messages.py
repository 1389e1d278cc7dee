"""The messages, as pure functions of the facts: digest, urgent alert, host nudge, trouble, test.

Each builder returns a ``Compose``: given the keys the recipient already got in the dedupe period,
it leaves those out and returns the message (or None when nothing is left). Every text comes from
zoomaudit's own records (policy titles, finding messages, topics, e-mail addresses); a passcode,
token or secret never reaches them: findings' messages are masked when stored, and a finding's
``actual`` value is never shown here. HTML is rendered by jinja2 with autoescape (topics come
from Zoom users); links go to console pages, which need a signed-in admin: there is no link that
approves anything by itself (mail scanners open links).
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from functools import cache
from typing import TYPE_CHECKING, Any

from zoomaudit.notify.facts import DigestFacts, SessionFacts, finding_key
from zoomaudit.notify.model import Compose, Message
from zoomaudit.report.common import actual_of, expected_of, printable, when_text

if TYPE_CHECKING:
    import jinja2

    from zoomaudit.findings import Finding

SHOWN = 10
"""Items of a list a message shows before "and N more"."""


@cache
def _env() -> jinja2.Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("zoomaudit.notify", "templates"),
        # HTML is escaped (topics come from Zoom users); the plain-text parts are not HTML.
        autoescape=jinja2.select_autoescape(["html"], default_for_string=False, default=False),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _render(template: str, /, **values: Any) -> str:
    return _env().get_template(template).render(**values)


def link(console_url: str, path: str) -> str:
    return f"{console_url}{path}" if console_url else ""


def session_name(s: SessionFacts) -> str:
    """The topic (or the meeting id), and which occurrence when one was judged on its own."""
    topic = printable(s.session.topic or "") or f"Meeting {s.session.meeting_id}"
    return topic + (f" (occurrence {s.session.occurrence_id})" if s.session.occurrence_id else "")


def session_when(s: SessionFacts) -> str:
    return when_text(s.session.start_time, s.session.timezone)


def plain_problem(f: Finding) -> str:
    """What is wrong, in words a host reads: the setting, its value and what it should be. A
    passcode's value is never shown (the stored one is masked anyway)."""
    from zoomaudit.controls import CATALOGUE

    control = CATALOGUE.get(f.control)
    name = control.title if control is not None else f.control.replace("_", " ")
    name = name[:1].upper() + name[1:]
    if "passcode" in f.control or f.actual is None:
        return f"{name}: it should be {expected_words(f)}"
    return f"{name} is {actual_of(f)}; it should be {expected_words(f)}"


def expected_words(f: Finding) -> str:
    """What the setting should be, in words (never the actual value: it may be a passcode)."""
    return expected_of(f)


# --- the digest ---------------------------------------------------------------------------------


def digest(facts: DigestFacts) -> Compose:
    """The lead's digest after a run (nightly, or ``audit --notify``)."""

    def compose(seen: AbstractSet[str]) -> Message | None:
        run = facts.run
        trouble = run.status != "complete"
        new = [f for f in facts.new if finding_key(f) not in seen]
        soon = [s for s in facts.soon if any(finding_key(f) not in seen for f in s.findings)]
        fixes = [f for f in facts.fixes if f"fix:{f.id}" not in seen]
        waivers = [w for w in facts.waivers if f"waiver:{w.id}" not in seen]
        covers = [finding_key(f) for f in new]
        covers += [finding_key(f) for s in soon for f in s.findings]
        covers += [f"fix:{f.id}" for f in fixes] + [f"waiver:{w.id}" for w in waivers]
        if trouble:
            covers.append(f"run:{run.id}:{run.status}")
        if not covers:
            return None
        state = {
            "complete": "complete",
            "incomplete": "INCOMPLETE: some meetings or hosts could not be read",
            "failed": f"FAILED: {run.error or 'see the service log'}",
            "running": "still running",
            "abandoned": "ABANDONED: it stopped before finishing",
        }[run.status]
        parts = []
        if trouble:
            parts.append(f"audit {run.status}")
        if soon:
            parts.append(f"{len(soon)} unsafe session(s) in the next 7 days")
        if new:
            parts.append(f"{len(new)} new violation(s)")
        if fixes:
            parts.append(f"{len(fixes)} fix(es) waiting for approval")
        if waivers:
            parts.append(f"{len(waivers)} waiver(s) ending soon")
        subject = "zoomaudit: " + ", ".join(parts or ["audit report"])
        values = {
            "facts": facts,
            "run": run,
            "state": state,
            "new": new[:SHOWN],
            "new_more": max(0, len(new) - SHOWN),
            "soon": soon[:SHOWN],
            "soon_more": max(0, len(soon) - SHOWN),
            "fixes": fixes[:SHOWN],
            "fixes_more": max(0, len(fixes) - SHOWN),
            "waivers": waivers,
            "link": lambda path: link(facts.console_url, path),
            "when": session_when,
            "name": session_name,
            "title": facts.title,
            "printable": printable,
            "compared": facts.compared_with,
        }
        short = subject.removeprefix("zoomaudit: ").capitalize()
        if soon:
            first = soon[0]
            short += f". Soonest: {session_name(first)}, {session_when(first)} ({first.host})"
        if facts.console_url:
            short += f". Details: {facts.console_url}/"
        return Message(
            kind="digest",
            subject=subject,
            text=_render("digest.txt", **values),
            html=_render("digest.html", **values),
            short=short + ".",
            covers=tuple(dict.fromkeys(covers)),
        )

    return compose


# --- the urgent alert ---------------------------------------------------------------------------


def urgent(session: SessionFacts, console_url: str = "", *, check_minutes: int | None = None) -> Compose:
    """A pre-session check found a high or critical violation no ``auto`` fix resolved."""
    at = session.session
    key = f"urgent:{at.meeting_id}:{at.occurrence_id or ''}:{at.start_time.isoformat()}"

    def compose(seen: AbstractSet[str]) -> Message | None:
        if key in seen:
            return None
        name, when = session_name(session), session_when(session)
        subject = f"URGENT zoomaudit: unsafe session {name} starts {when}"
        values = {
            "s": session,
            "name": name,
            "when": when,
            "minutes": check_minutes,
            "link": lambda path: link(console_url, path),
            "expected": expected_words,
        }
        worst = ", ".join(dict.fromkeys(f.policy_id for f in session.findings))
        short = f"URGENT: {name} starts {when} (host {session.host}) and fails: {worst}."
        if console_url:
            short += f" {console_url}/meetings/{session.session.meeting_id}"
        return Message(
            kind="urgent",
            subject=subject,
            text=_render("urgent.txt", **values),
            html=_render("urgent.html", **values),
            short=short,
            covers=(key,),
        )

    return compose


# --- the host nudge -----------------------------------------------------------------------------


def host_nudge(host: str, sessions: list[SessionFacts], policies: DigestFacts | None = None) -> Compose:
    """One host's e-mail about their own upcoming sessions only: what is wrong and how to change it."""
    from zoomaudit.notify.howto import steps_for

    def compose(seen: AbstractSet[str]) -> Message | None:
        mine = [s for s in sessions if s.host.casefold() == host.casefold()]
        items = []
        covers: list[str] = []
        for s in mine:
            fresh = [f for f in s.findings if finding_key(f) not in seen]
            if not fresh:
                continue
            covers += [finding_key(f) for f in fresh]
            problems = [
                {
                    "title": policies.title(f.policy_id) if policies else f.policy_id,
                    "message": plain_problem(f),
                    "steps": steps_for(f, expected_words(f)),
                }
                for f in fresh
            ]
            items.append({"name": session_name(s), "when": session_when(s), "problems": problems})
        if not items:
            return None
        first = items[0]
        count = sum(len(i["problems"]) for i in items)
        subject = f"Your Zoom session {first['name']} ({first['when']}): {count} setting(s) to change"
        values = {"host": host, "items": items}
        text = _render("host.txt", **values)
        return Message(
            kind="host",
            subject=subject,
            text=text,
            html=_render("host.html", **values),
            short=subject,
            covers=tuple(dict.fromkeys(covers)),
            host=host,
        )

    return compose


# --- trouble and test ---------------------------------------------------------------------------


def trouble(key: str, what: str, detail: str, console_url: str = "") -> Compose:
    """Something that stops zoomaudit protecting anyone: refused credentials, a failed scheduled
    run, a channel that keeps failing. Sent once a day per ``key``."""

    def compose(seen: AbstractSet[str]) -> Message | None:
        if key in seen:
            return None
        text = f"{what}.\n\n{detail}\n"
        if console_url:
            text += f"\nThe console: {console_url}/\n"
        values = {"what": what, "detail": detail, "console": console_url}
        return Message(
            kind="trouble",
            subject=f"zoomaudit needs attention: {what}",
            text=text,
            html=_render("trouble.html", **values),
            short=f"zoomaudit needs attention: {what}. {detail}",
            covers=(key,),
        )

    return compose


def test_message(console_url: str) -> Message:
    text = "This is a test message from zoomaudit: this channel receives its notifications.\n"
    if console_url:
        text += f"The console: {console_url}/\n"
    return Message(
        kind="test",
        subject="zoomaudit test message",
        text=text,
        html=_render("trouble.html", what="Test message", detail=text.strip(), console=console_url),
        short=text.strip().replace("\n", " "),
        news=True,
    )
