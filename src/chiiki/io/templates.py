"""Scenario templates as prefectures' ripple tools offer them (issue 14 item 4; SPEC §5).

Each template is a frozen dataclass of its inputs with ``build(table) -> ScenarioDemand``: the ΔF
vector (or direct local output) for that table's sectors. Splits of an item over sectors are data
(``chiiki/io/data/template_*.csv``: ``item, label, sector_code, share, source``), editable; a
sector code is a 185-sector code of the 2015 table and works on the 37-sector table too
(:func:`chiiki.io.regional.concordance.sector_weights`). Shares marked 設定値 are settings (purchaser →
producer price margins and mixes that no shipped table gives); the others follow the table's sector
definitions.

| template | inputs | ΔF | local output? |
|---|---|---|---|
| 建設投資 | amount by type of work | the construction sector of each type | yes: the work is done in the region (建設 has no 移輸入 in prefectural tables) |
| 観光・イベント | visitors × spending per head by category, share of visitors from outside; organiser costs | each category's sectors | no: goods bought may come from outside |
| 新工場・新規事業所 | sector, annual output, employment, payroll, purchases | the plant's output | yes, as a sector of its own (its own inputs) |
| 設備投資 | amount by asset | the asset's sectors (with margins) | no |
| 移輸出の増加 | amount by sector | that sector | yes: sales to outside are made in the region |

Money is in the table's unit (百万円 for the national tables), except spending per visitor (円/人).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources

import numpy as np
import polars as pl

from chiiki.io.checks import check_table
from chiiki.io.errors import IOTableError
from chiiki.io.regional.concordance import sector_weights
from chiiki.io.scenario import ScenarioDemand
from chiiki.io.table import IOTable, find_label

YEN_PER_UNIT = {"円": 1.0, "千円": 1e3, "万円": 1e4, "百万円": 1e6, "十億円": 1e9}
PLANT_ADJUSTMENT = "調整（新工場の購入分を控除）"
SPLIT_FILES = {
    "construction": "template_construction.csv",
    "tourism": "template_tourism.csv",
    "event": "template_event.csv",
    "equipment": "template_equipment.csv",
}


def read_splits(path: str | None = None, *, kind: str) -> pl.DataFrame:
    """The splits of a template (``item, label, sector_code, share, source``): the shipped file of
    ``kind``, or the CSV at ``path``. Each item's shares must sum to 1."""
    if path is None:
        with resources.as_file(resources.files("chiiki.io").joinpath("data", SPLIT_FILES[kind])) as p:
            frame = pl.read_csv(p, schema_overrides={"sector_code": pl.Utf8})
    else:
        from chiiki.io.readers import read_text_frame

        frame = read_text_frame(path)
    missing = [c for c in ("item", "sector_code", "share") if c not in frame.columns]
    if missing:
        raise IOTableError(
            f"{path or SPLIT_FILES[kind]}: 列 {', '.join(missing)} がありません（item, label, sector_code, share）。"
        )
    frame = frame.with_columns(
        pl.col("item").cast(pl.Utf8).str.strip_chars(),
        pl.col("sector_code").cast(pl.Utf8).str.strip_chars(),
        pl.col("share").cast(pl.Float64, strict=False),
        label=pl.col("label").cast(pl.Utf8) if "label" in frame.columns else pl.col("item").cast(pl.Utf8),
    )
    sums = frame.group_by("item", maintain_order=True).agg(pl.col("share").sum())
    bad = sums.filter(pl.col("share").is_null() | ((pl.col("share") - 1.0).abs() > 1e-9))
    if bad.height:
        raise IOTableError(
            f"{path or SPLIT_FILES[kind]}: 項目ごとの割合（share）の合計が1になっていません。",
            [f"{i}: 合計 {s}" for i, s in bad.rows()],
        )
    return frame


@cache
def shipped_splits(kind: str) -> pl.DataFrame:
    """The packaged splits of ``kind`` (construction, tourism, event, equipment), read once."""
    return read_splits(kind=kind)


def item_labels(kind: str) -> dict[str, str]:
    """``item → label`` of a template's shipped splits (the choices a form offers)."""
    frame = shipped_splits(kind)
    return dict(zip(frame["item"], frame["label"], strict=False))


