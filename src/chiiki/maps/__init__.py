"""Offline maps: shipped boundaries, projection, classification and server-side SVG (docs/maps.md).

Pure functions: a page passes a Polars frame and gets an SVG string; nothing here reads a store or
serves a request. Views (geometry) are computed once per process and cached.
"""

from chiiki.maps.choropleth import (
    block_choropleth,
    choropleth,
    municipality_choropleth,
    prefecture_choropleth,
)
from chiiki.maps.classify import (
    METHODS,
    assign_classes,
    class_breaks,
    equal_interval_breaks,
    jenks_breaks,
    quantile_breaks,
)
from chiiki.maps.credit import CREDIT
from chiiki.maps.flows import flow_map
from chiiki.maps.palettes import SEQUENTIAL
from chiiki.maps.views import MapView, block_view, japan_view, prefecture_view, preload

__all__ = [
    "CREDIT",
    "METHODS",
    "SEQUENTIAL",
    "MapView",
    "assign_classes",
    "block_choropleth",
    "block_view",
    "choropleth",
    "class_breaks",
    "equal_interval_breaks",
    "flow_map",
    "japan_view",
    "jenks_breaks",
    "municipality_choropleth",
    "prefecture_choropleth",
    "prefecture_view",
    "preload",
    "quantile_breaks",
]
