"""SPEC §3.2 priority scores and selection on the hand-worked toy economy."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from chiiki.firms import FirmAnalysisError, priority_scores, select_priority
from chiiki.firms.scores import DEFAULT_WEIGHTS, parse_weights


def _by_id(frame, col):
    return dict(frame.select("company_id", col).iter_rows())


def test_standard_score_hand_worked_connector(toy):
    s = priority_scores(toy.companies, toy.transactions, prefecture="07").firms
    t = _by_id(s, "connector_degree_score")
    # x = (2/3, 1/3, 0, 0): mean 1/4, population sd √11/12, so T_A = 50 + 50/√11.
    assert t["A"] == pytest.approx(50 + 50 / math.sqrt(11))
    assert t["C"] == pytest.approx(50 - 30 / math.sqrt(11))


def test_growth_and_means_hand_worked(toy):
    s = priority_scores(toy.companies, toy.transactions, prefecture="07").firms
    assert _by_id(s, "profit_growth")["A"] == pytest.approx(0.5)  # 40 → 90 over two years: √2.25 − 1
    assert _by_id(s, "employment_growth")["A"] == pytest.approx(0.1)  # 100 → 121
    assert _by_id(s, "profit_mean")["C"] == pytest.approx(65 / 3)
    assert _by_id(s, "employees_mean")["D"] == pytest.approx(19.0)


def test_score_is_weighted_mean_of_standard_scores(toy):
    s = priority_scores(toy.companies, toy.transactions, prefecture="07").firms
    parts = np.column_stack([s.get_column(f"{k}_score").to_numpy() for k in DEFAULT_WEIGHTS])
    w = np.array(list(DEFAULT_WEIGHTS.values()))
    assert np.allclose(s.get_column("score").to_numpy(), parts @ w / w.sum())
    assert s.get_column("company_id").to_list() == ["A", "C", "B", "D"]
    assert s.get_column("score").to_list()[0] == pytest.approx(63.936092, abs=1e-6)


def test_standard_scores_have_mean_50_within_prefecture(toy):
    s = priority_scores(toy.companies, toy.transactions).firms
    means = s.group_by("prefecture_code").agg(pl.col("profit_mean_score").mean())
    assert np.allclose(means.get_column("profit_mean_score").to_numpy(), 50.0)


def test_fewer_than_three_years_rescales_weights_and_says_so(toy):
    two = toy.companies.filter(pl.col("fiscal_year") >= 2023)
    res = priority_scores(two, toy.transactions, prefecture="07")
    assert not res.growth_available
    assert res.firms.get_column("profit_growth").null_count() == 4
    assert any("成長率は算出できません" in n for n in res.notes)
    assert res.firms.get_column("notes").str.contains("利益成長率").all()
    parts = np.column_stack(
        [res.firms.get_column(f"{k}_score").to_numpy() for k in list(DEFAULT_WEIGHTS)[:4]]
    )
    assert np.allclose(res.firms.get_column("score").to_numpy(), parts.mean(axis=1))


def test_negative_profit_makes_growth_missing_for_that_firm(toy):
    comp = toy.companies.with_columns(
        pl.when((pl.col("company_id") == "B") & (pl.col("fiscal_year") == 2022))
        .then(-5)
        .otherwise(pl.col("operating_profit"))
        .alias("operating_profit")
    )
    s = priority_scores(comp, toy.transactions, prefecture="07").firms
    assert _by_id(s, "profit_growth")["B"] is None
    assert "利益成長率" in _by_id(s, "notes")["B"]


def test_weights_setting_changes_score(toy):
    only_connector = {k: 0.0 for k in DEFAULT_WEIGHTS} | {"connector_degree": 1.0}
    s = priority_scores(toy.companies, toy.transactions, prefecture="07", weights=only_connector).firms
    assert np.allclose(s.get_column("score").to_numpy(), s.get_column("connector_degree_score").to_numpy())


def test_parse_weights_unknown_indicator_is_a_japanese_error():
    assert parse_weights("hub_degree=0.5")["hub_degree"] == 0.5
    with pytest.raises(FirmAnalysisError, match="重みの指定が不正"):
        parse_weights("sales=1")


def test_unknown_prefecture_is_a_japanese_error(toy):
    with pytest.raises(FirmAnalysisError, match="都道府県コード 99"):
        priority_scores(toy.companies, toy.transactions, prefecture="99")


def test_select_top_n_with_reasons(toy):
    s = priority_scores(toy.companies, toy.transactions).firms
    sel = select_priority(s, top_n=1).filter("selected")
    assert sorted(sel.get_column("company_id").to_list()) == ["A", "F", "G"]
    assert (
        sel.filter(pl.col("company_id") == "A")
        .get_column("reasons")
        .item()
        .startswith("県内で総合得点が上位1社")
    )


def test_select_min_score_and_hub_connector_rules(toy):
    s = priority_scores(toy.companies, toy.transactions, prefecture="07").firms
    assert select_priority(s, min_score=48.0).filter("selected").get_column("company_id").to_list() == [
        "A",
        "C",
    ]
    hc = select_priority(s, hub_connector_top=50).filter("selected")
    assert hc.get_column("company_id").to_list() == ["A", "B"]  # both degrees ranked 1 and 2 of 4
    assert "コネクター度・ハブ度とも" in hc.get_column("reasons")[0]


def test_select_restricted_to_fields(toy):
    s = priority_scores(toy.companies, toy.transactions).firms
    sel = select_priority(s, top_n=1, fields=[1]).filter("selected")  # AI・半導体 maps to JSIC 28, 29
    assert sorted(sel.get_column("company_id").to_list()) == ["A", "E"]
    assert "重点分野: AI・半導体" in sel.filter(pl.col("company_id") == "E").get_column("reasons").item()


def test_select_without_rule_is_a_japanese_error(toy):
    s = priority_scores(toy.companies, toy.transactions).firms
    with pytest.raises(FirmAnalysisError, match="選定基準"):
        select_priority(s)


def test_score_on_a_network_built_by_the_caller_is_the_same_and_checks_the_year():
    from chiiki.firms.examples import toy_economy
    from chiiki.firms.network import build_network

    ds = toy_economy()
    year = int(ds.companies["fiscal_year"].max())
    net = build_network(ds.companies, ds.transactions, year=year, level="prefecture")
    own = priority_scores(ds.companies, ds.transactions, year=year)
    given = priority_scores(ds.companies, ds.transactions, year=year, network=net)
    assert given.firms.equals(own.firms) and given.notes == own.notes
    with pytest.raises(FirmAnalysisError, match="年度"):
        priority_scores(ds.companies, ds.transactions, year=year - 1, network=net)
