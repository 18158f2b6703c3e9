"""Users: the small API the web shell logs in with; every write audited, stale edits refused."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from chiiki.store import (
    ConcurrentEditError,
    InvalidInputError,
    create_user,
    get_user_by_username,
    list_users,
    make_session_factory,
    update_user,
)
from chiiki.store.audit import audit_entries


def test_create_user_then_find_by_username(session: Session) -> None:
    create_user(
        session,
        username="fukushima",
        password_hash="h",
        role="prefecture",
        prefecture_code="07",
        actor="admin",
    )
    session.commit()
    user = get_user_by_username(session, "fukushima")
    assert user is not None
    assert (user.role, user.prefecture_code, user.is_active, user.version) == ("prefecture", "07", True, 1)
    assert get_user_by_username(session, "nobody") is None


def test_create_user_municipal_fills_prefecture(session: Session) -> None:
    user = create_user(
        session,
        username="koriyama",
        password_hash="h",
        role="municipal",
        municipality_code="07203",
        actor="admin",
    )
    assert user.prefecture_code == "07"


def test_list_users_by_role_and_activity(session: Session) -> None:
    create_user(session, username="b", password_hash="h", role="reviewer", actor="admin")
    create_user(session, username="a", password_hash="h", role="bureau", block_code="tohoku", actor="admin")
    create_user(session, username="c", password_hash="h", role="reviewer", actor="admin", is_active=False)
    assert [u.username for u in list_users(session)] == ["a", "b", "c"]
    assert [u.username for u in list_users(session, role="reviewer", active_only=True)] == ["b"]


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        ("prefecture", {}),
        ("prefecture", {"prefecture_code": "48"}),
        ("bureau", {"block_code": "mars"}),
        ("municipal", {"municipality_code": "99999"}),
        ("superuser", {}),
    ],
)
def test_create_user_refuses_missing_or_bad_scope(session: Session, role: str, scope: dict) -> None:
    with pytest.raises(InvalidInputError):
        create_user(session, username="x", password_hash="h", role=role, actor="admin", **scope)


def test_create_user_refuses_duplicate_username(session: Session) -> None:
    create_user(session, username="dup", password_hash="h", role="reviewer", actor="admin")
    with pytest.raises(InvalidInputError, match="既に使われています"):
        create_user(session, username="dup", password_hash="h", role="reviewer", actor="admin")


def test_user_writes_are_audited_without_password_hash(session: Session) -> None:
    user = create_user(session, username="u", password_hash="secret-hash", role="reviewer", actor="admin")
    update_user(session, user.id, expected_version=1, actor="admin", is_active=False)
    session.commit()
    entries = audit_entries(session, entity="user", entity_id=user.id)
    assert [e.action for e in entries] == ["create", "update"]
    assert entries[1].before["is_active"] is True and entries[1].after["is_active"] is False
    assert all("password_hash" not in (e.after or {}) for e in entries)
    assert entries[1].actor == "admin" and entries[1].at is not None


def test_update_user_with_stale_version_is_refused(session: Session) -> None:
    user = create_user(session, username="u", password_hash="h", role="reviewer", actor="admin")
    update_user(session, user.id, expected_version=1, actor="admin", display_name="一人目")
    with pytest.raises(ConcurrentEditError, match="上書きはしていません"):
        update_user(session, user.id, expected_version=1, actor="admin", display_name="二人目")
    assert user.display_name == "一人目"


def test_update_user_race_between_sessions_is_detected(engine: Engine) -> None:
    factory = make_session_factory(engine)
    with factory() as s:
        uid = create_user(s, username="u", password_hash="h", role="reviewer", actor="admin").id
        s.commit()
    with factory() as first, factory() as second:
        second_copy = get_user_by_username(second, "u")  # both read version 1
        second.commit()
        update_user(first, uid, expected_version=1, actor="x", display_name="A")
        first.commit()
        assert second_copy.version == 1
        with pytest.raises(ConcurrentEditError):
            update_user(second, uid, expected_version=None, actor="y", display_name="B")
        second.rollback()
    with factory() as s:
        assert get_user_by_username(s, "u").display_name == "A"