def _split_vector(
    table: IOTable, splits: pl.DataFrame, amounts: dict[str, float], *, what: str
) -> np.ndarray:
    """Σ over items of amount × Σ_sector share · weights(sector) (a ΔF over the table's sectors)."""
    known = set(splits["item"])
    unknown = [k for k in amounts if k not in known]
    if unknown:
        raise IOTableError(
            f"{what}: 項目「{'」「'.join(unknown)}」はありません。",
            [
                "使える項目: "
                + ", ".join(
                    f"{i}（{l}）" for i, l in dict(zip(splits["item"], splits["label"], strict=False)).items()
                )
            ],
        )
    _check_amounts(amounts, what=what)
    vector = np.zeros(table.n)
    for item, sector, share in splits.select("item", "sector_code", "share").iter_rows():
        if amounts.get(item):
            vector += amounts[item] * share * sector_weights(table, sector, what=what)
    return vector


def _check_amounts(amounts: dict[str, float], *, what: str) -> None:
    bad = [f"{k}: {v}" for k, v in amounts.items() if not np.isfinite(v) or v < 0]
    if bad:
        raise IOTableError(f"{what}: 金額は0以上の数値で入力してください。", bad)


@dataclass(frozen=True)
class Construction:
    """建設投資: ``amounts`` by type of work (item of template_construction.csv), in the table's unit.
    Land purchases are not production and are left out (用地費は含めない)."""

    name: str
    amounts: dict[str, float]
    splits: pl.DataFrame | None = None

    def build(self, table: IOTable) -> ScenarioDemand:
        splits = self.splits if self.splits is not None else shipped_splits("construction")
        vector = _split_vector(table, splits, self.amounts, what="建設投資")
        return ScenarioDemand(
            self.name,
            vector,
            table,
            local_output=True,
            template="建設投資",
            notes=("建設工事は域内で行われるため、工事額を域内生産額として扱います（用地費は含めません）。",),
        )


@dataclass(frozen=True)
class Tourism:
    """観光・イベント: ``visitors`` (persons) × ``per_head`` spending by category (円/人), of which the
    share ``outside_share`` from outside the region is new demand (residents' spending only moves
    within the region, so it is left out unless ``include_residents``); plus an event organiser's
    ``organiser`` costs by item (template_event.csv) in the table's unit."""

    name: str
    visitors: float
    per_head: dict[str, float]
    outside_share: float = 1.0
    include_residents: bool = False
    organiser: dict[str, float] = field(default_factory=dict)
    splits: pl.DataFrame | None = None
    event_splits: pl.DataFrame | None = None

    def build(self, table: IOTable) -> ScenarioDemand:
        if not (0.0 <= self.outside_share <= 1.0):
            raise IOTableError(f"域外からの来訪者の割合 {self.outside_share} は 0〜1 で指定してください。")
        if not np.isfinite(self.visitors) or self.visitors < 0:
            raise IOTableError(f"来訪者数 {self.visitors} は0以上で入力してください。")
        yen = YEN_PER_UNIT.get(table.unit)
        if yen is None:
            raise IOTableError(
                f"表の単位「{table.unit}」を円に換算できません（百万円・千円・万円などの表を使ってください）。"
            )
        counted = self.visitors * (1.0 if self.include_residents else self.outside_share)
        spending = {k: counted * v / yen for k, v in self.per_head.items()}
        _check_amounts(dict(self.per_head), what="観光消費額（1人当たり）")
        splits = self.splits if self.splits is not None else shipped_splits("tourism")
        vector = _split_vector(table, splits, spending, what="観光消費")
        if self.organiser:
            events = self.event_splits if self.event_splits is not None else shipped_splits("event")
            vector = vector + _split_vector(table, events, self.organiser, what="イベント運営費")
        who = "すべての来訪者" if self.include_residents else f"域外からの来訪者（{self.outside_share:.0%}）"
        return ScenarioDemand(
            self.name,
            vector,
            table,
            local_output=False,
            template="観光・イベント",
            notes=(
                f"{who}の消費を新たな需要とし、購入者価格を template_tourism.csv の割合で生産者価格の部門に配分しました。",
                "物品の購入は域内の輸入係数で域外に漏れる分を差し引きます。",
            ),
        )


