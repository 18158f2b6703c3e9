"""Newer data behind a plan's baselines (issue #11 §3): the plan keeps its pinned version; the page
says newer data exist, shows old and new baselines side by side, and changes them only on request."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import select
from web_helpers import csrf_of, logged_in

from chiiki.data.years import load_dataset
from chiiki.server.testing import import_synthetic, seeded_app
from chiiki.services.login import principal_of
from chiiki.store import create_engine_from_settings, parts, session_scope
from chiiki.store import plans as plan_service
from chiiki.store.audit import audit_entries
from chiiki.store.models import DatasetVersion, Kpi
from chiiki.store.settings import StoreSettings
from chiiki.store.users import get_user_by_username


@pytest.fixture
def world(tmp_path):
    seeded = seeded_app(tmp_path, n_firms=800)
    engine = create_engine_from_settings(StoreSettings(data_dir=tmp_path))
    with session_scope(engine) as s:
        v1 = s.scalars(select(DatasetVersion)).one()
        ds = load_dataset(Path(v1.path), company_years=[2024], link_years=[2024])
        firms = (
            ds.companies.filter(pl.col("prefecture_code") == "07")
            .sort("sales", descending=True)
            .head(4)
            .select("company_id", pl.col("sales").cast(pl.Float64).alias("score"))
            .with_columns(selected=pl.lit(True), reasons=pl.lit(["売上上位"]))
        )
        actor = principal_of(get_user_by_username(s, "fukushima"))
        plan = plan_service.create_plan(
            s, actor=actor, plan_type="B", title="基準値の更新を試す計画", period_start=2026, period_end=2030,
            prefecture_code="07", focus_fields=[1],
        )  # fmt: skip
        parts.set_priority_firms(s, plan.id, firms, actor=actor, score_run="test", dataset_id=v1.id)
        parts.set_kpis_from_data(s, plan.id, ds, actor=actor, fiscal_year=2024, dataset_id=v1.id)
        plan_id, v1_id = plan.id, v1.id
    yield seeded, engine, plan_id, v1_id
    engine.dispose()


def _kpis(engine, plan_id):
    with session_scope(engine) as s:
        return {
            k.code: (k.baseline, k.baseline_year, k.dataset_id, sorted((v.fiscal_year, v.value) for v in k.values if v.kind == "target"))
            for k in s.scalars(select(Kpi).where(Kpi.plan_id == plan_id))
        }  # fmt: skip


def test_a_plan_offers_newer_data_and_refreshes_only_when_asked(world):
    seeded, engine, plan_id, v1_id = world
    planner = logged_in(seeded.app, "fukushima")
    page = planner.get(f"/plans/{plan_id}").text
    assert 'id="newer-data"' not in page  # nothing newer yet
    before = _kpis(engine, plan_id)
    assert {b[2] for b in before.values()} == {v1_id}

    import_synthetic(seeded.data_dir, n_firms=800, years=(2024, 2025), seed=11)  # a newer national version
    with session_scope(engine) as s:
        v2_id = max(s.scalars(select(DatasetVersion.id)))
    page = planner.get(f"/plans/{plan_id}").text
    assert 'id="newer-data"' in page and f"/plans/{plan_id}/baselines?dataset={v2_id}" in page

    compare = planner.get(f"/plans/{plan_id}/baselines?dataset={v2_id}")
    assert compare.status_code == 200
    assert (
        'id="baseline-comparison"' in compare.text
        and "2025年度" in compare.text
        and "2024年度" in compare.text
    )
    assert _kpis(engine, plan_id) == before  # comparing changes nothing
    rows = re.findall(r'<tr data-code="([a-z_]+)">', compare.text)
    assert set(rows) == set(before)

    r = planner.post(
        f"/plans/{plan_id}/baselines", data={"csrf_token": csrf_of(compare.text), "dataset": str(v2_id)}
    )
    assert r.status_code == 200 and "基準値を" in r.text and "更新しました" in r.text
    after = _kpis(engine, plan_id)
    for code, (_, year, dataset_id, targets) in after.items():
        assert (year, dataset_id) == (2025, v2_id)
        assert targets == before[code][3]  # targets kept
    assert after["sales"][0] != before["sales"][0]  # re-based on the other economy's figures
    assert 'id="newer-data"' not in planner.get(f"/plans/{plan_id}").text
    with session_scope(engine) as s:
        updates = [e for e in audit_entries(s, entity="kpi") if e.action == "set_kpi"]
        assert len(updates) == len(after) and {e.actor for e in updates} == {"fukushima"}
        assert all(e.before["dataset_id"] == v1_id and e.after["dataset_id"] == v2_id for e in updates)


def test_only_editors_see_the_offer_and_a_stale_version_is_refused(world):
    seeded, engine, plan_id, v1_id = world
    import_synthetic(seeded.data_dir, n_firms=800, years=(2024, 2025), seed=11)
    with session_scope(engine) as s:
        v2_id = max(s.scalars(select(DatasetVersion.id)))
    reviewer = logged_in(seeded.app, "reviewer")
    assert 'id="newer-data"' not in reviewer.get(f"/plans/{plan_id}").text
    page = reviewer.get(f"/plans/{plan_id}/baselines?dataset={v2_id}")
    assert "新しいデータはありません" in page.text
    planner = logged_in(seeded.app, "fukushima")
    page = planner.get(f"/plans/{plan_id}").text
    r = planner.post(f"/plans/{plan_id}/baselines", data={"csrf_token": csrf_of(page), "dataset": str(v1_id)})
    assert "新しいデータはありません" in r.text
    assert {b[2] for b in _kpis(engine, plan_id).values()} == {v1_id}


def test_the_api_compares_and_refreshes_the_same_way(world):
    from fastapi.testclient import TestClient

    seeded, engine, plan_id, v1_id = world
    import_synthetic(seeded.data_dir, n_firms=800, years=(2024, 2025), seed=11)
    with session_scope(engine) as s:
        v2_id = max(s.scalars(select(DatasetVersion.id)))
    api = TestClient(seeded.app)
    token = api.post(
        "/api/v1/auth/token", json={"username": "fukushima", "password": seeded.passwords["fukushima"]}
    )
    auth = {"Authorization": f"Bearer {token.json()['access_token']}"}
    r = api.get(f"/api/v1/plans/{plan_id}/baselines", params={"dataset": v2_id}, headers=auth)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["pinned_dataset_id"], body["dataset_id"], body["fiscal_year"]) == (v1_id, v2_id, 2025)
    assert {row["code"] for row in body["rows"]} == set(_kpis(engine, plan_id))
    stale = api.post(f"/api/v1/plans/{plan_id}/baselines", json={"dataset_id": v1_id}, headers=auth)
    assert stale.status_code in (400, 422) and "新しいデータはありません" in stale.json()["detail"]
    done = api.post(f"/api/v1/plans/{plan_id}/baselines", json={"dataset_id": v2_id}, headers=auth)
    assert done.status_code == 200, done.text
    assert {b[2] for b in _kpis(engine, plan_id).values()} == {v2_id}
