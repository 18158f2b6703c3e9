"""Ripple effects (SPEC §5 steps 1–5): a hand computation on the real 13-sector table, identities,
many scenarios at once, local output, interregional tables and scenario-label errors."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chiiki.io import (
    MEASURES,
    STAGES,
    IOTable,
    IOTableError,
    demand_matrix,
    read_io_long,
    ripple,
    ripple_stages,
    table_from_long,
)

DATA = Path(
    os.environ.get("CHIIKI_SHARED_DATA", Path(__file__).resolve().parents[2] / ".." / "shared" / "data")
)
WIDE = DATA / "japan_io_2011_13sector_wide.csv"
LONG = DATA / "japan_io_2011_13sector_long.csv"
needs_data = pytest.mark.skipif(
    not WIDE.exists() or not LONG.exists(), reason=f"real IO table missing in {DATA}"
)


def effect(result, stage: str, measure: str) -> np.ndarray:
    rows = result.effects.filter((pl.col("stage") == stage) & (pl.col("measure") == measure))
    return rows["value"].to_numpy()


@needs_data
def test_real_table_open_multipliers_and_manufacturing_ripple_match_hand_computation():
    # --- the hand computation, from the raw numbers of the wide CSV, step by step -------------------
    with WIDE.open(encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    num = [[float(v) if v else 0.0 for v in r[1:]] for r in body]
    kinds = [h.split("/")[0] for h in header[1:]]
    industry_cols = [j for j, k in enumerate(kinds) if k == "industry"]
    fd_cols = [j for j, k in enumerate(kinds) if k == "finaldemand"]
    imp_cols = [j for j, k in enumerate(kinds) if k == "import"]
    n = len(industry_cols)
    Z = np.array([[num[i][j] for j in industry_cols] for i in range(n)])
    FD = np.array([[num[i][j] for j in fd_cols] for i in range(n)])
    IMP = np.array([[num[i][j] for j in imp_cols] for i in range(n)])
    X = np.array([sum(num[i]) for i in range(n)])  # row totals, imports negative
    income_row = next(k for k, r in enumerate(body) if r[0].endswith("雇用者所得"))
    W_row = np.array([num[income_row][j] for j in industry_cols])
    VA = np.array([[num[k][j] for j in industry_cols] for k in range(n, len(body))]).sum(axis=0)
    consumption = FD[:, [c for c, j in enumerate(fd_cols) if header[1 + j].endswith("民間消費支出")][0]]

    A = Z / X  # a_ij = z_ij / X_j
    m = -IMP.sum(axis=1) / (Z.sum(axis=1) + FD.sum(axis=1))
    B_hand = np.linalg.inv(np.eye(n) - np.diag(1 - m) @ A)
    w, v, h = W_row / X, VA / X, consumption / consumption.sum()
    dF = np.zeros(n)
    dF[2] = 1000.0  # 03_製造業, 1,000 百万円
    dD = (1 - m) * dF  # step 1
    dX1 = B_hand @ dD  # step 2
    dW1 = w @ dX1  # step 3
    dC = 0.7 * dW1 * h
    dX2 = B_hand @ ((1 - m) * dC)  # step 4
    dX = dX1 + dX2  # step 5

    # a few of the hand numbers, rounded, so a change in the data or the steps shows here too
    assert m[2] == pytest.approx(0.170398, abs=1e-6)
    assert dD.sum() == pytest.approx(829.602364, abs=1e-5)
    assert dX.sum() == pytest.approx(2132.125394, abs=1e-5)

    # --- the engine --------------------------------------------------------------------------------
    table = read_io_long(LONG)
    np.testing.assert_allclose(table.B.sum(axis=0), B_hand.sum(axis=0), rtol=1e-12)
    F, names = demand_matrix(table, pl.DataFrame({"sector": ["03_製造業"], "value": [1000]}))
    result = ripple(table, F, c=0.7, scenarios=names)
    np.testing.assert_allclose(effect(result, "直接効果", "生産誘発額"), dD, rtol=1e-12)
    np.testing.assert_allclose(effect(result, "第1次間接効果", "生産誘発額"), dX1 - dD, rtol=1e-10, atol=1e-9)
    np.testing.assert_allclose(effect(result, "第2次間接効果", "生産誘発額"), dX2, rtol=1e-10)
    np.testing.assert_allclose(effect(result, "総合効果", "生産誘発額"), dX, rtol=1e-12)
    np.testing.assert_allclose(effect(result, "総合効果", "粗付加価値誘発額"), v * dX, rtol=1e-12)
    np.testing.assert_allclose(effect(result, "総合効果", "雇用者所得誘発額"), w * dX, rtol=1e-12)
    assert result.multipliers["ripple_multiplier"][0] == pytest.approx(dX.sum() / 1000.0, rel=1e-12)
    manufacturing = result.effects.filter(
        (pl.col("sector") == "03_製造業")
        & (pl.col("stage") == "総合効果")
        & (pl.col("measure") == "生産誘発額")
    )
    assert manufacturing["value"].to_list() == pytest.approx([dX[2]], rel=1e-12)  # by label, not position
    assert result.multipliers["final_demand"][0] == 1000.0
    assert set(result.effects["measure"].cast(pl.Utf8)) == {
        "生産誘発額",
        "粗付加価値誘発額",
        "雇用者所得誘発額",
    }


def random_table(seed: int, n: int = 5, *, jobs: bool = True) -> IOTable:
    rng = np.random.default_rng(seed)
    X = rng.uniform(50, 150, n)
    A = rng.uniform(0, 1, (n, n))
    A *= rng.uniform(0.2, 0.6) / A.sum(axis=0)
    Z = A * X
    imports = -rng.uniform(0, 1, n) * Z.sum(axis=1)
    exports = rng.uniform(0, 0.3, n) * X
    fd = X - Z.sum(axis=1) - exports - imports  # row balance
    fd = np.column_stack([0.6 * fd, 0.4 * fd])
    va_total = X - Z.sum(axis=0)
    va = np.vstack([0.55 * va_total, 0.45 * va_total])
    return IOTable(
        sectors=tuple(f"{i:02d}_s{i}" for i in range(n)),
        Z=Z,
        final_demand=fd,
        final_demand_names=("民間消費支出", "一般政府消費支出"),
        exports=exports[:, None],
        export_names=("輸出",),
        imports=imports[:, None],
        import_names=("輸入",),
        value_added=va,
        value_added_names=("雇用者所得", "営業余剰"),
        employment=rng.uniform(1, 20, n) if jobs else None,
    )


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), c=st.floats(0, 1), local=st.booleans())
def test_stages_add_up_and_ripple_is_linear(seed, c, local):
    table = random_table(seed)
    rng = np.random.default_rng(seed + 1)
    F = rng.uniform(-100, 100, (table.n, 3))
    s = ripple_stages(table, F, c=c, local_output=local)
    np.testing.assert_allclose(s.direct + s.first_indirect + s.second_indirect, s.total, atol=1e-9)
    np.testing.assert_allclose(s.first_round, table.B @ s.direct, atol=1e-9)
    # linearity: the third column as the sum of the first two
    G = F.copy()
    G[:, 2] = F[:, 0] + F[:, 1]
    t = ripple_stages(table, G, c=c, local_output=local).total
    np.testing.assert_allclose(t[:, 2], t[:, 0] + t[:, 1], atol=1e-8)
    # 第2次間接効果 spends c of the first-round income: ΣΔC = c·w·ΔX1
    np.testing.assert_allclose(s.consumption.sum(axis=0), c * (table.w @ s.first_round), atol=1e-9)


def test_many_scenarios_equal_one_at_a_time_and_frame_has_one_row_per_sector():
    table = random_table(3)
    F = np.random.default_rng(0).uniform(0, 100, (table.n, 4))
    together = ripple(table, F, scenarios=["a", "b", "c", "d"])
    assert together.effects.columns == ["scenario", "stage", "measure", "sector", "value"]
    assert together.effects.height == 4 * 4 * 4 * table.n
    for j, name in enumerate("abcd"):
        alone = ripple(table, F[:, j], scenarios=[name])
        mine = together.effects.filter(pl.col("scenario") == name)
        np.testing.assert_allclose(mine["value"].to_numpy(), alone.effects["value"].to_numpy(), rtol=1e-12)
    totals = together.effects.group_by("scenario", "stage", "measure").agg(pl.col("value").sum())
    joined = together.summary.join(totals, on=["scenario", "stage", "measure"])
    np.testing.assert_allclose(joined["value"].to_numpy(), joined["value_right"].to_numpy(), rtol=1e-12)


def test_local_output_skips_the_import_leak_and_c_zero_has_no_second_round():
    table = random_table(7, jobs=False)
    F = np.zeros(table.n)
    F[1] = 100.0
    as_demand = ripple_stages(table, F, c=0.0)
    as_output = ripple_stages(table, F, c=0.0, local_output=True)
    np.testing.assert_allclose(as_demand.direct[:, 0], (1 - table.m) * F)
    np.testing.assert_allclose(as_output.direct[:, 0], F)
    np.testing.assert_allclose(as_output.second_indirect, 0.0)
    assert "就業誘発数" not in set(ripple(table, F).effects["measure"].cast(pl.Utf8))


def test_jobs_use_the_employment_row():
    table = random_table(11)
    F = np.ones(table.n)
    result = ripple(table, F)
    np.testing.assert_allclose(
        effect(result, "総合効果", "就業誘発数"), table.e * ripple_stages(table, F).total[:, 0]
    )


def test_bad_scenarios_raise_japanese_errors():
    table = random_table(1)
    with pytest.raises(IOTableError, match="行数"):
        ripple(table, np.ones(table.n + 1))
    with pytest.raises(IOTableError, match="消費転換係数"):
        ripple(table, np.ones(table.n), c=1.5)
    with pytest.raises(IOTableError, match="重複"):
        ripple(table, np.ones((table.n, 2)), scenarios=["x", "x"])


def test_demand_labels_accept_code_or_name_and_report_unknown_ones():
    table = random_table(2)
    frame = pl.DataFrame(
        {
            "scenario": ["A", "A", "B", "B"],
            "sector": ["00_s0", "s1", "02", "s1"],
            "value": ["10", "1,000", "5", "2"],
        }
    )
    F, names = demand_matrix(table, frame)
    assert names == ["A", "B"]
    np.testing.assert_allclose(F[:3], [[10, 0], [1000, 2], [0, 5]])
    bad = pl.DataFrame({"sector": ["s0", "製造業", "s1"], "value": [1.0, 2.0, None]})
    with pytest.raises(IOTableError, match="使えない行") as info:
        demand_matrix(table, bad)
    problems = info.value.problems
    assert problems[0] == "行 3: 部門「製造業」は表にありません"
    assert problems[1].startswith("行 4: 値")
    assert problems[-1].startswith("表の部門:")
    with pytest.raises(IOTableError, match="sector"):
        demand_matrix(table, pl.DataFrame({"industry": ["s0"], "value": [1]}))


def two_region_frame() -> pl.DataFrame:
    """Two regions × two sectors; R1 buys from R2 and vice versa; each region has its own consumption."""
    z = {
        ("R1", "a", "R1", "a"): 10,
        ("R1", "a", "R1", "b"): 20,
        ("R1", "a", "R2", "a"): 5,
        ("R1", "a", "R2", "b"): 5,
        ("R1", "b", "R1", "a"): 10,
        ("R1", "b", "R1", "b"): 5,
        ("R1", "b", "R2", "a"): 0,
        ("R1", "b", "R2", "b"): 10,
        ("R2", "a", "R1", "a"): 15,
        ("R2", "a", "R1", "b"): 5,
        ("R2", "a", "R2", "a"): 10,
        ("R2", "a", "R2", "b"): 10,
        ("R2", "b", "R1", "a"): 5,
        ("R2", "b", "R1", "b"): 10,
        ("R2", "b", "R2", "a"): 20,
        ("R2", "b", "R2", "b"): 15,
    }
    rows = [("industry", r1, s1, "industry", r2, s2, v) for (r1, s1, r2, s2), v in z.items()]
    X = {("R1", "a"): 100, ("R1", "b"): 80, ("R2", "a"): 120, ("R2", "b"): 90}
    for (r, s), x in X.items():
        inter = sum(v for (r1, s1, _, _), v in z.items() if (r1, s1) == (r, s))
        local, other = 0.7 * (x - inter + 10), 0.3 * (x - inter + 10)
        rows += [
            ("industry", r, s, "finaldemand", r, "民間消費支出", local),
            ("industry", r, s, "finaldemand", "R2" if r == "R1" else "R1", "民間消費支出", other),
            ("industry", r, s, "import", r, "輸入", -10),
        ]
        cost = sum(v for (_, _, r2, s2), v in z.items() if (r2, s2) == (r, s))
        rows += [
            ("valueadded", r, "雇用者所得", "industry", r, s, 0.6 * (x - cost)),
            ("valueadded", r, "営業余剰", "industry", r, s, 0.4 * (x - cost)),
        ]
    cols = [
        "input_type",
        "input_region",
        "input_name",
        "output_type",
        "output_region",
        "output_name",
        "value",
    ]
    return pl.DataFrame(rows, schema=cols, orient="row")


def test_interregional_ripple_from_one_region_reaches_every_region():
    table = table_from_long(two_region_frame())
    assert table.labels == ["R1/a", "R1/b", "R2/a", "R2/b"]
    assert table.h.shape == (4, 2)
    np.testing.assert_allclose(table.h.sum(axis=0), [1, 1])
    F, names = demand_matrix(table, pl.DataFrame({"region": ["R1"], "sector": ["a"], "value": [100.0]}))
    np.testing.assert_allclose(F[:, 0], [100, 0, 0, 0])
    result = ripple(table, F, c=0.5, scenarios=names)
    assert result.effects.columns == ["scenario", "stage", "measure", "region", "sector", "value"]
    total = result.effects.filter((pl.col("stage") == "総合効果") & (pl.col("measure") == "生産誘発額"))
    by_region = total.group_by("region").agg(pl.col("value").sum()).sort("region")
    assert by_region["value"].to_list()[1] > 0  # R2 gains from R1's demand
    # income is spent where it is earned: hand check of the consumption step
    s = ripple_stages(table, F, c=0.5)
    income = table.w * s.first_round[:, 0]
    expected = 0.5 * (table.h[:, 0] * income[:2].sum() + table.h[:, 1] * income[2:].sum())
    np.testing.assert_allclose(s.consumption[:, 0], expected, rtol=1e-12)


def expected_rows(table: IOTable, F: np.ndarray, c: float, names: list[str]) -> list[tuple]:
    """The long frame written out by plain loops: scenario, stage, measure, [region,] sector, value."""
    s = ripple_stages(table, F, c=c)
    production = dict(zip(STAGES, [s.direct, s.first_indirect, s.second_indirect, s.total], strict=True))
    per_unit = {"生産誘発額": np.ones(table.n), "粗付加価値誘発額": table.v, "雇用者所得誘発額": table.w}
    if table.e is not None:
        per_unit["就業誘発数"] = table.e
    labels = [(r,) for r in table.regions] if table.regions else [()] * table.n
    return [
        (name, stage, measure, *labels[i], table.sectors[i], float(coef[i] * production[stage][i, j]))
        for j, name in enumerate(names)
        for stage in STAGES
        for measure, coef in per_unit.items()
        for i in range(table.n)
    ]


@pytest.mark.parametrize("which", ["one region, jobs", "one region, no jobs", "two regions"])
def test_long_frame_equals_plain_loops_row_by_row(which):
    table = {
        "one region, jobs": lambda: random_table(21, n=4),
        "one region, no jobs": lambda: random_table(22, n=3, jobs=False),
        "two regions": lambda: table_from_long(two_region_frame()),
    }[which]()
    names = ["z", "a", "m"]  # not sorted: categories keep the given order
    F = np.random.default_rng(5).uniform(-50, 100, (table.n, len(names)))
    result = ripple(table, F, c=0.6, scenarios=names)
    effects = result.effects
    keys = ["scenario", "stage", "measure", *(["region"] if table.regions else []), "sector"]
    assert effects.columns == [*keys, "value"]
    assert all(effects[k].dtype == pl.Enum for k in keys) and effects["value"].dtype == pl.Float64
    assert list(effects["scenario"].dtype.categories) == names
    assert list(effects["stage"].dtype.categories) == list(STAGES)
    measures = list(MEASURES) if table.e is not None else list(MEASURES[:3])
    assert list(effects["measure"].dtype.categories) == measures
    assert list(effects["sector"].dtype.categories) == list(dict.fromkeys(table.sectors))
    want = expected_rows(table, F, 0.6, names)
    got = effects.with_columns(pl.col(keys).cast(pl.Utf8)).rows()
    assert [row[:-1] for row in got] == [row[:-1] for row in want]
    np.testing.assert_allclose([row[-1] for row in got], [row[-1] for row in want], rtol=1e-13, atol=1e-9)
    # summary = sums over industries of the same rows, in scenario, stage, measure order
    sums: dict[tuple, float] = {}
    for row in want:
        sums[row[:3]] = sums.get(row[:3], 0.0) + row[-1]
    summary = result.summary.with_columns(pl.col("scenario", "stage", "measure").cast(pl.Utf8)).rows()
    assert [row[:3] for row in summary] == list(sums)
    np.testing.assert_allclose([row[3] for row in summary], list(sums.values()), rtol=1e-12, atol=1e-9)
    assert result.multipliers["scenario"].cast(pl.Utf8).to_list() == names


def test_no_scenarios_give_empty_frames_with_the_same_columns():
    table = random_table(4)
    result = ripple(table, np.zeros((table.n, 0)), scenarios=[])
    assert result.effects.height == 0 and result.summary.height == 0 and result.multipliers.height == 0
    assert result.effects.columns == ["scenario", "stage", "measure", "sector", "value"]
