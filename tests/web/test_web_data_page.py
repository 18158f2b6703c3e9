"""データ page (issue #7 §2, §4; SPEC §2): versions, uploads with the row-level validation report,
all-or-nothing import, Shift_JIS and Excel input, who may upload and the CSRF check.

Uploads change the current data set, so they run against an app of their own (users only, no firm
data); listing the seeded version uses the session's shared app read-only."""

from __future__ import annotations

import html
import io
import re
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from web_helpers import CSRF, logged_in

from chiiki.data import read_dataset
from chiiki.server.testing import seeded_app
from chiiki.store import session_scope
from chiiki.store.audit import audit_entries
from chiiki.store.datasets import current_dataset, list_datasets
from chiiki.store.models import DatasetVersion

COMPANIES_HEADER = (
    "company_id,corporate_number,name,prefecture_code,municipality_code,jsic_code,fiscal_year,"
    "sales,operating_profit,employees,payroll"
)
COMPANIES_ROWS = (
    "C001,,会津精密,07,07202,26,2024,120000,8000,40,160000",
    "C002,,郡山食品,07,07203,09,2024,80000,3000,25,90000",
    "C003,,福島運輸,07,07201,44,2024,50000,1500,30,100000",
    "C004,,東京商事,13,13101,52,2024,300000,20000,60,300000",
)
TRANSACTIONS = "supplier_id,customer_id,fiscal_year,amount\nC001,C002,2024,5000\nC002,C004,2024,12000\nC003,C001,2024,800\n"


def companies_csv(rows: tuple[str, ...] = COMPANIES_ROWS) -> str:
    return "\n".join((COMPANIES_HEADER, *rows)) + "\n"


def table_rows(page: str, table_id: str) -> list[list[str]]:
    """The body rows of ``<table id=table_id>`` as lists of cell texts."""
    body = page.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0].split("<tbody>", 1)[1]
    return [
        [
            html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    ]


def flashes(page: str) -> list[tuple[str, str]]:
    return [(k, html.unescape(t)) for k, t in re.findall(r'class="flash (\w+)"[^>]*>([^<]+)', page)]


def error_message(page: str) -> str:
    return html.unescape(re.search(r'class="error-message">([^<]+)', page).group(1))


def stored_versions(app) -> list[DatasetVersion]:  # noqa: ANN001
    with session_scope(app.state.chiiki.engine) as session:
        rows = sorted(list_datasets(session), key=lambda r: r.id)  # every data set, in import order
        session.expunge_all()
        return rows


@pytest.fixture(scope="module")
def data_app(tmp_path_factory):
    """An app with the sample users and no firm data: uploads here touch no other test's data."""
    return seeded_app(tmp_path_factory.mktemp("web-data-store"), n_firms=None)


@pytest.fixture(scope="module")
def as_user(data_app):
    """``as_user(name)`` → a logged-in client of ``data_app`` (one per user and module)."""
    clients: dict[str, TestClient] = {}

    def _client(user: str) -> TestClient:
        if user not in clients:
            clients[user] = logged_in(data_app.app, user, data_app.passwords[user])
        return clients[user]

    yield _client
    for c in clients.values():
        c.close()


def upload(client: TestClient, companies: tuple[str, bytes], transactions: tuple[str, bytes], *, token=True):  # noqa: ANN001, ANN201
    data = {"csrf_token": CSRF.search(client.get("/data").text).group(1)} if token else {}
    return client.post(
        "/data/upload",
        data=data,
        files={"companies": (*companies, "text/csv"), "transactions": (*transactions, "text/csv")},
    )


def mapping_form(page: str) -> tuple[str, dict[str, str]]:
    """The mapping step's form action and the values its selects hold (as a browser would send)."""
    form = page.split('id="mapping"', 1)[1].split("</form>", 1)[0]
    action = re.search(r'<form method="post" action="([^"]+)"', form).group(1)
    values = {"csrf_token": CSRF.search(form).group(1)}
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body) or re.search(
            r'<option value="([^"]*)"', body
        )
        values[name] = html.unescape(chosen.group(1))
    return action, values


