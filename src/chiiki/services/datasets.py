"""Which firm data set an analysis reads (SPEC §0: data sets are licensed per buyer), and the list
of registered versions a user may see."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from chiiki.data.datasets import current_version, dataset_root
from chiiki.reference import prefecture_names
from chiiki.services.access import NATIONAL_DATASET, Principal, dataset_names
from chiiki.services.analytics import Analytics, DatasetRef
from chiiki.services.state import AppState
from chiiki.store import audit
from chiiki.store.datasets import list_datasets
from chiiki.store.errors import NotFoundError
from chiiki.store.models import DatasetVersion, User

CURRENT_DATASET_MAX_AGE_S = 1.0
"""How long a worker trusts its answer to "which data set is current": an import in this worker
expires it at once (:func:`chiiki.services.uploads.upload_dataset`), other workers and
``chiiki import`` are seen within this time."""


def current_dataset_ref(
    session: Session, data_dir: Path, names: tuple[str, ...] = (NATIONAL_DATASET,)
) -> DatasetRef | None:
    """The default data set: the newest registered, not retired version of the first of ``names``
    that has one, else the ``CURRENT`` pointer that ``chiiki import`` keeps under ``data_dir`` for
    the national data set (:mod:`chiiki.data.datasets`), else None."""
    rows = session.execute(
        select(DatasetVersion.id, DatasetVersion.name, DatasetVersion.version, DatasetVersion.path)
        .where(DatasetVersion.name.in_(names), DatasetVersion.retired_at.is_(None))
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


def version_ref(
    session: Session, principal: Principal, dataset_id: int, *, allow_retired: bool = False
) -> DatasetRef:
    """The registered version ``dataset_id`` if ``principal`` may read it (and, unless
    ``allow_retired``, it is not retired); a Japanese 404 otherwise (whether another's data set
    exists is not theirs to know)."""
    row = session.execute(
        select(DatasetVersion.id, DatasetVersion.name, DatasetVersion.version, DatasetVersion.path,
               DatasetVersion.retired_at).where(DatasetVersion.id == dataset_id)
    ).first()  # fmt: skip
    if (
        row is None
        or row.name not in dataset_names(principal)
        or (row.retired_at is not None and not allow_retired)
    ):
        raise NotFoundError(
            f"データセット（ID {dataset_id}）はないか、使えません（使わなくなった版か、閲覧できないデータです）。"
            "「データ」ページで使えるデータを確かめてください。"
        )
    return DatasetRef(row.id, f"{row.name} {row.version}", Path(row.path), row.name)


def resolve_dataset(
    state: AppState, db: Session, principal: Principal, dataset_id: int | None = None
) -> DatasetRef | None:
    """Which data an analysis of ``principal`` reads (issue #11 §2): ``dataset_id`` when given, else
    the version the user last chose (while it is usable), else the national data set's newest
    version. An upload never changes it by itself: the user chooses a new version."""
    if dataset_id is not None:  # asked for by id (a plan's pinned evidence): retired versions too
        return version_ref(db, principal, dataset_id, allow_retired=True)
    if principal.chosen_dataset_id is not None:
        try:
            return version_ref(db, principal, principal.chosen_dataset_id)
        except NotFoundError:
            pass  # retired since: back to the default
    names = (NATIONAL_DATASET,)
    return state.analytics.current(
        names,
        lambda: current_dataset_ref(db, state.settings.data_dir, names),
        max_age_s=CURRENT_DATASET_MAX_AGE_S,
    ).ref


def analytics_for(
    state: AppState, db: Session, principal: Principal, dataset_id: int | None = None
) -> Analytics:
    """The analytics of the data ``principal``'s analysis reads (:func:`resolve_dataset`)."""
    return state.analytics.for_ref(resolve_dataset(state, db, principal, dataset_id))


@dataclass(frozen=True)
class DatasetChoice:
    """A version a user may choose for their analyses."""

    id: int
    name: str
    version: str
    label: str
    is_latest: bool


def dataset_choices(db: Session, principal: Principal) -> list[DatasetChoice]:
    """The registered, not retired versions ``principal`` may read: national first, newest first."""
    names = dataset_names(principal)
    rows = db.execute(
        select(DatasetVersion.id, DatasetVersion.name, DatasetVersion.version)
        .where(DatasetVersion.name.in_(names), DatasetVersion.retired_at.is_(None))
        .order_by(DatasetVersion.id.desc())
    ).all()
    latest: dict[str, int] = {}
    for r in rows:
        latest.setdefault(r.name, r.id)
    rows = sorted(rows, key=lambda r: (names.index(r.name), -r.id))
    return [
        DatasetChoice(r.id, r.name, r.version, f"{dataset_label(r.name)} {r.version}"
                      + ("（最新）" if latest[r.name] == r.id else ""), latest[r.name] == r.id)
        for r in rows
    ]  # fmt: skip


def choose_dataset(db: Session, principal: Principal, dataset_id: int) -> DatasetRef:
    """Remember ``dataset_id`` as the data the user's analyses read from now on (audited)."""
    ref = version_ref(db, principal, dataset_id)
    user = db.get(User, principal.user_id)
    before = user.chosen_dataset_id
    user.chosen_dataset_id = dataset_id
    audit.record(db, actor=principal.username, action="choose_dataset", entity="user", entity_id=user.id,
                 before={"chosen_dataset_id": before}, after={"chosen_dataset_id": dataset_id})  # fmt: skip
    return ref


def retire_dataset(db: Session, principal: Principal, dataset_id: int) -> DatasetVersion:
    """Retire a version: kept (for audit and for plans that pinned it), hidden from choice. An own
    data set's versions by its prefecture's staff; the national data set's by administrators."""
    row = db.get(DatasetVersion, dataset_id)
    own = (
        row is not None and row.name == f"pref-{principal.prefecture_code}" and principal.role == "prefecture"
    )
    national = row is not None and row.name == NATIONAL_DATASET and principal.role == "admin"
    if row is None or not (own or national):
        raise NotFoundError(
            f"データセット（ID {dataset_id}）はないか、あなたが使わなくする権限のないデータです。"
        )
    if row.retired_at is None:
        before = audit.snapshot(row)
        row.retired_at, row.retired_by = datetime.now(UTC), principal.username
        audit.record(db, actor=principal.username, action="retire", entity="dataset", entity_id=row.id,
                     before=before, after=audit.snapshot(row))  # fmt: skip
    return row


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
