"""Placing projected polygons on the SVG canvas: a main frame and insets for remote islands.

Two layouts (docs/maps.md):

* :func:`national_layout`: Japan as Japanese maps show it. The main frame holds everything north of
  30°N; the 南西諸島 south of 30°N and west of 131.5°E (トカラ列島 and 奄美群島 of 鹿児島県, all of
  沖縄県) are an inset at the same scale in the empty Sea of Japan corner (top left); islands south of
  30°N and east of 131.5°E (小笠原諸島, 火山列島: 東京都's Pacific islands) are left out.
* :func:`fitted_layout`: any other set (a prefecture's municipalities, a block's prefectures). Polygons
  closer than ``GAP_KM`` form clusters; the largest cluster by area is the core; the other clusters join
  the main frame, nearest first, when they lie within ``NEAR`` times the core's longer side of the
  frame and the frame's longer side stays within ``GROWTH`` times the core's. The rest (e.g. 伊豆諸島
  and 小笠原諸島 for 東京都, 奄美群島 for 鹿児島県) are grouped (by proximity, and a region's parts
  together) into at most ``MAX_INSETS`` insets drawn in a row under the main frame, each at the main
  scale or smaller when it would not fit, captioned with the names of the regions it shows.

Canvas units: the SVG viewBox is ``WIDTH`` units wide (any screen width scales it); y grows down.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from chiiki.maps.text import text_width

WIDTH = 1000.0
MARGIN = 12.0
MAX_HEIGHT = 1250.0
"""The main frame is at most this tall (a tall prefecture is narrowed rather than made endless)."""
GAP_KM = 10.0
NEAR = 0.25
GROWTH = 1.5
MAX_INSETS = 3
INSET_GAP = 16.0
INSET_MAX_HEIGHT = 400.0
CAPTION_SIZE = 22.0
NATIONAL_INSET = "47"
"""沖縄県 is in the national inset whole (大東諸島 included)."""
SOUTHERN_ISLANDS = (30.0, 131.5)
"""(latitude, longitude): south of the first, polygons west of the second go to the national inset,
those east of it are left out."""


@dataclass(frozen=True)
class Frame:
    """Where one part of the map goes: projected ``bounds`` (x0, y0, x1, y1 in km) drawn at ``scale``
    canvas units per km with the bounds' top-left corner at ``origin``. An inset also has a ``panel``
    (x, y, width, height on the canvas: the framed box, its ``caption`` in the strip at its top)."""

    bounds: tuple[float, float, float, float]
    scale: float
    origin: tuple[float, float]
    caption: str = ""
    panel: tuple[float, float, float, float] | None = None

    def place(self, xy: np.ndarray) -> np.ndarray:
        """Canvas positions of projected points ``xy`` (``(n, 2)`` km)."""
        x0, _, _, y1 = self.bounds
        return np.column_stack(
            [(xy[:, 0] - x0) * self.scale + self.origin[0], (y1 - xy[:, 1]) * self.scale + self.origin[1]]
        )

    def contains(self, xy: np.ndarray, margin_km: float = GAP_KM) -> bool:
        """Whether the projected point ``xy`` lies in this frame's bounds (give or take ``margin_km``)."""
        x0, y0, x1, y1 = self.bounds
        return bool(x0 - margin_km <= xy[0] <= x1 + margin_km and y0 - margin_km <= xy[1] <= y1 + margin_km)

    @property
    def box(self) -> tuple[float, float, float, float]:
        """The frame on the canvas: x, y, width, height."""
        x0, y0, x1, y1 = self.bounds
        return (self.origin[0], self.origin[1], (x1 - x0) * self.scale, (y1 - y0) * self.scale)


@dataclass(frozen=True)
class Layout:
    """Frames (the main frame first), the frame of each polygon (-1: left out) and the canvas size."""

    frames: tuple[Frame, ...]
    assignment: tuple[int, ...]
    width: float
    height: float


