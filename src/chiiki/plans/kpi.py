"""KPIs of a plan (SPEC §6.3): baseline from the firm data, default targets, the target rules, the wage
rule and the status of each yearly actual. Pure functions over Polars frames and numbers.

KPI codes and their meaning:

| code | 日本語 | unit |
|---|---|---|
| ``regional_transactions`` | 域内取引額 (SPEC §3.5: in-region links of the plan's firms, each once) | 千円 |
| ``sales`` | 売上額 | 千円 |
| ``employees`` | 雇用者数 | 人 |
| ``payroll`` | 給与総額 | 千円 |
| ``value_added`` | 付加価値額 (営業利益 + 給与総額; approximate: no depreciation in the data) | 千円 |
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from chiiki.plans.labels import KPI_STATUS_LABELS
from chiiki.plans.rules import PlanRules

KPI_DEFINITIONS: dict[str, tuple[str, str]] = {
    "regional_transactions": ("域内取引額", "千円"),
    "sales": ("売上額", "千円"),
    "employees": ("雇用者数", "人"),
    "payroll": ("給与総額", "千円"),
    "value_added": ("付加価値額", "千円"),
}
REQUIRED_TARGET_CODES = ("regional_transactions", "sales", "employees", "payroll")
"""SPEC §6.2 B/C: targets for 域内取引額, 売上額, jobs and wages."""

KPI_RANGES: dict[str, tuple[float | None, float | None, bool]] = {
    "regional_transactions": (0.0, 1e12, False),
    "sales": (0.0, 1e12, False),
    "employees": (0.0, 1e8, True),
    "payroll": (0.0, 1e12, False),
    "value_added": (-1e12, 1e12, False),
}
"""Valid values of each KPI (issue #12 §1): ``(lowest, highest, whole number)``. Amounts in 千円
(1e12 千円 = 1,000兆円, far above any economy); persons are whole and never negative; 付加価値額
may be negative (an operating loss larger than the payroll)."""


def value_problem(code: str, value: float) -> str | None:
    """Why ``value`` is not a valid value of KPI ``code`` (Japanese), or None when it is."""
    low, high, whole = KPI_RANGES.get(code, (None, None, False))
    unit = KPI_DEFINITIONS.get(code, ("", ""))[1]
    if low is not None and value < low:
        return f"{value:,.10g} {unit}は負の値です。0 以上で入力してください"
    if high is not None and value > high:
        return f"{value:,.10g} {unit}は大きすぎます（単位が{unit}か確認してください）"
    if whole and value != int(value):
        return f"{value:,.10g} {unit}は整数ではありません。人数は整数で入力してください"
    return None


REGION_COLUMNS = {"prefecture": "prefecture_code", "municipality": "municipality_code"}


def regional_transaction_value(
    companies: pl.DataFrame,
    transactions: pl.DataFrame,
    *,
    company_ids: list[str],
    fiscal_year: int,
    region_level: str = "prefecture",
) -> tuple[float, dict[str, int]]:
    """域内取引額 of a set of firms (SPEC §3.5): the sum of amounts of in-region links (supplier and
    customer in the same region) with at least one end in the set, each link counted once. Self-links
    and links with a party unknown in that year are left out, as in ``chiiki.firms`` (SPEC §2, §3.1).

    Returns the value (千円) and counts: ``links`` used, ``missing_amounts`` (links without an amount,
    left out) and ``estimated`` (links whose amount was estimated, SPEC §3.3).
    """
    region = REGION_COLUMNS[region_level]
    firms = pl.Series("company_id", company_ids, dtype=pl.Utf8).implode()
    where = (
        companies.filter(pl.col("fiscal_year") == fiscal_year)
        .select("company_id", pl.col(region).alias("region"))
        .unique("company_id")
    )
    links = (
        transactions.filter(pl.col("fiscal_year") == fiscal_year)
        .join(where.rename({"company_id": "supplier_id", "region": "r_s"}), on="supplier_id", how="inner")
        .join(where.rename({"company_id": "customer_id", "region": "r_c"}), on="customer_id", how="inner")
        .filter(
            (pl.col("r_s") == pl.col("r_c"))
            & (pl.col("supplier_id") != pl.col("customer_id"))
            & (pl.col("supplier_id").is_in(firms) | pl.col("customer_id").is_in(firms))
        )
    )
    estimated = (
        int(links["amount_estimated"].fill_null(False).sum()) if "amount_estimated" in links.columns else 0
    )
    counts = {
        "links": links.height,
        "missing_amounts": int(links["amount"].is_null().sum()),
        "estimated": estimated,
    }
    return float(links["amount"].sum() or 0), counts


def plan_baseline(
    companies: pl.DataFrame,
    transactions: pl.DataFrame,
    *,
    company_ids: list[str],
    fiscal_year: int,
    region_level: str = "prefecture",
) -> pl.DataFrame:
    """Baseline of every KPI for the plan's firms in ``fiscal_year`` (SPEC §6.3), each explained.

    Columns: ``code, label, unit, baseline_year, baseline, source`` (Japanese explanation of how the
    number was computed, including how many firms had no value). Sums skip missing values.
    """
    firms = companies.filter(pl.col("fiscal_year") == fiscal_year, pl.col("company_id").is_in(company_ids))
    n = firms.height
    sums = firms.select(
        pl.col("sales").sum(),
        pl.col("employees").sum(),
        pl.col("payroll").sum(),
        (pl.col("operating_profit") + pl.col("payroll")).sum().alias("value_added"),
        pl.col("employees").is_null().sum().alias("employees_missing"),
        pl.col("payroll").is_null().sum().alias("payroll_missing"),
        (pl.col("operating_profit").is_null() | pl.col("payroll").is_null())
        .sum()
        .alias("value_added_missing"),
    ).row(0, named=True)
    rtv, counts = regional_transaction_value(
        companies, transactions, company_ids=company_ids, fiscal_year=fiscal_year, region_level=region_level
    )
    region = "都道府県" if region_level == "prefecture" else "市区町村"
    missing_firms = len(set(company_ids)) - n
    head = f"{fiscal_year}年度の企業データ、対象企業 {n} 社"
    head += f"（データにない {missing_firms} 社を除く）" if missing_firms else ""

    def note(col: str) -> str:
        k = sums.get(f"{col}_missing", 0) or 0
        return f"（値のない {k} 社を除く）" if k else ""

    rtv_note = f"{head}が関わる同一{region}内の取引 {counts['links']:,} 件の合計（各取引は1回だけ数える）"
    if counts["missing_amounts"]:
        rtv_note += f"。取引額のない {counts['missing_amounts']:,} 件は除外"
    if counts["estimated"]:
        rtv_note += f"。うち {counts['estimated']:,} 件は取引額を推計した取引"
    rows = [
        ("regional_transactions", rtv, rtv_note),
        ("sales", float(sums["sales"] or 0), f"{head}の売上高の合計"),
        ("employees", float(sums["employees"] or 0), f"{head}の従業者数の合計{note('employees')}"),
        ("payroll", float(sums["payroll"] or 0), f"{head}の給与総額の合計{note('payroll')}"),
        (
            "value_added",
            float(sums["value_added"] or 0),
            f"{head}の営業利益＋給与総額の合計（減価償却費を含まない近似）{note('value_added')}",
        ),
    ]
    return pl.DataFrame(
        {
            "code": [r[0] for r in rows],
            "label": [KPI_DEFINITIONS[r[0]][0] for r in rows],
            "unit": [KPI_DEFINITIONS[r[0]][1] for r in rows],
            "baseline_year": [fiscal_year] * len(rows),
            "baseline": [r[1] for r in rows],
            "source": [r[2] for r in rows],
        }
    )


def default_targets(
    baseline: pl.DataFrame,
    *,
    start_year: int,
    end_year: int,
    rules: PlanRules | None = None,
    prefecture_code: str | None = None,
) -> pl.DataFrame:
    """Yearly targets by the default target rules (SPEC §6.3): each KPI with a rule grows linearly from
    its baseline (in ``baseline_year``) to baseline·(1 + g) in ``end_year``. The payroll target also
    meets the wage rule: g_payroll = max(g, (1 + minimum-wage growth)^years − 1). Targets are whole
    numbers (persons, 千円), rounded up so that a rounded target still meets its rule.

    Input: ``code, baseline, baseline_year``; output: ``code, fiscal_year, target, rule`` for
    ``start_year..end_year``.
    """
    rules = rules or PlanRules()
    growth = dict(rules.target_growth)
    years_n = (
        max(end_year - int(baseline["baseline_year"].max() or start_year - 1), 1) if baseline.height else 1
    )
    wage = (1 + rules.min_wage_growth_for(prefecture_code)) ** years_n - 1
    if "payroll" in growth:
        growth["payroll"] = max(growth["payroll"], wage)
    growth = pl.DataFrame(
        {"code": list(growth), "growth": list(growth.values())},
        schema={"code": pl.Utf8, "growth": pl.Float64},
    )
    years = pl.DataFrame(
        {"fiscal_year": list(range(start_year, end_year + 1))}, schema={"fiscal_year": pl.Int64}
    )
    span = (pl.lit(end_year) - pl.col("baseline_year")).clip(lower_bound=1)
    return (
        baseline.select("code", "baseline", pl.col("baseline_year").cast(pl.Int64))
        .join(growth, on="code", how="inner")
        .join(years, how="cross")
        .with_columns(
            target=(
                pl.col("baseline")
                * (
                    1
                    + pl.col("growth") * ((pl.col("fiscal_year") - pl.col("baseline_year")) / span).clip(0, 1)
                )
                - 1e-9
            ).ceil(),
            rule=pl.when(pl.col("code") == "payroll")
            .then(
                pl.format(
                    "期間中に基準値から +{}% （既定の目標基準と賃上げ基準の高い方）",
                    (pl.col("growth") * 100).round(2),
                )
            )
            .otherwise(
                pl.format("期間中に基準値から +{}% （既定の目標基準）", (pl.col("growth") * 100).round(2))
            ),
        )
        .select("code", "fiscal_year", "target", "rule")
        .sort("code", "fiscal_year")
    )


@dataclass(frozen=True)
class RuleResult:
    """The outcome of one rule, with its explanation in Japanese."""

    met: bool
    explanation: str
    value: float | None = None
    required: float | None = None


def check_target_rules(
    kpis: pl.DataFrame,
    *,
    rules: PlanRules | None = None,
    prefecture_mean_value_added: float | None = None,
) -> tuple[RuleResult, pl.DataFrame]:
    """The default target rules of SPEC §6.3 on a plan's KPIs.

    ``kpis``: ``code, baseline, target`` (target = the end-of-period target). Each KPI with a rule
    passes when (target − baseline)/baseline ≥ its required growth; the plan passes when at least one
    does. With ``prefecture_mean_value_added`` (the prefecture's mean 付加価値額 per establishment, 千円)
    and a ``value_added`` KPI, the value-added increase must also exceed that mean.

    Returns the overall result and a frame ``code, growth, required, met, explanation``.
    """
    rules = rules or PlanRules()
    growth = pl.DataFrame(
        {"code": list(rules.target_growth), "required": list(rules.target_growth.values())},
        schema={"code": pl.Utf8, "required": pl.Float64},
    )
    per = (
        kpis.select("code", pl.col("baseline").cast(pl.Float64), pl.col("target").cast(pl.Float64))
        .join(growth, on="code", how="inner")
        .with_columns(
            growth=pl.when(pl.col("baseline") > 0).then(pl.col("target") / pl.col("baseline") - 1),
        )
        .with_columns(met=(pl.col("growth") >= pl.col("required") - 1e-12).fill_null(False))
        .with_columns(
            explanation=pl.when(pl.col("target").is_null())
            .then(pl.lit("目標値が未設定"))
            .when(pl.col("growth").is_null())
            .then(pl.lit("基準値が 0 または未設定のため伸び率を計算できません"))
            .otherwise(
                pl.format(
                    "目標の伸び率 {}% （基準 {} → 目標 {}）、基準 +{}% 以上: {}",
                    (pl.col("growth") * 100).round(2),
                    pl.col("baseline").round(1),
                    pl.col("target").round(1),
                    (pl.col("required") * 100).round(2),
                    pl.when(pl.col("met")).then(pl.lit("満たす")).otherwise(pl.lit("満たさない")),
                )
            )
        )
        .select("code", "growth", "required", "met", "explanation")
        .sort("code")
    )
    met_codes = per.filter("met")["code"].to_list()
    overall_met = bool(met_codes)
    text = (
        f"既定の目標基準（いずれか1つ以上）を満たす KPI: {'、'.join(KPI_DEFINITIONS.get(c, (c,))[0] for c in met_codes)}"
        if overall_met
        else "既定の目標基準（域内取引額 +5%・売上 +10%・雇用 +0.5%・給与総額 +4% のいずれか）を"
        "満たす KPI がありません"
    )
    if prefecture_mean_value_added is not None:
        va = kpis.filter(pl.col("code") == "value_added")
        if va.height and va["target"][0] is not None and va["baseline"][0] is not None:
            increase = float(va["target"][0]) - float(va["baseline"][0])
            va_met = increase > prefecture_mean_value_added
            text += (
                f"。付加価値額の増加 {increase:,.0f} 千円は都道府県の1事業所当たり平均付加価値額 "
                f"{prefecture_mean_value_added:,.0f} 千円を{'上回る' if va_met else '上回らない'}"
            )
            overall_met = overall_met and va_met
        else:
            text += "。付加価値額の目標がないため、付加価値額の基準は判定できません"
            overall_met = False
    return RuleResult(overall_met, text), per


def wage_growth_rate(payroll_start: float, payroll_end: float, years: int) -> float:
    """Mean yearly growth (payroll_end/payroll_start)^(1/years) − 1 (SPEC §6.3 wage rule)."""
    if payroll_start <= 0 or years <= 0:
        raise ValueError("給与総額の基準値が 0 以下、または年数が 0 以下のため年平均伸び率を計算できません。")
    return (payroll_end / payroll_start) ** (1 / years) - 1


def check_wage_rule(
    payroll_start: float | None,
    payroll_end: float | None,
    years: int,
    *,
    prefecture_code: str | None = None,
    rules: PlanRules | None = None,
) -> RuleResult:
    """The wage rule of SPEC §6.3 (as in 大規模成長投資補助金): ((payroll_end/payroll_start)^(1/years) − 1)
    ≥ the prefecture's minimum-wage growth rate (a setting)."""
    rules = rules or PlanRules()
    required = rules.min_wage_growth_for(prefecture_code)
    if payroll_start is None or payroll_end is None:
        return RuleResult(
            False, "給与総額の基準値または目標値がないため賃上げ基準を判定できません", None, required
        )
    try:
        rate = wage_growth_rate(payroll_start, payroll_end, years)
    except ValueError as exc:
        return RuleResult(False, str(exc), None, required)
    met = rate >= required - 1e-12
    return RuleResult(
        met,
        f"給与総額の年平均伸び率 {rate * 100:.2f}% "
        f"（{payroll_start:,.0f} → {payroll_end:,.0f} 千円、{years}年）は"
        f"最低賃金の伸び率 {required * 100:.2f}% を{'上回る（以上）' if met else '下回る'}",
        rate,
        required,
    )


def kpi_status(frame: pl.DataFrame, *, rules: PlanRules | None = None) -> pl.DataFrame:
    """Status of each KPI-year (SPEC §6.5 monitoring).

    Input columns: ``baseline, target, actual`` (any others are kept). Adds ``progress`` = (actual −
    baseline)/(target − baseline) (the share of the planned change achieved), ``status``
    (achieved: actual reaches the target; on_track: progress ≥ ``rules.on_track_ratio``; behind;
    not_reported: no actual; no_target), ``status_label`` and ``explanation``.
    """
    rules = rules or PlanRules()
    b, t, a = (pl.col(c).cast(pl.Float64) for c in ("baseline", "target", "actual"))
    planned = t - b
    up = planned >= 0
    reached = pl.when(up).then(a >= t - 1e-9).otherwise(a <= t + 1e-9)
    progress = pl.when(planned.abs() > 1e-12).then((a - b) / planned)
    status = (
        pl.when(t.is_null())
        .then(pl.lit("no_target"))
        .when(a.is_null())
        .then(pl.lit("not_reported"))
        .when(reached)
        .then(pl.lit("achieved"))
        .when(progress >= rules.on_track_ratio)
        .then(pl.lit("on_track"))
        .otherwise(pl.lit("behind"))
    )
    out = frame.with_columns(progress=progress, status=status)
    return out.with_columns(
        status_label=pl.col("status").replace_strict(KPI_STATUS_LABELS, return_dtype=pl.Utf8),
        explanation=pl.when(pl.col("status").is_in(["no_target", "not_reported"]))
        .then(pl.col("status").replace_strict(KPI_STATUS_LABELS, return_dtype=pl.Utf8))
        .otherwise(
            pl.format(
                "実績 {} / 目標 {}（基準 {}）: 計画した増分の {}% を達成",
                a.round(1),
                t.round(1),
                b.round(1),
                (pl.col("progress") * 100).round(1).fill_null(100.0),
            )
        ),
    )
