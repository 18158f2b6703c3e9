"""The authorisation matrix of firm-level figures (issue #10 §1, SPEC §0): marker firms in every data
set (the national one, Fukushima's and Tokyo's own uploads) and in plans; every page, API response
and export of every role is searched for them.

A marker firm has a unique name and a unique sales figure. Its figures (in any of the ways a page
writes a number) may reach only users entitled to the data set it came from; its name may reach a
user outside those only as a plan's 重点支援企業 (name, that it was selected and why). Each plan holds
one marker firm alone, so a KPI baseline computed from the firm data equals the firm's own sales and
must be suppressed for everyone else.
"""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from web_helpers import PASSWORD, logged_in

from chiiki.cli.main import app as cli
from chiiki.data import read_dataset
from chiiki.data.contract import Dataset
from chiiki.data.datasets import write_dataset
from chiiki.data.synth import generate_economy
from chiiki.plans.workflow import ActorRef
from chiiki.server.testing import SAMPLE_USERS, seeded_app
from chiiki.store import create_engine_from_settings, session_scope
from chiiki.store.datasets import import_and_register
from chiiki.store.parts import set_kpis_from_data, set_priority_firms
from chiiki.store.plans import create_plan
from chiiki.store.settings import StoreSettings
from chiiki.web.formatting import amount

pytestmark = pytest.mark.slow

USERS = [u for u, _, _ in SAMPLE_USERS]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "security"
MARKERS = {
    # key: (data set, prefecture, name, sales in 千円, users entitled to its figures)
    "nat07": ("default", "07", "標識全国福島", 913_572_468, {"reviewer", "tohoku", "fukushima"}),
    "nat13": ("default", "13", "標識全国東京", 924_681_357, {"reviewer", "kanto", "tokyo"}),
    "own07": ("pref-07", "07", "標識独自福島", 935_791_246, {"fukushima"}),
    "own13": ("pref-13", "13", "標識独自東京", 946_813_579, {"tokyo"}),
}
OWNERS = {"07": ActorRef("fukushima", "prefecture", prefecture_code="07"),
          "13": ActorRef("tokyo", "prefecture", prefecture_code="13")}  # fmt: skip


def _with_markers(ds: Dataset, keys: list[str]) -> tuple[Dataset, dict[str, str]]:
    """``ds`` with one firm per marker renamed and given the marker's sales (all years)."""
    companies, ids = ds.companies, {}
    for key in keys:
        _, pref, name, sales, _ = MARKERS[key]
        latest = companies.filter(pl.col("fiscal_year") == companies["fiscal_year"].max())
        cid = latest.filter(
            (pl.col("prefecture_code") == pref) & ~pl.col("name").str.starts_with("標識")
        ).sort("company_id")["company_id"][0]
        ids[key] = cid
        hit = pl.col("company_id") == cid
        companies = companies.with_columns(
            pl.when(hit).then(pl.lit(name)).otherwise(pl.col("name")).alias("name"),
            pl.when(hit).then(pl.lit(sales)).otherwise(pl.col("sales")).alias("sales"),
        )
    return Dataset(companies, ds.transactions), ids


@pytest.fixture(scope="module")
def world():
    root = Path(tempfile.mkdtemp(prefix="chiiki-matrix-"))
    seeded = seeded_app(root, n_firms=None)
    settings = StoreSettings(data_dir=root)
    engine = create_engine_from_settings(settings)
    plans, ids = {}, {}
    for name, seed, keys, actor in (
        ("default", 21, ["nat07", "nat13"], "admin"),
        ("pref-07", 22, ["own07"], "fukushima"),
        ("pref-13", 23, ["own13"], "tokyo"),
    ):
        ds, marker_ids = _with_markers(generate_economy(n_firms=1500, years=(2023, 2024), seed=seed), keys)
        ids.update(marker_ids)
        with tempfile.TemporaryDirectory() as tmp:
            write_dataset(ds, Path(tmp))
            (Path(tmp) / "chiiki-manifest.json").unlink()
            row = import_and_register(engine, Path(tmp), root, name=name, actor=actor)
        stored = read_dataset(row.path)
        for key in keys:
            pref = MARKERS[key][1]
            with session_scope(engine) as s:
                plan = create_plan(s, actor=OWNERS[pref], plan_type="B", title=f"計画 {key}", prefecture_code=pref,
                                   period_start=2025, period_end=2029)  # fmt: skip
                one = pl.DataFrame({"company_id": [ids[key]], "score": [60.0], "selected": [True],
                                    "reasons": [["総合スコア上位"]], "name": [MARKERS[key][2]],
                                    "sales": [MARKERS[key][3]]})  # fmt: skip
                set_priority_firms(s, plan.id, one, actor=OWNERS[pref], score_run="matrix", dataset_id=row.id)
                set_kpis_from_data(
                    s, plan.id, stored, actor=OWNERS[pref], fiscal_year=2024, dataset_id=row.id
                )
                plans[key] = plan.id
    engine.dispose()
    return {"app": seeded.app, "root": root, "plans": plans, "ids": ids}


def _renderings(value: int) -> list[str]:
    """How a page may write a figure in 千円: as is, with thousands separators, in 百万円, and as the
    pages' amount filter writes it (9,136億円)."""
    return [str(value), f"{value:,}", f"{round(value / 1000):,}", amount(value)]


