"""``chiiki plans``: list, show, check, move through the workflow, report actuals, look up 加点, export and import plans (issue #6 §7, §9; issue #12).

The command line acts as a local administrator (``cli``) for reading; the workflow, actuals and 加点 commands act as the user named with ``--as`` and go through the same role, scope and guard checks as the web.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.table import Table

from chiiki.cli.output import console, fail

app = typer.Typer(
    add_completion=False,
    help="クラスター計画（A・B・C）の一覧・内容表示・手続き・実績・加点の確認・Excel/JSON 出力・取込みを行います。",
    no_args_is_help=True,
)

CLI_ACTOR = "cli"
PlanId = Annotated[int, typer.Argument(help="計画ID（chiiki plans list で確認できます）")]
Reader = Annotated[
    str | None,
    typer.Option(
        "--as",
        help="閲覧者のユーザー名。企業別の数値はその利用者が見てよい範囲だけ出します（省略時は企業別の数値を出しません）",
    ),
]


def _document(session, plan_id: int, reader: str | None) -> dict:  # noqa: ANN001 - Session
    """The plan's document as ``reader`` may see it (SPEC §0): without a reader, as someone entitled
    to no firm data (names and reasons only; small aggregates suppressed)."""
    from chiiki.services.access import Principal
    from chiiki.services.login import principal_of
    from chiiki.services.plans import plan_document_for
    from chiiki.services.settings import load_web_settings
    from chiiki.store.users import get_user_by_username

    principal = Principal(CLI_ACTOR, "admin")
    if reader is not None:
        user = get_user_by_username(session, reader)
        if user is None or not user.is_active:
            raise fail(f"利用者「{reader}」はいないか、利用停止中です（chiiki admin で確認してください）。")
        principal = principal_of(user)
        from chiiki.plans.workflow import can_view
        from chiiki.store.plans import get_plan

        decision = can_view(principal, get_plan(session, plan_id))
        if not decision:
            raise fail(decision.reason)
    return plan_document_for(session, plan_id, principal, min_cell=load_web_settings().min_cell_firms)


@contextmanager
def _session() -> Iterator[object]:
    from sqlalchemy.exc import SQLAlchemyError

    from chiiki.store import StoreError, create_engine_from_settings, get_settings, session_scope
    from chiiki.store.migrate import is_up_to_date

    engine = create_engine_from_settings(get_settings())
    try:
        try:
            ready = is_up_to_date(engine)
        except SQLAlchemyError as exc:
            raise fail(
                f"データベースに接続できません（{exc.__class__.__name__}）。CHIIKI_DATABASE_URL を確認してください。"
            ) from exc
        if not ready:
            raise fail(
                "データベースが作成されていないか古い版です。先に `chiiki db upgrade` を実行してください。"
            )
        try:
            with session_scope(engine) as session:
                yield session
        except StoreError as exc:
            raise fail(str(exc)) from exc
        except ValueError as exc:
            raise fail(str(exc)) from exc
    finally:
        engine.dispose()


def plans_frame(plans: list) -> pl.DataFrame:  # noqa: ANN001 - list of Plan rows
    """The listing: ``id, type, title, state, owner`` and more, one row per plan."""
    from chiiki.plans.labels import STATE_LABELS
    from chiiki.store.plans import owner_label

    return pl.DataFrame(
        {
            "id": [p.id for p in plans],
            "type": [p.plan_type for p in plans],
            "title": [p.title for p in plans],
            "state": [p.state for p in plans],
            "state_label": [STATE_LABELS[p.state] for p in plans],
            "owner": [owner_label(p) for p in plans],
            "period": [f"{p.period_start}-{p.period_end}" for p in plans],
            "is_demo": [p.is_demo for p in plans],
        },
        schema={
            "id": pl.Int64,
            "type": pl.Utf8,
            "title": pl.Utf8,
            "state": pl.Utf8,
            "state_label": pl.Utf8,
            "owner": pl.Utf8,
            "period": pl.Utf8,
            "is_demo": pl.Boolean,
        },
    )


@app.command("list")
def list_(
    fmt: Annotated[str, typer.Option("--format", help="出力形式: table（画面表示）または json")] = "table",
    plan_type: Annotated[str | None, typer.Option("--type", help="計画類型 A / B / C で絞り込みます")] = None,
) -> None:
    """登録されている計画の一覧（ID、類型、名称、状態、策定主体）。"""
    from chiiki.store.plans import list_plans

    if fmt not in ("table", "json"):
        raise fail(f"--format は table か json です: {fmt}")
    if plan_type is not None and plan_type not in ("A", "B", "C"):
        raise fail(f"--type は A / B / C のいずれかです: {plan_type}")
    with _session() as session:
        frame = plans_frame(list_plans(session, plan_type=plan_type))
    if fmt == "json":
        typer.echo(json.dumps(frame.to_dicts(), ensure_ascii=False, indent=1))
        return
    if frame.is_empty():
        console.print("計画はまだ登録されていません（`chiiki demo` でデモ計画を作れます）。")
        return
    table = Table(title="計画一覧")
    for label in ("ID", "類型", "計画名", "状態", "策定主体", "期間", "デモ"):
        table.add_column(label)
    for r in frame.iter_rows(named=True):
        table.add_row(
            str(r["id"]),
            r["type"],
            r["title"],
            r["state_label"],
            r["owner"],
            r["period"],
            "デモデータ" if r["is_demo"] else "",
        )
    console.print(table)


@app.command()
def show(plan_id: PlanId, reader: Reader = None) -> None:
    """計画の内容（概要、要件、KPI、重点支援企業、波及効果、支援策）を表示します。"""
    with _session() as session:
        doc = _document(session, plan_id, reader)
    p = doc["plan"]
    demo = "  [bold red]※デモデータ[/]" if p["is_demo"] else ""
    console.print(f"[bold]{p['title']}[/]（ID {p['id']}）{demo}")
    console.print(
        f"{p['type_label']} / 策定主体: {p['owner']} / 期間: {p['period_start']}〜{p['period_end']}年度"
        f" / 状態: {p['state_label']}"
    )
    if p["focus_field_names"]:
        console.print("重点分野: " + "、".join(p["focus_field_names"]))
    if p["local_resources"]:
        console.print("地域資源: " + "、".join(p["local_resources"]))
    if p["description"]:
        console.print(p["description"])
    req = Table(title="計画要件")
    for label in ("要件", "判定", "状態", "説明"):
        req.add_column(label, overflow="fold")
    for r in doc["requirements"]:
        req.add_row(r["label"], "自動" if r["is_auto"] else "審査", r["status_label"], r["auto_explanation"])
    console.print(req)
    if doc["kpis"]:
        kpi = Table(title="KPI")
        for label in (
            "KPI",
            "単位",
            "基準年度",
            "基準値",
            f"{p['period_end']}年度 目標",
            "最新の実績",
            "状況",
        ):
            kpi.add_column(label)
        for k in doc["kpis"]:
            target = next((t["value"] for t in k["targets"] if t["fiscal_year"] == p["period_end"]), None)
            reported = [s for s in k["status"] if s["actual"] is not None]
            last = reported[-1] if reported else None
            kpi.add_row(
                k["label"],
                k["unit"],
                str(k["baseline_year"] or ""),
                _num(k["baseline"]),
                _num(target),
                (_num(last["actual"]) + f"（{last['fiscal_year']}）") if last else "",
                last["status_label"] if last else "未報告",
            )
        console.print(kpi)
    if doc["priority_firms"]:
        names = "、".join(f"{f['name'] or f['company_id']}" for f in doc["priority_firms"][:10])
        more = f" ほか {len(doc['priority_firms']) - 10} 社" if len(doc["priority_firms"]) > 10 else ""
        console.print(f"重点支援企業（{len(doc['priority_firms'])} 社）: {names}{more}")
    for c in doc["candidate_projects"]:
        console.print(
            f"候補プロジェクト: {c['title']}（{c['prefecture_code']}、投資見込 {_num(c['investment_amount'])} 千円）"
        )
    for s in doc["ripple_scenarios"]:
        console.print(f"波及効果シナリオ: {s['name']}（単位 {s['unit']}）")
    if doc["support_measures"]:
        console.print("活用できる支援策: " + "、".join(m["name"] for m in doc["support_measures"]))


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:,.0f}"


def _actor(session, username: str):  # noqa: ANN001, ANN202 - Session → Principal
    """The active user ``username`` as the plan rules see them (the command acts in their name)."""
    from chiiki.services.login import principal_of
    from chiiki.store.users import get_user_by_username

    user = get_user_by_username(session, username)
    if user is None or not user.is_active:
        raise fail(f"利用者「{username}」はいないか、利用停止中です（chiiki admin で確認してください）。")
    return principal_of(user)


ACTION_NAMES = {
    "提出": "submit",
    "提出取下げ": "withdraw",
    "審査開始": "start_review",
    "承認": "approve",
    "差戻し": "return",
    "フォローアップ開始": "start_monitoring",
    "終了": "close",
}


@app.command()
def check(plan_id: PlanId) -> None:
    """提出・承認の前に、計画に不足している項目を一覧します（画面・API と同じ判定）。"""
    from chiiki.plans.guards import approve_missing, submit_missing
    from chiiki.store.plan_guards import requirement_answers, screening_facts, submit_facts
    from chiiki.store.plans import get_plan

    with _session() as session:
        plan = get_plan(session, plan_id)
        submit = submit_missing(submit_facts(plan))
        approve = approve_missing(requirement_answers(plan), screening_facts(plan))
    for head, missing in (("提出", submit), ("承認", approve)):
        if missing:
            console.print(f"[bold]{head}に不足している項目（{len(missing)} 点）[/]")
            for i, m in enumerate(missing, start=1):
                console.print(f"  {i}. {m}")
        else:
            console.print(f"[bold green]{head}に必要な項目はそろっています[/]")


@app.command()
def transition(
    plan_id: PlanId,
    action: Annotated[
        str, typer.Argument(help="操作: 提出・提出取下げ・審査開始・承認・差戻し・フォローアップ開始・終了")
    ],
    user: Annotated[str, typer.Option("--as", help="操作する利用者のユーザー名（その権限で行います）")],
    comment: Annotated[
        str, typer.Option("--comment", help="コメント（採点の目安と異なる判断では理由）")
    ] = "",
) -> None:
    """計画の手続きを進めます（画面の「手続き」と同じ確認を行い、不足があれば理由を表示して何も変えません）。"""
    from chiiki.plans.labels import STATE_LABELS
    from chiiki.store.plans import transition_plan

    code = ACTION_NAMES.get(action, action)
    if code not in ACTION_NAMES.values():
        raise fail(f"操作「{action}」はありません。{'・'.join(ACTION_NAMES)} のいずれかです。")
    with _session() as session:
        plan = transition_plan(session, plan_id, code, actor=_actor(session, user), comment=comment)
        state = STATE_LABELS[plan.state]
    console.print(f"[bold green]「{action}」を行いました[/]（計画 {plan_id}、状態: {state}）")


@app.command()
def actual(
    plan_id: PlanId,
    kpi: Annotated[str, typer.Argument(help="KPI: 域内取引額・売上額・雇用者数・給与総額・付加価値額")],
    fiscal_year: Annotated[int, typer.Argument(help="年度（計画期間内）")],
    value: Annotated[float, typer.Argument(help="実績値（千円、雇用者数は人）")],
    user: Annotated[str, typer.Option("--as", help="登録する利用者のユーザー名（計画の作成者の地域の職員）")],
    note: Annotated[str, typer.Option("--note", help="備考")] = "",
) -> None:
    """KPI の年度実績を登録・修正します（修正前の値は履歴に残ります）。"""
    from chiiki.plans.kpi import KPI_DEFINITIONS
    from chiiki.store.models import KpiValue
    from chiiki.store.parts import record_actual
    from chiiki.store.plans import get_plan

    codes = {label: code for code, (label, _) in KPI_DEFINITIONS.items()}
    code = codes.get(kpi, kpi)
    if code not in KPI_DEFINITIONS:
        raise fail(f"KPI「{kpi}」はありません。{'・'.join(codes)} のいずれかです。")
    with _session() as session:
        plan = get_plan(session, plan_id)
        current = next(
            (
                v
                for k in plan.kpis
                if k.code == code
                for v in k.values
                if v.kind == "actual" and v.fiscal_year == fiscal_year
            ),
            None,
        )
        version = current.version if isinstance(current, KpiValue) else None
        record_actual(
            session, plan_id, actor=_actor(session, user), code=code, fiscal_year=fiscal_year,
            value=value, note=note, expected_version=version,
        )  # fmt: skip
    label = KPI_DEFINITIONS[code][0]
    console.print(f"[bold green]{label}の{fiscal_year}年度の実績を登録しました[/]: {value:,.10g}")


@app.command()
def export(
    plan_id: PlanId,
    out: Annotated[Path, typer.Option("--out", help="出力ファイル（.xlsx・.json・.pdf）")],
    fmt: Annotated[
        str | None, typer.Option("--format", help="xlsx・json・pdf（省略時は --out の拡張子から）")
    ] = None,
    reader: Reader = None,
    pdf: Annotated[
        bool, typer.Option("--pdf", help="提出用の PDF で出力します（--format pdf と同じ）")
    ] = False,
) -> None:
    """計画を Excel（提出用の別添の構成）・JSON・提出用 PDF に出力します。JSON は `chiiki plans import` で取り込めます。

    企業別の数値は --as で指定した利用者が見てよい範囲だけ出力します。"""
    from chiiki.plans.export import write_plan_json, write_plan_xlsx
    from chiiki.plans.pdf import FontMissingError, write_plan_pdf

    fmt = "pdf" if pdf else fmt or out.suffix.lower().lstrip(".")
    if fmt not in ("xlsx", "json", "pdf"):
        raise fail(f"--format は xlsx・json・pdf のいずれかです（指定値: {fmt}）。")
    with _session() as session:
        doc = _document(session, plan_id, reader)
        if fmt in ("pdf", "xlsx"):  # the A/C records go on paper and into the workbook
            from chiiki.services.plan_records import records_document
            from chiiki.store.plans import get_plan

            doc["records"] = records_document(session, get_plan(session, plan_id))
    writers = {"xlsx": write_plan_xlsx, "json": write_plan_json, "pdf": write_plan_pdf}
    try:
        writers[fmt](doc, out)
    except FontMissingError as exc:
        raise fail(str(exc)) from exc
    except OSError as exc:
        raise fail(
            f"{out} に書き込めません（{exc.strerror}）。出力先のフォルダと権限を確認してください。"
        ) from exc
    console.print(f"[bold green]計画 {plan_id} を出力しました[/]: {out}")


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="chiiki plans export --format json で出力したファイル")],
) -> None:
    """JSON に出力した計画を新しい計画として取り込みます（管理者として復元: 状態・審査・履歴も含む）。"""
    from chiiki.plans.export import read_plan_json
    from chiiki.plans.workflow import ActorRef
    from chiiki.store.documents import import_plan_document

    try:
        doc = read_plan_json(path)
    except ValueError as exc:
        raise fail(str(exc)) from exc
    with _session() as session:
        plan = import_plan_document(session, doc, actor=ActorRef(CLI_ACTOR, "admin"))
        new_id = plan.id
    console.print(f"[bold green]計画を取り込みました[/]: ID {new_id}")


@app.command()
def bonus(
    applicants: Annotated[list[str] | None, typer.Argument(help="法人番号・企業ID・企業名（複数可）")] = None,
    user: Annotated[
        str, typer.Option("--as", help="確認する利用者のユーザー名（その権限の範囲で数値を出します）")
    ] = "",
    file: Annotated[
        Path | None, typer.Option("--file", help="申請者の一覧（CSV・Excel。法人番号・企業名・企業ID の列）")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="結果の書き出し先（.xlsx または .csv）")] = None,
) -> None:
    """補助金の審査の加点を確認します: 重点支援企業か、コネクター度・ハブ度の県内パーセンタイル、総合スコア、加点と理由。"""
    from chiiki.data.writers import write_table
    from chiiki.plans.rules import get_plan_rules
    from chiiki.services import bonus as bonus_service
    from chiiki.services.access import AccessDeniedError, dataset_names
    from chiiki.services.analytics import Analytics
    from chiiki.services.datasets import current_dataset_ref
    from chiiki.store import get_settings
    from chiiki.store.errors import InvalidInputError

    if not user:
        raise fail(
            "--as で確認する利用者を指定してください（企業別の数値はその利用者の権限の範囲だけ出します）。"
        )
    queries = list(applicants or [])
    if file is not None:
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise fail(f"{file} を読み込めません（{exc.strerror}）。") from exc
        try:
            queries += bonus_service.read_applicants(data, file.name)
        except InvalidInputError as exc:
            raise fail(str(exc)) from exc
    if not queries:
        raise fail("確認する申請者（法人番号・企業名・企業ID）か --file を指定してください。")
    with _session() as session:
        principal = _actor(session, user)
        try:
            bonus_service.require_bonus_reader(principal)
        except AccessDeniedError as exc:
            raise fail(exc.message) from exc
        ref = current_dataset_ref(session, get_settings().data_dir, dataset_names(principal))
        if ref is None:
            raise fail("企業データが登録されていません。`chiiki import` で登録してください。")
        result = bonus_service.lookup(Analytics(ref), session, principal, queries, rules=get_plan_rules())
    console.print(f"[bold]加点の基準[/]: {result.rule}")
    console.print(
        f"{result.year}年度の企業データで {result.table.height} 件を照合: 確定 {result.sure} 件・"
        f"要確認 {result.unsure} 件・該当なし {result.not_found} 件"
    )
    if out is not None:
        try:
            write_table(bonus_service.download_frame(result), out, sheet="加点")
        except (OSError, ValueError) as exc:
            raise fail(f"{out} に書き込めません（{exc}）。") from exc
        console.print(f"[bold green]結果を書き出しました[/]: {out}")
        return
    table = Table(title="加点")
    for label in (
        "番号",
        "入力",
        "照合結果",
        "企業名",
        "重点支援企業（計画）",
        "コネクター度",
        "ハブ度",
        "総合スコア",
        "加点",
        "理由",
    ):
        table.add_column(label, overflow="fold")
    for r in result.table.iter_rows(named=True):
        table.add_row(
            str(r["row"]), r["query"], r["match_label"], r["name"] or "—", r["priority_plans"] or "—",
            _pct(r["connector_percentile"]), _pct(r["hub_percentile"]),
            "—" if r["score"] is None else f"{r['score']:.1f}",
            "—" if r["bonus_points"] is None else str(r["bonus_points"]),
            r["reasons_text"] + (f"（候補: {r['candidates_text']}）" if r["candidates_text"] else ""),
        )  # fmt: skip
    console.print(table)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"
