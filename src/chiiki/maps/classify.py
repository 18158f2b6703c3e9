"""Class breaks for choropleth maps (docs/maps.md).

Every method returns bounds ``b_0 < b_1 < … < b_k`` over the finite values: class ``i`` holds the
values with ``b_i ≤ v < b_{i+1}``, the last class also ``v = b_k``. Equal bounds (ties) are merged, so
fewer than ``k`` classes can come back, except that ``b_{k−1} = b_k`` is kept: a top class that holds
only the maximum (an outlier, or tied top values).

- ``quantile``: b_i = the i/k quantile (linear interpolation between order statistics, NumPy's
  default), so each class holds about n/k regions;
- ``equal``: b_i = min + i·(max − min)/k;
- ``jenks``: Fisher–Jenks natural breaks: the split of the sorted values into k runs that minimises
  the total within-class sum of squared deviations (exact dynamic programme, Fisher 1958); inner
  bounds are the smallest value of each class after the first.
"""

from __future__ import annotations

import numpy as np

METHODS = ("quantile", "equal", "jenks")
METHOD_LABELS = {
    "quantile": "分位数（各階級の地域数がほぼ等しい）",
    "equal": "等間隔",
    "jenks": "自然分類（Jenks）",
}
MAX_CLASSES = 8


def merge_ties(bounds: np.ndarray) -> np.ndarray:
    """Sorted distinct ``bounds``, keeping a repeated maximum (a top class of the maximum alone)."""
    b = np.sort(np.asarray(bounds, dtype=np.float64))
    distinct = np.unique(b)
    if distinct.size >= 2 and b[-2] == b[-1]:
        return np.append(distinct, distinct[-1])
    return distinct


def _finite(values: np.ndarray) -> np.ndarray:
    v = np.asarray(values, dtype=np.float64)
    return v[np.isfinite(v)]


def quantile_breaks(values: np.ndarray, k: int) -> np.ndarray:
    """Bounds at the 0, 1/k, …, 1 quantiles of the finite ``values``."""
    v = _finite(values)
    return merge_ties(np.quantile(v, np.linspace(0, 1, k + 1))) if v.size else np.array([])


def equal_interval_breaks(values: np.ndarray, k: int) -> np.ndarray:
    """k classes of equal width between the minimum and the maximum."""
    v = _finite(values)
    return np.unique(np.linspace(v.min(), v.max(), k + 1)) if v.size else np.array([])


def jenks_breaks(values: np.ndarray, k: int) -> np.ndarray:
    """Fisher–Jenks natural breaks (see the module docstring).

    With the sorted values x_0..x_{n−1} and SSD(a, b) the sum of squared deviations of x_a..x_b
    (from prefix sums), D_c(j) = min_{a ≤ j} D_{c−1}(a − 1) + SSD(a, j) is the best cost of c classes
    over x_0..x_j. SSD satisfies the quadrangle inequality, so the best start a*(j) never decreases
    with j (as in Ckmeans.1d.dp, Wang & Song 2011): each class count is solved by divide and conquer
    over j, one vectorised step per recursion depth, O(n log n) work instead of an n × n table.
    """
    x = np.sort(_finite(values))
    n = x.size
    if n == 0:
        return np.array([])
    k = min(k, np.unique(x).size)
    # Standardised values keep the prefix sums small (amounts in 千円 squared would lose precision);
    # the optimal split does not change under an affine map.
    z = (x - x.mean()) / (x.std() or 1.0)
    s1 = np.concatenate([[0.0], np.cumsum(z)])
    s2 = np.concatenate([[0.0], np.cumsum(z * z)])

    def ssd(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        total = s1[b + 1] - s1[a]
        return np.maximum((s2[b + 1] - s2[a]) - total * total / (b - a + 1), 0.0)

    cost = ssd(np.zeros(n, dtype=np.int64), np.arange(n))
    starts = []
    for _ in range(1, k):
        previous = np.concatenate([[np.inf], cost[:-1]])  # D_{c-1}(a - 1) for a = 0..n-1
        start = _monotone_argmin(lambda a, j, p=previous: p[a] + ssd(a, j), n)
        starts.append(start)
        cost = previous[start] + ssd(start, np.arange(n))
    bounds, end = [], n - 1
    for start in reversed(starts):
        a_start = int(start[end])
        bounds.append(x[a_start])
        end = a_start - 1
    return merge_ties(np.concatenate([[x[0]], bounds, [x[-1]]]))


def _monotone_argmin(cost, n: int) -> np.ndarray:
    """For j = 0..n−1, the smallest a ≤ j minimising ``cost(a, j)``, when that argmin never
    decreases with j: divide and conquer over j, all intervals of one depth in one vector step."""
    best = np.zeros(n, dtype=np.int64)
    # Intervals of j (lo..hi) with the range of a (a_lo..a_hi) their argmin lies in.
    lo, hi = np.array([0]), np.array([n - 1])
    a_lo, a_hi = np.array([0]), np.array([n - 1])
    while lo.size:
        mid = (lo + hi) // 2
        top = np.minimum(a_hi, mid)
        lengths = top - a_lo + 1
        node = np.repeat(np.arange(mid.size), lengths)
        a = a_lo[node] + np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        c = cost(a, mid[node])
        offsets = np.cumsum(lengths) - lengths
        minima = np.minimum.reduceat(c, offsets)
        first = np.flatnonzero(c <= minima[node])
        chosen = a[first[np.unique(node[first], return_index=True)[1]]]
        best[mid] = chosen
        left, right = lo <= mid - 1, mid + 1 <= hi
        lo, hi, a_lo, a_hi = (
            np.concatenate([lo[left], mid[right] + 1]),
            np.concatenate([mid[left] - 1, hi[right]]),
            np.concatenate([a_lo[left], chosen[right]]),
            np.concatenate([chosen[left], a_hi[right]]),
        )
    return best


BREAKS = {"quantile": quantile_breaks, "equal": equal_interval_breaks, "jenks": jenks_breaks}


def class_breaks(values: np.ndarray, k: int, method: str) -> np.ndarray:
    """Bounds of ``k`` classes by ``method`` (one of :data:`METHODS`)."""
    if method not in BREAKS:
        raise ValueError(
            f"階級区分の方法「{method}」は使えません。{'・'.join(METHODS)} のいずれかを指定してください。"
        )
    if not 1 <= k <= MAX_CLASSES:
        raise ValueError(f"階級の数は 1〜{MAX_CLASSES} にしてください（指定: {k}）。")
    return BREAKS[method](values, k)


def assign_classes(values: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Class index of each value (``b_i ≤ v < b_{i+1}``, the maximum in the last class); -1 for a
    missing or non-finite value and for a value outside the bounds."""
    v = np.asarray(values, dtype=np.float64)
    out = np.full(v.shape, -1, dtype=np.int64)
    if len(bounds) == 0:
        return out
    ok = np.isfinite(v) & (v >= bounds[0]) & (v <= bounds[-1])
    out[ok] = np.minimum(np.searchsorted(bounds, v[ok], side="right") - 1, max(len(bounds) - 2, 0))
    return out