@dataclass(frozen=True)
class NewPlant:
    """新工場・新規事業所: a new establishment of ``sector`` with annual ``output`` (table unit),
    ``employment`` (persons), ``payroll`` (table unit) and ``purchases`` by sector code (table unit).

    The plant is added to the table as a sector of its own, selling all it makes outside the region,
    so its direct effect is its output and the first round runs through *its* purchases (the local
    share of each set by the region's import ratios). Missing inputs take the sector's coefficients:
    purchases = a_j · output, payroll = w_j · output, employment = e_j · output.
    """

    name: str
    sector: str
    output: float
    employment: float | None = None
    payroll: float | None = None
    purchases: dict[str, float] | None = None

    def build(self, table: IOTable) -> ScenarioDemand:
        if not np.isfinite(self.output) or self.output <= 0:
            raise IOTableError(f"新工場の生産額 {self.output} は0より大きい値で入力してください。")
        weights = sector_weights(table, self.sector, what="新工場")
        j = int(np.argmax(weights))
        x = float(self.output)
        if self.purchases:
            _check_amounts(self.purchases, what="新工場の原材料等の購入")
            inputs = sum(v * sector_weights(table, k, what="新工場の購入") for k, v in self.purchases.items())
        else:
            inputs = table.A[:, j] * x
        payroll = float(table.w[j] * x if self.payroll is None else self.payroll)
        rest = x - float(np.sum(inputs)) - payroll
        if rest < -1e-9 * x:
            raise IOTableError(
                f"新工場の購入額と給与総額の合計（{np.sum(inputs) + payroll:,.1f}）が生産額（{x:,.1f}）を超えています。入力を確認してください。"
            )
        augmented = _add_plant(table, j, x, np.asarray(inputs, dtype=float), payroll, max(rest, 0.0), self)
        demand = np.zeros(augmented.n)
        demand[-1] = x
        notes = [
            "新工場を表に1部門として加え、生産額を直接効果（域内生産額）とし、その購入額から波及を計算しました。",
        ]
        if not self.purchases:
            notes.append(f"購入額は「{table.sectors[j]}」の投入係数で仮定しました。")
        if table.employment is None and self.employment is not None:
            notes.append("表に従業者数の行がないため、就業誘発数は計算しません。")
        base = np.append(np.arange(table.n), j)
        return ScenarioDemand(
            self.name,
            demand,
            augmented,
            local_output=True,
            template="新工場・新規事業所",
            notes=tuple(notes),
            base_sector=base,
        )


def _add_plant(
    table: IOTable, j: int, x: float, inputs: np.ndarray, payroll: float, rest: float, plant: NewPlant
) -> IOTable:
    """``table`` with the plant as sector n+1: column = its inputs and value added, row = its output,
    all sold to the first export column (移輸出).

    The plant's purchases are also entered, negative, in one more final-demand column
    (:data:`PLANT_ADJUSTMENT`), so every other sector keeps its output, demand, coefficients and import
    ratio exactly: the plant adds to the economy without changing how the rest of it is measured.
    """
    if not table.export_names:
        raise IOTableError("表に移輸出（輸出）の列がないため、新工場を加えられません。")
    if table.is_interregional:
        raise IOTableError("新工場のテンプレートは1地域の表で使ってください。")
    n = table.n
    Z = np.zeros((n + 1, n + 1))
    Z[:n, :n] = table.Z
    Z[:n, n] = inputs
    exports = np.vstack([table.exports, np.zeros(len(table.export_names))])
    exports[n, 0] = x
    income = find_label(table.value_added_names, table.settings.income_row, what="雇用者所得の行")
    others = [i for i in range(len(table.value_added_names)) if i != income]
    surplus = next(
        (i for i in others if "営業余剰" in table.value_added_names[i]), others[0] if others else income
    )
    va = np.zeros((len(table.value_added_names), 1))
    va[income, 0] += payroll
    va[surplus, 0] += rest
    employment = None
    if table.employment is not None:
        jobs = table.e[j] * x if plant.employment is None else plant.employment
        employment = np.append(table.employment, jobs)
    return check_table(
        replace(
            table,
            sectors=(*table.sectors, f"新工場（{plant.name}・{table.sectors[j]}）"),
            Z=Z,
            final_demand=np.vstack(
                [
                    np.hstack([table.final_demand, -inputs[:, np.newaxis]]),
                    np.zeros(len(table.final_demand_names) + 1),
                ]
            ),
            final_demand_names=(*table.final_demand_names, PLANT_ADJUSTMENT),
            exports=exports,
            imports=np.vstack([table.imports, np.zeros(len(table.import_names))]),
            value_added=np.hstack([table.value_added, va]),
            employment=employment,
        )
    )


