"""Registry of imported firm data sets (issue #6 §1): each version's directory, SHA-256 per file,
counts and validation report, who imported it and which version is current.

All-or-nothing with the file side (:func:`chiiki.data.datasets.import_dataset`): the files go to a
new version directory first, the database row last; when registering fails the new version
directory is removed and the previous version made current again (:func:`import_and_register`).
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, sessionmaker

from chiiki.store import audit
from chiiki.store.engine import session_scope
from chiiki.store.errors import InvalidInputError, NotFoundError
from chiiki.store.models import DatasetVersion


class ImportResultLike(Protocol):
    version: str
    path: Path
    manifest: dict


def register_dataset(
    session: Session, result: ImportResultLike, *, actor: str, name: str | None = None
) -> DatasetVersion:
    """Register a stored data-set version and make it the current one of its name (audited)."""
    manifest: dict[str, Any] = dict(result.manifest or {})
    name = name or manifest.get("name") or "default"
    files = manifest.get("files") or {}
    if not files:
        raise InvalidInputError(
            f"{result.path}: マニフェストにファイルの情報（SHA-256）がありません。取り込み直してください。"
        )
    sha = {f: (v["sha256"] if isinstance(v, dict) else v) for f, v in files.items()}
    counts = dict(
        manifest.get("counts") or {f: v.get("rows") for f, v in files.items() if isinstance(v, dict)}
    )
    previous = session.scalar(
        select(DatasetVersion).where(DatasetVersion.name == name, DatasetVersion.is_current)
    )
    session.execute(update(DatasetVersion).where(DatasetVersion.name == name).values(is_current=False))
    row = DatasetVersion(
        name=name,
        version=result.version,
        path=str(Path(result.path).resolve()),
        sha256=sha,
        counts=audit.to_jsonable(counts),
        report=audit.to_jsonable(manifest.get("report")),
        created_by=actor,
        is_current=True,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="register",
        entity="dataset",
        entity_id=row.id,
        before={"current": previous.version} if previous else None,
        after=audit.snapshot(row),
    )
    return row


def list_datasets(session: Session, *, name: str | None = None) -> list[DatasetVersion]:
    query = select(DatasetVersion).order_by(DatasetVersion.name, DatasetVersion.id)
    if name is not None:
        query = query.where(DatasetVersion.name == name)
    return list(session.scalars(query))


def current_dataset(session: Session, name: str = "default") -> DatasetVersion:
    row = session.scalar(select(DatasetVersion).where(DatasetVersion.name == name, DatasetVersion.is_current))
    if row is None:
        raise NotFoundError(
            f"データセット「{name}」は登録されていません。chiiki import で取り込んでください。"
        )
    return row


def _restore_pointer(root: Path, previous: str | None) -> None:
    pointer = root / "CURRENT"
    if previous is None:
        pointer.unlink(missing_ok=True)
        return
    tmp = root / f".staging-CURRENT-{uuid.uuid4().hex}"
    tmp.write_text(previous, "utf-8")
    os.replace(tmp, pointer)


def import_and_register(
    engine_or_factory: Engine | sessionmaker[Session],
    source_dir: Path,
    data_dir: Path,
    *,
    name: str = "default",
    actor: str,
) -> DatasetVersion:
    """Validate and store ``source_dir`` as a new version and register it, all or nothing."""
    from chiiki.data.datasets import current_version, dataset_root, import_dataset

    previous = current_version(data_dir, name)
    result = import_dataset(source_dir, data_dir, name=name, actor=actor)
    try:
        with session_scope(engine_or_factory) as session:
            row = register_dataset(session, result, actor=actor, name=name)
        return row
    except BaseException:
        shutil.rmtree(result.path, ignore_errors=True)
        _restore_pointer(dataset_root(data_dir, name), previous)
        raise
