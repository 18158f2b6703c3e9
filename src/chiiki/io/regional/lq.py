"""Location quotients for regional input coefficients (非サーベイ法, SPEC §7.1), as pure functions.

With E_i^r, E_i^N the employment (or output) of sector i in region r and in the nation, E^r and E^N
their totals, and a_ij the national coefficient:

- SLQ_i = (E_i^r / E^r) / (E_i^N / E^N)                                   (simple LQ)
- CILQ_ij = SLQ_i / SLQ_j off the diagonal, SLQ_i on it                    (cross-industry LQ)
- FLQ_ij = CILQ_ij · λ, λ = [log₂(1 + E^r / E^N)]^δ, 0 ≤ δ < 1              (Flegg et al. 1995)
- AFLQ_ij = FLQ_ij · log₂(1 + SLQ_j) when SLQ_j > 1, else FLQ_ij           (Flegg & Webber 2000)
- r_ij = min(LQ_ij, 1) · a_ij: the part of a_ij bought inside the region.

Sources: Flegg, Webber & Elliott (1995) *Regional Studies* 29(6):547–561; Flegg & Webber (1997)
*Regional Studies* 31(8):795–805; Flegg & Webber (2000) *Regional Studies* 34(6):563–569 (AFLQ, after
McCann & Dewhurst 1998, *Journal of Regional Science* 38(3):435–453); Miller & Blair (2009)
*Input–Output Analysis*, 2nd ed., ch. 8.
"""

from __future__ import annotations

import numpy as np

from chiiki.io.errors import IOTableError

METHODS = ("slq", "cilq", "flq", "aflq")
METHOD_LABELS = {"slq": "SLQ", "cilq": "CILQ", "flq": "FLQ", "aflq": "AFLQ"}


def simple_lq(regional: np.ndarray, national: np.ndarray) -> np.ndarray:
    """SLQ_i = (E_i^r / E^r) / (E_i^N / E^N) (特化係数).

    A sector without national employment (E_i^N = 0: a dummy sector such as 事務用品) has no LQ and is
    treated as neutral, SLQ_i = 1.
    """
    regional = np.asarray(regional, dtype=float)
    national = np.asarray(national, dtype=float)
    total_r, total_n = regional.sum(), national.sum()
    if total_r <= 0 or total_n <= 0:
        raise IOTableError("地域または全国の従業者数（生産額）の合計が0です。特化係数を計算できません。")
    expected = national * (total_r / total_n)
    return np.divide(regional, expected, out=np.ones_like(regional), where=expected > 0)


def cross_industry_lq(slq: np.ndarray) -> np.ndarray:
    """CILQ_ij = SLQ_i / SLQ_j, with SLQ_i on the diagonal (n × n; row = selling sector i).

    A buying sector with SLQ_j = 0 has no output in the region; its column is set to SLQ_i (it
    multiplies X_j^r = 0 and so never matters).
    """
    slq = np.asarray(slq, dtype=float)
    buyer = np.where(slq > 0, slq, 1.0)
    cilq = slq[:, np.newaxis] / buyer[np.newaxis, :]
    np.fill_diagonal(cilq, slq)
    return cilq


def flegg_lambda(regional_total: float, national_total: float, delta: float) -> float:
    """λ = [log₂(1 + E^r / E^N)]^δ (Flegg's regional size term, 0 ≤ δ < 1)."""
    check_delta(delta)
    if not (0 < regional_total <= national_total):
        raise IOTableError(
            f"地域の規模（{regional_total:,.0f}）が全国（{national_total:,.0f}）を超えるか0以下です。"
            "地域と全国のデータを確認してください。"
        )
    return float(np.log2(1.0 + regional_total / national_total) ** delta)


def check_delta(delta: float) -> None:
    """δ must lie in [0, 1) (Flegg et al. 1995)."""
    if not (0.0 <= delta < 1.0):
        raise IOTableError(f"FLQ の δ = {delta} は 0 以上 1 未満で指定してください（例: 0.25）。")


def lq_matrix(
    regional: np.ndarray, national: np.ndarray, *, method: str = "flq", delta: float = 0.25
) -> np.ndarray:
    """The n × n location-quotient matrix of ``method`` (slq, cilq, flq, aflq), uncapped.

    SLQ is the same for every buyer (LQ_ij = SLQ_i); δ is used by FLQ and AFLQ only.
    """
    method = check_method(method)
    slq = simple_lq(regional, national)
    if method == "slq":
        return np.repeat(slq[:, np.newaxis], slq.size, axis=1)
    cilq = cross_industry_lq(slq)
    if method == "cilq":
        return cilq
    flq = cilq * flegg_lambda(float(np.sum(regional)), float(np.sum(national)), delta)
    if method == "flq":
        return flq
    boost = np.where(slq > 1.0, np.log2(1.0 + slq), 1.0)
    return flq * boost[np.newaxis, :]


def final_demand_lq(
    regional: np.ndarray, national: np.ndarray, *, method: str = "flq", delta: float = 0.25
) -> np.ndarray:
    """LQ of each selling sector for the region's final demand (n): the LQ of a buyer with SLQ = 1.

    SLQ and CILQ: SLQ_i; FLQ and AFLQ: SLQ_i · λ (AFLQ's boost needs SLQ_j > 1, so it does not apply).
    """
    method = check_method(method)
    slq = simple_lq(regional, national)
    if method in ("slq", "cilq"):
        return slq
    return slq * flegg_lambda(float(np.sum(regional)), float(np.sum(national)), delta)


def regional_coefficients(A: np.ndarray, lq: np.ndarray) -> np.ndarray:
    """r_ij = min(LQ_ij, 1) · a_ij (地域内調達係数): the rest of a_ij is bought outside the region."""
    return np.minimum(lq, 1.0) * A


def check_method(method: str) -> str:
    """The method name in lower case, or a Japanese error naming the allowed ones."""
    key = str(method).strip().lower()
    if key not in METHODS:
        raise IOTableError(
            f"推計方法「{method}」は使えません。{' / '.join(METHOD_LABELS.values())} のいずれかを指定してください。"
        )
    return key
