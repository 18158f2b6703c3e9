"""Japanese column headers as offices have them, placed on the firm-data contract (SPEC §2; issue #11 §1).

A header is first *normalised* (:func:`normalise_header`): Unicode NFKC (full-width letters, digits,
brackets and spaces become half-width), every space removed, Latin letters lower-cased, ``_ - ・ .``
removed, and a bracketed note at the end — ``売上高（千円）``, ``従業者数[人]``, ``【取引額】`` — taken off
(a unit inside it, ``円 / 千円 / 万円 / 百万円``, is kept as the column's unit). The normalised header is
then looked up in :data:`SYNONYMS` (documented in docs/data.md, "Japanese headers"). Every contract
column name and its Japanese label (``Column.label``) is a synonym of itself.

What cannot be placed is reported, never guessed: :func:`match_headers` returns a :class:`HeaderMatch`
with the placed columns, the headers it could not place and the required columns still missing. A
user's mapping (``--columns FILE`` in the CLI, the mapping step of the web upload) places the rest
and wins over the table; mapping a header to ``None`` leaves that column out.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from chiiki.data.contract import AMOUNT_ESTIMATED, CONTRACTS, TableContract

SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "companies": {
        "company_id": ("企業ID", "企業コード", "企業番号", "会社ID", "会社コード", "事業者ID", "事業者コード", "企業識別子"),
        "corporate_number": ("法人番号", "法人番号13桁", "corporate number"),
        "name": ("商号", "企業名", "会社名", "法人名", "事業者名", "名称", "商号又は名称", "商号・名称"),
        "prefecture_code": ("都道府県コード", "都道府県番号", "県コード", "都道府県CD"),
        "municipality_code": (
            "市区町村コード", "市町村コード", "市区町村CD", "団体コード", "地方公共団体コード",
            "全国地方公共団体コード", "自治体コード",
        ),
        "jsic_code": (
            "業種コード", "業種中分類コード", "産業分類コード", "産業中分類コード", "産業コード",
            "日本標準産業分類コード", "JSIC", "JSICコード", "業種CD",
        ),
        "fiscal_year": ("年度", "決算年度", "会計年度", "事業年度", "対象年度", "西暦年度"),
        "sales": ("売上高", "売上", "売上金額", "売上高合計", "年間売上高", "売上収益"),
        "operating_profit": ("営業利益", "営業損益", "営業利益金額"),
        "employees": ("従業員数", "従業者数", "従業員", "社員数", "常用雇用者数", "常用従業者数"),
        "payroll": ("給与総額", "人件費", "給与支払総額", "給与支給総額", "現金給与総額", "給与額"),
    },
    "transactions": {
        "supplier_id": (
            "仕入先企業ID", "仕入先ID", "仕入先コード", "仕入先企業コード", "販売側企業ID", "販売元企業ID",
            "売り手企業ID", "供給企業ID", "supplier",
        ),
        "customer_id": (
            "販売先企業ID", "販売先ID", "販売先コード", "販売先企業コード", "購入側企業ID", "得意先企業ID",
            "得意先ID", "得意先コード", "買い手企業ID", "customer",
        ),
        "fiscal_year": ("年度", "決算年度", "会計年度", "事業年度", "対象年度", "取引年度"),
        "amount": ("取引額", "取引金額", "金額", "販売額", "取引高"),
        AMOUNT_ESTIMATED: ("取引額推計", "推計フラグ", "金額推計", "推計"),
    },
}  # fmt: skip
"""Contract column → the headers it is recognised under (before normalisation), per table."""

UNITS: dict[str, int | float] = {"円": 0.001, "千円": 1, "万円": 10, "百万円": 1000}
"""Monetary unit → factor to 千円, the contract's unit."""

UNIT_CHOICES = ("円", "千円", "百万円")
"""The units a user may state for a whole file (``--unit``, the web's unit choice)."""

IGNORE = None
"""Mapping target that leaves a header's column out of the import."""

_BRACKET = re.compile(r"[(\[【<〔{「『]([^()\[\]【】<>〔〕{}「」『』]*)[)\]】>〕}」』]\s*$")
_DROP = re.compile(r"[\s_\-・.·‐－−―]+")


