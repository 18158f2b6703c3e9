"""Class breaks (chiiki.maps.classify): hand-worked bounds, the Jenks optimum, a peer (jenkspy)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from chiiki.maps.classify import (
    assign_classes,
    class_breaks,
    equal_interval_breaks,
    jenks_breaks,
    quantile_breaks,
)


def test_quantile_breaks_interpolate_between_order_statistics():
    # 1..10, k = 5: positions 0, 1.8, 3.6, 5.4, 7.2, 9 of the sorted values → 1, 2.8, 4.6, 6.4, 8.2, 10.
    np.testing.assert_allclose(quantile_breaks(np.arange(1, 11), 5), [1, 2.8, 4.6, 6.4, 8.2, 10])


def test_quantile_classes_hold_equal_counts():
    counts = np.bincount(assign_classes(np.arange(1, 21), quantile_breaks(np.arange(1, 21), 4)))
    np.testing.assert_array_equal(counts, [5, 5, 5, 5])


def test_equal_interval_breaks_split_the_range():
    np.testing.assert_allclose(equal_interval_breaks(np.array([0, 3, 10]), 4), [0, 2.5, 5, 7.5, 10])


def test_jenks_finds_the_natural_groups():
    # Three obvious groups; inner bounds are the first value of each later class.
    np.testing.assert_array_equal(jenks_breaks(np.array([1, 2, 3, 10, 11, 12, 30, 31]), 3), [1, 10, 30, 31])


def _ssd(x: np.ndarray, cls: np.ndarray) -> float:
    return sum(((x[cls == c] - x[cls == c].mean()) ** 2).sum() for c in np.unique(cls))


def test_jenks_is_the_optimal_split_of_a_small_sample():
    rng = np.random.default_rng(3)
    x = np.sort(rng.lognormal(0, 1, 12))
    got = _ssd(x, assign_classes(x, jenks_breaks(x, 3)))
    best = min(
        _ssd(x, np.searchsorted(np.array(cut), np.arange(12), side="right"))
        for cut in itertools.combinations(range(1, 12), 2)
    )
    assert got == pytest.approx(best)


def _full_dp_cost(x: np.ndarray, k: int) -> float:
    """Fisher's dynamic programme written out with loops: the least total SSD of k classes."""
    n = len(x)
    ssd = [
        [float(((x[a : b + 1] - x[a : b + 1].mean()) ** 2).sum()) if a <= b else np.inf for b in range(n)]
        for a in range(n)
    ]
    cost = [ssd[0][j] for j in range(n)]
    for _ in range(1, k):
        cost = [min((cost[a - 1] + ssd[a][j] for a in range(1, j + 1)), default=np.inf) for j in range(n)]
    return cost[-1]


@pytest.mark.parametrize("seed", range(6))
def test_jenks_matches_the_full_dynamic_programme(seed):
    rng = np.random.default_rng(seed)
    x = np.sort(np.round(rng.lognormal(2, 1, 40), 0 if seed % 2 else 3))  # odd seeds: many ties
    for k in range(2, 7):
        cls = assign_classes(x, jenks_breaks(x, k))
        assert _ssd(x, cls) == pytest.approx(_full_dp_cost(x, k), rel=1e-9, abs=1e-9), k


def test_jenks_agrees_with_jenkspy():
    jenkspy = pytest.importorskip("jenkspy")
    rng = np.random.default_rng(11)
    x = rng.lognormal(10, 2, 400) * 1_000  # amounts in 千円: large values, precision matters
    ours = np.bincount(assign_classes(x, jenks_breaks(x, 5)))
    peer_bounds = np.array(jenkspy.jenks_breaks(x, n_classes=5))  # class maxima
    peer = np.bincount(np.searchsorted(peer_bounds[1:-1], x, side="left"))
    np.testing.assert_array_equal(ours, peer)


def test_ties_merge_bounds_into_fewer_classes():
    values = np.array([0, 0, 0, 0, 0, 0, 1, 2])
    np.testing.assert_allclose(quantile_breaks(values, 4), [0, 0.25, 2])
    np.testing.assert_array_equal(jenks_breaks(np.array([5.0, 5.0, 5.0]), 3), [5.0])


def test_assign_classes_is_closed_below_open_above_with_the_maximum_in_the_top_class():
    bounds = np.array([0.0, 10.0, 20.0])
    np.testing.assert_array_equal(
        assign_classes(np.array([0, 9.99, 10, 20, 25, np.nan]), bounds), [0, 0, 1, 1, -1, -1]
    )


def test_single_bound_puts_every_value_in_one_class():
    np.testing.assert_array_equal(assign_classes(np.array([5.0, 5.0]), np.array([5.0])), [0, 0])


def test_missing_values_are_left_out_of_the_breaks():
    np.testing.assert_allclose(quantile_breaks(np.array([1.0, np.nan, 3.0, np.inf]), 2), [1, 2, 3])


def test_class_breaks_rejects_unknown_methods_and_class_counts():
    with pytest.raises(ValueError, match="階級区分の方法「kmeans」"):
        class_breaks(np.arange(5), 3, "kmeans")
    with pytest.raises(ValueError, match="階級の数"):
        class_breaks(np.arange(5), 12, "quantile")
