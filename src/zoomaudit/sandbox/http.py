"""Small pieces shared by the sandbox routes: Zoom's error answers, calls, replies, pagination."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any, TypeVar

from zoomaudit.sandbox.options import SandboxOptions
from zoomaudit.sandbox.state import Doc, SandboxState

MAX_PAGE_SIZE = 300
DEFAULT_PAGE_SIZE = 30
T = TypeVar("T")
PAGE_TOKEN_TTL = 15 * 60  # reference.md §2: next_page_token expires after 15 minutes


class ApiError(Exception):
    """An answer in Zoom's error shape ``{"code": ..., "message": ...}``."""

    def __init__(self, status: int, code: int, message: str, errors: list[Doc] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors

    def body(self) -> Doc:
        out: Doc = {"code": self.code, "message": self.message}
        if self.errors:
            out["errors"] = self.errors
        return out


def found(value: T | None, code: int, message: str) -> T:
    """``value``, or Zoom's 404 answer with ``code`` and ``message`` when there is none."""
    if value is None:
        raise ApiError(404, code, message)
    return value


def validation(message: str = "Validation Failed.", field_name: str | None = None) -> ApiError:
    errors = [{"field": field_name, "message": message}] if field_name else None
    return ApiError(400, 300, "Validation Failed." if field_name else message, errors)


@dataclass(slots=True)
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


NO_CONTENT = 204


@dataclass(slots=True)
class Call:
    """What a route handler sees."""

    state: SandboxState
    options: SandboxOptions
    pages: PageTokens
    params: dict[str, str]
    query: dict[str, str]
    body: Any


class PageTokens:
    """Opaque ``next_page_token`` values: which listing they belong to and where it resumes."""

    def __init__(self) -> None:
        self._tokens: dict[str, tuple[str, int, float]] = {}

    def issue(self, listing: str, offset: int) -> str:
        now = time.monotonic()
        if len(self._tokens) > 10_000:
            self._tokens = {k: v for k, v in self._tokens.items() if v[2] > now}
        token = secrets.token_urlsafe(24)
        self._tokens[token] = (listing, offset, now + PAGE_TOKEN_TTL)
        return token

    def resolve(self, listing: str, token: str) -> int:
        entry = self._tokens.get(token)
        if entry is None or entry[0] != listing or entry[2] < time.monotonic():
            raise validation("Invalid next_page_token or it has expired.", "next_page_token")
        return entry[1]


def int_param(query: dict[str, str], name: str, default: int) -> int:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise validation("Invalid field.", name) from None


def paginate(call: Call, listing: str, items: list[Any]) -> tuple[list[Any], Doc]:
    """One page of ``items`` and Zoom's page fields (``next_page_token`` is "" on the last page)."""
    size = int_param(call.query, "page_size", DEFAULT_PAGE_SIZE)
    size = DEFAULT_PAGE_SIZE if size < 1 else min(size, MAX_PAGE_SIZE)
    token = call.query.get("next_page_token") or ""
    offset = call.pages.resolve(listing, token) if token else 0
    page = items[offset : offset + size]
    end = offset + size
    total = len(items)
    fields: Doc = {
        "next_page_token": call.pages.issue(listing, end) if end < total else "",
        "page_count": (total + size - 1) // size,
        "page_number": offset // size + 1,
        "page_size": size,
        "total_records": total,
    }
    return page, fields
