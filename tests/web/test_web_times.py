"""Times in JST with the zone named (issue #12 §6): the ``jst`` filter every page uses."""

from __future__ import annotations

from datetime import UTC, date, datetime

from chiiki.plans.times import format_jst


def test_utc_times_read_in_jst_with_the_zone_named():
    assert format_jst(datetime(2026, 12, 3, 15, 30, tzinfo=UTC)) == "2026-12-04 00:30 JST"
    assert format_jst("2026-12-03T15:30:00+00:00") == "2026-12-04 00:30 JST"
    assert format_jst("2026-12-03T15:30:00") == "2026-12-04 00:30 JST"  # SQLite: no zone means UTC
    assert format_jst(datetime(2026, 12, 3, 15, 30, 5, tzinfo=UTC), seconds=True) == "2026-12-04 00:30:05 JST"
    assert format_jst(date(2026, 7, 1)) == "2026-07-01" and format_jst(None) == "—"


def test_data_page_lists_versions_in_jst(login):
    page = login("admin").get("/data").text
    versions = page.split('id="versions"', 1)[1].split("</table>", 1)[0]
    assert " JST</td>" in versions