@dataclass(frozen=True)
class Equipment:
    """設備投資: ``amounts`` by asset (template_equipment.csv items), in the table's unit, at purchasers'
    prices (the splits put the trade margins into 商業)."""

    name: str
    amounts: dict[str, float]
    splits: pl.DataFrame | None = None

    def build(self, table: IOTable) -> ScenarioDemand:
        splits = self.splits if self.splits is not None else shipped_splits("equipment")
        vector = _split_vector(table, splits, self.amounts, what="設備投資")
        return ScenarioDemand(
            self.name,
            vector,
            table,
            local_output=False,
            template="設備投資",
            notes=("機械・車両などは域内の輸入係数で域外からの調達分を差し引きます。",),
        )


def _sector_vector(table: IOTable, amounts: dict[str, float], *, what: str) -> np.ndarray:
    """Σ amount × weights(sector code) over ``amounts`` (sector code → amount in the table's unit)."""
    _check_amounts(amounts, what=what)
    return sum((v * sector_weights(table, k, what=what) for k, v in amounts.items()), np.zeros(table.n))


@dataclass(frozen=True)
class Exports:
    """移輸出の増加: ``amounts`` by sector code (table unit) sold outside the region."""

    name: str
    amounts: dict[str, float]

    def build(self, table: IOTable) -> ScenarioDemand:
        return ScenarioDemand(
            self.name,
            _sector_vector(table, self.amounts, what="移輸出の増加"),
            table,
            local_output=True,
            template="移輸出の増加",
            notes=("域外への販売は域内で生産されるため、域内生産額の増加として扱います。",),
        )


@dataclass(frozen=True)
class SectorDemand:
    """最終需要の直接入力: ``amounts`` by sector code (table unit); ``local_output`` when they are
    already local output."""

    name: str
    amounts: dict[str, float]
    local_output: bool = False

    def build(self, table: IOTable) -> ScenarioDemand:
        return ScenarioDemand(
            self.name,
            _sector_vector(table, self.amounts, what="最終需要"),
            table,
            local_output=self.local_output,
        )


TEMPLATES = {
    "construction": (Construction, "建設投資"),
    "tourism": (Tourism, "観光・イベント"),
    "plant": (NewPlant, "新工場・新規事業所"),
    "equipment": (Equipment, "設備投資"),
    "exports": (Exports, "移輸出の増加"),
    "demand": (SectorDemand, "最終需要の直接入力"),
}
"""Template key → (class, Japanese name), for spec files and forms."""


def scenarios_from_spec(spec: list[dict], *, source: str = "シナリオ定義") -> list:
    """Template objects from a list of plain dicts (a JSON spec file, a form, an API body):
    ``{"name": …, "template": "construction" | "tourism" | "plant" | "equipment" | "exports" | "demand",
    …the template's inputs}``. Every problem is reported at once, by position and key."""
    import dataclasses

    if not isinstance(spec, list) or not spec:
        raise IOTableError(f"{source}: シナリオの一覧（リスト）を指定してください。")
    out, problems = [], []
    for number, item in enumerate(spec, start=1):
        if not isinstance(item, dict):
            problems.append(f"{number} 番目: 項目の組（name, template, …）になっていません")
            continue
        key = str(item.get("template", "")).strip()
        if key not in TEMPLATES:
            problems.append(f"{number} 番目: template「{key}」は使えません（{', '.join(TEMPLATES)}）")
            continue
        cls = TEMPLATES[key][0]
        allowed = {f.name for f in dataclasses.fields(cls) if not f.name.endswith("splits")}
        inputs = {k: v for k, v in item.items() if k != "template"}
        unknown = sorted(set(inputs) - allowed)
        if unknown:
            problems.append(
                f"{number} 番目（{key}）: 使えない項目 {', '.join(unknown)}（使える項目: {', '.join(sorted(allowed))}）"
            )
            continue
        fields = dataclasses.fields(cls)
        missing = [
            f.name
            for f in fields
            if f.default is dataclasses.MISSING
            and f.default_factory is dataclasses.MISSING
            and f.name not in inputs
        ]
        if missing:
            problems.append(f"{number} 番目（{key}）: 必要な項目 {', '.join(missing)} がありません")
            continue
        out.append(cls(**inputs))
    if problems:
        raise IOTableError(f"{source}: シナリオの定義に誤りがあります。", problems)
    return out