def _union(boxes: np.ndarray) -> np.ndarray:
    return np.array([boxes[:, 0].min(), boxes[:, 1].min(), boxes[:, 2].max(), boxes[:, 3].max()])


def _gaps(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Chebyshev gap between every box of ``a`` and every box of ``b`` (0 where they overlap)."""
    dx = np.maximum(0, np.maximum(a[:, None, 0] - b[None, :, 2], b[None, :, 0] - a[:, None, 2]))
    dy = np.maximum(0, np.maximum(a[:, None, 1] - b[None, :, 3], b[None, :, 1] - a[:, None, 3]))
    return np.maximum(dx, dy)


def _clusters(boxes: np.ndarray, gap: float) -> np.ndarray:
    """Single-linkage clusters of boxes closer than ``gap`` (component label per box)."""
    return connected_components(csr_matrix(_gaps(boxes, boxes) <= gap), directed=False)[1]


def _longer_side(box: np.ndarray) -> float:
    return float(max(box[2] - box[0], box[3] - box[1]))


def _fit(bounds: np.ndarray, width: float, height: float) -> float:
    w, h = max(bounds[2] - bounds[0], 1e-9), max(bounds[3] - bounds[1], 1e-9)
    return min(width / w, height / h)


def _caption(names: list[str], width: float) -> str:
    """Names of an inset's regions (largest first) joined by ・, as many as fit ``width`` (the rest
    said with など); at least the first name."""
    unique = list(dict.fromkeys(names))
    for n in range(len(unique), 0, -1):
        text = "・".join(unique[:n]) + ("" if n == len(unique) else "など")
        if n == 1 or text_width(text, CAPTION_SIZE) <= width:
            return text
    return ""


def fitted_layout(boxes: np.ndarray, areas: np.ndarray, names: list[str]) -> Layout:
    """Layout for polygons with projected bounding ``boxes`` (``(n, 4)``: x0, y0, x1, y1 in km),
    ``areas`` (km²) and the ``names`` of their regions (for inset captions)."""
    labels = _clusters(boxes, GAP_KM)
    n_clusters = labels.max() + 1
    cluster_boxes = np.array([_union(boxes[labels == c]) for c in range(n_clusters)])
    cluster_areas = np.bincount(labels, weights=areas, minlength=n_clusters)
    core = int(np.argmax(cluster_areas))
    main_box, core_side = cluster_boxes[core], _longer_side(cluster_boxes[core])
    main, far = {core}, []
    for c in np.argsort(_gaps(cluster_boxes, cluster_boxes[core : core + 1])[:, 0], kind="stable"):
        if c == core:
            continue
        grown = _union(np.vstack([main_box, cluster_boxes[c]]))
        gap = _gaps(cluster_boxes[c : c + 1], main_box[None, :])[0, 0]
        if gap <= NEAR * core_side and _longer_side(grown) <= GROWTH * core_side:
            main_box = grown
            main.add(int(c))
        else:
            far.append(int(c))
    cluster_names = [{names[j] for j in np.flatnonzero(labels == c)} for c in range(n_clusters)]
    groups = _inset_groups(cluster_boxes, cluster_names, far, _longer_side(main_box) / 2)
    scale = _fit(main_box, WIDTH - 2 * MARGIN, MAX_HEIGHT)
    main_w, main_h = (main_box[2] - main_box[0]) * scale, (main_box[3] - main_box[1]) * scale
    frames = [Frame(tuple(main_box), scale, ((WIDTH - main_w) / 2, MARGIN))]
    cluster_frame = dict.fromkeys(main, 0)
    top = MARGIN + main_h + INSET_GAP
    row = 0.0
    if groups:
        box_w = (WIDTH - 2 * MARGIN - (len(groups) - 1) * INSET_GAP) / len(groups)
        for i, group in enumerate(groups):
            bounds = _union(cluster_boxes[group])
            members = np.isin(labels, group)
            order = np.argsort(-areas[members], kind="stable")
            caption = _caption([names[j] for j in np.flatnonzero(members)[order]], box_w - 2 * MARGIN)
            inner_w, inner_h = box_w - 2 * MARGIN, INSET_MAX_HEIGHT - CAPTION_SIZE - 3 * MARGIN
            s = min(scale, _fit(bounds, inner_w, inner_h))
            w, h = (bounds[2] - bounds[0]) * s, (bounds[3] - bounds[1]) * s
            left = MARGIN + i * (box_w + INSET_GAP)
            origin = (left + (box_w - w) / 2, top + CAPTION_SIZE + 2 * MARGIN)
            panel = (left, top, box_w, CAPTION_SIZE + 3 * MARGIN + h)
            frames.append(Frame(tuple(bounds), s, origin, caption, panel))
            row = max(row, panel[3])
            cluster_frame.update(dict.fromkeys(group, len(frames) - 1))
    height = top + row if groups else MARGIN * 2 + main_h
    return Layout(tuple(frames), tuple(cluster_frame[c] for c in labels), WIDTH, height)


def _inset_groups(
    cluster_boxes: np.ndarray, cluster_names: list[set[str]], far: list[int], gap: float
) -> list[list[int]]:
    """Far clusters grouped by single linkage within ``gap`` or a shared region, then the closest
    groups merged until at most ``MAX_INSETS`` remain; groups in west-to-east order."""
    if not far:
        return []
    shares = np.array([[bool(cluster_names[a] & cluster_names[b]) for b in far] for a in far])
    linked = (_gaps(cluster_boxes[far], cluster_boxes[far]) <= gap) | shares
    labels = connected_components(csr_matrix(linked), directed=False)[1]
    groups = [[far[i] for i in np.flatnonzero(labels == g)] for g in range(labels.max() + 1)]
    while len(groups) > MAX_INSETS:
        boxes = np.array([_union(cluster_boxes[g]) for g in groups])
        d = _gaps(boxes, boxes)
        np.fill_diagonal(d, np.inf)
        i, j = sorted(np.unravel_index(int(np.argmin(d)), d.shape))
        groups[i] += groups.pop(j)
    return sorted(groups, key=lambda g: _union(cluster_boxes[g])[0])


def national_layout(boxes: np.ndarray, centres: np.ndarray, prefecture_codes: list[str]) -> Layout:
    """Layout of all Japan for polygons with projected ``boxes``, (longitude, latitude) ``centres``
    and the code of the prefecture each belongs to (see the module docstring)."""
    south = centres[:, 1] < SOUTHERN_ISLANDS[0]
    inset = (np.asarray(prefecture_codes) == NATIONAL_INSET) | (
        south & (centres[:, 0] <= SOUTHERN_ISLANDS[1])
    )
    main = ~inset & ~south
    main_box, inset_box = _union(boxes[main]), _union(boxes[inset])
    scale = _fit(main_box, WIDTH - 2 * MARGIN, MAX_HEIGHT)
    main_w, main_h = (main_box[2] - main_box[0]) * scale, (main_box[3] - main_box[1]) * scale
    main_frame = Frame(tuple(main_box), scale, ((WIDTH - main_w) / 2, MARGIN))
    inset_w, inset_h = (inset_box[2] - inset_box[0]) * scale, (inset_box[3] - inset_box[1]) * scale
    inset_frame = Frame(
        tuple(inset_box),
        scale,
        (MARGIN * 2, MARGIN + CAPTION_SIZE + 2 * MARGIN),
        "南西諸島（奄美群島・沖縄県など）",
        (MARGIN, MARGIN, inset_w + 2 * MARGIN, CAPTION_SIZE + 3 * MARGIN + inset_h),
    )
    assignment = np.where(main, 0, np.where(inset, 1, -1))
    return Layout((main_frame, inset_frame), tuple(int(a) for a in assignment), WIDTH, main_h + 2 * MARGIN)
