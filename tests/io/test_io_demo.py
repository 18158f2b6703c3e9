"""The demo prefectural table (issue #4 item 6) is balanced and consistent with the firms it comes from."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from chiiki.data import Dataset
from chiiki.io import IOTableError, ripple
from chiiki.io.demo import demo_frame, demo_table


def tiny_dataset() -> Dataset:
    """Three firms in 07 (manufacturing, construction, retail) and one in 13 (manufacturing); 千円."""
    companies = pl.DataFrame(
        {
            "company_id": ["m", "c", "r", "x"],
            "corporate_number": [None] * 4,
            "name": ["製造", "建設", "小売", "東京製造"],
            "prefecture_code": ["07", "07", "07", "13"],
            "municipality_code": ["07201", "07201", "07202", "13101"],
            "jsic_code": ["09", "06", "58", "09"],
            "fiscal_year": [2024] * 4,
            "sales": [1_000_000, 400_000, 300_000, 5_000_000],
            "operating_profit": [50_000, 20_000, None, 100_000],
            "employees": [50, 20, 10, 200],
            "payroll": [200_000, 100_000, 60_000, 800_000],
        },
        schema_overrides={"corporate_number": pl.Utf8},
    )
    transactions = pl.DataFrame(
        {
            "supplier_id": ["m", "m", "x", "c", "r", "m"],
            "customer_id": ["c", "x", "m", "r", "m", "r"],
            "fiscal_year": [2024] * 6,
            "amount": [100_000, 300_000, 200_000, 50_000, 10_000, None],
        }
    )
    return Dataset(companies, transactions)


def test_demo_table_is_balanced_and_built_from_the_links():
    ds = tiny_dataset()
    table = demo_table(ds)
    assert table.sectors == ("03_製造業", "04_建設", "06_商業")
    assert table.unit == "百万円"
    np.testing.assert_allclose(table.X, table.column_totals, rtol=1e-12)
    i = {s: k for k, s in enumerate(table.sectors)}
    # in-prefecture links, in 百万円; the manufacturer's purchase from Tokyo is in Z (competitive imports)
    assert table.Z[i["03_製造業"], i["04_建設"]] == 100.0
    assert table.Z[i["04_建設"], i["06_商業"]] == 50.0
    assert table.Z[i["06_商業"], i["03_製造業"]] == 10.0
    assert table.Z[i["03_製造業"], i["03_製造業"]] == 200.0
    imports = -table.imports.sum(axis=1)
    assert imports[i["03_製造業"]] >= 200.0
    assert table.exports[i["03_製造業"]].sum() >= 300.0  # the sale to Tokyo
    np.testing.assert_allclose(table.income, [200.0, 100.0, 60.0])
    np.testing.assert_allclose(table.employment, [50, 20, 10])
    assert ((table.m >= 0) & (table.m <= 1)).all()
    assert (np.array([1000.0, 400.0, 300.0]) <= table.X).all()


def test_demo_frame_is_long_form_and_ripple_runs():
    frame = demo_frame(tiny_dataset())
    assert frame.columns == ["input_type", "input_name", "output_type", "output_name", "value_M"]
    table = demo_table(tiny_dataset())
    result = ripple(table, np.array([100.0, 0.0, 0.0]), local_output=True)  # no import leak: ≥ 1
    assert result.multipliers["ripple_multiplier"][0] >= 1.0
    assert "就業誘発数" in set(result.effects["measure"].cast(pl.Utf8))


def test_demo_for_a_prefecture_without_firms_is_an_error():
    with pytest.raises(IOTableError, match="都道府県コード 01"):
        demo_table(tiny_dataset(), prefecture="01")


def test_demo_from_the_synthetic_economy():
    synth = pytest.importorskip("chiiki.data.synth")
    ds = synth.generate_economy(n_firms=5_000, years=(2024,), seed=3)
    table = demo_table(ds)
    assert table.n >= 5
    np.testing.assert_allclose(table.X, table.column_totals, rtol=1e-9)
    assert (table.B.sum(axis=0) >= 1).all()
