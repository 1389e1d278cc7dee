"""The benchmark's helpers: the bound, extrapolation, request counting, process measurement, docs.

No timing is asserted here: `make bench` reports figures, tests check behaviour.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from types import SimpleNamespace

import httpx2
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bound import extrapolate, lower_bound, ratio, sequential_start  # noqa: E402
from bench.measure import run_process  # noqa: E402
from bench.report import BEGIN, END, markdown, update_doc  # noqa: E402
from bench.sandbox_server import StatsRoute, arrival_category, summarise  # noqa: E402

BUSINESS = {"light": 80.0, "medium": 60.0, "heavy": 40.0}


def test_the_bound_is_the_slowest_category_plus_the_start() -> None:
    bound = lower_bound({"light": 8000, "medium": 1200, "token": 1}, BUSINESS, 1.0, start_s=0.2)
    assert bound.limiting == "light"
    assert bound.per_category_s == {"light": 100.0, "medium": 20.0}
    assert bound.total_s == pytest.approx(100.2)
    assert ratio(110.22, bound) == pytest.approx(1.1)


def test_a_smaller_share_stretches_the_bound_and_can_change_the_limiting_category() -> None:
    half = lower_bound({"light": 800, "medium": 1200}, BUSINESS, 0.5, start_s=0.0)
    assert half.per_category_s == {"light": 20.0, "medium": 40.0}
    assert half.limiting == "medium"


def test_unrated_categories_and_empty_counts_give_a_zero_bound() -> None:
    bound = lower_bound({"token": 3, "other": 2, "light": 0}, BUSINESS, 1.0, start_s=0.0)
    assert bound.limiting is None
    assert bound.total_s == 0.0
    with pytest.raises(ValueError, match="nothing was requested"):
        ratio(1.0, bound)


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="share"):
        lower_bound({"light": 1}, BUSINESS, 0.0, start_s=0.0)
    with pytest.raises(ValueError, match="no rate limit"):
        lower_bound({"light": 1}, {"medium": 1.0}, 1.0, start_s=0.0)


def test_sequential_start_adds_the_token_and_the_account_round_trips() -> None:
    assert sequential_start(0.01, 0.06) == pytest.approx(0.07)


def test_extrapolation_scales_the_per_unit_part_only() -> None:
    assert extrapolate(elapsed_s=12.0, setup_s=2.0, done=10, total=50) == pytest.approx(52.0)
    assert extrapolate(elapsed_s=12.0, setup_s=2.0, done=50, total=50) == 12.0
    with pytest.raises(ValueError, match="nothing was done"):
        extrapolate(1.0, 0.0, 0, 10)


def _entry(
    path: str, status: int = 200, category: str | None = "light", method: str = "GET"
) -> SimpleNamespace:
    return SimpleNamespace(method=method, path=path, status=status, category=category, time=float(len(path)))


def test_summarise_counts_answered_requests_and_429s_apart() -> None:
    entries = [
        _entry("/oauth/token", category=None, method="POST"),
        _entry("/v2/users", category="medium"),
        _entry("/v2/meetings/1"),
        _entry("/v2/meetings/2", status=429),
        _entry("/v2/meetings/2"),
    ]
    stats = summarise(entries, since=1)
    assert stats["requests"] == {"medium": 1, "light": 2}
    assert stats["rate_limited"] == {"light": 1}
    assert stats["statuses"] == {"200": 3, "429": 1}
    assert stats["routes"] == {"GET /users": 1, "GET /meetings/{id}": 2}
    assert stats["entries"] == 5
    assert summarise(entries, since=0)["requests"]["token"] == 1
    assert summarise(entries, since=5)["first"] is None


def test_summarise_finds_the_busiest_second_and_groups_429s_into_episodes() -> None:
    def at(t: float, status: int = 200) -> SimpleNamespace:
        return SimpleNamespace(method="GET", path="/v2/meetings/1", status=status, category="light", time=t)

    entries = [at(0.0), at(0.5), at(0.9), at(1.2), at(1.3, 429), at(1.35, 429), at(5.0, 429)]
    stats = summarise(entries, since=0)
    assert stats["max_in_one_second"] == {"light": 5}  # 0.5, 0.9, 1.2, 1.3 and 1.35 lie within 1 s
    assert stats["rate_limit_episodes"] == 2


def test_the_stats_route_reads_the_sandbox_log_and_leaves_other_routes_to_the_sandbox() -> None:
    from zoomaudit.sandbox import create_app, runtime, synthetic_state

    state = synthetic_state(users=2, meetings=3, seed=7)
    app = create_app(state)

    async def go() -> tuple[int, dict[str, object]]:
        transport = httpx2.ASGITransport(app=StatsRoute(app, runtime(app).log))
        async with httpx2.AsyncClient(transport=transport, base_url="http://sandbox") as client:
            denied = await client.get("/v2/users")  # no token: the sandbox answers 401 and logs it
            stats = await client.get("/_bench/stats", params={"since": 0})
            return denied.status_code, stats.json()

    status, stats = asyncio.run(go())
    assert status == 401
    assert stats["max_in_one_second_at_arrival"] == {"medium": 1}
    assert isinstance(stats["first_received"], float)
    assert stats["max_in_one_second_accepted"] == {}  # refused before the rate limit: not counted
    assert stats["entries"] == 1
    assert stats["statuses"] == {"401": 1}
    assert isinstance(stats["cpu_seconds"], float)


def test_run_process_reports_exit_code_and_the_childs_own_peak_rss(tmp_path: Path) -> None:
    code = (
        "import sys, time; block = bytearray(64 * 2**20); block[::4096] = b'x' * len(block[::4096]); "
        "time.sleep(1); sys.exit(3)"  # held long enough for the sampler to read the mark
    )
    run = run_process([sys.executable, "-c", code], cwd=str(tmp_path))
    assert run.returncode == 3
    assert run.peak_rss_mb >= 64
    assert run.cpu_s >= 0
    assert run.wall_s > 0


def test_run_process_does_not_count_the_parents_memory_as_the_childs(tmp_path: Path) -> None:
    # Linux starts a child's ru_maxrss at its parent's high-water mark: a parent that holds
    # 400 MB would make any child it spawns report 400 MB.
    held = bytearray(400 * 2**20)
    held[::4096] = b"x" * len(held[::4096])
    code = "import time; time.sleep(0.5)"
    run = run_process([sys.executable, "-c", code], cwd=str(tmp_path))
    assert run.peak_rss_mb < 100
    del held


def test_run_process_captures_output(tmp_path: Path) -> None:
    run = run_process([sys.executable, "-c", "print('hello'); import sys; print('oops', file=sys.stderr)"])
    assert run.returncode == 0
    assert run.stdout.strip() == "hello"
    assert "oops" in run.stderr_tail


def _results() -> dict[str, object]:
    audit = {
        "share": 1.0,
        "account": {"users": 5, "meetings": 50},
        "wall_s": 2.2,
        "peak_rss_mb": 90.0,
        "rate_limited": 0,
        "ratio": 1.1,
        "rate_window": "sliding",
        "jitter_ms": 10.0,
        "first_request_s": 0.25,
        "busiest_span_accepted": {"light": 80, "medium": 20},
        "requests": {"light": 160, "medium": 20, "token": 1},
        "bound": {
            "rates": BUSINESS,
            "share": 1.0,
            "per_category_s": {"light": 2.0, "medium": 0.33},
            "start_s": 0.0,
            "total_s": 2.0,
        },
    }
    return {
        "command": "python bench/run.py --quick",
        "finished_at": "2026-11-21T08:00:00+00:00",
        "machine": {
            "cpu": "Test CPU",
            "logical_cores": 2,
            "memory_gb": 4.0,
            "python": "3.11.7",
            "implementation": "CPython",
            "platform": "Linux",
        },
        "audit_share_1": audit,
        "help": {"runs_s": [0.3, 0.4, 0.6], "median_s": 0.4},
    }


def test_markdown_shows_each_figure_against_its_target() -> None:
    text = markdown(_results())
    assert "share 1.0 (50 meetings), sliding window, +- 10 ms | ratio <= 1.05 and 0 x 429 |" in text
    assert "**1.100** (0 x 429); busiest 1-s span light 80/80, medium 20/60 | **no** |" in text
    assert "| < 0.3 s | 0.25 s (the whole-account audits above, in order) | yes |" in text
    assert "| peak RSS, 50 meetings | < 150 MB | 90 MB" in text
    assert "| `zoomaudit --help` | < 0.5 s | median 0.40 s of 3 | yes |" in text
    assert "| light | 160 | 80 | 80 | 2.0 s |" in text


def test_update_doc_replaces_only_the_generated_block(tmp_path: Path) -> None:
    doc = tmp_path / "performance.md"
    doc.write_text(f"# Performance\n\nintro\n\n{BEGIN}\nold table\n{END}\n\nafterword\n", encoding="utf-8")
    update_doc(doc, _results())
    text = doc.read_text(encoding="utf-8")
    assert "old table" not in text
    assert text.startswith("# Performance\n\nintro\n\n" + BEGIN)
    assert text.endswith(END + "\n\nafterword\n")
    assert "Test CPU" in text


def test_update_doc_refuses_a_file_without_the_markers(tmp_path: Path) -> None:
    doc = tmp_path / "performance.md"
    doc.write_text("# Performance\n", encoding="utf-8")
    with pytest.raises(ValueError, match="block"):
        update_doc(doc, _results())


def test_arrival_category_follows_zooms_labels_for_the_audit_routes() -> None:
    assert arrival_category("GET", "/v2/meetings/123") == "light"
    assert arrival_category("GET", "/v2/users/u1") == "light"
    assert arrival_category("PATCH", "/v2/meetings/123") == "light"
    assert arrival_category("GET", "/v2/users/u1/settings") == "medium"
    assert arrival_category("GET", "/v2/users") == "medium"
    assert arrival_category("GET", "/v2/accounts/me/lock_settings") == "medium"
    assert arrival_category("POST", "/oauth/token") is None


def test_the_stats_route_answers_per_account_with_its_budget() -> None:
    from zoomaudit.sandbox import SandboxOptions, create_app, runtimes, synthetic_accounts

    a, b = synthetic_accounts(2, users=2, meetings=3, seed=7)
    app = create_app([a, b], SandboxOptions(plan="pro"))
    route = StatsRoute(app, runtimes(app)[0].log)
    for rt in runtimes(app):
        rt.qps().record = route.accepted_by_account.setdefault(rt.state.account_id, [])

    async def go() -> dict[str, dict[str, object]]:
        transport = httpx2.ASGITransport(app=route)
        async with httpx2.AsyncClient(transport=transport, base_url="http://sandbox") as client:
            for state, calls in ((a, 3), (b, 1)):
                token = await client.post(
                    "/oauth/token",
                    data={"grant_type": "account_credentials", "account_id": state.account_id},
                    auth=(state.client_id, state.client_secret),
                )
                headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
                for _ in range(calls):
                    assert (await client.get("/v2/users", headers=headers)).status_code == 200
            out = {}
            for key in (a.account_id, b.account_id, ""):
                out[key] = (await client.get("/_bench/stats", params={"account": key})).json()
            return out

    stats = asyncio.run(go())
    assert stats[a.account_id]["requests"] == {"token": 1, "medium": 3}
    assert stats[b.account_id]["requests"] == {"token": 1, "medium": 1}
    assert stats[a.account_id]["max_in_one_second_accepted"] == {"medium": 3}
    assert stats[b.account_id]["max_in_one_second_at_arrival"] == {"medium": 1}
    assert stats[b.account_id]["limits"] == {"light": 30, "medium": 20, "heavy": 10}
    assert isinstance(stats[b.account_id]["first_received"], float)
    assert stats[""]["requests"] == {"token": 2, "medium": 4}  # no account: every account's
    assert stats[""]["max_in_one_second_accepted"] == {"medium": 4}


def test_a_sandbox_process_serves_several_accounts_each_with_its_own_credentials() -> None:
    from bench.sandbox_proc import Account, SandboxProcess

    specs = [Account(2, 3, latency_ms=0, jitter_ms=0), Account(3, 4, plan="pro", latency_ms=0, jitter_ms=0)]
    with SandboxProcess(specs) as sandbox:
        first, second = sandbox.accounts
        assert (first.name, second.name) == ("acct01", "acct02")
        assert (first.users, second.users) == (2, 3)
        assert first.account_id != second.account_id
        assert first.base_url == second.base_url  # one server, as Zoom's
        assert sandbox.env == first.env
        mark = sandbox.mark()
        sandbox.round_trips(samples=1, env=second.env)
        seen = sandbox.stats(mark, account=second.account_id)
        assert seen["requests"] == {"token": 1, "medium": 1}  # GET /accounts/me/settings
        assert seen["limits"] == {"light": 30, "medium": 20, "heavy": 10}
        assert sandbox.stats(mark, account=first.account_id)["requests"] == {}


def test_the_benchs_accounts_file_loads_and_holds_no_secret(tmp_path: Path) -> None:
    """``zoomaudit audit --all-accounts`` in the bench reads an accounts file that names its
    credentials' variables; the file itself must pass zoomaudit's own validation."""
    from bench.accounts import accounts_file
    from bench.sandbox_proc import Account as Spec
    from bench.sandbox_proc import ServedAccount

    from zoomaudit.account_settings import account_settings
    from zoomaudit.accounts import load_accounts_file
    from zoomaudit.settings import Settings

    served = [
        ServedAccount(
            spec=Spec(2, 3),
            name=f"acct0{i}",
            env={
                "ZOOM_API_BASE_URL": "http://127.0.0.1:9/v2",
                "ZOOM_OAUTH_TOKEN_URL": "http://127.0.0.1:9/oauth/token",
                "ZOOM_ACCOUNT_ID": f"Acct{i}",
                "ZOOM_CLIENT_ID": f"client{i}",
                "ZOOM_CLIENT_SECRET": f"very-secret-{i}",
            },
            users=2,
            meetings=3,
        )
        for i in (1, 2)
    ]
    path, env = accounts_file(served, tmp_path, 0.5)
    assert "very-secret" not in path.read_text()
    accounts = load_accounts_file(path)
    assert [a.name for a in accounts] == ["acct01", "acct02"]
    second = account_settings(accounts[1], Settings(), environ=env)
    assert second.zoom_account_id == "Acct2"
    assert second.zoom_client_secret.get_secret_value() == "very-secret-2"
    assert second.rate_share == 0.5
