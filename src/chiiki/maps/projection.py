"""The one projection every map uses: Albers equal-area conic fitted to Japan (docs/maps.md).

An equal-area projection keeps the areas of regions comparable, which a choropleth needs (a
Mercator map would make Hokkaido look half again as large as it is next to Kyushu). On a sphere of
radius R (6,371 km), with standard parallels φ1, φ2, origin latitude φ0 and central meridian λ0:

    n = (sin φ1 + sin φ2) / 2,  C = cos² φ1 + 2n sin φ1,  ρ(φ) = R √(C − 2n sin φ) / n
    x = ρ(φ) sin θ,  y = ρ(φ0) − ρ(φ) cos θ,  θ = n (λ − λ0)

(Snyder, *Map Projections — A Working Manual*, USGS PP 1395, eq. 14-1 to 14-4.) Japan's parameters:
φ1 = 30°N and φ2 = 42°N (one sixth of the 27–45.5°N range in from each end), φ0 = 36°N, λ0 = 137°E.
Coordinates come out in km, x east and y north.
"""

from __future__ import annotations

import numpy as np

EARTH_RADIUS_KM = 6371.0
STANDARD_PARALLELS = (30.0, 42.0)
ORIGIN = (137.0, 36.0)
"""(λ0, φ0) in degrees."""

_PHI1, _PHI2 = np.radians(STANDARD_PARALLELS)
_N = (np.sin(_PHI1) + np.sin(_PHI2)) / 2
_C = np.cos(_PHI1) ** 2 + 2 * _N * np.sin(_PHI1)


def _rho(lat_rad: np.ndarray) -> np.ndarray:
    return EARTH_RADIUS_KM * np.sqrt(_C - 2 * _N * np.sin(lat_rad)) / _N


_RHO0 = _rho(np.radians(ORIGIN[1]))


def project(lonlat: np.ndarray) -> np.ndarray:
    """Albers equal-area (x, y) in km for an ``(n, 2)`` array of (longitude, latitude) degrees."""
    lonlat = np.asarray(lonlat, dtype=np.float64)
    theta = _N * np.radians(lonlat[..., 0] - ORIGIN[0])
    rho = _rho(np.radians(lonlat[..., 1]))
    return np.stack([rho * np.sin(theta), _RHO0 - rho * np.cos(theta)], axis=-1)