def upload_confirmed(
    client: TestClient, companies: tuple[str, bytes], transactions: tuple[str, bytes], **choices
):  # noqa: ANN003, ANN201
    """Upload; when the mapping step comes (firms of other prefectures, headers to place), confirm it
    with its preselected values and ``choices`` (select name → value)."""
    r = upload(client, companies, transactions)
    if 'id="mapping"' not in r.text:
        return r
    action, values = mapping_form(r.text)
    return client.post(action, data={**values, **choices})


def test_data_page_lists_the_seeded_version_with_its_row_counts(login, web_seeded):
    with session_scope(web_seeded.app.state.chiiki.engine) as session:
        path = Path(current_dataset(session).path)
    ds = read_dataset(path)
    page = login("koriyama").get("/data")
    assert page.status_code == 200
    rows = table_rows(page.text, "versions")
    assert len(rows) == 1
    label, version, _, actor, companies, transactions, state = rows[0]
    assert label == "全国（管理者が取り込み）"
    assert version == path.name == "v0001"
    assert actor == "setup" and state == "現在の版"
    assert companies == f"{ds.companies.height:,}" and transactions == f"{ds.transactions.height:,}"


def test_upload_form_has_a_progress_indicator(as_user):
    page = as_user("fukushima").get("/data").text
    form = page.split('action="/data/upload"', 1)[1].split("</form>", 1)[0]
    assert 'enctype="multipart/form-data" data-upload' in form
    assert '<progress id="upload-progress"' in form and 'id="upload-status"' in form
    script = as_user("fukushima").get("/static/app.js").text
    assert "form[data-upload]" in script and "xhr.upload.onprogress" in script


def test_bad_rows_are_reported_by_file_row_column_and_value_and_nothing_is_imported(as_user, data_app):
    before = [v.version for v in stored_versions(data_app.app)]
    dirs_before = sorted(data_app.data_dir.rglob("*"))
    bad = list(COMPANIES_ROWS)
    bad[1] = bad[1].replace(",80000,", ",八万,")  # data row 2 = line 3 of the file
    transactions = TRANSACTIONS.replace("C003,C001,2024,800", "C003,C001,2024,-800")
    r = upload_confirmed(
        as_user("fukushima"),
        ("kigyo_2024.csv", companies_csv(tuple(bad)).encode()),
        ("torihiki_2024.csv", transactions.encode()),
    )
    assert r.status_code == 422
    assert flashes(r.text)[0][0] == "error" and "何も書き込んでいません" in flashes(r.text)[0][1]
    problems = {(p[1], p[2], p[3]): p for p in table_rows(r.text, "problems")}
    assert problems[("kigyo_2024.csv", "3", "sales")] == [
        "エラー", "kigyo_2024.csv", "3", "sales", "八万",
        "「売上高（千円）」は整数で入力してください（単位: 千円・人・年度。小数や文字は使えません）。",
    ]  # fmt: skip
    negative = problems[("torihiki_2024.csv", "4", "amount")]
    assert negative[0] == "エラー" and negative[4] == "-800" and "負の値" in negative[5]
    # no server path leaks into the report
    assert str(data_app.data_dir) not in r.text, r.text[r.text.index(str(data_app.data_dir)) - 300 :][:600]
    # all-or-nothing: no version registered, no files left behind
    assert [v.version for v in stored_versions(data_app.app)] == before
    assert sorted(data_app.data_dir.rglob("*")) == dirs_before


def test_clean_upload_registers_a_new_current_version_and_audits_it(as_user, data_app):
    before = stored_versions(data_app.app)
    r = upload_confirmed(
        as_user("fukushima"),
        ("companies.csv", companies_csv().encode()),
        ("transactions.csv", TRANSACTIONS.encode()),
    )
    assert r.status_code == 200, r.text
    after = stored_versions(data_app.app)
    assert len(after) == len(before) + 1
    new = after[-1]
    assert new.name == "pref-07"  # the prefecture's own data set, not the national one
    assert new.is_current and not any(v.is_current for v in after[:-1] if v.name == new.name)
    assert new.created_by == "fukushima" and dict(new.counts) == {"companies": 4, "transactions": 3}
    assert flashes(r.text)[0] == (
        "ok",
        f"取り込みました（版 {new.version}）。エラー 0 件、警告 0 件（企業 4 行、取引 3 行）",
    )
    first = table_rows(r.text, "versions")[0]
    assert first[:2] == ["福島県の独自データ", new.version] and first[3:] == [
        "fukushima",
        "4",
        "3",
        "現在の版",
    ]
    with session_scope(data_app.app.state.chiiki.engine) as session:
        entries = [e for e in audit_entries(session) if e.actor == "fukushima" and e.entity == "dataset"]
        assert [e.entity_id for e in entries][-1] == str(new.id)
        assert entries[-1].action == "register"


