"""Which firm data set an analysis reads (SPEC §0: data sets are licensed per buyer), and the list
of registered versions a user may see."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from chiiki.data.datasets import current_version, dataset_root
from chiiki.reference import prefecture_names
from chiiki.services.access import NATIONAL_DATASET, Principal, dataset_names
from chiiki.services.analytics import Analytics, DatasetRef
from chiiki.services.state import AppState
from chiiki.store.datasets import list_datasets
from chiiki.store.models import DatasetVersion

CURRENT_DATASET_MAX_AGE_S = 1.0
"""How long a worker trusts its answer to "which data set is current": an import in this worker
expires it at once (:func:`chiiki.services.uploads.upload_dataset`), other workers and
``chiiki import`` are seen within this time."""


def current_dataset_ref(
    session: Session, data_dir: Path, names: tuple[str, ...] = (NATIONAL_DATASET,)
) -> DatasetRef | None:
    """The current data set: the first of ``names`` with a registered current version in the store,
    else the ``CURRENT`` pointer that ``chiiki import`` keeps under ``data_dir`` for the national
    data set (:mod:`chiiki.data.datasets`), else None."""
    rows = session.execute(
        select(DatasetVersion.id, DatasetVersion.name, DatasetVersion.version, DatasetVersion.path)
        .where(DatasetVersion.is_current.is_(True), DatasetVersion.name.in_(names))
        .order_by(DatasetVersion.id.desc())
    ).all()  # only the columns needed: every analytics request asks
    for name in names:
        row = next((r for r in rows if r.name == name), None)
        if row is not None:
            return DatasetRef(row.id, f"{row.name} {row.version}", Path(row.path), row.name)
    version = current_version(data_dir) if NATIONAL_DATASET in names else None
    if version is None:
        return None
    return DatasetRef(
        None,
        f"{NATIONAL_DATASET} {version}",
        dataset_root(data_dir, NATIONAL_DATASET) / version,
        NATIONAL_DATASET,
    )


def analytics_for(state: AppState, db: Session, principal: Principal) -> Analytics:
    """The analytics of the data set ``principal``'s analyses read (:func:`dataset_names`: the
    prefecture's own upload, else the national data set), looked up at most every
    :data:`CURRENT_DATASET_MAX_AGE_S`."""
    names = dataset_names(principal)
    return state.analytics.current(
        names,
        lambda: current_dataset_ref(db, state.settings.data_dir, names),
        max_age_s=CURRENT_DATASET_MAX_AGE_S,
    )


def _manifest_years(path: Path) -> list[int]:
    manifest = path / "chiiki-manifest.json"
    try:
        return list(json.loads(manifest.read_text("utf-8")).get("years") or [])
    except (OSError, ValueError):
        return []


def dataset_versions(db: Session, principal: Principal) -> list[dict]:
    """Registered versions of the data sets ``principal`` reads (administrators: all), newest first,
    with counts and who imported them."""
    names = None if principal.role == "admin" else set(dataset_names(principal))
    rows = [r for r in list_datasets(db) if names is None or r.name in names]
    return [
        {
            "id": r.id, "name": r.name, "label": dataset_label(r.name), "version": r.version,
            "is_current": r.is_current, "created_at": r.created_at.isoformat() if r.created_at else None,
            "actor": r.created_by, "counts": dict(r.counts or {}), "years": _manifest_years(Path(r.path)),
        }
        for r in sorted(rows, key=lambda r: r.id, reverse=True)
    ]  # fmt: skip


def dataset_label(name: str) -> str:
    """A data set's name in words: 全国 for the national one, the prefecture's own otherwise."""
    if name == NATIONAL_DATASET:
        return "全国（管理者が取り込み）"
    if name.startswith("pref-"):
        return f"{prefecture_names().get(name[5:], name[5:])}の独自データ"
    return name
