"""Coefficients and inverses of SPEC §5: textbook example, identities, invariants, pymrio comparison."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from chiiki.io import (
    IOSettings,
    IOTable,
    IOTableError,
    closed_inverse,
    import_ratios,
    linkages,
    multiplier_frame,
    open_inverse,
    table_from_long,
    technical_coefficients,
)


def miller_blair() -> IOTable:
    """Miller & Blair (2009) Table 2.3: Z = [[150, 500], [200, 100]], f = [350, 1700], x = [1000, 2000]."""
    z = {("s1", "s1"): 150, ("s1", "s2"): 500, ("s2", "s1"): 200, ("s2", "s2"): 100}
    rows = [("industry", a, "industry", b, v) for (a, b), v in z.items()]
    rows += [
        ("industry", "s1", "finaldemand", "民間消費支出", 350),
        ("industry", "s2", "finaldemand", "民間消費支出", 1700),
    ]
    rows += [
        ("valueadded", "雇用者所得", "industry", "s1", 650),
        ("valueadded", "雇用者所得", "industry", "s2", 1400),
    ]
    frame = pl.DataFrame(
        rows, schema=["input_type", "input_name", "output_type", "output_name", "value"], orient="row"
    )
    return table_from_long(frame)


def test_miller_blair_table_2_3_reproduced():
    t = miller_blair()
    np.testing.assert_allclose(t.X, [1000, 2000])
    np.testing.assert_allclose(t.A, [[0.15, 0.25], [0.20, 0.05]])
    det = 0.85 * 0.95 - 0.25 * 0.20  # |I − A| = 0.7575
    np.testing.assert_allclose(t.L, np.array([[0.95, 0.25], [0.20, 0.85]]) / det, rtol=1e-13)
    np.testing.assert_allclose(t.L, [[1.2541, 0.3300], [0.2640, 1.1221]], atol=5e-5)  # as printed (2.14)
    # the book's new final demand f = (600, 1500) gives x = (1247.52, 1841.58)
    np.testing.assert_allclose(t.L @ [600, 1500], [1247.52, 1841.58], atol=0.01)
    # no imports: the open model is the closed one
    np.testing.assert_allclose(t.m, [0, 0])
    np.testing.assert_allclose(t.B, t.L, rtol=1e-14)


def test_linkages_average_one_and_match_column_and_row_sums():
    t = miller_blair()
    backward, forward = t.linkages()
    col, row = t.B.sum(axis=0), t.B.sum(axis=1)
    np.testing.assert_allclose(backward, col / col.mean())
    np.testing.assert_allclose(forward, row / row.mean())
    assert backward.mean() == pytest.approx(1.0) and forward.mean() == pytest.approx(1.0)
    frame = multiplier_frame(t)
    assert frame.columns == [
        "sector",
        "open_multiplier",
        "closed_multiplier",
        "backward_linkage",
        "forward_linkage",
        "import_ratio",
    ]
    np.testing.assert_allclose(frame["open_multiplier"].to_numpy(), col)


def test_import_ratios_hand_example():
    Z = np.array([[10.0, 20.0], [5.0, 5.0]])
    F = np.array([[70.0], [40.0]])
    M = np.array([[-25.0], [0.0]])
    # d = (30 + 70, 10 + 40) = (100, 50); m = (25/100, 0/50)
    np.testing.assert_allclose(import_ratios(Z, F, M), [0.25, 0.0])
    assert not np.signbit(import_ratios(Z, F, M)[1])  # +0.0, not −0.0


def test_import_ratio_without_demand_but_with_imports_is_nan():
    m = import_ratios(np.zeros((1, 1)), np.zeros((1, 1)), np.array([[-5.0]]))
    assert np.isnan(m[0])


def test_import_ratio_with_negative_demand_and_no_imports_is_zero():
    # a scrap-like row: d = 10 + (−30) = −20 ≤ 0 and nothing imported, so m = +0.0 (not NaN)
    m = import_ratios(np.array([[10.0]]), np.array([[-30.0]]), np.zeros((1, 1)))
    assert m[0] == 0.0 and not np.signbit(m[0])


def _imported_only_table(imported: float) -> IOTable:
    """Sector b makes nothing (empty column); its demand 0.15 + 0.15 is met by imports of ``imported``."""
    rows = [
        ("industry", "a", "industry", "a", 10.0),
        ("industry", "b", "industry", "b", 0.0),  # keeps b's column
        ("industry", "a", "finaldemand", "民間消費支出", 90.0),
        ("industry", "b", "industry", "a", 0.15),
        ("industry", "b", "finaldemand", "民間消費支出", 0.15),
        ("industry", "b", "import", "輸入", -imported),
        ("valueadded", "雇用者所得", "industry", "a", 89.85),
    ]
    frame = pl.DataFrame(
        rows, schema=["input_type", "input_name", "output_type", "output_name", "value"], orient="row"
    )
    return table_from_long(frame)


def test_sector_whose_output_is_zero_up_to_rounding_is_allowed_when_all_imported():
    t = _imported_only_table(0.1 + 0.2)  # X_b = 0.3 − 0.30000000000000004 = −5.6e-17, not 0
    assert t.X[1] < 0 and abs(t.X[1]) < 1e-15
    np.testing.assert_allclose(t.A[:, 1], [0.0, 0.0])
    np.testing.assert_allclose(t.m, [0.0, 1.0])


def test_sector_with_negative_output_beyond_rounding_is_reported():
    with pytest.raises(IOTableError, match="生産額が0以下") as err:
        _imported_only_table(0.31)  # X_b = −0.01
    assert "b: 生産額（行計）が -0.01" in "\n".join(err.value.problems)


def test_open_inverse_singular_raises_japanese_error():
    A = np.array([[0.5, 0.5], [0.5, 0.5]])
    with pytest.raises(IOTableError, match="特異"):
        open_inverse(A, np.zeros(2), labels=["a", "b"])  # I − A = [[.5, −.5], [−.5, .5]]
    with pytest.raises(IOTableError, match="特異"):
        closed_inverse(np.array([[1.0, 0.0], [0.0, 0.2]]))


@st.composite
def productive_systems(draw):
    n = draw(st.integers(min_value=1, max_value=8))
    raw = draw(arrays(float, (n, n), elements=st.floats(0, 1)))
    scale = draw(st.floats(0.05, 0.95))
    colsum = raw.sum(axis=0)
    A = raw / np.where(colsum > 0, colsum, 1.0) * scale  # column sums < 1: productive
    m = draw(arrays(float, n, elements=st.floats(0, 1)))
    return A, m


@settings(max_examples=60, deadline=None)
@given(productive_systems())
def test_inverse_identities_hold(system):
    A, m = system
    n = A.shape[0]
    L = closed_inverse(A)
    B = open_inverse(A, m)
    np.testing.assert_allclose(L @ (np.eye(n) - A), np.eye(n), atol=1e-10)
    np.testing.assert_allclose(B @ (np.eye(n) - (1 - m)[:, None] * A), np.eye(n), atol=1e-10)
    # more imports, less local ripple: B ≤ L elementwise; both ≥ I on the diagonal
    assert (B <= L + 1e-10).all() and (np.diag(B) >= 1 - 1e-12).all()
    backward, forward = linkages(B)
    assert backward.mean() == pytest.approx(1.0) and forward.mean() == pytest.approx(1.0)


def test_a_and_l_equal_pymrio_on_its_test_system():
    pymrio = pytest.importorskip("pymrio", reason="pymrio is a test-only dependency (pip install '.[dev]')")
    mrio = pymrio.load_test()
    mrio.calc_all()
    Z, Y = mrio.Z, mrio.Y
    records = []
    for (reg_in, sec_in), row in zip(Z.index, Z.to_numpy(), strict=True):
        records += [
            ("industry", reg_in, sec_in, "industry", reg_out, sec_out, value)
            for (reg_out, sec_out), value in zip(Z.columns, row, strict=True)
        ]
        records += [
            ("industry", reg_in, sec_in, "finaldemand", reg_out, cat, value)
            for (reg_out, cat), value in zip(Y.columns, Y.loc[(reg_in, sec_in)].to_numpy(), strict=True)
        ]
    va = mrio.factor_inputs.F.loc["Value Added"]
    records += [("valueadded", reg, "Value Added", "industry", reg, sec, v) for (reg, sec), v in va.items()]
    frame = pl.DataFrame(
        records,
        schema=[
            "input_type",
            "input_region",
            "input_name",
            "output_type",
            "output_region",
            "output_name",
            "value",
        ],
        orient="row",
    )
    table = table_from_long(
        frame,
        settings=IOSettings(
            income_row="Value Added", consumption_column="Final consumption expenditure by households"
        ),
        check_balance=False,  # the test system's value added does not close the columns
    )
    assert table.labels == [f"{r}/{s}" for r, s in Z.index]
    np.testing.assert_allclose(table.X, mrio.x["indout"].to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(table.A, mrio.A.to_numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(table.L, mrio.L.to_numpy(), rtol=0, atol=1e-10)
    assert np.abs(table.L @ (np.eye(table.n) - table.A) - np.eye(table.n)).max() < 1e-10


def test_technical_coefficients_divide_columns_by_output():
    Z = np.array([[1.0, 4.0], [2.0, 6.0]])
    np.testing.assert_allclose(technical_coefficients(Z, np.array([10.0, 20.0])), [[0.1, 0.2], [0.2, 0.3]])