def normalise_header(header: str) -> tuple[str, str | None]:
    """``(key, unit)``: the lookup key of ``header`` and the monetary unit named in its brackets.

    >>> normalise_header("売上高（千円）")
    ('売上高', '千円')
    >>> normalise_header(" 企業 ＩＤ ")
    ('企業id', None)
    """
    text = unicodedata.normalize("NFKC", str(header)).strip().lstrip("\ufeff")
    unit = None
    while (m := _BRACKET.search(text)) is not None and m.start() > 0:
        note = _DROP.sub("", m.group(1))
        if note in UNITS or (note.startswith("単位:") and note[3:] in UNITS):
            unit = note.removeprefix("単位:")
        text = text[: m.start()].rstrip()
    return _DROP.sub("", text).lower(), unit


def _lookup(table: str) -> dict[str, str]:
    contract = CONTRACTS[table]
    out: dict[str, str] = {}
    for col in contract.columns:
        for word in (col.name, col.label):
            out.setdefault(normalise_header(word)[0], col.name)
    for column, words in SYNONYMS[table].items():
        for word in (column, *words):
            out.setdefault(normalise_header(word)[0], column)
    return out


LOOKUP = {table: _lookup(table) for table in SYNONYMS}
"""Normalised header → contract column, per table."""


def allowed_columns(table: str) -> list[str]:
    contract = CONTRACTS[table]
    return contract.names + ([AMOUNT_ESTIMATED] if table == "transactions" else [])


def resolve_column(table: str, target: str) -> str | None:
    """The contract column a user's mapping target names (a contract name, label or synonym)."""
    return LOOKUP[table].get(normalise_header(target)[0])


@dataclass(frozen=True)
class HeaderMatch:
    """How the headers of one table file were placed on the contract."""

    table: str
    headers: tuple[str, ...]
    placed: dict[str, str]
    """Header as in the file → contract column."""
    unplaced: tuple[str, ...]
    """Headers neither the synonym table nor the user's mapping could place (in file order)."""
    ignored: tuple[str, ...]
    """Headers the user's mapping leaves out."""
    missing: tuple[str, ...]
    """Required contract columns no header was placed on."""
    duplicates: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Contract column → the headers placed on it when more than one was (an error)."""
    units: dict[str, str] = field(default_factory=dict)
    """Contract column → unit named in its header's brackets (``売上高（円）`` → ``円``)."""

    @property
    def complete(self) -> bool:
        """Every header placed or left out, every required column present, no column twice."""
        return not (self.unplaced or self.missing or self.duplicates)

    def as_mapping(self) -> dict[str, str | None]:
        """Header → contract column (``None``: left out), the form a user's mapping is stored in."""
        return {**self.placed, **dict.fromkeys(self.ignored)}


def match_headers(
    headers: Iterable[str], contract: TableContract | str, mapping: Mapping[str, str | None] | None = None
) -> HeaderMatch:
    """Place ``headers`` on the contract: the user's ``mapping`` first, then :data:`SYNONYMS`.

    ``mapping`` keys are headers as written in the file (or their normalised form); values a contract
    column, its label or a synonym, or ``None`` to leave the column out. Entries for headers the file
    does not have are ignored, and a target that is a column of the other table only falls back to
    the synonyms, so one mapping serves both tables and later uploads.
    """
    table = contract if isinstance(contract, str) else contract.name
    lookup = LOOKUP[table]
    user = {normalise_header(k)[0]: v for k, v in (mapping or {}).items()}
    placed: dict[str, str] = {}
    units: dict[str, str] = {}
    unplaced, ignored = [], []
    headers = tuple(str(h) for h in headers)
    for header in headers:
        key, unit = normalise_header(header)
        target = user.get(key, "")
        if key in user and (target is None or str(target).strip() in ("", "-")):
            ignored.append(header)
            continue
        # a target of the other table (one mapping serves both files) falls back to the synonyms
        column = (resolve_column(table, str(target)) if key in user else None) or lookup.get(key)
        if column is None:
            unplaced.append(header)
            continue
        placed[header] = column
        if unit is not None:
            units[column] = unit
    by_column: dict[str, list[str]] = {}
    for header, column in placed.items():
        by_column.setdefault(column, []).append(header)
    duplicates = {c: tuple(h) for c, h in by_column.items() if len(h) > 1}
    missing = tuple(c for c in CONTRACTS[table].required if c not in by_column)
    return HeaderMatch(table, headers, placed, tuple(unplaced), tuple(ignored), missing, duplicates, units)


