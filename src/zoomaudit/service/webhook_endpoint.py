"""``POST /webhooks/zoom``: verify (``webhooks.verify``), answer at once, hand the action to the service.

The verification rules and the event -> action planning are in ``webhooks.py``; this module is the
HTTP side, which needs the running ``Service`` (``context.py``) that itself uses those rules.

With an accounts file, each account's Zoom app signs its events with its own secret token. An
event names its account (``payload.account_id``): it is verified with that account's secret only
and handled for that account, so an event signed with one account's secret but naming another is
refused (401). An account id of no configured account is refused with 403 and a log line: no
secret here can verify it, and Zoom's three retries of it (+5, +20, +60 min) are then dropped,
which costs nothing. ``endpoint.url_validation`` names no account: it is answered with the secret
of the account whose secret signed it. Without an accounts file the one account's secret verifies
every request, as before.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from zoomaudit.safe_text import printable
from zoomaudit.service.context import Service
from zoomaudit.service.desk import AccountDesk
from zoomaudit.service.webhooks import (
    MAX_BODY_BYTES,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    URL_VALIDATION,
    Ignore,
    WebhookRejected,
    event_key,
    plan_event,
    sign,
    url_validation_answer,
    verify,
)

log = logging.getLogger("zoomaudit.service.webhooks")


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise WebhookRejected("request body too large", status=413)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise WebhookRejected("request body too large", status=413)
        chunks.append(chunk)
    return b"".join(chunks)


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def zoom_webhook(request: Request) -> Response:
    """``POST /webhooks/zoom``: verify, answer at once, queue the work for after the answer.

    A delivery is remembered (its signature and its event) only once it was handled. One answered
    503 or 500 is remembered as failed instead, so that Zoom's retry of it is taken, even when it
    comes with the original timestamp long after the 5-minute window."""
    service: Service = request.app.state.service
    if not service.webhooks_on:
        off = (
            "no account has a webhook secret token"
            if service.several
            else "ZOOM_WEBHOOK_SECRET_TOKEN is not set"
        )
        return _error(503, f"webhooks are off: {off}")
    if not service.accepting:
        return _error(503, "zoomaudit is shutting down")
    now = service.clock()

    def known(signature: str) -> bool:
        return service.failed.seen(signature, now) or service.signatures.seen(signature, now)

    try:
        body = await _read_body(request, MAX_BODY_BYTES)
        desk = _desk_of(service, request.headers, body)
        secret = desk.webhook_secret
        signature = verify(secret, request.headers, body, now=now, known=known)
        if service.signatures.seen(signature, now):
            raise WebhookRejected("replayed request", status=409)
    except WebhookRejected as exc:
        log.warning("webhook refused: %s", exc.reason)
        return _error(exc.status, exc.reason)
    try:
        response = _answer(service, desk, body, now)
    except Exception:
        log.exception("webhook could not be handled; Zoom's retry of it will be taken")
        response = _error(500, "zoomaudit could not handle this event; retry later")
    if response.status_code >= 500:
        service.failed.remember(signature, now)
    else:
        service.failed.forget(signature)
        service.signatures.remember(signature, now)
    return response


def _claimed_account(body: bytes) -> str | None:
    """The Zoom account id an (unverified) body names in ``payload.account_id``, if any."""
    try:
        envelope = json.loads(body)
    except (ValueError, RecursionError):
        return None
    payload = envelope.get("payload") if isinstance(envelope, dict) else None
    account_id = payload.get("account_id") if isinstance(payload, dict) else None
    return account_id if isinstance(account_id, str) and account_id else None


def _desk_of(service: Service, headers: Mapping[str, str], body: bytes) -> AccountDesk:
    """The account whose secret must verify this request (see the module's docstring)."""
    if not service.several:
        return service.desk()
    account_id = _claimed_account(body)
    if account_id is not None:
        desk = next((d for d in service.desks.values() if d.settings.zoom_account_id == account_id), None)
        if desk is None:
            raise WebhookRejected(f"unknown Zoom account {printable(account_id[:64])!r}", status=403)
        if not desk.webhook_secret:
            raise WebhookRejected(f"webhooks of account {desk.name} are off: it has no webhook secret token")
        return desk
    # Only the endpoint URL validation names no account: the account whose secret signed it.
    signed = [desk for desk in service.desks.values() if desk.webhook_secret]
    signature, timestamp = headers.get(SIGNATURE_HEADER), headers.get(TIMESTAMP_HEADER)
    if signature and timestamp:
        for desk in signed:
            expected = sign(desk.webhook_secret, timestamp, body)
            if hmac.compare_digest(expected.encode("utf-8"), signature.encode("utf-8")):
                return desk
    return signed[0]  # verify() then says what is wrong (missing header, signature mismatch)


def _answer(service: Service, desk: AccountDesk, body: bytes, now: float) -> Response:
    """The answer to one verified request; its event is remembered only once handled."""
    secret = desk.webhook_secret
    try:
        envelope = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
        return _error(400, "body is not JSON")
    if not isinstance(envelope, dict):
        return _error(400, "body is not a JSON object")
    event = envelope.get("event")
    if event == URL_VALIDATION:
        payload = envelope.get("payload")
        token = payload.get("plainToken") if isinstance(payload, dict) else None
        if not isinstance(token, str) or not token:
            return _error(400, "endpoint.url_validation without a plainToken")
        log.info("answered Zoom's endpoint URL validation")
        return JSONResponse(url_validation_answer(secret, token))
    key = event_key(envelope)
    if service.events.seen(key, now):
        log.info("webhook %s already processed (redelivery); ignored", event)
        return JSONResponse({"status": "duplicate"})
    action = plan_event(envelope)
    if isinstance(action, Ignore):
        log.info("webhook ignored: %s", action.reason)
        service.events.remember(key, now)
        return JSONResponse({"status": "ignored"})
    if not service.handle(action, desk.name):
        # Not queued (shutting down, or the queue is full): let Zoom deliver it again later.
        return _error(503, "zoomaudit cannot take this event now; retry later")
    service.events.remember(key, now)
    return JSONResponse({"status": "accepted"})
