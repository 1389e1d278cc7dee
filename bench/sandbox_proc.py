"""Starting, querying and stopping the sandbox process (bench/sandbox_server.py) from the harness."""

from __future__ import annotations

import json
import selectors
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

import httpx2

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Account:
    users: int
    meetings: int
    seed: int = 1
    plan: str = "business"
    latency_ms: float = 50.0
    jitter_ms: float = 10.0
    rate_window: str = "sliding"


@dataclass(frozen=True)
class ServedAccount:
    """One account of a sandbox process: what to point an auditor at, and what it holds."""

    spec: Account
    name: str
    env: dict[str, str] = field(repr=False)  # it holds the (fake) client secret
    """ZOOM_API_BASE_URL, ZOOM_OAUTH_TOKEN_URL, ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID, ZOOM_CLIENT_SECRET."""
    users: int
    meetings: int

    @property
    def account_id(self) -> str:
        return self.env["ZOOM_ACCOUNT_ID"]

    @property
    def client_id(self) -> str:
        return self.env["ZOOM_CLIENT_ID"]

    @property
    def client_secret(self) -> str:
        return self.env["ZOOM_CLIENT_SECRET"]

    @property
    def base_url(self) -> str:
        return self.env["ZOOM_API_BASE_URL"]

    @property
    def token_url(self) -> str:
        return self.env["ZOOM_OAUTH_TOKEN_URL"]


class SandboxProcess:
    """``with SandboxProcess(account) as sandbox:`` a served synthetic account in its own process.

    ``SandboxProcess([account, account, ...])`` serves several accounts (``acct01``...) from the
    one process and port, each with its own size, plan, latency and rate budget; ``accounts``
    then lists them and ``stats(account=...)`` counts one of them.
    """

    def __init__(self, account: Account | Sequence[Account], *, start_timeout: float = 120.0) -> None:
        self.several = not isinstance(account, Account)
        self.specs: list[Account] = [account] if isinstance(account, Account) else list(account)
        if not self.specs:
            raise ValueError("a sandbox process serves at least one account")
        self.account = self.specs[0]
        self.start_timeout = start_timeout
        self.proc: subprocess.Popen[bytes] | None = None
        self.info: dict[str, Any] = {}
        self.accounts: list[ServedAccount] = []
        self._stderr: IO[bytes] | None = None
        self._http = httpx2.Client(timeout=30.0)

    @property
    def env(self) -> dict[str, str]:
        env: dict[str, str] = self.info["env"]
        return env

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.info['port']}"

    def __enter__(self) -> Self:
        a = self.account
        command = [
            sys.executable, "-m", "bench.sandbox_server",
            "--users", str(a.users), "--meetings", str(a.meetings), "--seed", str(a.seed),
            "--plan", a.plan, "--latency-ms", str(a.latency_ms), "--latency-jitter-ms", str(a.jitter_ms),
            "--rate-window", a.rate_window,
        ]  # fmt: skip
        if self.several:
            command += ["--accounts-json", json.dumps([asdict(spec) for spec in self.specs])]
        self._stderr = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=self._stderr)
        try:
            self.info = json.loads(self._read_line())
            announced = self.info.get("accounts", [self.info])
            self.accounts = [
                ServedAccount(spec, one.get("name", "default"), one["env"], one["users"], one["meetings"])
                for spec, one in zip(self.specs, announced, strict=True)
            ]
            self._wait_until_answering()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _read_line(self) -> str:
        assert self.proc is not None
        assert self.proc.stdout is not None
        deadline = time.monotonic() + self.start_timeout
        with selectors.DefaultSelector() as sel:
            sel.register(self.proc.stdout, selectors.EVENT_READ)
            while time.monotonic() < deadline:
                if sel.select(timeout=0.5):
                    line = self.proc.stdout.readline().decode()
                    if line:
                        return line
                if self.proc.poll() is not None:
                    break
        raise RuntimeError(f"the sandbox did not start: {self._stderr_text()}")

    def _wait_until_answering(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        while True:
            try:
                self.stats()
                return
            except httpx2.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _stderr_text(self) -> str:
        if self._stderr is None:
            return ""
        self._stderr.seek(0)
        return self._stderr.read().decode(errors="replace")[-2000:]

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._http.close()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc is not None and self.proc.stdout is not None:
            self.proc.stdout.close()
        if self._stderr is not None:
            self._stderr.close()

    # -- reading ---------------------------------------------------------------------------------

    def stats(
        self, since: int = 0, arrivals_from: float = 0.0, account: str | None = None, raw: bool = False
    ) -> dict[str, Any]:
        """The sandbox's own counts of the requests from log entry ``since`` on (arrival-time
        figures from ``arrivals_from``, a ``time.time()``), of one account (an account id) or all;
        with ``raw``, every accepted arrival too (``accepted_raw``: time, category)."""
        params: dict[str, Any] = {"since": since, "arrivals_from": arrivals_from}
        if raw:
            params["raw"] = 1
        if account is not None:
            params["account"] = account
        response = self._http.get(f"{self.root}/_bench/stats", params=params)
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data

    def mark(self) -> int:
        """The request log's length now: pass it to ``stats`` to count what follows."""
        entries: int = self.stats()["entries"]
        return entries

    def round_trips(self, samples: int = 5, env: dict[str, str] | None = None) -> dict[str, float]:
        """Median seconds of a token request and of an account-settings GET, as seen from here
        (of the first account, or of the one whose ``env`` is given)."""
        env = env or self.env
        token_times, api_times = [], []
        token = ""
        for _ in range(samples):
            t0 = time.perf_counter()
            response = self._http.post(
                env["ZOOM_OAUTH_TOKEN_URL"],
                params={"grant_type": "account_credentials", "account_id": env["ZOOM_ACCOUNT_ID"]},
                auth=(env["ZOOM_CLIENT_ID"], env["ZOOM_CLIENT_SECRET"]),
            )
            token_times.append(time.perf_counter() - t0)
            response.raise_for_status()
            token = response.json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        for _ in range(samples):
            t0 = time.perf_counter()
            response = self._http.get(f"{env['ZOOM_API_BASE_URL']}/accounts/me/settings", headers=headers)
            api_times.append(time.perf_counter() - t0)
            response.raise_for_status()
        return {"token_s": statistics.median(token_times), "api_s": statistics.median(api_times)}
