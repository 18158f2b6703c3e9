"""Whose data an analysis reads (SPEC §0: firm data is licensed per buyer): a prefecture's upload is
its own data set, read by its staff and municipalities only; the national data set (administrators'
uploads) serves everyone else and never changes when a prefecture uploads."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest
from fastapi.testclient import TestClient
from web_helpers import CSRF, logged_in

from chiiki.data.datasets import write_dataset
from chiiki.data.synth import generate_economy
from chiiki.server.testing import seeded_app


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return seeded_app(tmp_path_factory.mktemp("scope-store"), n_firms=None)


def _client(app, user: str) -> TestClient:
    return logged_in(app.app, user)


def _upload(client: TestClient, folder: Path) -> None:
    token = CSRF.search(client.get("/data").text).group(1)
    files = {
        t: (f"{t}.csv", (folder / f"{t}.csv").read_bytes(), "text/csv") for t in ("companies", "transactions")
    }
    r = client.post("/data/upload", data={"csrf_token": token}, files=files)
    assert r.status_code == 200, r.text


def _economy(tmp_path: Path, seed: int, name: str) -> tuple[Path, int]:
    ds = generate_economy(n_firms=400, years=(2024,), seed=seed)
    out = tmp_path / name
    write_dataset(ds, out, fmt="csv", info={})
    return out, ds.companies.filter(pl.col("prefecture_code") == "07").height


def _ranking_total(client: TestClient, pref: str) -> int | None:
    page = client.get(f"/firms?pref={pref}").text
    found = re.search(r"ランキング（([\d,]+)社）", page)
    return int(found.group(1).replace(",", "")) if found else None


def test_prefecture_upload_serves_its_own_staff_only_and_leaves_the_national_data(app, tmp_path):
    own, n_own = _economy(tmp_path, 11, "fukushima")
    national, n_national = _economy(tmp_path, 12, "national")
    assert n_own != n_national
    fukushima, tokyo, reviewer = (_client(app, u) for u in ("fukushima", "tokyo", "reviewer"))

    _upload(fukushima, own)
    assert _ranking_total(fukushima, "07") == n_own
    assert _ranking_total(reviewer, "07") is None  # no national data yet: Fukushima's is not shown
    assert "企業データが登録されていません" in tokyo.get("/firms?pref=13").text

    _upload(_client(app, "admin"), national)
    assert _ranking_total(reviewer, "07") == n_national
    assert _ranking_total(tokyo, "13") is not None
    assert _ranking_total(fukushima, "07") == n_own  # its own upload still wins for its staff

    labels = re.findall(r"<tr[^>]*><td>([^<]+)</td><td>v\d{4}</td>", fukushima.get("/data").text)
    assert sorted(set(labels)) == ["全国（管理者が取り込み）", "福島県の独自データ"]
    assert "福島県の独自データ" not in tokyo.get("/data").text
