"""Row and column labels of published input–output tables: clean, split "code name", and classify
(SPEC §5; issue #11 item 4).

Published tables name their rows and columns in words that vary a little between the national table
and each prefecture's (国内生産額 / 県内生産額 / 市内生産額, 移輸出 / 輸出 and 移出, （控除）移輸入 with
full-width or half-width brackets, 需要合計 spelt 需用合計, alignment spaces inside names). A label is
compared by its *key*: NFKC (full-width letters, digits and brackets become half-width), no spaces,
and 需用 read as 需要. :func:`classify_row` and :func:`classify_column` give each label a role; a label
that is none of the known rows or columns is a sector candidate (a sector is then a candidate found on
both axes).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

SECTOR = "sector"
VALUE_ADDED = "value_added"
EMPLOYMENT = "employment"
FINAL_DEMAND = "final_demand"
EXPORT = "export"
IMPORT = "import"
TOTAL = "total"
REFERENCE = "reference"

ROLE_LABELS = {
    SECTOR: "部門",
    VALUE_ADDED: "粗付加価値",
    EMPLOYMENT: "就業者数",
    FINAL_DEMAND: "最終需要",
    EXPORT: "輸出（移出）",
    IMPORT: "輸入（移入・控除）",
    TOTAL: "合計・小計",
    REFERENCE: "参考（計算値、読み飛ばし）",
}
"""Role → the word a user reads."""

# Kinds of totals (what a published total line sums).
INTERMEDIATE_INPUTS = "intermediate_inputs"  # 内生部門計 (row): Σ of the sector rows
VALUE_ADDED_TOTAL = "value_added_total"  # 粗付加価値部門計: Σ of the value-added rows
OUTPUT_ROW = "output_row"  # 生産額 (row): intermediate inputs + value added
INTERMEDIATE_DEMAND = "intermediate_demand"  # 内生部門計 (column): Σ of the sector columns
DOMESTIC_FINAL_DEMAND = "domestic_final_demand"  # 国内/県内最終需要計: Σ final demand
DOMESTIC_DEMAND = "domestic_demand"  # 国内/県内需要合計: intermediate + final demand
EXPORTS_TOTAL = "exports_total"  # 輸出計 / 移輸出計
FINAL_DEMAND_TOTAL = "final_demand_total"  # 最終需要計: final demand + exports
TOTAL_DEMAND = "total_demand"  # 需要合計: intermediate + final demand + exports
IMPORTS_TOTAL = "imports_total"  # （控除）輸入計 / 移輸入計
NET_FINAL_DEMAND = "net_final_demand"  # 最終需要部門計: final demand + exports + imports
OUTPUT_COLUMN = "output_column"  # 生産額 (column): the row total X
SUBTOTAL = "subtotal"  # any other 計: not a sector, not checked

TOTAL_MEANINGS = {
    INTERMEDIATE_INPUTS: "部門の行の和",
    VALUE_ADDED_TOTAL: "粗付加価値の行の和",
    OUTPUT_ROW: "中間投入＋粗付加価値（列計）",
    INTERMEDIATE_DEMAND: "部門の列の和",
    DOMESTIC_FINAL_DEMAND: "最終需要の列の和",
    DOMESTIC_DEMAND: "中間需要＋最終需要",
    EXPORTS_TOTAL: "輸出の列の和",
    FINAL_DEMAND_TOTAL: "最終需要＋輸出",
    TOTAL_DEMAND: "中間需要＋最終需要＋輸出",
    IMPORTS_TOTAL: "輸入の列の和",
    NET_FINAL_DEMAND: "最終需要＋輸出－輸入",
    OUTPUT_COLUMN: "中間需要＋最終需要＋輸出－輸入（行計）",
    SUBTOTAL: "内訳が分からない小計（照合しません）",
}

_REGION = r"(?:国|県|道|都|府|市|区|町|村|域|地域|圏|区域|管|地区)内"
_DEDUCTION = re.compile(r"^\(?控除\)?")
_AXIS_SUFFIX = re.compile(r"\((?:行|列)\)$")
_CODE = re.compile(r"^[0-9A-Za-z]{1,10}$")
_CODE_CHARS = "[0-9A-Za-z０-９Ａ-Ｚａ-ｚ]{1,10}"
_CODE_IN_BRACKETS = re.compile(rf"^[(（\[［]\s*({_CODE_CHARS})\s*[)）\]］]\s*(.+)$")
_CODE_THEN_NAME = re.compile(rf"^({_CODE_CHARS})([\s_＿:：.．、,，]+)(.+)$")
_DIGITS_THEN_JAPANESE = re.compile(r"^([0-9０-９]{1,6})([^\x00-\x7f０-９].*)$")
_SPACE_NEAR_JAPANESE = re.compile(r"\s*([^\x00-\x7f])\s*")
_NOT_SUBTOTALS = ("時計", "会計", "設計", "統計", "家計")

_REFERENCE_WORDS = ("係数", "絶対値", "自給率", "構成比", "比率", "行和", "列和", "逆行列", "倍率")
_EMPLOYMENT_WORDS = ("従業者", "就業者", "雇用者数", "従業員", "常用雇用", "有給役員")
_VALUE_ADDED_WORDS = (
    "家計外消費支出",
    "雇用者所得",
    "賃金",
    "俸給",
    "社会保険料",
    "給与",
    "営業余剰",
    "混合所得",
    "資本減耗",
    "間接税",
    "生産・輸入品に課される税",
    "補助金",
    "付加価値",
)
_FINAL_DEMAND_WORDS = ("消費支出", "資本形成", "在庫", "調整項", "政府消費", "家計消費", "最終消費")
_EXPORT_STARTS = ("輸出", "移出", "移輸出", "輸移出")
_IMPORT_STARTS = ("輸入", "移入", "移輸入", "輸移入")
_DUTY_STARTS = ("関税", "輸入品商品税")
_INTERMEDIATE_ROWS = ("内生部門計", "内生部門合計", "中間投入計", "中間投入合計", "中間投入")
_INTERMEDIATE_COLUMNS = ("内生部門計", "内生部門合計", "中間需要計", "中間需要合計", "中間需要")
_VALUE_ADDED_TOTALS = (
    "粗付加価値部門計",
    "粗付加価値部門合計",
    "粗付加価値計",
    "粗付加価値合計",
    "粗付加価値",
)
_VALUE_ADDED_TOTALS += ("付加価値部門計", "付加価値計", "付加価値合計")
_GRAND_TOTALS = ("合計", "総計", "総合計", "total", "行計", "列計")


@dataclass(frozen=True)
class Label:
    """One row's or column's label as read: ``code`` (or None), the cleaned ``name``, and ``where``
    (its place in the file)."""

    code: str | None
    name: str
    where: str

    @property
    def shown(self) -> str:
        """``code_name`` when there is a code (as the SPEC §5 sample tables write sectors), else the name."""
        return f"{self.code}_{self.name}" if self.code else self.name

    @property
    def key(self) -> str:
        return label_key(self.name)

    @property
    def code_key(self) -> str | None:
        """The code for matching: digits without leading zeros (``01`` = ``1``), letters lower case."""
        if not self.code:
            return None
        return str(int(self.code)) if self.code.isdigit() else self.code.lower()


def label_key(text: str) -> str:
    """The form labels are compared in: NFKC, no whitespace, 需用 → 需要."""
    key = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", "", key).replace("需用", "需要")


def clean_name(text: str) -> str:
    """A label as shown: line breaks and alignment spaces next to Japanese characters removed (``農　業``
    → ``農業``), other runs of spaces made one."""
    text = _SPACE_NEAR_JAPANESE.sub(r"\1", text.replace("\n", " ").strip())
    return re.sub(r"\s+", " ", text).strip()


def is_code(text: str) -> bool:
    """A cell that is a sector code on its own (``01``, ``0111``, ``ohcr``, ``Total``)."""
    return bool(_CODE.match(unicodedata.normalize("NFKC", text).strip()))


def split_code(text: str) -> tuple[str | None, str]:
    """``"01 農林漁業"``, ``"01　農林漁業"``, ``"01_農林漁業"``, ``"(01)農林漁業"``, ``"01農林漁業"`` → ``("01", "農林漁業")``;
    a label without a code → ``(None, name)``. Letters-only codes need ``_`` (``ohcr_家計外消費支出``).
    The name keeps its characters as written (full-width brackets stay full-width)."""
    text = text.strip()
    match = _CODE_IN_BRACKETS.match(text)
    if match and _has_digit(match.group(1)):
        return _nfkc(match.group(1)), clean_name(match.group(2))
    match = _CODE_THEN_NAME.match(text)
    if match and (_has_digit(match.group(1)) or "_" in _nfkc(match.group(2))):
        return _nfkc(match.group(1)), clean_name(match.group(3))
    match = _DIGITS_THEN_JAPANESE.match(text)
    if match:
        return _nfkc(match.group(1)), clean_name(match.group(2))
    return None, clean_name(text)


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _has_digit(text: str) -> bool:
    return any(ch.isdigit() for ch in _nfkc(text))


def _parts(name: str) -> tuple[bool, str]:
    """(is a deduction 控除, the key without 控除 and without a trailing （行）/（列）)."""
    key = label_key(name)
    deduction = bool(_DEDUCTION.match(key)) or key.startswith("△")
    core = _AXIS_SUFFIX.sub("", _DEDUCTION.sub("", key.lstrip("△")))
    return deduction, core


def _is_reference(core: str) -> bool:
    return any(w in core for w in _REFERENCE_WORDS)


def _is_output(core: str) -> bool:
    return "生産額" in core or core.lower() in _GRAND_TOTALS


def _ends_as_total(core: str) -> bool:
    return core.endswith("計") and not core.endswith(_NOT_SUBTOTALS)


def classify_row(name: str) -> tuple[str, str | None]:
    """Role of a row label and, for totals, their kind: ``(VALUE_ADDED, None)``, ``(TOTAL, OUTPUT_ROW)`` …
    ``(SECTOR, None)`` means "not a known row": a sector if the columns have it too."""
    _, core = _parts(name)
    if _is_reference(core):
        return REFERENCE, None
    if _is_output(core):
        return TOTAL, OUTPUT_ROW
    if core in _INTERMEDIATE_ROWS:
        return TOTAL, INTERMEDIATE_INPUTS
    if core in _VALUE_ADDED_TOTALS:
        return TOTAL, VALUE_ADDED_TOTAL
    if _ends_as_total(core):
        return TOTAL, SUBTOTAL
    if any(w in core for w in _EMPLOYMENT_WORDS):
        return EMPLOYMENT, None
    if any(w in core for w in _VALUE_ADDED_WORDS):
        return VALUE_ADDED, None
    return SECTOR, None


def classify_column(name: str) -> tuple[str, str | None]:
    """Role of a column label and, for totals, their kind (see :func:`classify_row`)."""
    deduction, core = _parts(name)
    if _is_reference(core):
        return REFERENCE, None
    if _is_output(core):
        return TOTAL, OUTPUT_COLUMN
    trade_import = core.startswith(_IMPORT_STARTS) or (deduction and core.startswith(_DUTY_STARTS))
    if core in _INTERMEDIATE_COLUMNS:
        return TOTAL, INTERMEDIATE_DEMAND
    if core in ("最終需要部門計", "最終需要部門合計"):
        return TOTAL, NET_FINAL_DEMAND
    if core in ("最終需要計", "最終需要合計"):
        return TOTAL, FINAL_DEMAND_TOTAL
    if re.fullmatch(_REGION + r"最終需要(?:計|合計)?", core):
        return TOTAL, DOMESTIC_FINAL_DEMAND
    if re.fullmatch(_REGION + r"需要(?:計|合計)", core):
        return TOTAL, DOMESTIC_DEMAND
    if core in ("需要合計", "需要計", "総需要"):
        return TOTAL, TOTAL_DEMAND
    if _ends_as_total(core):
        if core.startswith(_EXPORT_STARTS):
            return TOTAL, EXPORTS_TOTAL
        if trade_import:
            return TOTAL, IMPORTS_TOTAL
        return TOTAL, SUBTOTAL
    if core.startswith(_EXPORT_STARTS):
        return EXPORT, None
    if trade_import:
        return IMPORT, None
    if any(w in core for w in _FINAL_DEMAND_WORDS):
        return FINAL_DEMAND, None
    return SECTOR, None


def is_deduction(name: str) -> bool:
    """True for a （控除） label (imports, 経常補助金): its values should be negative."""
    return _parts(name)[0]
