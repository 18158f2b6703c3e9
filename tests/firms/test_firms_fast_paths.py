"""The integer-coded path and the vectorised kernels give exactly what the string-id path and the
reference formulations give (SPEC §3.1, §3.2; issue #3 speed work)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from firms_helpers import make_companies, make_links
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from chiiki.data.codes import CUSTOMER_CODE, SUPPLIER_CODE, with_codes
from chiiki.data.contract import Dataset
from chiiki.firms import (
    FirmAnalysisError,
    build_network,
    connector_hub,
    firm_ripple,
    network_roles,
    priority_scores,
)
from chiiki.firms.connector_hub import rank_within, stable_order
from chiiki.firms.network import firm_positions
from chiiki.firms.scores import _history, standard_scores

YEARS = (2022, 2023, 2024)
IDS = [f"K{i:02d}" for i in range(12)]


@st.composite
def economies(draw) -> Dataset:
    """Small data sets with every kind of link the analyses count: unknown parties (ids of no
    company, or of a company missing in the year), self-links, missing amounts, duplicates,
    estimated amounts; firms missing in some years; null profits and employees."""
    rows = []
    n_firms = draw(st.integers(2, len(IDS)))
    for cid in IDS[:n_firms]:
        pref = draw(st.sampled_from(["07", "13", "15"]))
        muni = pref + draw(st.sampled_from(["201", "202"]))
        for year in YEARS:
            if year != YEARS[-1] and draw(st.integers(0, 4)) == 0:
                continue  # a firm without figures for that year
            profit = draw(st.one_of(st.none(), st.integers(-50, 200)))
            employees = draw(st.one_of(st.none(), st.integers(0, 300)))
            rows.append((cid, pref, muni, year, draw(st.integers(0, 5000)), profit, employees))
    companies = pl.DataFrame(
        {
            "company_id": [r[0] for r in rows],
            "corporate_number": pl.Series([None] * len(rows), dtype=pl.Utf8),
            "name": [f"社{r[0]}" for r in rows],
            "prefecture_code": [r[1] for r in rows],
            "municipality_code": [r[2] for r in rows],
            "jsic_code": ["24"] * len(rows),
            "fiscal_year": pl.Series([r[3] for r in rows], dtype=pl.Int64),
            "sales": pl.Series([r[4] for r in rows], dtype=pl.Int64),
            "operating_profit": pl.Series([r[5] for r in rows], dtype=pl.Int64),
            "employees": pl.Series([r[6] for r in rows], dtype=pl.Int64),
            "payroll": pl.Series([100] * len(rows), dtype=pl.Int64),
        }
    )
    parties = st.sampled_from([*IDS[:n_firms], "UNKNOWN1", "UNKNOWN2"])
    links = draw(
        st.lists(
            st.tuples(
                parties,
                parties,
                st.sampled_from(YEARS),
                st.one_of(st.none(), st.integers(0, 1000)),
                st.booleans(),
            ),
            max_size=60,
        )
    )
    transactions = pl.DataFrame(
        {
            "supplier_id": pl.Series([r[0] for r in links], dtype=pl.Utf8),
            "customer_id": pl.Series([r[1] for r in links], dtype=pl.Utf8),
            "fiscal_year": pl.Series([r[2] for r in links], dtype=pl.Int64),
            "amount": pl.Series([r[3] for r in links], dtype=pl.Int64),
            "amount_estimated": pl.Series([r[4] for r in links], dtype=pl.Boolean),
        }
    )
    if draw(st.booleans()):
        transactions = transactions.sort("fiscal_year", "supplier_id", "customer_id")
    return Dataset(companies, transactions)


def _networks_equal(a, b) -> None:
    """Same firms, regions, report and links (merged duplicates come out of a group-by in no
    particular order, so links are compared sorted)."""
    assert_frame_equal(a.firms, b.firms)
    assert a.report == b.report
    assert a.region_codes == b.region_codes
    np.testing.assert_array_equal(a.region, b.region)
    oa, ob = np.lexsort((a.customer, a.supplier)), np.lexsort((b.customer, b.supplier))
    for name in ("supplier", "customer", "amount", "estimated"):
        np.testing.assert_array_equal(getattr(a, name)[oa], getattr(b, name)[ob])


@settings(max_examples=30, deadline=None)
@given(economies(), st.sampled_from(["prefecture", "municipality", "block"]))
def test_coded_path_gives_exactly_the_string_path(ds, level):
    coded = with_codes(ds)
    without_ids = coded.transactions.drop("supplier_id", "customer_id")
    for transactions in (coded.transactions, without_ids):
        _networks_equal(
            build_network(ds.companies, ds.transactions, year=2024, level=level),
            build_network(coded.companies, transactions, year=2024, level=level),
        )
        a = connector_hub(ds.companies, ds.transactions, year=2024, level=level)
        b = connector_hub(coded.companies, transactions, year=2024, level=level)
        assert_frame_equal(a.firms, b.firms)
        assert_frame_equal(a.regions, b.regions)
        assert a.report == b.report and a.notes == b.notes
    a = priority_scores(ds.companies, ds.transactions)
    b = priority_scores(coded.companies, without_ids)
    assert_frame_equal(a.firms, b.firms)
    assert a.notes == b.notes


def test_coded_roles_and_ripple_match(toy):
    coded = with_codes(toy)
    assert_frame_equal(
        network_roles(toy.companies, toy.transactions, year=2024),
        network_roles(coded.companies, coded.transactions, year=2024),
    )
    a = firm_ripple(toy.companies, toy.transactions, year=2024, firms="A", delta=100)
    b = firm_ripple(coded.companies, coded.transactions, year=2024, firms="A", delta=100)
    assert_frame_equal(a.firms, b.firms)
    assert (a.total, a.induced) == (b.total, b.induced)


def test_codes_of_another_data_set_fall_back_to_the_ids(toy):
    """Frames mixed from two data sets: the sampled id check rejects the codes, results stay right."""
    coded = with_codes(toy)
    shifted = coded.transactions.with_columns(
        pl.col(SUPPLIER_CODE).shift(1, fill_value=0), pl.col(CUSTOMER_CODE).shift(-1, fill_value=0)
    )
    expected = connector_hub(toy.companies, toy.transactions, year=2024)
    got = connector_hub(coded.companies, shifted, year=2024)
    assert_frame_equal(expected.firms, got.firms)
    assert expected.report == got.report


def test_codes_that_do_not_fit_without_ids_are_an_error(toy):
    coded = with_codes(toy)
    huge = coded.transactions.drop("supplier_id", "customer_id").with_columns(
        pl.lit(4_000_000_000, dtype=pl.UInt32).alias(SUPPLIER_CODE)
    )
    with pytest.raises(FirmAnalysisError, match="企業コードが企業データと一致しません"):
        connector_hub(coded.companies, huge, year=2024)


def test_duplicate_ids_are_reported_on_the_coded_path_too():
    companies = make_companies([("A", "07", 10), ("A", "07", 20), ("B", "13", 5)])
    coded = with_codes(Dataset(companies, make_links([("A", "B", 1)])))
    with pytest.raises(FirmAnalysisError, match="企業IDが重複"):
        connector_hub(coded.companies, coded.transactions, year=2024)


def _reference_rank_within(group: np.ndarray, value: np.ndarray) -> np.ndarray:
    """The earlier lexsort formulation of the within-group "min" rank."""
    n = len(value)
    key = np.where(np.isnan(value), np.inf, -value)
    order = np.lexsort((key, group))
    g, k = group[order], key[order]
    pos = np.arange(n)
    new_group = np.ones(n, dtype=bool)
    new_group[1:] = g[1:] != g[:-1]
    new_value = new_group.copy()
    new_value[1:] |= k[1:] != k[:-1]
    group_start = np.maximum.accumulate(np.where(new_group, pos, 0))
    run_start = np.maximum.accumulate(np.where(new_value, pos, 0))
    ranks = np.empty(n)
    ranks[order] = np.where(np.isinf(k), np.nan, run_start - group_start + 1)
    return ranks


values = st.lists(
    st.one_of(st.sampled_from([0.0, 0.25, 1.0, float("nan")]), st.floats(0, 10)), min_size=1, max_size=80
)


@settings(max_examples=100, deadline=None)
@given(values, st.data())
def test_rank_within_matches_the_lexsort_formulation(xs, data):
    group = np.array(data.draw(st.lists(st.integers(-1, 4), min_size=len(xs), max_size=len(xs))))
    x = np.array(xs)
    got, reversed_ = rank_within(group, x, x[::-1].copy())
    np.testing.assert_array_equal(got, _reference_rank_within(group, x))
    np.testing.assert_array_equal(reversed_, _reference_rank_within(group, x[::-1].copy()))


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(-3, 3), st.integers(0, 200_000), st.integers(-(2**40), 2**40), st.floats(-1, 1)
        ),
        max_size=80,
    )
)
def test_stable_order_is_lexsort(rows):
    cols = [np.array([r[i] for r in rows]) for i in range(4)] if rows else [np.array([], dtype=np.int64)] * 4
    for keys in ((cols[3], cols[0]), (cols[2], cols[1], cols[0]), (np.arange(len(rows)), cols[1])):
        np.testing.assert_array_equal(stable_order(*keys), np.lexsort(keys))


@settings(max_examples=100, deadline=None)
@given(values, st.data())
def test_standard_scores_match_the_window_formulation(xs, data):
    group = np.array(data.draw(st.lists(st.integers(0, 3), min_size=len(xs), max_size=len(xs))))
    x = np.array(xs)
    frame = pl.DataFrame({"g": group, "x": pl.Series(x).fill_nan(None)})
    xe = pl.col("x")
    mean, sd = xe.mean().over("g"), xe.std(ddof=0).over("g")
    expected = frame.select(
        pl.when(xe.is_null()).then(None).when(sd > 0).then(50 + 10 * (xe - mean) / sd).otherwise(50.0)
    )
    got = standard_scores({"x": x}, group)["x"]
    np.testing.assert_array_equal(got, expected.to_series().fill_null(np.nan).to_numpy())


@settings(max_examples=30, deadline=None)
@given(economies())
def test_history_matches_the_group_by_formulation(ds):
    """Means over the window and first/last-year values, as the earlier filtered group-by had them."""
    coded = with_codes(ds)
    for frames in (ds, coded):
        net = build_network(frames.companies, frames.transactions, year=2024)
        got = _history(net, frames.companies, YEARS)
        stats = (
            ds.companies.group_by("company_id")
            .agg(
                pl.col("operating_profit").cast(pl.Float64).mean().alias("profit_mean"),
                pl.col("employees").cast(pl.Float64).mean().alias("employees_mean"),
                *(
                    pl.col(c).filter(pl.col("fiscal_year") == y).first().cast(pl.Float64).alias(f"{n}_{k}")
                    for c, n in (("operating_profit", "profit"), ("employees", "employees"))
                    for k, y in (("first", YEARS[0]), ("last", YEARS[-1]))
                ),
            )
            .join(net.firms.select("company_id"), on="company_id", how="right")
        )
        for name, arr in got.items():
            np.testing.assert_array_equal(arr, stats.get_column(name).fill_null(np.nan).to_numpy())


def test_firm_positions_by_code_and_by_id(toy):
    coded = with_codes(toy)
    net_ids = build_network(toy.companies, toy.transactions, year=2024)
    net_codes = build_network(coded.companies, coded.transactions, year=2024)
    assert net_ids.id_key is None and net_codes.id_key is not None
    np.testing.assert_array_equal(
        firm_positions(net_ids, toy.companies), firm_positions(net_codes, coded.companies)
    )
    np.testing.assert_array_equal(net_ids.id_order, np.argsort(np.argsort(net_codes.id_order)))