def test_shift_jis_csv_is_accepted_and_decoded(as_user, data_app):
    r = upload_confirmed(
        as_user("fukushima"),
        ("kigyo_sjis.csv", companies_csv().encode("cp932")),
        ("torihiki_sjis.csv", TRANSACTIONS.encode("cp932")),
    )
    assert r.status_code == 200, r.text
    new = stored_versions(data_app.app)[-1]
    names = read_dataset(Path(new.path)).companies.sort("company_id")["name"].to_list()
    assert names == ["会津精密", "郡山食品", "福島運輸", "東京商事"]


def test_excel_upload_is_accepted(as_user, data_app):
    def xlsx(lines: list[str]) -> bytes:
        wb = openpyxl.Workbook()
        for line in lines:
            wb.active.append(
                [int(v) if v.isdigit() and not v.startswith("0") else (v or None) for v in line.split(",")]
            )
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()

    before = len(stored_versions(data_app.app))
    r = upload(
        as_user("admin"),
        ("kigyo.xlsx", xlsx(companies_csv().splitlines())),
        ("torihiki.xlsx", xlsx(TRANSACTIONS.splitlines())),
    )
    assert r.status_code == 200, r.text
    versions = stored_versions(data_app.app)
    assert len(versions) == before + 1 and versions[-1].created_by == "admin"
    companies = read_dataset(Path(versions[-1].path)).companies.sort("company_id")
    assert companies["municipality_code"].to_list() == ["07202", "07203", "07201", "13101"]


@pytest.mark.parametrize("user", ["koriyama", "reviewer"])
def test_municipal_staff_and_reviewers_cannot_upload(as_user, data_app, user):
    client = as_user(user)
    page = client.get("/data").text
    assert (
        'action="/data/upload"' not in page
        and "データの取り込みはシステム管理者と都道府県職員が行えます" in page
    )
    before = len(stored_versions(data_app.app))
    r = upload(
        client, ("companies.csv", companies_csv().encode()), ("transactions.csv", TRANSACTIONS.encode())
    )
    assert r.status_code == 403
    assert error_message(r.text).startswith("データの取り込みはシステム管理者・都道府県職員のみ行えます")
    assert "Traceback" not in r.text
    assert len(stored_versions(data_app.app)) == before


def test_upload_without_csrf_token_is_refused(as_user, data_app):
    before = len(stored_versions(data_app.app))
    r = upload(
        as_user("fukushima"),
        ("companies.csv", companies_csv().encode()),
        ("transactions.csv", TRANSACTIONS.encode()),
        token=False,
    )
    assert r.status_code == 403 and "CSRF" in error_message(r.text)
    assert len(stored_versions(data_app.app)) == before


def test_unsupported_file_type_and_missing_file_are_japanese_422s(as_user, data_app):
    client = as_user("fukushima")
    before = len(stored_versions(data_app.app))
    r = upload(client, ("kigyo.txt", b"x"), ("transactions.csv", TRANSACTIONS.encode()))
    assert r.status_code == 422
    assert flashes(r.text) == [
        (
            "error",
            "企業（companies） のファイル「kigyo.txt」の形式は使えません。"
            "CSV（UTF-8 または Shift_JIS）、Excel（.xlsx）、Parquet のいずれかにしてください。",
        )
    ]
    token = CSRF.search(client.get("/data").text).group(1)
    r = client.post("/data/upload", data={"csrf_token": token}, files={"companies": ("c.csv", b"a\n1\n")})
    assert r.status_code == 422
    assert flashes(r.text) == [("error", "企業の表と取引の表の両方のファイルを選んでください。")]
    with session_scope(data_app.app.state.chiiki.engine) as session:
        assert session.scalar(select(func.count()).select_from(DatasetVersion)) == before
