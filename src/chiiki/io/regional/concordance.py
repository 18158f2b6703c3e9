"""Concordance of input–output sectors and JSIC codes, held as data (SPEC §7.1).

The shipped files ``chiiki/io/data/concordance_37.csv`` and ``concordance_185.csv`` list, for the 2015
national table's 37 sectors (統合大分類) and 185 sectors (≈ 統合小分類), the JSIC codes whose
establishments produce each sector: one row ``sector_code, sector_name, jsic_code, jsic_name`` per
pair. A JSIC code is a 中分類 (2 digits) or a 小分類 (3 digits); names are for people and not read.
A user may pass an edited copy (same columns, CSV in UTF-8 or Shift_JIS).

Employment recorded under a JSIC code ``c`` (a census 小分類, a firm's 中分類) goes to the sectors that
the concordance gives for ``c``, by the first rule that finds any:

1. rows for ``c`` itself;
2. rows for its nearest ancestor (the 中分類 of a 小分類, then the 大分類);
3. rows for its descendants (a 中分類 whose 小分類 are listed separately);
4. rows for its siblings' family (``090`` 管理、補助的経済活動 takes the sectors of all of ``09``).

A code that maps to several sectors is split in proportion to their national output X (the only
size every sector has). Sectors without any JSIC code (事務用品, 帰属家賃, 自家輸送, 企業内研究開発:
dummy or imputed sectors without establishments) are *unmapped*: the regionalisation treats them as
neutral (SLQ = 1).
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
import polars as pl

from chiiki.io.errors import IOTableError
from chiiki.io.table import IOTable

COLUMNS = ("sector_code", "jsic_code")
PREFIX_185_TO_37 = {"19": "39", "23": "39"}
"""A 185-sector code's 37-sector code is its first two digits, except these (19 印刷 and 23 なめし革 are
in 39 その他の製造工業製品); checked against the two 2015 tables' outputs in the tests."""
SHIPPED = {37: "concordance_37.csv", 185: "concordance_185.csv"}
_CODE = re.compile(r"^\s*([0-9A-Za-z]+)[_\s.．・]")


def sector_codes(table: IOTable) -> list[str]:
    """The code of each sector label: ``0111`` of ``0111_穀類``, or the whole label when it has none."""
    codes = []
    for label in table.sectors:
        match = _CODE.match(label)
        codes.append(match.group(1) if match else label.strip())
    return codes


def code_37(code: str) -> str:
    """The 37-sector code of a 185-sector code (``1911`` → ``39``, ``0111`` → ``01``)."""
    return PREFIX_185_TO_37.get(code[:2], code[:2])


def sector_weights(table: IOTable, code: str, *, what: str = "部門") -> np.ndarray:
    """How an amount named by a sector ``code`` spreads over ``table``'s sectors (weights sum to 1).

    The code of a sector of the table takes all of it; a 185-sector code on a 37-sector table goes to
    its 37-sector (:func:`code_37`); a 37-sector code on a 185-sector table is split over its sectors by
    output X. Anything else raises :class:`IOTableError`.
    """
    codes = sector_codes(table)
    weights = np.zeros(table.n)
    code = str(code).strip()
    if code in codes:
        weights[codes.index(code)] = 1.0
        return weights
    if len(code) == 4 and code_37(code) in codes:
        weights[codes.index(code_37(code))] = 1.0
        return weights
    members = [i for i, c in enumerate(codes) if len(c) == 4 and code_37(c) == code]
    if not members:
        raise IOTableError(
            f"{what}の部門コード「{code}」は表にありません。表の部門: {', '.join(table.sectors)}"
        )
    x = np.clip(table.X[members], 0.0, None)
    weights[members] = x / x.sum() if x.sum() > 0 else 1.0 / len(members)
    return weights


@cache
def _jsic_parents() -> dict[str, str]:
    """JSIC code → parent (小分類 → 中分類 → 大分類 letter)."""
    from chiiki.reference import jsic

    frame = jsic().filter(pl.col("level").is_in(["middle", "minor"]))
    return dict(zip(frame["code"], frame["parent_code"], strict=True))


def shipped_concordance(n_sectors: int) -> pl.DataFrame:
    """The packaged concordance for the 37- or 185-sector national table."""
    if n_sectors not in SHIPPED:
        raise IOTableError(
            f"{n_sectors} 部門の表には同梱の部門–JSIC 対応表がありません（37・185 部門のみ）。"
            "対応表の CSV（sector_code, jsic_code）を指定してください。"
        )
    with resources.as_file(resources.files("chiiki.io").joinpath("data", SHIPPED[n_sectors])) as path:
        return pl.read_csv(path, schema_overrides={"sector_code": pl.Utf8, "jsic_code": pl.Utf8})


def read_concordance(path: str | Path) -> pl.DataFrame:
    """Read a user's concordance CSV (``sector_code, jsic_code``; UTF-8 or Shift_JIS), as text."""
    from chiiki.io.readers import read_text_frame

    frame = read_text_frame(path)
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise IOTableError(
            f"{path}: 対応表に列 {', '.join(missing)} がありません。1行目を sector_code,jsic_code にしてください。"
        )
    return frame


