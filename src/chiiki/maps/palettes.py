"""Colour scales for classes (ColorBrewer 2.0 sequential 9-class schemes, Cynthia Brewer, Apache 2.0).

k classes take k colours spread evenly over the scheme's darker eight (the near-white first colour
would be hard to tell from the background), lightest for the lowest class.
"""

from __future__ import annotations

import numpy as np

SEQUENTIAL = {
    "blues": (
        "#f7fbff",
        "#deebf7",
        "#c6dbef",
        "#9ecae1",
        "#6baed6",
        "#4292c6",
        "#2171b5",
        "#08519c",
        "#08306b",
    ),
    "greens": (
        "#f7fcf5",
        "#e5f5e0",
        "#c7e9c0",
        "#a1d99b",
        "#74c476",
        "#41ab5d",
        "#238b45",
        "#006d2c",
        "#00441b",
    ),
    "oranges": (
        "#fff5eb",
        "#fee6ce",
        "#fdd0a2",
        "#fdae6b",
        "#fd8d3c",
        "#f16913",
        "#d94801",
        "#a63603",
        "#7f2704",
    ),
    "purples": (
        "#fcfbfd",
        "#efedf5",
        "#dadaeb",
        "#bcbddc",
        "#9e9ac8",
        "#807dba",
        "#6a51a3",
        "#54278f",
        "#3f007d",
    ),
    "reds": (
        "#fff5f0",
        "#fee0d2",
        "#fcbba1",
        "#fc9272",
        "#fb6a4a",
        "#ef3b2c",
        "#cb181d",
        "#a50f15",
        "#67000d",
    ),
    "ylorrd": (
        "#ffffcc",
        "#ffeda0",
        "#fed976",
        "#feb24c",
        "#fd8d3c",
        "#fc4e2a",
        "#e31a1c",
        "#bd0026",
        "#800026",
    ),
}
CATEGORICAL = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666")
"""ColorBrewer Dark2: distinct line colours for kinds of flows."""


def class_colours(palette: str, k: int) -> list[str]:
    """``k`` colours of the sequential ``palette``, lightest first."""
    if palette not in SEQUENTIAL:
        raise ValueError(
            f"配色「{palette}」はありません。{'・'.join(SEQUENTIAL)} のいずれかを指定してください。"
        )
    scheme = SEQUENTIAL[palette]
    if k <= 1:
        return [scheme[5]][:k]
    return [scheme[i] for i in np.rint(np.linspace(1, len(scheme) - 1, k)).astype(int)]
