"""The national 2015 input–output table shipped with the package: the default table (SPEC §5; issue
#11 item 5).

総務省's 2015 table at 37 sectors (統合大分類), 百万円, read from ``chiiki/io/data/japan_io_2015_37.csv``
(sheet ⑤取引基本表 of the official 簡易計算ツール, in its published layout) by the same reader as any
published table. Show :data:`NATIONAL_2015_CREDIT` wherever it is used.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from chiiki.io.published import ReadReport, read_published_table
from chiiki.io.table import IOSettings, IOTable

NATIONAL_2015_FILE = "japan_io_2015_37.csv"
NATIONAL_2015_NAME = "全国 平成27年（2015年）産業連関表 37部門（総務省）"
NATIONAL_2015_CREDIT = "出典：総務省『平成27年（2015年）産業連関表』（経済波及効果簡易計算ツール 統合大分類37部門）を加工して作成"


@lru_cache(maxsize=8)
def _read(settings: IOSettings) -> tuple[IOTable, ReadReport]:
    data = resources.files("chiiki.io").joinpath("data", NATIONAL_2015_FILE).read_bytes()
    return read_published_table(data, name=NATIONAL_2015_NAME, settings=settings)


def national_table_2015_with_report(settings: IOSettings | None = None) -> tuple[IOTable, ReadReport]:
    """The shipped national table and its read report (read once per settings)."""
    return _read(settings or IOSettings())


def national_table_2015(settings: IOSettings | None = None) -> IOTable:
    """総務省's 2015 national table, 37 sectors, 百万円 (credit: :data:`NATIONAL_2015_CREDIT`)."""
    return national_table_2015_with_report(settings)[0]
