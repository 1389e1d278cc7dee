"""The sandbox in a process of its own, with a read-only counter route for the benchmark.

``python -m bench.sandbox_server --users 500 --meetings 5000 --latency-ms 50`` serves a synthetic
account on a free loopback port and prints one JSON line on stdout when it answers: the port,
the environment that points zoomaudit at it, and a sample meeting id.

``--latency-jitter-ms`` (default 10) spreads the added latency; ``--rate-window`` (default
``sliding``) chooses how the sandbox counts its per-second limits.

``--accounts-json '[{"users": 25, "meetings": 250, "plan": "business", "latency_ms": 50,
"jitter_ms": 10}, ...]'`` serves several synthetic accounts instead (``acct01``..., each with its
own data, options and rate budget; ``seed`` and ``rate_window`` may be given per account too); the
JSON line then lists them under ``accounts``. ``/_bench/stats?account=<account id>`` answers for
one account: its requests, its 429s, its busiest one-second spans and its plan's limits.

``GET /_bench/stats?since=N`` answers what the sandbox's own request log holds from entry ``N``
on (requests per category and status, 429s, first and last request time) and the sandbox's CPU
time. It is the ground truth for request counts: it sees every request, including the ones a
client would not count (retries, token requests). The route lives in the benchmark, wrapped
around the sandbox app, so the sandbox itself is unchanged.
"""

from __future__ import annotations

import argparse
import base64
import json
import socket
import sys
import time
from collections import Counter
from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qsl

STATS_PATH = "/_bench/stats"


def summarise(entries: list[Any], since: int, account: str | None = None) -> dict[str, Any]:
    """Counts over request-log entries ``since`` onwards (``LoggedRequest``-like objects), of
    every account or of ``account`` (an account id) alone."""
    chosen = entries[since:]
    if account is not None:
        chosen = [e for e in chosen if getattr(e, "account", None) == account]
    by_category: Counter[str] = Counter()
    limited: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    by_route: Counter[str] = Counter()
    for e in chosen:
        category = e.category or ("token" if e.path == "/oauth/token" else "other")
        statuses[str(e.status)] += 1
        if e.status == 429:
            limited[category] += 1
            continue
        by_category[category] += 1
        by_route[f"{e.method} {_route(e.path)}"] += 1
    return {
        "max_in_one_second": _busiest_second(chosen),
        "rate_limit_episodes": _episodes([e.time for e in chosen if e.status == 429]),
        "entries": len(entries),
        "since": since,
        "requests": dict(by_category),
        "rate_limited": dict(limited),
        "statuses": dict(statuses),
        "routes": dict(by_route),
        "first": chosen[0].time if chosen else None,
        "last": chosen[-1].time if chosen else None,
    }


def _busiest_second(entries: list[Any]) -> dict[str, int]:
    """Per category, the most requests (answered or refused) the sandbox saw in any one-second span."""
    times: dict[str, list[float]] = {}
    for e in entries:
        if e.category:
            times.setdefault(e.category, []).append(e.time)
    out = {}
    for category, stamps in times.items():
        stamps.sort()
        best, lo = 0, 0
        for hi, t in enumerate(stamps):
            while t - stamps[lo] >= 1.0:
                lo += 1
            best = max(best, hi - lo + 1)
        out[category] = best
    return out


def _episodes(stamps: list[float], gap: float = 0.5) -> int:
    """429s close together are one episode: the client pauses once for all of them."""
    stamps = sorted(stamps)
    return sum(1 for i, t in enumerate(stamps) if i == 0 or t - stamps[i - 1] > gap)


def _route(path: str) -> str:
    """``/v2/meetings/123`` -> ``/meetings/{id}``: ids folded so that routes can be counted."""
    if not path.startswith("/v2/"):
        return path
    parts = path.removeprefix("/v2").strip("/").split("/")
    return "/" + "/".join("{id}" if i % 2 == 1 else p for i, p in enumerate(parts))