def _xlsx_text(content: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return "\n".join(
        str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None
    )


def _responses(world, user: str) -> list[tuple[str, str, bool]]:
    """(what, text, is_plan) for every page, API answer and export ``user`` can reach."""
    app, ids = world["app"], world["ids"]
    page = logged_in(app, user)
    api = TestClient(app, raise_server_exceptions=False)
    token = api.post("/api/v1/auth/token", json={"username": user, "password": PASSWORD}).json()[
        "access_token"
    ]
    api.headers["Authorization"] = f"Bearer {token}"
    out = []
    pages = ["/", "/firms?pref=07", "/firms?pref=13", "/industry?pref=07&measure=sales",
             "/industry?pref=13&measure=sales", "/industry?pref=07&measure=employees", "/data", "/plans", "/ripple",
             *[f"/firms/{cid}" for cid in ids.values()]]  # fmt: skip
    for url in pages:
        out.append((url, page.get(url).text, False))
    for pref in ("07", "13"):
        r = page.get(f"/firms?pref={pref}&export=xlsx")
        out.append(
            (
                f"/firms?pref={pref}&export=xlsx",
                _xlsx_text(r.content) if r.status_code == 200 else r.text,
                False,
            )
        )
    apis = ["/api/v1/firms/connector-hub?pref=07&per_page=500", "/api/v1/firms/connector-hub?pref=13&per_page=500",
            "/api/v1/industry/lq?pref=07&measure=sales&per_page=500", "/api/v1/industry/lq?pref=13&measure=sales&per_page=500",
            "/api/v1/industry/earning-power?pref=07", "/api/v1/industry/suggestions?pref=07&measure=sales",
            "/api/v1/plans?per_page=200", "/api/v1/datasets", *[f"/api/v1/firms/{cid}" for cid in ids.values()]]  # fmt: skip
    for url in apis:
        out.append((url, api.get(url).text, False))
    for plan_id in world["plans"].values():
        out.append((f"/plans/{plan_id}", page.get(f"/plans/{plan_id}").text, True))
        out.append((f"/api/v1/plans/{plan_id}", api.get(f"/api/v1/plans/{plan_id}").text, True))
        r = page.get(f"/plans/{plan_id}/export.xlsx")
        out.append(
            (f"/plans/{plan_id}/export.xlsx", _xlsx_text(r.content) if r.status_code == 200 else r.text, True)
        )
    runner = CliRunner(env={"CHIIKI_DATA_DIR": str(world["root"])})
    for plan_id in world["plans"].values():
        shown = runner.invoke(cli, ["plans", "show", str(plan_id), "--as", user])
        out.append((f"chiiki plans show {plan_id} --as {user}", shown.output, True))
        with tempfile.TemporaryDirectory() as tmp:
            for suffix in ("xlsx", "json"):
                path = Path(tmp) / f"p.{suffix}"
                done = runner.invoke(cli, ["plans", "export", str(plan_id), "--out", str(path), "--as", user])
                if done.exit_code != 0:  # a plan the user may not see is refused, and says why
                    assert "閲覧する権限がありません" in done.output and not path.exists()
                    continue
                text = _xlsx_text(path.read_bytes()) if suffix == "xlsx" else path.read_text("utf-8")
                out.append((f"chiiki plans export {plan_id} .{suffix} --as {user}", text, True))
    return out


@pytest.mark.parametrize("user", USERS)
def test_no_firm_figure_reaches_a_user_not_entitled_to_it(world, user):
    leaks = []
    responses = _responses(world, user)
    for what, text, is_plan in responses:
        for key, (_, _, name, sales, entitled) in MARKERS.items():
            if user in entitled:
                continue
            if any(r in text for r in _renderings(sales)):
                leaks.append(f"{key} の売上高が {what} に")
            if name in text and not is_plan:
                leaks.append(f"{key} の企業名が {what} に")
    # the figures docs/security.md reports: responses read and markers looked for, per role
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"matrix-{user}.json").write_text(
        json.dumps({"user": user, "responses": len(responses), "markers": len(MARKERS), "leaks": leaks}),
        "utf-8",
    )
    assert leaks == []


def test_entitled_users_do_see_the_figures(world):
    """The matrix is not vacuous: the figures reach those entitled to them."""
    app, ids, plans = world["app"], world["ids"], world["plans"]
    reviewer = logged_in(app, "reviewer").get(f"/firms/{ids['nat07']}")
    assert MARKERS["nat07"][2] in reviewer.text
    assert any(r in reviewer.text for r in _renderings(MARKERS["nat07"][3]))
    tokyo = logged_in(app, "tokyo").get(f"/plans/{plans['own13']}")
    assert f"{MARKERS['own13'][3]:,}" in tokyo.text and "秘匿" not in tokyo.text
    admin = logged_in(app, "admin").get(f"/plans/{plans['own13']}")
    assert MARKERS["own13"][2] in admin.text and "秘匿" in admin.text and "利用が許諾された方" in admin.text
    reviewer_own = logged_in(app, "reviewer").get(f"/plans/{plans['own07']}")
    assert "秘匿" in reviewer_own.text  # a prefecture's own upload is licensed to that prefecture alone