class MappingFileError(ValueError):
    """A ``--columns`` file that cannot be read; the message is Japanese and names the file."""


def read_mapping_file(path: Path) -> dict[str, str | None]:
    """A user's header mapping from a small JSON (``{"見出し": "列", ...}``, ``null`` to leave a column
    out; or ``{"companies": {...}, "transactions": {...}}``, merged) or CSV file (rows ``見出し,列``,
    an empty 列 leaves the column out; an optional first row ``見出し,列`` or ``header,column``)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MappingFileError(f"{path}: 列の対応表を読めません（{exc.strerror}）。") from exc
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise MappingFileError(f"{path}: 文字コードを判別できません。UTF-8 か Shift_JIS で保存してください。")
    if path.suffix.lower() == ".json":
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as exc:
            raise MappingFileError(f"{path}: JSON として読めません（{exc.lineno} 行目）。") from exc
        if not isinstance(raw, dict):
            raise MappingFileError(f'{path}: {{"見出し": "列名"}} の形のJSONにしてください。')
        if set(raw) <= set(SYNONYMS) and all(isinstance(v, dict) for v in raw.values()):
            raw = {k: v for part in raw.values() for k, v in part.items()}
        return {str(k): (None if v is None else str(v)) for k, v in raw.items()}
    out: dict[str, str | None] = {}
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not any(cell.strip() for cell in row):
            continue
        if number == 1 and normalise_header(row[0])[0] in ("見出し", "header", "見出し名", "列見出し"):
            continue
        if len(row) > 2:
            raise MappingFileError(f"{path} {number} 行目: 「見出し,列名」の2列にしてください。")
        target = row[1].strip() if len(row) == 2 else ""
        out[row[0].strip()] = target or None
    return out


def check_mapping(mapping: Mapping[str, str | None]) -> list[str]:
    """Japanese messages for mapping targets that name no contract column of either table."""
    bad = []
    for header, target in mapping.items():
        if target is None or str(target).strip() in ("", "-"):
            continue
        if all(resolve_column(t, str(target)) is None for t in SYNONYMS):
            names = "、".join(dict.fromkeys(c for t in SYNONYMS for c in allowed_columns(t)))
            bad.append(f"見出し「{header}」の対応先「{target}」は列名ではありません。使える列名: {names}")
    return bad


@dataclass(frozen=True)
class IntakeOptions:
    """How to read a user's files: header mapping, unit of the amounts and the workbook sheet."""

    columns: Mapping[str, str | None] = field(default_factory=dict)
    """Header as in the file → contract column (``None``: leave the column out); wins over SYNONYMS."""
    unit: str | None = None
    """Unit of the amounts (``円 / 千円 / 百万円``) where a header names none; ``None``: 千円."""
    sheets: Mapping[str, str] = field(default_factory=dict)
    """Table → sheet name of its workbook; the key ``*`` applies to both tables."""

    def __post_init__(self) -> None:
        if self.unit is not None and self.unit not in UNITS:
            raise ValueError(f"単位は {' / '.join(UNIT_CHOICES)} のいずれかです: {self.unit}")

    def sheet_for(self, table: str) -> str | None:
        return self.sheets.get(table) or self.sheets.get("*")

    def to_json(self) -> dict:
        return {"columns": dict(self.columns), "unit": self.unit, "sheets": dict(self.sheets)}

    @classmethod
    def from_json(cls, data: Mapping | None) -> IntakeOptions:
        data = data or {}
        return cls(dict(data.get("columns") or {}), data.get("unit"), dict(data.get("sheets") or {}))
