"""Demo plans for the README's main job (issue #6 §8), all labelled デモデータ and built from the
project's synthetic economy:

- a Fukushima (07) B plan whose 重点支援企業 come from a priority-score frame (``chiiki.firms``), with
  KPI baselines from the data set, default targets and, when ``chiiki.io`` is there, a ripple scenario
  on the demo input–output table; submitted for review;
- a C plan of 郡山市 (07203) on local food and tourism resources;
- a 東北 block A plan with candidate projects from 宮城, 福島 and 山形 (one below the investment
  threshold, so the automatic checks show a ×).
"""

from __future__ import annotations

from typing import Any

import polars as pl
from sqlalchemy.orm import Session

from chiiki.data.contract import Dataset
from chiiki.plans.labels import DEMO_LABEL
from chiiki.plans.rules import PlanRules
from chiiki.plans.workflow import ActorRef
from chiiki.reference import municipalities

FUKUSHIMA = "07"
KORIYAMA = "07203"
B_FIELDS = [1, 9, 11]
PERIOD = (2026, 2030)

FUKUSHIMA_STAFF = ActorRef("demo-fukushima", "prefecture", prefecture_code=FUKUSHIMA)
TOHOKU_BUREAU = ActorRef("demo-tohoku", "bureau", block_code="tohoku")
MIYAGI_STAFF = ActorRef("demo-miyagi", "prefecture", prefecture_code="04")
YAMAGATA_STAFF = ActorRef("demo-yamagata", "prefecture", prefecture_code="06")
REVIEWER = ActorRef("demo-reviewer", "reviewer")


def demo_scores(
    dataset: Dataset, *, prefecture: str = FUKUSHIMA, top_n: int = 20, fields: list[int] | None = None
) -> pl.DataFrame:
    """Priority scores of ``prefecture`` with the top ``top_n`` selected (``chiiki.firms``, SPEC §3.2),
    among the firms of the strategic ``fields`` (default: the demo B plan's focus fields, so that its
    重点支援企業 lie inside them)."""
    from chiiki.firms import priority_scores, select_priority

    scores = priority_scores(dataset.companies, dataset.transactions, prefecture=prefecture)
    return select_priority(scores.firms, top_n=top_n, fields=B_FIELDS if fields is None else fields)


def _demo_reasons(frame: pl.DataFrame) -> dict[str, str]:
    """The planner's reason of each demo 重点支援企業 (a demo sentence from its indicators)."""
    texts = frame.select(
        "company_id",
        pl.format(
            "{}: 県内での総合スコア {} 点。地域の取引の要として伴走支援の対象とする",
            pl.lit(DEMO_LABEL),
            pl.col("score").round(1),
        ).alias("reason"),
    )
    return dict(texts.iter_rows())


def _ripple(session: Session, plan_id: int, dataset: Dataset, firms: list[str]) -> None:
    """A ripple scenario: the priority firms' planned investment as new final demand (chiiki.io)."""
    try:
        import numpy as np

        from chiiki.io import ripple
        from chiiki.io.demo import demo_table
    except ImportError:  # pragma: no cover - chiiki.io is part of the package
        return
    from chiiki.store.parts import save_ripple_scenario

    table = demo_table(dataset, prefecture=FUKUSHIMA)
    demand = np.zeros(table.n)
    manufacturing = next((i for i, s in enumerate(table.sectors) if "製造" in s), 0)
    demand[manufacturing] = 10_000.0
    c = 0.7243
    result = ripple(table, demand, c=c, scenarios=["重点支援企業の設備投資 100億円"])
    frame = pl.DataFrame({"sector": list(table.sectors), "value": demand.tolist()})
    save_ripple_scenario(
        session,
        plan_id,
        actor=FUKUSHIMA_STAFF,
        name="重点支援企業の設備投資 100億円",
        inputs={
            "demand": frame,
            "c": c,
            "local_output": False,
            "table": f"デモ産業連関表（福島県、{DEMO_LABEL}）",
        },
        results=result.effects,
        unit=table.unit,
        note=f"{DEMO_LABEL}: {table.sectors[manufacturing]} に 10,000 百万円の最終需要を置いた試算（重点支援企業 {len(firms)} 社）",
    )


