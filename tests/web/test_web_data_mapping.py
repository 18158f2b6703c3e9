"""The web upload's mapping step (issue #11 §1, §2): headers it cannot place, a workbook's sheets and
firms of other prefectures stop the upload before anything is imported; the user's choices import it
and are remembered for the next upload. Templates to download. The API takes the same mapping."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from test_web_data_page import flashes, mapping_form, stored_versions, table_rows, upload
from web_helpers import logged_in

from chiiki.data import read_dataset
from chiiki.server.testing import seeded_app
from chiiki.store import session_scope
from chiiki.store.audit import audit_entries
from chiiki.store.models import User

HEADER = "企業ID,商号,都道府県コード,市区町村コード,業種コード,年度,年商,住所"
ROWS = (
    "K001,会津精密,07,07202,26,2024,120000,会津若松市",
    "K002,郡山食品,07,07203,09,2024,80000,郡山市",
)
LINKS = "仕入先企業ID,販売先企業ID,年度,取引額\nK001,K002,2024,5000\n"


def companies(header: str = HEADER, rows: tuple[str, ...] = ROWS) -> bytes:
    return ("\n".join((header, *rows)) + "\n").encode("cp932")


@pytest.fixture(scope="module")
def mapping_app(tmp_path_factory):
    return seeded_app(tmp_path_factory.mktemp("web-mapping-store"), n_firms=None)


@pytest.fixture(scope="module")
def client_of(mapping_app):
    clients: dict[str, TestClient] = {}

    def _client(user: str) -> TestClient:
        if user not in clients:
            clients[user] = logged_in(mapping_app.app, user, mapping_app.passwords[user])
        return clients[user]

    yield _client
    for c in clients.values():
        c.close()


def version_ids(app) -> list[int]:  # noqa: ANN001
    return [v.id for v in stored_versions(app.app)]


def uploads_left(app) -> list[Path]:  # noqa: ANN001
    root = Path(app.data_dir) / "uploads"
    return sorted(root.glob("upload-*")) if root.exists() else []


def test_unplaced_headers_stop_before_import_and_the_choice_imports_and_is_remembered(client_of, mapping_app):
    client = client_of("admin")
    before = version_ids(mapping_app)
    r = upload(client, ("kigyo.csv", companies()), ("torihiki.csv", LINKS.encode("cp932")))
    assert r.status_code == 200 and 'id="mapping"' in r.text and "/data/upload/upload-" in str(r.url)
    assert version_ids(mapping_app) == before  # nothing imported yet
    rows = table_rows(r.text, "columns-companies")
    assert [row[0] for row in rows] == HEADER.split(",")
    assert rows[1][2] == "会津精密、郡山食品"  # a preview of the first rows
    assert "必須の列がまだありません: 売上高（千円）" in r.text
    action, values = mapping_form(r.text)
    assert (
        values["col-companies-1"] == "name" and values["col-companies-6"] == "" and values["unit"] == "千円"
    )
    # submitting without a choice: still the step, still nothing imported
    again = client.post(action, data=values)
    assert again.status_code == 422 and 'id="mapping"' in again.text
    assert version_ids(mapping_app) == before
    done = client.post(action, data={**values, "col-companies-6": "sales", "col-companies-7": "-"})
    assert done.status_code == 200, done.text
    assert flashes(done.text)[0][0] == "ok" and "取り込みました" in flashes(done.text)[0][1]
    new = stored_versions(mapping_app.app)[-1]
    assert len(stored_versions(mapping_app.app)) == len(before) + 1 and new.created_by == "admin"
    ds = read_dataset(Path(new.path))
    assert ds.companies.sort("company_id")["sales"].to_list() == [120000, 80000]
    assert ds.transactions["amount"].to_list() == [5000]
    assert uploads_left(mapping_app) == []
    with session_scope(mapping_app.app.state.chiiki.engine) as session:
        user = session.scalar(select(User).where(User.username == "admin"))
        assert user.upload_columns == {"年商": "sales", "住所": None}
        entries = [e for e in audit_entries(session) if e.action == "remember_columns"]
        assert entries and entries[-1].actor == "admin"
    # the next upload with the same headers goes straight through
    count = len(stored_versions(mapping_app.app))
    rows2 = tuple(r.replace("120000", "130000") for r in ROWS)
    second = upload(client, ("kigyo2.csv", companies(rows=rows2)), ("torihiki2.csv", LINKS.encode("cp932")))
    assert second.status_code == 200 and 'id="mapping"' not in second.text, second.text
    assert len(stored_versions(mapping_app.app)) == count + 1
    assert read_dataset(Path(stored_versions(mapping_app.app)[-1].path)).companies["sales"].max() == 130000


def test_firms_of_other_prefectures_are_announced_before_import_and_can_be_cancelled(client_of, mapping_app):
    client = client_of("fukushima")
    before = version_ids(mapping_app)
    header = HEADER.replace("年商", "売上高").replace(",住所", "")
    rows = (*(r.rsplit(",", 1)[0] for r in ROWS), "K003,東京商事,13,13101,52,2024,300000")
    r = upload(client, ("kigyo.csv", companies(header, rows)), ("torihiki.csv", LINKS.encode("cp932")))
    assert r.status_code == 200 and 'id="other-prefectures"' in r.text
    assert "あなたの都道府県以外の企業が 1 行あります" in r.text
    assert table_rows(r.text, "prefectures") == [["福島県", "2", "あなたの都道府県"], ["東京都", "1", ""]]
    assert version_ids(mapping_app) == before
    token = str(r.url).rsplit("/", 1)[1]
    # another user cannot see or import these files
    other = client_of("admin").get(f"/data/upload/{token}")
    assert other.status_code == 404 and 'id="mapping"' not in other.text
    action, values = mapping_form(r.text)
    cancelled = client.post(f"{action}/cancel", data={"csrf_token": values["csrf_token"]})
    assert cancelled.status_code == 200 and "取り消しました" in cancelled.text
    assert version_ids(mapping_app) == before and uploads_left(mapping_app) == []


def test_unit_choice_and_sheet_choice(client_of, mapping_app):
    client = client_of("admin")
    header = HEADER.replace("年商", "売上高").replace(",住所", "").split(",")
    data = [header, *[r.rsplit(",", 1)[0].split(",") for r in ROWS]]
    yen = [header, *[[*row[:6], str(int(row[6]) * 1000)] for row in data[1:]]]
    wb = openpyxl.Workbook()
    wb.active.title = "2023年度"
    for row in data:
        wb.active.append(row)
    ws = wb.create_sheet("2024年度")
    for row in yen:
        ws.append(row)
    book = io.BytesIO()
    wb.save(book)
    r = upload(client, ("kigyo.xlsx", book.getvalue()), ("torihiki.csv", LINKS.encode("cp932")))
    assert r.status_code == 200 and 'id="sheet-companies"' in r.text
    assert "シートが複数あり" in r.text and "「2023年度」、「2024年度」" in r.text
    action, values = mapping_form(r.text)
    done = client.post(action, data={**values, "sheet-companies": "2024年度", "unit": "円"})
    assert done.status_code == 200, done.text
    ds = read_dataset(Path(stored_versions(mapping_app.app)[-1].path))
    assert ds.companies.sort("company_id")["sales"].to_list() == [120000, 80000]


def test_templates_are_offered_and_downloaded(client_of):
    client = client_of("koriyama")
    page = client.get("/data").text
    links = [row for row in page.split('id="templates"', 1)[1].split("</ul>", 1)[0].split("<li>")[1:]]
    assert len(links) == 6 and "企業の表（Excel）" in links[0]
    r = client.get("/data/templates/companies-template.xlsx")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert 'filename="companies-template.xlsx"' in r.headers["content-disposition"]
    assert openpyxl.load_workbook(io.BytesIO(r.content)).sheetnames == ["説明", "企業"]
    sjis = client.get("/data/templates/transactions-template-sjis.csv")
    assert sjis.content.decode("cp932").startswith("仕入先（販売側）企業ID,")
    assert client.get("/data/templates/../../etc/passwd").status_code == 404
    assert client.get("/data/templates/other.csv").status_code == 404


def test_api_upload_takes_the_mapping(mapping_app):
    with TestClient(mapping_app.app) as client:
        token = client.post(
            "/api/v1/auth/token", json={"username": "admin", "password": mapping_app.passwords["admin"]}
        ).json()["access_token"]
        auth = {"Authorization": f"Bearer {token}"}
        before = client.get("/api/v1/datasets", headers=auth).json()
        bad_rows = (ROWS[0], ROWS[1].replace("80000", "八万"))

        def post(**data):  # noqa: ANN003, ANN202
            files = {
                "companies": ("kigyo.csv", io.BytesIO(companies(rows=bad_rows)), "text/csv"),
                "transactions": ("torihiki.csv", io.BytesIO(LINKS.encode("cp932")), "text/csv"),
            }
            return client.post("/api/v1/datasets", headers=auth, files=files, data=data)

        mapped = post(columns=json.dumps({"年商": "売上高", "住所": None}, ensure_ascii=False))
        assert mapped.status_code == 422
        problems = mapped.json()["problems"]  # the mapping applied: the value error, not a missing column
        assert [(p["row"], p["column"], p["code"]) for p in problems] == [(3, "sales", "not_integer")]
        assert post(columns="{not json").status_code == 422
        assert "列名ではありません" in post(columns='{"年商": "売り上げ"}').json()["detail"]
        assert "unit" in post(unit="ドル").json()["detail"]
        assert client.get("/api/v1/datasets", headers=auth).json() == before


def test_a_csv_saved_as_xlsx_is_a_clear_error_not_a_mapping_step(client_of, mapping_app):
    before = version_ids(mapping_app)
    r = upload(client_of("admin"), ("kigyo.xlsx", companies()), ("torihiki.csv", LINKS.encode("cp932")))
    assert r.status_code == 422 and 'id="mapping"' not in r.text
    assert "何も書き込んでいません" in flashes(r.text)[0][1]
    (problem,) = table_rows(r.text, "problems")
    message = problem[5]
    assert (
        problem[1] == "kigyo.xlsx"
        and "kigyo.xlsx" in message
        and "中身は CSV" in message
        and "拡張子を .csv" in message
    )
    assert str(mapping_app.data_dir) not in r.text
    assert version_ids(mapping_app) == before and uploads_left(mapping_app) == []
