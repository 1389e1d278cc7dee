"""Users, groups, members and pagination, exactly as Zoom pages: page_size <= 300, "" at the end."""

from __future__ import annotations

from typing import Any

from .conftest import Api


def _all_pages(api: Api, path: str, key: str, **params: Any) -> tuple[list[Any], list[dict[str, Any]]]:
    items: list[Any] = []
    pages = []
    token = ""
    while True:
        query = dict(params)
        if token:
            query["next_page_token"] = token
        body = api.get(path, **query).json()
        pages.append(body)
        items += body[key]
        token = body["next_page_token"]
        if token == "":
            return items, pages


def test_users_page_through_with_next_page_token(api: Api) -> None:
    users, pages = _all_pages(api, "/users", "users", page_size=5)
    assert len(pages) == 3
    assert [len(p["users"]) for p in pages] == [5, 5, 3]
    assert all(p["total_records"] == 13 and p["page_size"] == 5 and p["page_count"] == 3 for p in pages)
    assert len({u["id"] for u in users}) == 13
    assert all(u["status"] == "active" for u in users)


def test_page_size_defaults_to_30_and_is_capped_at_300(api: Api) -> None:
    assert api.get("/users").json()["page_size"] == 30
    assert api.get("/users", page_size=1000).json()["page_size"] == 300
    assert api.get("/users", page_size="ten").json()["code"] == 300


def test_a_page_token_belongs_to_its_listing(api: Api) -> None:
    token = api.get("/users", page_size=2).json()["next_page_token"]
    assert token
    group = next(iter(api.state.groups))
    response = api.get(f"/groups/{group}/members", next_page_token=token)
    assert (response.status_code, response.json()["code"]) == (400, 300)
    assert api.get("/users", next_page_token="forged").status_code == 400


def test_status_filter(api: Api) -> None:
    inactive = api.get("/users", status="inactive").json()["users"]
    assert [u["first_name"] for u in inactive] == ["Sam"]
    assert api.get("/users", status="pending").json()["users"] == []
    assert api.get("/users", status="gone").status_code == 400


def test_a_user_by_id_or_email(api: Api) -> None:
    jade = api.user("Jade")
    by_id = api.get(f"/users/{jade.id}").json()
    by_email = api.get(f"/users/{jade.email.upper()}").json()
    assert by_id == by_email
    assert by_id["pmi"] == jade.pmi
    assert by_id["group_ids"] == jade.group_ids
    missing = api.get("/users/nobody@example.org")
    assert missing.status_code == 404
    assert missing.json() == {"code": 1001, "message": "User does not exist: nobody@example.org."}


def test_groups_and_paginated_members(api: Api) -> None:
    body = api.get("/groups").json()
    names = {g["name"]: g for g in body["groups"]}
    assert set(names) == {"Youth workers", "Counsellors", "Volunteers", "Admins"}
    assert body["total_records"] == 4
    volunteers = names["Volunteers"]
    members, pages = _all_pages(api, f"/groups/{volunteers['id']}/members", "members", page_size=2)
    assert len(members) == volunteers["total_members"] == len(api.state.group_members(volunteers["id"]))
    assert len(pages) > 1
    assert "Leah" in {m["first_name"] for m in members}  # also a counsellor
    unknown = api.get("/groups/nope/members")
    assert unknown.status_code == 404
    assert unknown.json()["code"] == 4130


def test_account_id_is_me_or_the_real_id(api: Api) -> None:
    me = api.get("/accounts/me/settings").json()
    real = api.get(f"/accounts/{api.state.account_id}/settings").json()
    assert me == real
    other = api.get("/accounts/someone-else/settings")
    assert other.status_code == 404
    assert other.json()["code"] == 2001
