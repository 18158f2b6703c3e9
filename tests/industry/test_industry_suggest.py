"""Focus-field suggestions among the 17 strategic fields (SPEC §4)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from industry_helpers import long_frame

from chiiki.industry import IndustryDataError, suggest_fields
from chiiki.reference import field_jsic_mapping

CODES = sorted(set(field_jsic_mapping()["jsic_code"].to_list()) | {"50", "60", "76"})


def _frame(years=(2024,), growth=0.0) -> pl.DataFrame:
    rng = np.random.default_rng(7)
    base = rng.lognormal(5, 1, (6, len(CODES)))
    regions = ["07", "08", "09", "10", "11", "12"]
    frames = []
    for t, y in enumerate(years):
        X = base.copy()
        X[0, CODES.index("31")] *= (1 + growth) ** t  # 造船 grows in 07
        frames.append(long_frame(X, regions, CODES).with_columns(fiscal_year=pl.lit(y)))
    return pl.concat(frames)


def test_suggest_fields_ranks_all_17_with_reasons():
    out = suggest_fields(_frame(), prefecture="07")
    assert out.height == 17 and out["rank"].to_list() == list(range(1, 18))
    assert out["score"].to_list() == sorted(out["score"].to_list(), reverse=True)
    assert out["growth"].null_count() == 17  # one year only
    assert all(r.startswith(("強み", "伸びしろ", "育成")) and "特化係数" in r for r in out["reason"])
    assert (out.filter(pl.col("lq") >= 1)["category"] == "strong").all()
    assert out["density"].is_between(0, 1).all()


def test_suggest_fields_field_lq_by_hand():
    f = _frame()
    out = suggest_fields(f, prefecture="07")
    codes = field_jsic_mapping().filter(pl.col("field_id") == 2)["jsic_code"].to_list()  # 造船 = 31
    now = f.filter(pl.col("fiscal_year") == 2024)
    x_rf = now.filter(pl.col("region_code") == "07", pl.col("industry_code").is_in(codes))["value"].sum()
    x_r = now.filter(pl.col("region_code") == "07")["value"].sum()
    x_Nf = now.filter(pl.col("industry_code").is_in(codes))["value"].sum()
    expected = (x_rf / x_r) / (x_Nf / now["value"].sum())
    assert out.filter(pl.col("field_id") == 2)["lq"].item() == pytest.approx(expected)


def test_suggest_fields_growth_with_several_years():
    out = suggest_fields(_frame(years=(2022, 2023, 2024), growth=0.5), prefecture="07")
    ship = out.filter(pl.col("field_id") == 2)
    assert ship["growth"].item() == pytest.approx(0.5)
    assert ship["growth"].item() > ship["national_growth"].item() > 0
    assert "年率 50.0%" in ship["reason"].item()
    flat = suggest_fields(_frame(years=(2022, 2023, 2024)), prefecture="07")
    assert flat.filter(pl.col("field_id") == 2)["score"].item() < ship["score"].item()


def test_suggest_fields_editable_mapping():
    mapping = pl.DataFrame({"field_id": [2], "jsic_code": ["50"]})
    out = suggest_fields(_frame(), prefecture="07", mapping=mapping)
    assert out.filter(pl.col("field_id") == 2)["jsic_codes"].item() == "50"
    assert out.filter(pl.col("field_id") == 1)["value"].item() == 0.0


def test_suggest_fields_unknown_prefecture_and_measure():
    with pytest.raises(IndustryDataError, match="都道府県コード 47"):
        suggest_fields(_frame(), prefecture="47")
    with pytest.raises(IndustryDataError, match="sales"):
        suggest_fields(_frame(), prefecture="07", measure="sales")
    with pytest.raises(IndustryDataError, match="重み"):
        suggest_fields(_frame(), prefecture="07", weights={"luck": 1.0})


def test_suggest_fields_says_why_growth_is_missing_instead_of_a_dash():
    f = _frame(years=(2023, 2024))
    # field 31 (造船) has no 2023 value in 07: its growth cannot be computed
    f = f.filter(
        ~(
            (pl.col("fiscal_year") == 2023)
            & (pl.col("region_code") == "07")
            & (pl.col("industry_code") == "31")
        )
    )
    out = suggest_fields(f, prefecture="07")
    no_growth = out.filter(pl.col("growth").is_null())
    assert no_growth.height >= 1
    assert all("成長率は算出不可" in r and "—%" not in r for r in no_growth["reason"])
    assert all("年率" in r for r in out.filter(pl.col("growth").is_not_null())["reason"])
