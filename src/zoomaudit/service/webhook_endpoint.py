"""``POST /webhooks/zoom``: verify (``webhooks.verify``), answer at once, hand the action to the service.

The verification rules and the event -> action planning are in ``webhooks.py``; this module is the
HTTP side, which needs the running ``Service`` (``context.py``) that itself uses those rules.
"""

from __future__ import annotations

import json
import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from zoomaudit.service.context import Service
from zoomaudit.service.webhooks import (
    MAX_BODY_BYTES,
    URL_VALIDATION,
    Ignore,
    WebhookRejected,
    event_key,
    plan_event,
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
    secret = service.settings.zoom_webhook_secret_token.get_secret_value()
    if not secret:
        return _error(503, "webhooks are off: ZOOM_WEBHOOK_SECRET_TOKEN is not set")
    if not service.accepting:
        return _error(503, "zoomaudit is shutting down")
    now = service.clock()

    def known(signature: str) -> bool:
        return service.failed.seen(signature, now) or service.signatures.seen(signature, now)

    try:
        body = await _read_body(request, MAX_BODY_BYTES)
        signature = verify(secret, request.headers, body, now=now, known=known)
        if service.signatures.seen(signature, now):
            raise WebhookRejected("replayed request", status=409)
    except WebhookRejected as exc:
        log.warning("webhook refused: %s", exc.reason)
        return _error(exc.status, exc.reason)
    try:
        response = _answer(service, secret, body, now)
    except Exception:
        log.exception("webhook could not be handled; Zoom's retry of it will be taken")
        response = _error(500, "zoomaudit could not handle this event; retry later")
    if response.status_code >= 500:
        service.failed.remember(signature, now)
    else:
        service.failed.forget(signature)
        service.signatures.remember(signature, now)
    return response


def _answer(service: Service, secret: str, body: bytes, now: float) -> Response:
    """The answer to one verified request; its event is remembered only once handled."""
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
    if not service.handle(action):
        # Not queued (shutting down, or the queue is full): let Zoom deliver it again later.
        return _error(503, "zoomaudit cannot take this event now; retry later")
    service.events.remember(key, now)
    return JSONResponse({"status": "accepted"})
