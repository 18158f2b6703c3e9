"""Speed of the map, 花火図 and 商流圏 pages (issue #13 "Speed") on the national-size synthetic data set.
Not a test: prints measured numbers.

    .venv/bin/python benchmarks/bench_web_maps.py [--firms 700000] [--data DIR] [--repeat 5]

The store (``generate_economy(n_firms, years=(2023, 2024))`` imported and registered with its
analyses, the sample users) is built once under ``--data DIR`` (reused when it exists). The app is
called in process through Starlette's TestClient, logged in as Tokyo's staff (Tokyo is the largest
prefecture), so a timing is the server's whole answer: routing, session, access, the services, the
SVG and the template. Targets: a prefecture choropleth page ≤ 300 ms; a firm's two-tier 花火図
≤ 500 ms; 商流圏 within 3 tiers ≤ 1 s. Each page is asked once cold (the first request of a process
builds what it keeps: the year's supply graph, the per-region sums) and then ``--repeat`` times warm;
the warm median and maximum are the numbers against the targets. Probe firms: Tokyo's largest
in-region buyer (a hub, the largest 商流圏) and largest out-of-region seller.
"""

from __future__ import annotations

import argparse
import re
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from chiiki.server.app import create_app
from chiiki.server.testing import seeded_app
from chiiki.services.settings import WebSettings
from chiiki.store.settings import StoreSettings

PASSWORD = "test-password-123"


def _login(app, user: str) -> TestClient:  # noqa: ANN001
    c = TestClient(app, raise_server_exceptions=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)
    r = c.post("/login", data={"username": user, "password": PASSWORD, "csrf_token": token, "next": "/"})
    assert r.status_code == 200, r.text[:200]
    return c


def _time(c: TestClient, url: str, repeat: int) -> tuple[float, float, float, int]:
    t0 = time.perf_counter()
    r = c.get(url)
    cold = time.perf_counter() - t0
    assert r.status_code == 200, (url, r.status_code, r.text[:300])
    warm = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        r = c.get(url)
        warm.append(time.perf_counter() - t0)
        assert r.status_code == 200
    return cold, statistics.median(warm), max(warm), len(r.content)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--firms", type=int, default=700_000)
    ap.add_argument("--data", type=Path, default=None)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    data = args.data or Path(tempfile.mkdtemp(prefix="chiiki-bench-maps-"))
    t0 = time.perf_counter()
    if (data / "chiiki.sqlite3").exists():  # reuse the store built by an earlier run
        app = create_app(
            StoreSettings(data_dir=data), web=WebSettings(environment="test", secret_key="x" * 40)
        )
    else:
        app = seeded_app(data, n_firms=args.firms).app
    print(f"store: {data} ({time.perf_counter() - t0:.1f} s to build or open)")
    c = _login(app, "tokyo")
    api = TestClient(app)
    tok = api.post("/api/v1/auth/token", json={"username": "tokyo", "password": PASSWORD}).json()[
        "access_token"
    ]
    h = {"Authorization": f"Bearer {tok}"}
    t0 = time.perf_counter()
    hub = api.get("/api/v1/firms/connector-hub?pref=13&sort=in_purchases&per_page=1", headers=h).json()[
        "items"
    ][0]
    conn = api.get("/api/v1/firms/connector-hub?pref=13&sort=out_sales&per_page=1", headers=h).json()[
        "items"
    ][0]
    print(f"first analytics request (maps the year's analyses): {time.perf_counter() - t0:.2f} s")
    print(f"probe firms: hub {hub['company_id']} (in-region purchases {hub['in_purchases']:,} 千円), "
          f"connector {conn['company_id']} (out-of-region sales {conn['out_sales']:,} 千円)")  # fmt: skip
    pages = [
        ("prefecture choropleth (47 prefectures, sales)", "/maps?indicator=sales", 0.3),
        ("prefecture choropleth (LQ of 09)", "/maps?indicator=lq&jsic=09", 0.3),
        ("municipality choropleth of Tokyo (employees)", "/maps/prefectures/13?indicator=employees", 0.3),
        (
            "block choropleth (関東, connector-hub candidates)",
            "/maps/blocks/kanto?indicator=n_connector_hub",
            0.3,
        ),
        ("花火図, 2 tiers, hub", f"/firms/{hub['company_id']}/fireworks", 0.5),
        ("花火図, 2 tiers, connector", f"/firms/{conn['company_id']}/fireworks", 0.5),
        (
            "商流圏, 3 tiers in-region, hub, Δ",
            f"/firms/{hub['company_id']}/dependence?tiers=3&delta=100000",
            1.0,
        ),
        ("商流圏, 3 tiers nationwide, hub", f"/firms/{hub['company_id']}/dependence?tiers=3&scope=all", 1.0),
        ("industry flows of Tokyo", "/network/industry?pref=13", None),
        ("prefecture flows of Tokyo", "/network/prefectures?pref=13", None),
        ("firm trend (2 years)", f"/firms/{hub['company_id']}/trends", None),
        ("prefecture trend of Tokyo", "/trends/prefectures/13", None),
    ]
    print("| page | cold | warm median | warm max | target | size |\n|---|---|---|---|---|---|")
    for label, url, target in pages:
        cold, med, mx, size = _time(c, url, args.repeat)
        goal = f"≤ {target * 1000:.0f} ms {'ok' if med <= target else 'MISSED'}" if target else "—"
        print(
            f"| {label} | {cold * 1000:.0f} ms | {med * 1000:.0f} ms | {mx * 1000:.0f} ms | {goal} | {size / 1024:.0f} kB |"
        )
    api_urls = [
        ("API 花火図 hub", f"/api/v1/firms/{hub['company_id']}/fireworks"),
        ("API 商流圏 3 tiers hub", f"/api/v1/firms/{hub['company_id']}/dependence?tiers=3"),
        ("API map values, Tokyo municipalities", "/api/v1/maps/prefecture?code=13&indicator=sales"),
    ]
    for label, url in api_urls:
        t0 = time.perf_counter()
        api.get(url, headers=h)
        cold = time.perf_counter() - t0
        warm = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            assert api.get(url, headers=h).status_code == 200
            warm.append(time.perf_counter() - t0)
        print(
            f"| {label} | {cold * 1000:.0f} ms | {statistics.median(warm) * 1000:.0f} ms | {max(warm) * 1000:.0f} ms | — | — |"
        )


if __name__ == "__main__":
    main()
