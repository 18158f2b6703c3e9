"""The location-quotient formulas of SPEC §7.1 against a hand-worked example."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from chiiki.io import IOTableError
from chiiki.io.regional import (
    cross_industry_lq,
    final_demand_lq,
    flegg_lambda,
    lq_matrix,
    regional_coefficients,
    simple_lq,
)

# region 20, 30, 50 persons of 100; nation 100, 600, 300 of 1,000 (E^r / E^N = 0.1)
REGION = np.array([20.0, 30.0, 50.0])
NATION = np.array([100.0, 600.0, 300.0])
SLQ = np.array([2.0, 0.5, 5.0 / 3.0])  # (20/100)/(100/1000), (30/100)/(600/1000), (50/100)/(300/1000)
LAMBDA = 0.5514347723323603  # log2(1.1) = 0.137503523749935 raised to δ = 0.3


def test_simple_lq_is_regional_share_over_national_share():
    assert_allclose(simple_lq(REGION, NATION), SLQ)


def test_simple_lq_of_a_sector_without_national_employment_is_neutral():
    assert_allclose(simple_lq(np.array([5.0, 0.0]), np.array([10.0, 0.0])), [1.0, 1.0])


def test_cilq_divides_seller_by_buyer_with_slq_on_the_diagonal():
    expected = np.array(
        [
            [2.0, 4.0, 1.2],
            [0.25, 0.5, 0.3],
            [5 / 6, 10 / 3, 5 / 3],
        ]
    )
    assert_allclose(cross_industry_lq(SLQ), expected)


def test_flegg_lambda_by_hand():
    assert flegg_lambda(100.0, 1000.0, 0.3) == pytest.approx(LAMBDA, rel=1e-12)
    assert flegg_lambda(100.0, 1000.0, 0.0) == 1.0


def test_flq_is_cilq_times_lambda_and_aflq_boosts_specialised_buyers():
    cilq = cross_industry_lq(SLQ)
    assert_allclose(lq_matrix(REGION, NATION, method="flq", delta=0.3), cilq * LAMBDA)
    boost = np.array([1.584962500721156, 1.0, 1.415037499278844])  # log2(1 + SLQ_j) where SLQ_j > 1
    assert_allclose(lq_matrix(REGION, NATION, method="aflq", delta=0.3), cilq * LAMBDA * boost)
    assert_allclose(lq_matrix(REGION, NATION, method="slq"), np.repeat(SLQ[:, None], 3, axis=1))


def test_final_demand_lq_is_that_of_a_buyer_with_slq_one():
    assert_allclose(final_demand_lq(REGION, NATION, method="cilq"), SLQ)
    assert_allclose(final_demand_lq(REGION, NATION, method="aflq", delta=0.3), SLQ * LAMBDA)


def test_regional_coefficient_caps_the_lq_at_one():
    A = np.full((3, 3), 0.1)
    r = regional_coefficients(A, cross_industry_lq(SLQ))
    assert_allclose(r[0], [0.1, 0.1, 0.1])  # CILQ 2, 4, 1.2 → capped
    assert_allclose(r[1], [0.025, 0.05, 0.03])


@pytest.mark.parametrize("delta", [-0.1, 1.0, 1.5])
def test_delta_outside_zero_to_one_is_a_japanese_error(delta):
    with pytest.raises(IOTableError, match="δ"):
        lq_matrix(REGION, NATION, method="flq", delta=delta)


def test_unknown_method_names_the_allowed_ones():
    with pytest.raises(IOTableError, match="SLQ / CILQ / FLQ / AFLQ"):
        lq_matrix(REGION, NATION, method="rpc")