def arrival_category(method: str, path: str) -> str | None:
    """The rate-limit category of an API request, from its route (the GETs zoomaudit makes)."""
    if not path.startswith("/v2/"):
        return None
    parts = path[4:].strip("/").split("/")
    single = len(parts) == 2 and parts[0] in ("meetings", "users")  # Get a meeting / Get a user
    return "light" if single or (method == "PATCH" and parts[0] == "meetings") else "medium"


class StatsRoute:
    """ASGI wrapper: ``/_bench/stats`` answered here, everything else by the sandbox.

    It also notes when each API request *arrived*: the sandbox logs (and rate-limits) a request
    when it answers, after its added latency, so a sandbox busy elsewhere can bunch requests that
    arrived evenly. Comparing the two tells a client's burst from the sandbox's own.
    """

    def __init__(self, app: Any, log: Any) -> None:
        from zoomaudit.sandbox.app import runtimes

        self.app = app
        self.log = log
        self.runtimes = runtimes(app)
        self.arrivals: list[tuple[float, str, str | None]] = []
        """(time, category, account id) of every API request as it reached the app; the account
        is its token's (None for a token the sandbox never issued)."""
        self.received: list[tuple[float, str | None]] = []
        """When every request but the benchmark's own reached the app (token requests too), and
        for which account (the token's or, for a token request, the client id's, if known)."""
        self.accepted: list[tuple[float, str]] = []
        """(arrival, category) of every request the rate limit accepted, at the time it judged:
        the first account's limiter appends here (``main`` wires it), the others' to theirs."""
        self.accepted_by_account: dict[str, list[tuple[float, str]]] = {}

    def _account(self, scope: Any) -> str | None:
        """The account a request is for: its bearer token's (the sandbox's own token table), or
        for a token request its client id's."""
        for name, value in scope.get("headers", ()):
            if name != b"authorization":
                continue
            scheme, _, credential = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer":
                issued = self.runtimes[0].tokens.get(credential.strip())
                return issued.account_id if issued is not None else None
            if scheme.lower() == "basic":
                try:
                    client_id = base64.b64decode(credential.strip()).decode().partition(":")[0]
                except (ValueError, UnicodeDecodeError):
                    return None
                return next(
                    (rt.state.account_id for rt in self.runtimes if rt.state.client_id == client_id), None
                )
        return None

    def _accepted(self, account: str | None) -> list[tuple[float, str]]:
        if account is None:
            if not self.accepted_by_account:
                return self.accepted
            return sorted(t for records in self.accepted_by_account.values() for t in records)
        return self.accepted_by_account.get(account, [])

    async def __call__(self, scope: Any, receive: Any, send: Any) -> Any:
        if scope["type"] == "http" and scope["path"] != STATS_PATH:
            account = self._account(scope)
            self.received.append((time.time(), account))
            category = arrival_category(scope.get("method", ""), scope["path"])
            if category:
                self.arrivals.append((time.time(), category, account))
        if scope["type"] == "http" and scope["path"] == STATS_PATH:
            query = dict(parse_qsl(scope.get("query_string", b"").decode()))
            account = query.get("account") or None
            body = summarise(self.log.entries, int(query.get("since", "0") or 0), account)
            start = float(query.get("arrivals_from", "0") or 0)
            arrived = [
                SimpleNamespace(category=c, time=t)
                for t, c, a in self.arrivals
                if t >= start and (account is None or a == account)
            ]
            body["max_in_one_second_at_arrival"] = _busiest_second(arrived)
            accepted = [SimpleNamespace(category=c, time=t) for t, c in self._accepted(account) if t >= start]
            body["max_in_one_second_accepted"] = _busiest_second(accepted)
            if query.get("raw"):  # for a closer look at one run's pacing: every accepted arrival
                body["accepted_raw"] = [(a.time, a.category) for a in accepted]
                since = int(query.get("since", "0") or 0)
                body["first_answers"] = [  # how a run starts: its first answers, in order
                    (e.time, e.method, e.path, e.status, e.category)
                    for e in self.log.entries[since : since + 80]
                ]
            body["first_received"] = next(
                (t for t, a in self.received if t >= start and (account is None or a == account)), None
            )
            if account is not None:
                body["account"] = account
                body["limits"] = next(
                    (rt.qps().limits for rt in self.runtimes if rt.state.account_id == account), None
                )
            body["cpu_seconds"] = time.process_time()
            data = json.dumps(body).encode()
            headers = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": data})
            return None
        return await self.app(scope, receive, send)


