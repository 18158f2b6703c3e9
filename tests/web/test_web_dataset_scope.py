"""Whose data an analysis reads (SPEC §0: firm data is licensed per buyer): a prefecture's upload is
its own data set, read by its staff and municipalities only; the national data set (administrators'
uploads) serves everyone else and never changes when a prefecture uploads."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest
from fastapi.testclient import TestClient
from test_web_data_page import mapping_form
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
    if 'id="mapping"' in r.text:  # firms of other prefectures: announced before import, then confirmed
        assert 'id="other-prefectures"' in r.text
        action, values = mapping_form(r.text)
        r = client.post(action, data=values)
        assert r.status_code == 200 and "取り込みました" in r.text, r.text


def _economy(tmp_path: Path, seed: int, name: str) -> tuple[Path, int]:
    ds = generate_economy(n_firms=400, years=(2024,), seed=seed)
    out = tmp_path / name
    write_dataset(ds, out, fmt="csv", info={})
    return out, ds.companies.filter(pl.col("prefecture_code") == "07").height


def _ranking_total(client: TestClient, pref: str) -> int | None:
    page = client.get(f"/firms?pref={pref}").text
    found = re.search(r"ランキング（([\d,]+)社）", page)
    return int(found.group(1).replace(",", "")) if found else None


def _choose(client: TestClient, dataset_id: int) -> None:
    token = CSRF.search(client.get("/data").text).group(1)
    r = client.post(
        "/data/choose", data={"csrf_token": token, "dataset_id": str(dataset_id), "next": "/firms"}
    )
    assert r.status_code == 200, r.text


def _choices(client: TestClient) -> dict[str, int]:
    page = client.get("/firms?pref=07").text
    return (
        {
            label: int(i)
            for i, label in re.findall(
                r'<option value="(\d+)"[^>]*>([^<]+)</option>',
                page.split('id="dataset-choice"')[1].split("</form>")[0],
            )
        }
        if 'id="dataset-choice"' in page
        else {}
    )


def test_prefecture_upload_is_its_own_and_never_replaces_what_it_reads_unasked(app, tmp_path):
    own, n_own = _economy(tmp_path, 11, "fukushima")
    national, n_national = _economy(tmp_path, 12, "national")
    assert n_own != n_national
    fukushima, tokyo, reviewer = (_client(app, u) for u in ("fukushima", "tokyo", "reviewer"))

    _upload(fukushima, own)
    # the upload does not switch Fukushima's analyses by itself (issue #11 §2): it still reads the
    # national data, of which there is none yet; its own data is offered as a choice
    assert _ranking_total(fukushima, "07") is None
    own_v1 = next(i for label, i in _choices(fukushima).items() if "福島県の独自データ" in label)
    _choose(fukushima, own_v1)
    assert _ranking_total(fukushima, "07") == n_own
    assert _ranking_total(reviewer, "07") is None  # Fukushima's own data is never shown to others
    assert "企業データが登録されていません" in tokyo.get("/firms?pref=13").text
    api = TestClient(app.app)
    token = api.post("/api/v1/auth/token", json={"username": "tokyo", "password": "test-password-123"}).json()
    r = api.get(
        f"/api/v1/firms/connector-hub?pref=13&dataset={own_v1}",
        headers={"Authorization": f"Bearer {token['access_token']}"},
    )
    assert r.status_code == 404  # another prefecture's own data set is not theirs to read, or to know of

    _upload(_client(app, "admin"), national)
    assert _ranking_total(reviewer, "07") == n_national
    assert _ranking_total(tokyo, "13") is not None
    assert _ranking_total(fukushima, "07") == n_own  # its choice stays

    # a newer own version is announced, not used until chosen
    _upload(fukushima, own)
    page = fukushima.get("/firms?pref=07").text
    assert 'id="dataset-newer"' in page and _ranking_total(fukushima, "07") == n_own

    labels = re.findall(r"<tr[^>]*><td>([^<]+)</td><td>v\d{4}</td>", fukushima.get("/data").text)
    assert sorted(set(labels)) == ["全国（管理者が取り込み）", "福島県の独自データ"]
    assert "福島県の独自データ" not in tokyo.get("/data").text


def test_a_retired_version_leaves_the_choice_and_its_readers_fall_back(app, tmp_path):
    own, n_own = _economy(tmp_path, 13, "fukushima2")
    fukushima = _client(app, "fukushima")
    _upload(fukushima, own)
    latest = max(i for label, i in _choices(fukushima).items() if "福島県の独自データ" in label)
    _choose(fukushima, latest)
    token = CSRF.search(fukushima.get("/data").text).group(1)
    tokyo = _client(app, "tokyo")
    r = tokyo.post(f"/data/{latest}/retire", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code in (403, 404)  # not Tokyo's to retire
    r = fukushima.post(f"/data/{latest}/retire", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    assert latest not in _choices(fukushima).values()
    assert _ranking_total(fukushima, "07") != n_own or n_own == 0  # back to the default data
