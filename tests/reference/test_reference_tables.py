import polars as pl
import pytest

from chiiki import reference
from chiiki.reference import (
    corporate_number_check_digit,
    is_valid_corporate_number,
    is_valid_municipality_code,
    municipality_check_digit,
)
from chiiki.reference.checkdigits import corporate_number_is_valid_expr, municipality_check_digit_expr


def test_prefectures_are_47_with_2020_census_total():
    p = reference.prefectures()
    assert p.height == 47
    assert p["prefecture_code"].to_list() == [f"{i:02d}" for i in range(1, 48)]
    assert p["population_2020"].sum() == 126_146_099  # 令和2年国勢調査 確定値
    assert p.filter(pl.col("prefecture_code") == "07")["name"].item() == "福島県"


def test_blocks_follow_bureau_jurisdiction():
    b = reference.blocks()
    assert b.height == 9
    members = dict(zip(b["name"], b["prefecture_codes"].to_list(), strict=True))
    assert members["東北"] == ["02", "03", "04", "05", "06", "07"]
    assert members["関東"] == ["08", "09", "10", "11", "12", "13", "14", "15", "19", "20", "22"]
    assert members["中部"] == ["16", "17", "21", "23", "24"]
    assert members["近畿"] == ["18", "25", "26", "27", "28", "29", "30"]
    assert sorted(sum(members.values(), [])) == [f"{i:02d}" for i in range(1, 48)]


def test_fukushima_has_59_municipalities_with_valid_check_digits():
    m = reference.municipalities("07")
    assert m.height == 59
    assert "福島市" in m["name"].to_list()
    assert m.select(
        (municipality_check_digit_expr("municipality_code").cast(pl.Utf8) == pl.col("check_digit")).all()
    ).item()


def test_municipalities_cover_all_1741_with_coordinates():
    m = reference.municipalities()
    assert m.filter(pl.col("kind") != "ward").height == 1741
    assert m.filter(pl.col("kind") == "designated_city").height == 20
    assert m.select(pl.col("lat").is_between(20, 46).all(), pl.col("lng").is_between(122, 154).all()).row(
        0
    ) == (True, True)


def test_jsic_has_20_majors_99_middles_536_minors():
    assert reference.jsic("major").height == 20
    assert reference.jsic("middle").height == 99
    assert reference.jsic("minor").height == 536
    assert reference.jsic("detail").height == 1473
    assert reference.jsic("middle").filter(pl.col("code") == "28")["major_code"].item() == "E"


def test_fields_are_17_and_every_mapped_code_exists():
    f = reference.fields()
    assert f.height == 17
    assert f["name"][0] == "AI・半導体" and f["name"][16] == "海洋"
    m = reference.field_jsic_mapping()
    assert set(m["field_id"]) == set(range(1, 18))
    assert set(m["jsic_code"]) <= set(reference.jsic("middle")["code"])


def test_field_mapping_is_editable(tmp_path, monkeypatch):
    path = tmp_path / "map.csv"
    path.write_text("field_id,jsic_code\n1,28\n2,31\n", encoding="utf-8")
    monkeypatch.setenv("CHIIKI_FIELD_MAPPING", str(path))
    assert reference.field_jsic_mapping().height == 2


def test_field_mapping_with_unknown_code_is_refused(tmp_path):
    path = tmp_path / "map.csv"
    path.write_text("field_id,jsic_code\n1,XX\n", encoding="utf-8")
    with pytest.raises(ValueError, match="不明なJSIC"):
        reference.field_jsic_mapping(path)


@pytest.mark.parametrize(
    ("code5", "check"), [("01100", 2), ("13101", 6), ("07201", 0), ("27100", 4), ("47201", 8)]
)
def test_municipality_check_digit_of_real_codes(code5, check):
    # 札幌市 011002, 千代田区 131016, 福島市 072010, 大阪市 271004, 那覇市 472018 (全国地方公共団体コード)
    assert municipality_check_digit(code5) == check
    row = reference.municipalities().filter(pl.col("municipality_code") == code5)
    assert row["check_digit"].item() == str(check)


def test_municipality_code_validation():
    assert is_valid_municipality_code("011002")
    assert not is_valid_municipality_code("011003")
    assert not is_valid_municipality_code("01100a")


def test_corporate_number_check_digit_known_examples():
    # 国税庁: 7000012050002 is the National Tax Agency's own corporate number.
    assert corporate_number_check_digit("000012050002") == 7
    assert is_valid_corporate_number("7000012050002")
    for wrong in "012345689":
        assert not is_valid_corporate_number(wrong + "000012050002")
    assert not is_valid_corporate_number("700001205000")  # 12 digits


def test_corporate_number_expression_matches_scalar():
    import numpy as np

    rng = np.random.default_rng(0)
    numbers = ["".join(map(str, rng.integers(0, 10, 13))) for _ in range(500)] + ["7000012050002"]
    expected = [is_valid_corporate_number(n) for n in numbers]
    got = pl.DataFrame({"c": numbers}).select(corporate_number_is_valid_expr("c"))["c"].to_list()
    assert got == expected
    assert any(expected)
