"""The baseline: the audit a hand-written script would do, one request at a time with plain httpx2.

Token; account settings; list users; then for each user its settings, its scheduled meetings and
each meeting in turn. It reads less than zoomaudit does (no ``option`` views of the settings, no
groups, no locks, no PMI, no recurring occurrences) and evaluates nothing, so it flatters the
baseline. Pages are the largest Zoom allows (300), again in the baseline's favour.

``python -m bench.naive [--max-users N]`` reads the same ZOOM_* variables as zoomaudit and prints
one JSON line: requests made, users done of users listed, the elapsed time and the time spent
before the first user (the part that does not grow with the account).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any

import httpx2

PAGE_SIZE = 300


class Naive:
    def __init__(self, base_url: str, token_url: str, account_id: str, client_id: str, secret: str) -> None:
        self.http = httpx2.Client(timeout=60.0)
        self.base = base_url.rstrip("/")
        self.requests = 0
        response = self.http.post(
            token_url,
            params={"grant_type": "account_credentials", "account_id": account_id},
            auth=(client_id, secret),
        )
        response.raise_for_status()
        self.requests += 1
        self.http.headers["Authorization"] = "Bearer " + response.json()["access_token"]

    def get(self, path: str, **params: Any) -> Any:
        response = self.http.get(self.base + path, params=params or None)
        self.requests += 1
        response.raise_for_status()
        return response.json()

    def pages(self, path: str, key: str, **params: Any) -> list[Any]:
        items: list[Any] = []
        token = ""
        while True:
            query = {**params, "page_size": PAGE_SIZE}
            if token:
                query["next_page_token"] = token
            data = self.get(path, **query)
            items += data.get(key) or []
            token = data.get("next_page_token") or ""
            if not token:
                return items


def audit(client: Naive, max_users: int | None) -> dict[str, Any]:
    t0 = time.perf_counter()
    client.get("/accounts/me/settings")
    users = client.pages("/users", "users", status="active")
    setup_s = time.perf_counter() - t0
    chosen = users if max_users is None else users[:max_users]
    meetings = 0
    for user in chosen:
        client.get(f"/users/{user['id']}/settings")
        for item in client.pages(f"/users/{user['id']}/meetings", "meetings", type="scheduled"):
            client.get(f"/meetings/{item['id']}")
            meetings += 1
    elapsed = time.perf_counter() - t0
    return {
        "requests": client.requests,
        "users_done": len(chosen),
        "users_total": len(users),
        "meetings_done": meetings,
        "elapsed_s": elapsed,
        "setup_s": setup_s,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="A naive sequential audit (the baseline).")
    parser.add_argument("--max-users", type=int, default=None, help="Stop after this many users.")
    args = parser.parse_args(argv)
    env = os.environ
    client = Naive(
        env["ZOOM_API_BASE_URL"],
        env["ZOOM_OAUTH_TOKEN_URL"],
        env["ZOOM_ACCOUNT_ID"],
        env["ZOOM_CLIENT_ID"],
        env["ZOOM_CLIENT_SECRET"],
    )
    result = audit(client, args.max_users)
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
