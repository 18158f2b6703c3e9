"""Print a table file's :class:`~chiiki.io.published.report.ReadReport` for people (``chiiki io read``;
issue #11 item 4): what was recognised, the balance of totals, what could not be placed, and what the
table cannot compute. Japanese throughout; no computation here."""

from __future__ import annotations

from rich.table import Table

from chiiki.cli.output import console
from chiiki.io.published import ReadReport
from chiiki.io.published.labels import ROLE_LABELS, SECTOR

ROLE_ORDER = ("value_added", "employment", "final_demand", "export", "import", "total", "reference")
AXIS_LABELS = {"row": "行", "column": "列"}
_SHOWN_SECTORS = 8


def _sample(names: list[str]) -> str:
    if len(names) <= _SHOWN_SECTORS + 2:
        return "、".join(names)
    return "、".join(names[:_SHOWN_SECTORS]) + f" … {names[-2]}、{names[-1]}"


def _amount(value: float) -> str:
    return f"{value:,.0f}" if value == round(value) else f"{value:,.6g}"


def recognised_table(report: ReadReport) -> Table:
    """区分 × 件数 × 行・列: sectors first, then each recognised role."""
    grid = Table(title="認識した行・列", show_lines=False)
    grid.add_column("区分")
    grid.add_column("件数", justify="right")
    grid.add_column("行・列", overflow="fold")
    grid.add_row(ROLE_LABELS[SECTOR], str(len(report.sectors)), _sample(list(report.sectors)))
    for role in ROLE_ORDER:
        items = report.of(role)
        if not items:
            continue
        for axis in ("row", "column"):
            on_axis = [p for p in items if p.axis == axis]
            if on_axis:
                names = [p.label if not p.where else f"{p.label}（{p.where}）" for p in on_axis]
                grid.add_row(
                    f"{ROLE_LABELS[role]}（{AXIS_LABELS[axis]}）", str(len(on_axis)), "、".join(names)
                )
    return grid


def balance_table(report: ReadReport) -> Table:
    """One line per check: what, the largest gap (in the table's unit), where, verdict."""
    unit = report.unit or "表の単位"
    grid = Table(title=f"合計の照合（差の単位: {unit}）")
    grid.add_column("照合")
    grid.add_column("最大の差", justify="right")
    grid.add_column("最大の差の場所")
    grid.add_column("判定")
    for b in report.balances:
        verdict = "一致" if b.ok else "[bold red]不一致[/]"
        grid.add_row(b.check, _amount(b.max_difference), b.at or "—", verdict)
    return grid


def _bullets(title: str, lines: tuple[str, ...] | list[str], empty: str) -> None:
    console.print(f"[bold]{title}[/]")
    for line in lines or [empty]:
        console.print(f"  ・{line}", soft_wrap=True)


def print_read_report(report: ReadReport) -> None:
    """The whole report, in the order a planner checks a table."""
    sheet = f" シート「{report.sheet}」" if report.sheet else ""
    unit = report.unit or "不明"
    if report.unit_note:
        unit += f"（{report.unit_note}）"
    console.print(f"[bold]産業連関表:[/] {report.source}{sheet}")
    console.print(f"形式: {report.form}　部門数: {len(report.sectors)}　単位: {unit}", soft_wrap=True)
    for line in report.layout:
        console.print(f"  {line}", soft_wrap=True)
    console.print(recognised_table(report))
    if report.balances:
        console.print(balance_table(report))
        verdict = "すべて一致" if report.balanced else "[bold red]一致しない合計があります[/]"
        console.print(f"合計の照合: {verdict}（最大の差 {_amount(report.max_balance_difference)}）")
    else:
        console.print(
            "合計の照合: 照合できる合計がありません（合計の行・列がないか、内訳のない行・列を生産額から作ったため）。",
            soft_wrap=True,
        )
    _bullets(
        "置けなかった行・列",
        [
            f"{p.where}「{p.label}」: {p.detail}" if p.label else f"{p.where}: {p.detail}"
            for p in report.unplaced
        ],
        "なし",
    )
    if report.notes:
        _bullets("読み込みのメモ", report.notes, "")
    _bullets("計算できないこと", report.limits, "なし（逆行列係数も経済波及効果も計算できます）")
    if report.problems:
        _bullets("[red]このままでは使えない理由[/]", report.problems, "")
