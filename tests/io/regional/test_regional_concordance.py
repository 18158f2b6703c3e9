"""The IO sector ↔ JSIC concordances held as data (SPEC §7.1) and how employment is placed."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from numpy.testing import assert_allclose

from chiiki.io import IOTableError
from chiiki.io.regional import allocation_matrix, census_basis, concordance_for, resolve_region, sector_codes
from chiiki.io.regional.concordance import check_concordance, code_37, sector_weights


def test_185_codes_fold_into_the_37_sector_table(national37, national185):
    codes37 = sector_codes(national37)
    folded = dict.fromkeys(codes37, 0.0)
    for code, x in zip(sector_codes(national185), national185.X, strict=True):
        folded[code_37(code)] += x * 1000  # 十億円 → 百万円
    assert_allclose(list(folded.values()), national37.X, atol=1e-3)


@pytest.mark.parametrize("fixture", ["national37", "national185"])
def test_every_census_code_is_placed_except_foreign_government(request, census, fixture):
    table = request.getfixturevalue(fixture)
    basis = census_basis(census, [resolve_region("07")])
    W, unplaced = allocation_matrix(concordance_for(table), table, list(basis.jsic_codes))
    assert unplaced == []  # the census has no 96 外国公務 column
    assert_allclose(W.sum(axis=1), 1.0)


def test_only_dummy_and_imputed_sectors_have_no_jsic_code(national185):
    listed = set(concordance_for(national185)["sector_code"])
    unmapped = [s for s in national185.sectors if s.split("_")[0] not in listed]
    assert unmapped == [
        "5531_住宅賃貸料（帰属家賃）",
        "5731_自家輸送（旅客自動車）",
        "5732_自家輸送（貨物自動車）",
        "6322_企業内研究開発",
        "6811_事務用品",
    ]


def test_37_and_185_concordances_place_employment_alike(national37, national185, census):
    basis = census_basis(census, [resolve_region("45")])
    codes = list(basis.jsic_codes)
    W37, _ = allocation_matrix(concordance_for(national37), national37, codes, basis.national)
    W185, _ = allocation_matrix(concordance_for(national185), national185, codes, basis.national)
    fold = np.zeros((185, 37))
    c37 = sector_codes(national37)
    fold[np.arange(185), [c37.index(code_37(c)) for c in sector_codes(national185)]] = 1.0
    e37 = basis.national @ W37
    e185 = basis.national @ W185 @ fold
    differs = [c37[i] for i in np.flatnonzero(~np.isclose(e37, e185, rtol=1e-9))]
    assert differs == ["15", "20"]  # 化学繊維 (JSIC 111) is in 20 at 185 sectors, all in 15 at 37


def test_placement_rules_exact_ancestor_descendant_sibling(national37):
    W, unplaced = allocation_matrix(concordance_for(national37), national37, ["091", "09", "090", "E", "96"])
    codes = sector_codes(national37)
    food = codes.index("11")
    assert W[0, food] == 1.0  # 091 → its 中分類 09 → 11
    assert W[1, food] == 1.0  # 09 listed itself
    assert W[2, food] == 1.0  # 090 管理 → 09
    assert W[3].sum() == pytest.approx(1.0) and W[3, food] > 0  # 大分類 E → every manufacturing sector
    assert unplaced == ["96"]


def test_a_code_for_several_sectors_is_split_by_national_output(national185):
    W, _ = allocation_matrix(concordance_for(national185), national185, ["011"])
    codes = sector_codes(national185)
    crops = [codes.index(c) for c in ("0111", "0112", "0113", "0114", "0115", "0116")]
    x = national185.X[crops]
    assert_allclose(W[0, crops], x / x.sum())


def test_user_concordance_errors_name_rows(national37):
    frame = pl.DataFrame({"sector_code": ["01", "99", "11"], "jsic_code": ["01", "09", "X9"]})
    with pytest.raises(IOTableError) as info:
        check_concordance(frame, national37, source="my.csv")
    assert info.value.problems == (
        "行 3: 部門コード「99」は表にありません",
        "行 4: JSIC コード「X9」は日本標準産業分類にありません",
    )


def test_sector_weights_cross_the_two_classifications(national37, national185):
    assert sector_weights(national37, "4131")[sector_codes(national37).index("41")] == 1.0
    w = sector_weights(national185, "41")
    assert w.sum() == pytest.approx(1.0) and (w > 0).sum() == 5
    with pytest.raises(IOTableError, match="「7777」"):
        sector_weights(national37, "7777")
