"""The one exception tree of zoomaudit.

Every failure the program can explain to a person is one of these. Foreign exceptions (httpx2,
SQLAlchemy, YAML, pydantic) are mapped to them at the boundary where they occur, and
the CLI maps them to exit codes in exactly one place (``cli.app``). The exit codes are defined
here, beside the tree that decides them (a public contract: docs/cli.md)::

    ZoomAuditError                      exit 2 unless stated
    ├── ConfigError                     missing or invalid setting
    │   └── AccountsError               an accounts file that does not load (every problem, located)
    ├── PolicyError                     a policy set that does not load (carries every problem)
    ├── UsageError                      a bad argument, e.g. an unknown run or fix id
    │   └── UnknownMeeting              a --meeting id Zoom does not know
    ├── StoreError                      the database cannot be used
    └── ZoomError                       exit 3: Zoom could not be used
        ├── AuthError                   bad credentials, token refused (OAuth 47xx, 401 after renewal)
        │   └── MissingScope            4700: the app lacks a scope
        ├── ZoomApiError                any other Zoom error answer: status, code, message
        │   └── NotFound                404 (1001 user, 3001 meeting, 4130 group, 2001 account)
        ├── RateLimited                 429 that could not be waited out (daily limit, per-host quota)
        └── ZoomUnavailable             network failure, timeout or 5xx after bounded retries
"""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
"""Clean: nothing to report."""
EXIT_VIOLATIONS = 1
"""Violations found (or a fix that did not apply, or new violations for ``runs diff --exit-code``)."""
EXIT_USAGE = 2
"""A usage, configuration or policy error: nothing was done."""
EXIT_INCOMPLETE = 3
"""The work could not be completed: Zoom could not be used (auth, network, Zoom down)."""


class ZoomAuditError(Exception):
    """Base of every error zoomaudit reports to a person."""

    exit_code: int = EXIT_USAGE

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(ZoomAuditError):
    """A setting is missing or invalid."""


class UsageError(ZoomAuditError):
    """A command was given something it cannot use."""


class UnknownMeeting(UsageError):
    """A meeting id that Zoom does not know (or has expired)."""

    def __init__(self, meeting_id: int | str, detail: str = "") -> None:
        text = f"meeting {meeting_id} was not found in Zoom (deleted, expired or a wrong id)"
        super().__init__(f"{text}: {detail}" if detail else text)
        self.meeting_id = meeting_id


class StoreError(ZoomAuditError):
    """The database cannot be opened, migrated or written."""


@dataclass(frozen=True)
class PolicyProblem:
    """One located problem in a policy file."""

    file: str
    line: int | None
    message: str
    policy_id: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        who = f" [{self.policy_id}]" if self.policy_id else ""
        return f"{where}{who}: {self.message}"


@dataclass(frozen=True)
class FileProblem:
    """One located problem in a configuration file (the accounts file, a secrets file)."""

    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.message}"


class AccountsError(ConfigError):
    """An accounts file that does not load. Carries every problem found, each with its line; a
    message never holds a value that could be a secret."""

    def __init__(self, problems: list[FileProblem]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in the accounts file:\n{lines}")


class ClaimLost(ZoomAuditError):
    """The fix this process was applying or reverting was taken from it: its claim was released
    (no heartbeat for too long) and the fix put back in the queue. What Zoom holds now is unknown
    to this process; a re-audit shows it."""

    def __init__(self, fix_id: str) -> None:
        self.fix_id = fix_id
        super().__init__(
            f"fix {fix_id}: this process lost its claim on the fix (it was released as stuck and put "
            "back in the queue); nothing more was written; re-audit to see what Zoom holds"
        )


class PolicyError(ZoomAuditError):
    """A policy set that does not load. Carries every problem found, not just the first."""

    def __init__(self, problems: list[PolicyProblem]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{len(self.problems)} problem(s) in the policy set:\n{lines}")


class ZoomError(ZoomAuditError):
    """Zoom could not be used; the audit cannot be completed."""

    exit_code = EXIT_INCOMPLETE


class AuthError(ZoomError):
    """Credentials were refused or a token could not be obtained."""


class MissingScope(AuthError):
    """The Server-to-Server OAuth app lacks a scope the call needs (Zoom code 4700)."""


class ZoomApiError(ZoomError):
    """Zoom answered with an error body ``{code, message}``."""

    def __init__(
        self, status: int, code: int | None, message: str, *, method: str = "", url: str = ""
    ) -> None:
        self.status = status
        self.code = code
        self.zoom_message = message
        self.method = method
        self.url = url
        where = f" ({method} {url})" if method else ""
        code_text = f" code {code}" if code is not None else ""
        super().__init__(f"Zoom answered HTTP {status}{code_text}: {message}{where}")


class NotFound(ZoomApiError):
    """The user, meeting, group or account does not exist (HTTP 404)."""


class RateLimited(ZoomError):
    """A rate limit that cannot be waited out within this run (daily limit, per-host quota)."""

    def __init__(
        self,
        message: str,
        *,
        category: str | None = None,
        retry_at: str | None = None,
        host: str | None = None,
    ) -> None:
        super().__init__(message)
        self.category = category
        self.retry_at = retry_at
        self.host = host


class ZoomUnavailable(ZoomError):
    """Zoom could not be reached or kept failing (network, timeout, 5xx) after bounded retries."""