def check_concordance(
    frame: pl.DataFrame, table: IOTable, *, source: str = "部門–JSIC 対応表"
) -> pl.DataFrame:
    """``sector_code, jsic_code`` of ``frame``, checked against the table's sectors and the JSIC list.

    Every unknown sector code and JSIC code is reported with its row number; duplicates are dropped.
    """
    known_sectors = set(sector_codes(table))
    known_jsic = set(_jsic_parents()) | set(_jsic_parents().values())
    rows = frame.select(
        row=pl.int_range(2, pl.len() + 2),
        sector_code=pl.col("sector_code").cast(pl.Utf8).str.strip_chars(),
        jsic_code=pl.col("jsic_code").cast(pl.Utf8).str.strip_chars().str.to_uppercase(),
    )
    problems = [
        f"行 {r}: 部門コード「{s}」は表にありません"
        for r, s in rows.filter(~pl.col("sector_code").is_in(list(known_sectors)))
        .select("row", "sector_code")
        .rows()
    ]
    problems += [
        f"行 {r}: JSIC コード「{c}」は日本標準産業分類にありません"
        for r, c in rows.filter(~pl.col("jsic_code").is_in(list(known_jsic)))
        .select("row", "jsic_code")
        .rows()
    ]
    if problems:
        raise IOTableError(
            f"{source}: 使えない行があります。部門コードと JSIC コードを確認してください。", problems
        )
    return rows.select(COLUMNS).unique(maintain_order=True)


def concordance_for(table: IOTable, path: str | Path | None = None) -> pl.DataFrame:
    """The checked concordance for ``table``: the file at ``path``, or the shipped one for its size."""
    frame = shipped_concordance(table.n) if path is None else read_concordance(path)
    return check_concordance(frame, table, source="部門–JSIC 対応表" if path is None else str(path))


def _family(root: str, by_code: dict[str, list[str]], parents: dict[str, str]) -> list[str]:
    """Sectors of every listed code below ``root`` in the JSIC tree."""
    found: dict[str, None] = {}
    for c, sectors in by_code.items():
        walk = c
        while walk is not None and walk != root:
            walk = parents.get(walk)
        if walk == root:
            found.update(dict.fromkeys(sectors))
    return list(found)


def _targets(code: str, by_code: dict[str, list[str]], parents: dict[str, str]) -> list[str]:
    """Sector codes for JSIC ``code`` by rules 1–3 of the module docstring (empty when none applies)."""
    if code in by_code:
        return by_code[code]
    ancestor = parents.get(code)
    while ancestor is not None:
        if ancestor in by_code:
            return by_code[ancestor]
        ancestor = parents.get(ancestor)
    return _family(code, by_code, parents)


def _split(W: np.ndarray, row: int, targets: list[int], weights: np.ndarray) -> None:
    w = weights[targets]
    W[row, targets] = w / w.sum() if w.sum() > 0 else 1.0 / len(targets)


def allocation_matrix(
    concordance: pl.DataFrame, table: IOTable, jsic_codes: list[str], national: np.ndarray | None = None
) -> tuple[np.ndarray, list[str]]:
    """W (codes × sectors): the share of each JSIC code's employment that goes to each sector.

    Rows sum to 1, or to 0 for a code the concordance cannot place (returned in the second value, so
    the caller can say what was left out). A code mapped to several sectors is split by national
    output X. A 小分類 placed by rule 4 (``090`` 管理、補助的経済活動) is spread like its siblings'
    employment when ``national`` (employment by code) is given, else over their sectors by output.
    The loop runs over the few hundred JSIC codes, never over firms.
    """
    codes = sector_codes(table)
    position = {c: i for i, c in enumerate(codes)}
    by_code: dict[str, list[str]] = {}
    for sector, jsic_code in concordance.select(COLUMNS).iter_rows():
        by_code.setdefault(jsic_code, []).append(sector)
    parents = _jsic_parents()
    output = np.where(table.X > 0, table.X, 0.0)
    W = np.zeros((len(jsic_codes), table.n))
    siblings_rule = []
    for row, code in enumerate(jsic_codes):
        targets = [position[s] for s in _targets(code, by_code, parents)]
        if targets:
            _split(W, row, targets, output)
        elif len(code) == 3 and code in parents:
            siblings_rule.append(row)
    placed = W.sum(axis=1) > 0
    for row in siblings_rule:
        parent = parents[jsic_codes[row]]
        siblings = [i for i, c in enumerate(jsic_codes) if placed[i] and parents.get(c) == parent]
        weight = np.zeros(len(siblings)) if national is None else np.asarray(national, dtype=float)[siblings]
        if siblings and weight.sum() > 0:
            W[row] = weight @ W[siblings] / weight.sum()
            continue
        targets = [position[s] for s in _family(parent, by_code, parents)]
        if targets:
            _split(W, row, targets, output)
    return W, [c for i, c in enumerate(jsic_codes) if not W[i].any()]


def mapped_sectors(concordance: pl.DataFrame, table: IOTable) -> np.ndarray:
    """Boolean mask of the sectors that have at least one JSIC code in the concordance."""
    listed = set(concordance["sector_code"])
    return np.array([c in listed for c in sector_codes(table)])


def major_shares(W: np.ndarray, jsic_codes: list[str], national: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """S (sectors × JSIC 大分類): the share of each sector's national employment by JSIC major.

    ``national`` is the employment of each of ``jsic_codes`` in the nation; a sector with none (an
    unmapped sector) has a zero row. Returns the matrix and the major letters (A…T) of its columns.
    """
    parents = _jsic_parents()

    def major(code: str) -> str:
        while code in parents:
            code = parents[code]
        return code

    majors = sorted({major(c) for c in jsic_codes})
    G = np.zeros((len(jsic_codes), len(majors)))
    G[np.arange(len(jsic_codes)), [majors.index(major(c)) for c in jsic_codes]] = 1.0
    flows = (W * np.asarray(national, dtype=float)[:, np.newaxis]).T @ G  # sectors × majors
    totals = flows.sum(axis=1, keepdims=True)
    return np.divide(flows, totals, out=np.zeros_like(flows), where=totals > 0), majors