def freeze_heap() -> None:
    """Keep the account's state out of the collector's full passes. Built once, it is most of
    the heap; a full pass over it paused the server for ~50 ms, and requests that arrived in
    the pause were then counted together, as if the client had sent them in a burst."""
    import gc

    gc.collect()
    gc.freeze()


def _options(spec: dict[str, Any]) -> Any:
    """One account's sandbox options from its spec (the command line's values where it says none)."""
    from zoomaudit.sandbox import SandboxOptions

    return SandboxOptions(
        plan=spec["plan"],
        seed=spec["seed"],
        latency_ms=spec["latency_ms"],
        latency_jitter_ms=spec.get("jitter_ms", spec["latency_jitter_ms"]),
        rate_window=spec["rate_window"],
    )


def _announced(root: str, state: Any) -> dict[str, Any]:
    """What the harness learns of one account: its name, its variables, its size."""
    scheduled = [m for m in state.meetings.values() if m["type"] in (2, 3, 8)]
    return {
        "name": state.name,
        "env": {
            "ZOOM_API_BASE_URL": f"{root}/v2",
            "ZOOM_OAUTH_TOKEN_URL": f"{root}/oauth/token",
            "ZOOM_ACCOUNT_ID": state.account_id,
            "ZOOM_CLIENT_ID": state.client_id,
            # The fixed, fake credential of a local simulator, handed to the harness on a pipe.
            "ZOOM_CLIENT_SECRET": state.client_secret,
        },
        "users": len(state.users),
        "meetings": len(scheduled),
        "sample_meeting_id": scheduled[0]["id"] if scheduled else None,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--meetings", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--plan", default="business", choices=("pro", "business", "enterprise"))
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--latency-jitter-ms", type=float, default=10.0)
    parser.add_argument("--rate-window", default="sliding", choices=("sliding", "fixed"))
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--accounts-json", default=None, help="Serve several accounts (see above).")
    args = parser.parse_args(argv)

    import uvicorn

    from zoomaudit.sandbox import SandboxAccount, create_app, runtime, synthetic_state
    from zoomaudit.sandbox.app import runtimes

    if args.accounts_json is None:
        state = synthetic_state(users=args.users, meetings=args.meetings, seed=args.seed)
        state.plan = args.plan
        app = create_app(state, _options(vars(args)))
    else:
        accounts = []
        for index, spec in enumerate(json.loads(args.accounts_json), 1):
            spec = {**vars(args), **spec}
            state = synthetic_state(
                users=spec["users"], meetings=spec["meetings"], seed=spec["seed"], account=index
            )
            state.plan = spec["plan"]
            accounts.append(SandboxAccount(state, _options(spec)))
        app = create_app(accounts)
    stats = StatsRoute(app, runtime(app).log)
    runtime(app).qps().record = stats.accepted
    if args.accounts_json is not None:
        for rt in runtimes(app):
            rt.qps().record = stats.accepted_by_account.setdefault(rt.state.account_id, [])
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on accepted sockets whose proto says TCP.
    # With proto 0 every answer (headers, then body: two writes) waits ~40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    sock.listen(2048)
    port = sock.getsockname()[1]
    root = f"http://127.0.0.1:{port}"
    served = [_announced(root, rt.state) for rt in runtimes(app)]
    ready = {"port": port, **served[0]}
    if args.accounts_json is not None:
        ready["accounts"] = served
    config = uvicorn.Config(
        stats,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_keep_alive=30,
        backlog=2048,
    )
    server = uvicorn.Server(config)
    freeze_heap()
    # Announce only once the socket listens: connections queue in the backlog until serving starts.
    sys.stdout.write(json.dumps(ready) + "\n")
    sys.stdout.flush()
    server.run(sockets=[sock])


if __name__ == "__main__":
    main()
