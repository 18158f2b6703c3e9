"""Rebuild the shipped reference tables under ``src/chiiki/reference/data``.

Run by a developer when a source standard changes, never at run time (SPEC §1: no network at run time):

    python scripts/build_reference.py --jsic ../shared/data/jsic_rev14.json

* municipalities.csv comes from the MIT-licensed PyPI package ``japancode`` (JIS X 0402 codes with
  coordinates), which must be installed in the running environment (``pip install japancode``).
* jsic.csv is our own table of the codes and names of JSIC rev. 14 (a national standard).
"""

from __future__ import annotations

import argparse
import csv
import json
from importlib import resources
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "chiiki" / "reference" / "data"


def build_municipalities() -> int:
    raw = json.loads(resources.files("japancode").joinpath("data/municipalities.json").read_text("utf-8"))
    rows = []
    for m in raw:
        code6 = m["lgcode"].zfill(6)
        rows.append(
            {
                "municipality_code": code6[:5],
                "check_digit": code6[5],
                "name": m["city"].replace(" ", ""),
                "name_kana": m["citykana"].replace(" ", ""),
                "prefecture_code": code6[:2],
                "lat": m["lat"],
                "lng": m["lng"],
            }
        )
    rows.sort(key=lambda r: r["municipality_code"])
    # 政令指定都市 (designated cities) are listed both as a whole and by ward: a city is designated
    # when wards named after it follow it; its wards are 'ward', everything else 'municipality'.
    designated = {
        r["municipality_code"]
        for r in rows
        if any(
            o is not r
            and o["municipality_code"][:3] == r["municipality_code"][:3]
            and o["name"].startswith(r["name"])
            and len(o["name"]) > len(r["name"])
            for o in rows
        )
    }
    for r in rows:
        code = r["municipality_code"]
        is_ward = any(
            code != d and code[:3] == d[:3] and r["name"].startswith(n)
            for d, n in (
                (d, next(x["name"] for x in rows if x["municipality_code"] == d)) for d in designated
            )
        )
        r["kind"] = "designated_city" if code in designated else ("ward" if is_ward else "municipality")
    with (OUT / "municipalities.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return len(rows)


def build_jsic(path: Path) -> int:
    data = json.loads(path.read_text("utf-8"))
    rows = []
    for major in data["major_categories"]:
        rows.append(("major", major["code"], major["name"], "", major["code"]))
        for middle in major["middle_categories"]:
            rows.append(("middle", middle["code"], middle["name"], major["code"], major["code"]))
            for minor in middle["minor_categories"]:
                rows.append(("minor", minor["code"], minor["name"], middle["code"], major["code"]))
                for detail in minor["detail_categories"]:
                    rows.append(("detail", detail["code"], detail["name"], minor["code"], major["code"]))
    with (OUT / "jsic.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["level", "code", "name", "parent_code", "major_code"])
        w.writerows(rows)
    return len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jsic", type=Path, required=True, help="path to jsic_rev14.json")
    args = parser.parse_args()
    print("municipalities:", build_municipalities())
    print("jsic rows:", build_jsic(args.jsic))


if __name__ == "__main__":
    main()