def build_demo_plans(
    session: Session,
    dataset: Dataset,
    *,
    scores: pl.DataFrame | None = None,
    base_year: int | None = None,
    rules: PlanRules | None = None,
    with_ripple: bool = True,
    dataset_id: int | None = None,
) -> dict[str, int]:
    """Create the three demo plans (and the support-measure catalog) in ``session``; returns their ids
    by key ``B``, ``C``, ``A``. ``scores``: a priority-score frame of Fukushima firms (``company_id,
    score, selected, reasons`` …); computed with ``chiiki.firms`` when not given. ``dataset_id``: the
    registered version of ``dataset`` (pinned with firms and KPI baselines). The caller commits."""
    from chiiki.store.parts import (
        add_candidate_project,
        set_kpis_from_data,
        set_priority_firms,
        sync_support_measures,
    )
    from chiiki.store.plans import create_plan, refresh_requirements, transition_plan, update_requirement

    year = base_year or max(dataset.years)
    sync_support_measures(session, actor="demo")
    if scores is None:
        scores = demo_scores(dataset)
    names = dict(
        dataset.companies.filter(pl.col("fiscal_year") == year).select("company_id", "name").iter_rows()
    )

    b = create_plan(
        session,
        actor=FUKUSHIMA_STAFF,
        plan_type="B",
        title=f"【{DEMO_LABEL}】ふくしま地域産業クラスター計画",
        period_start=PERIOD[0],
        period_end=PERIOD[1],
        prefecture_code=FUKUSHIMA,
        focus_fields=B_FIELDS,
        description=(
            f"{DEMO_LABEL}。半導体・エネルギー（GX）・医療機器を重点分野とし、コネクター度・ハブ度の高い"
            "企業を重点支援企業として選定する福島県の地域産業クラスター計画の例。"
        ),
        is_demo=True,
    )
    set_priority_firms(
        session,
        b.id,
        scores,
        actor=FUKUSHIMA_STAFF,
        score_run=f"{DEMO_LABEL} 優先度スコア {year}年度",
        names=names,
        dataset_id=dataset_id,
        planner_reasons=_demo_reasons(scores.filter(pl.col("selected").fill_null(False))),
    )
    set_kpis_from_data(
        session, b.id, dataset, actor=FUKUSHIMA_STAFF, fiscal_year=year, rules=rules, dataset_id=dataset_id
    )
    for code, evidence in (
        ("B_EXPORT", f"{DEMO_LABEL}: 重点分野の製品は海外売上比率 30% 以上を目指す"),
        ("B_LOCALISE", f"{DEMO_LABEL}: 誘致企業なし（該当なし）"),
        ("B_SUPPORT", f"{DEMO_LABEL}: 県・市町村の伴走支援チームを計画期間中設置"),
    ):
        update_requirement(
            session, b.id, code, actor=FUKUSHIMA_STAFF, expected_version=None, evidence=evidence
        )
    if with_ripple:
        _ripple(session, b.id, dataset, [f.company_id for f in b.priority_firms])
    refresh_requirements(session, b.id, actor=FUKUSHIMA_STAFF, rules=rules)
    transition_plan(session, b.id, "submit", actor=FUKUSHIMA_STAFF, comment=f"{DEMO_LABEL}: 提出")

    latest = dataset.companies.filter(pl.col("fiscal_year") == year, pl.col("prefecture_code") == FUKUSHIMA)
    town = KORIYAMA
    if latest.filter(pl.col("municipality_code") == town).is_empty() and latest.height:
        # a small synthetic economy may have no firm in 郡山市: take the Fukushima town with most firms
        town = latest["municipality_code"].mode().sort()[0]
    town_name = municipalities(FUKUSHIMA).filter(pl.col("municipality_code") == town)["name"].to_list()
    town_staff = ActorRef("demo-municipal", "municipal", prefecture_code=FUKUSHIMA, municipality_code=town)
    c = create_plan(
        session,
        actor=town_staff,
        plan_type="C",
        title=f"【{DEMO_LABEL}】{town_name[0] if town_name else town} 地場産業成長プラン（食と観光）",
        period_start=PERIOD[0],
        period_end=PERIOD[1],
        municipality_code=town,
        local_resources=["農林水産・食品", "観光"],
        description=f"{DEMO_LABEL}。地元の農産物の加工度を高め、観光と組み合わせて域外への販路を広げる市町村のプランの例。",
        is_demo=True,
    )
    local = latest.filter(pl.col("municipality_code") == town).sort("sales", descending=True).head(10)
    if local.height:
        # the score column is the firm's priority-company score within the prefecture (SPEC §3.2),
        # not its sales: the firms are chosen by sales, ranked and shown by score
        firm_scores = scores.select("company_id", pl.col("score").cast(pl.Float64))
        local_scores = local.join(firm_scores, on="company_id", how="left").select(
            "company_id",
            "name",
            "score",
            pl.lit(True).alias("selected"),
            pl.lit(["市内の売上上位（デモの選定）"]).alias("reasons"),
            "jsic_code",
            "sales",
            "employees",
        )
        set_priority_firms(
            session, c.id, local_scores, actor=town_staff, score_run=f"{DEMO_LABEL} 市内売上上位",
            dataset_id=dataset_id,
        )  # fmt: skip
        set_kpis_from_data(
            session,
            c.id,
            dataset,
            actor=town_staff,
            fiscal_year=year,
            rules=rules,
            dataset_id=dataset_id,
            region_level="municipality",
        )
    update_requirement(
        session,
        c.id,
        "C_DESK",
        actor=town_staff,
        expected_version=None,
        evidence=f"{DEMO_LABEL}: 市産業政策課に地場産業相談窓口を設置",
    )
    refresh_requirements(session, c.id, actor=town_staff, rules=rules)

    a = create_plan(
        session,
        actor=TOHOKU_BUREAU,
        plan_type="A",
        title=f"【{DEMO_LABEL}】東北 戦略産業クラスター計画（素案）",
        period_start=PERIOD[0],
        period_end=2035,
        block_code="tohoku",
        focus_fields=[1, 9],
        description=f"{DEMO_LABEL}。東北経済産業局の有識者検討会が取りまとめる素案の例（AI・半導体、GX）。",
        is_demo=True,
    )
    projects: list[tuple[ActorRef, dict[str, Any]]] = [
        (
            MIYAGI_STAFF,
            dict(
                prefecture_code="04",
                title=f"【{DEMO_LABEL}】仙台北部 半導体製造拠点",
                field_id=1,
                investment_amount=300_000_000,
                ministries=[{"name": "経済産業省", "since": "2026-01-15"}],
                wage_plan="3年間で平均賃金 +18%",
                wage_growth_rate=0.06,
            ),
        ),
        (
            FUKUSHIMA_STAFF,
            dict(
                prefecture_code="07",
                title=f"【{DEMO_LABEL}】浜通り 水素サプライチェーン",
                field_id=9,
                investment_amount=45_000_000,
                ministries=[
                    {"name": "経済産業省", "since": "2025-11-01"},
                    {"name": "国土交通省", "since": "2026-02-10"},
                ],
                wage_plan="毎年の定期昇給に加え +2%",
                wage_growth_rate=0.055,
            ),
        ),
        (
            YAMAGATA_STAFF,
            dict(
                prefecture_code="06",
                title=f"【{DEMO_LABEL}】有機エレクトロニクス試作ライン",
                field_id=1,
                investment_amount=1_500_000,
                ministries=[],
                wage_plan="検討中",
                wage_growth_rate=0.03,
            ),
        ),
    ]
    for actor, values in projects:
        add_candidate_project(session, a.id, actor=actor, **values)
    refresh_requirements(session, a.id, actor=TOHOKU_BUREAU, rules=rules)
    return {"B": b.id, "C": c.id, "A": a.id}
