"""Pure pieces of the web shell: SVG charts, access rules, tokens, rate limiter, ranking sort."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chiiki.services.access import Principal
from chiiki.services.analytics import FirmYear, sort_page
from chiiki.services.security import hash_password, verify_password
from chiiki.web.charts import (
    TILE_POSITIONS,
    bar_chart_svg,
    compact_number,
    log_ticks,
    scatter_log_svg,
    tile_map_svg,
)


def test_tile_map_has_47_distinct_tiles():
    assert sorted(TILE_POSITIONS) == [f"{i:02d}" for i in range(1, 48)]
    assert len(set(TILE_POSITIONS.values())) == 47
    svg = tile_map_svg({"07": "福島県"}, title="t", highlight={"07"})
    assert svg.count('<g class="tile') == 47 and 'class="tile own" data-pref="07"' in svg


def test_scatter_drops_zero_points_and_says_so():
    svg = scatter_log_svg(
        [0.1, 0.0, 0.01], [0.2, 0.3, 0.0], title="s", x_label="x", y_label="y", x_cut=0.05, y_cut=0.1
    )
    assert svg.count("<circle") == 1 and "2社は対数軸に表示できない" in svg and svg.count('class="cut"') == 2


def test_chart_text_is_escaped():
    svg = bar_chart_svg(["<script>"], [1.0], title="<b>")
    assert "<script>" not in svg and "&lt;script&gt;" in svg


def test_log_ticks_cover_range():
    assert log_ticks(0.003, 0.2) == [0.001, 0.01, 0.1, 1.0]


def test_scope_of_each_role():
    assert Principal("r", "reviewer").firm_prefectures() is None
    assert Principal("b", "bureau", block_code="tohoku").firm_prefectures() == frozenset(
        {"02", "03", "04", "05", "06", "07"}
    )
    assert Principal("p", "prefecture", prefecture_code="07").firm_prefectures() == frozenset({"07"})
    assert Principal("m", "municipal", municipality_code="07203").firm_prefectures() == frozenset()
    assert Principal("a", "admin").firm_prefectures() == frozenset()


def test_password_hash_verifies_and_unknown_user_fails():
    h = hash_password("correct horse")
    assert h.startswith("$argon2id$")
    assert verify_password(h, "correct horse") and not verify_password(h, "wrong")
    assert not verify_password(None, "anything")


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.one_of(st.none(), st.floats(0, 1, allow_nan=False)), min_size=0, max_size=60),
    page=st.integers(1, 5),
    per_page=st.integers(1, 15),
)
def test_sort_page_matches_full_sort(values, page, per_page):
    df = pl.DataFrame(
        {"company_id": [f"C{i:03d}" for i in range(len(values))], "connector_degree": values},
        schema={"company_id": pl.Utf8, "connector_degree": pl.Float64},
    )
    got, total = sort_page(df, sort="connector_degree", page=page, per_page=per_page)
    full = df.sort(["connector_degree", "company_id"], descending=[True, False], nulls_last=True)
    assert total == len(values)
    assert got["company_id"].to_list() == full.slice((page - 1) * per_page, per_page)["company_id"].to_list()
    assert np.all(np.diff(got["connector_degree"].drop_nulls().to_numpy()) <= 0)


@pytest.mark.parametrize(
    ("value", "text"),
    [(0, "0"), (0.25, "0.25"), (42, "42"), (4_000, "4,000"), (60_000_000, "6,000万"), (15_000, "1.5万"),
     (250_000_000, "2.5億"), (-3_000_000, "-300万")],
)  # fmt: skip
def test_compact_number_uses_man_and_oku_without_exponent(value, text):
    assert compact_number(value) == text


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.one_of(st.none(), st.sampled_from([0.0, 0.1, 0.5, 1.0])), min_size=0, max_size=40),
    page=st.integers(1, 5),
    per_page=st.integers(1, 15),
    descending=st.booleans(),
)
def test_memoised_ranking_page_equals_sort_page(values, page, per_page, descending):
    df = pl.DataFrame(
        {"company_id": [f"C{i:03d}" for i in range(len(values))], "connector_degree": values,
         "region_code": ["07"] * len(values)},
        schema={"company_id": pl.Utf8, "connector_degree": pl.Float64, "region_code": pl.Utf8},
    )  # fmt: skip
    fy = FirmYear(2024, df, (), False, {"07": df})
    for _ in range(2):  # the second call reads the memoised ordering
        got, total = fy.ranking_page(
            "07", sort="connector_degree", descending=descending, page=page, per_page=per_page
        )
        want, want_total = sort_page(
            df, sort="connector_degree", descending=descending, page=page, per_page=per_page
        )
        assert total == want_total and got["company_id"].to_list() == want["company_id"].to_list()


def test_current_data_set_is_looked_up_at_most_once_per_max_age_unless_expired(tmp_path):
    from chiiki.services.analytics import AnalyticsRegistry, DatasetRef

    calls = []
    refs = iter([DatasetRef(1, "a", tmp_path), DatasetRef(2, "b", tmp_path)])

    def lookup():
        calls.append(1)
        return next(refs)

    registry = AnalyticsRegistry()
    first = registry.current(("default",), lookup, max_age_s=60)
    assert registry.current(("default",), lookup, max_age_s=60) is first
    assert len(calls) == 1 and first.ref.id == 1
    registry.expire()
    second = registry.current(("default",), lookup, max_age_s=60)
    assert len(calls) == 2 and second.ref.id == 2 and second is not first


def test_registry_keeps_the_most_recently_used_data_sets_only(tmp_path):
    from chiiki.services.analytics import AnalyticsRegistry, DatasetRef

    registry = AnalyticsRegistry(max_datasets=2)
    a, b, c = (registry.for_ref(DatasetRef(i, str(i), tmp_path)) for i in (1, 2, 3))
    assert registry.for_ref(DatasetRef(3, "3", tmp_path)) is c
    assert registry.for_ref(DatasetRef(2, "2", tmp_path)) is b
    assert registry.for_ref(DatasetRef(1, "1", tmp_path)) is not a  # evicted, built anew
    assert not registry.for_ref(None).available
