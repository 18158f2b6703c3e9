"""Registry of imported firm data sets (issue #6 §1): each version's directory, SHA-256 per file,
counts and validation report, who imported it and which version is current.

All-or-nothing with the file side (:func:`chiiki.data.datasets.import_dataset`): the files go to a
new version directory first, the database row last; when registering fails the new version
directory is removed and the previous version made current again (:func:`import_and_register`).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from chiiki.data.locks import ImportBusyError, import_lock
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


def _advisory_key(name: str) -> int:
    """A stable signed 64-bit key for PostgreSQL's advisory lock of data set ``name``."""
    return int.from_bytes(hashlib.sha256(f"chiiki-import:{name}".encode()).digest()[:8], "big", signed=True)


@contextmanager
def _database_import_lock(engine: Engine, name: str) -> Iterator[None]:
    """On PostgreSQL, a session advisory lock per data set, so imports on several machines sharing
    one database take turns too (the file lock covers the processes of one machine)."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as conn:
        if not conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": _advisory_key(name)}):
            raise ImportBusyError(
                f"データセット「{name}」は別のサーバーで取り込み中です。終わってからもう一度取り込んでください。"
            )
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _advisory_key(name)})
            conn.commit()


def import_and_register(
    engine_or_factory: Engine | sessionmaker[Session],
    source_dir: Path,
    data_dir: Path,
    *,
    name: str = "default",
    actor: str,
    wait_s: float = 0.0,
    on_wait: Callable[[], None] | None = None,
    options: Any = None,
) -> DatasetVersion:
    """Validate and store ``source_dir`` as a new version and register it, all or nothing, holding
    the data set's import lock (file and, on PostgreSQL, advisory) for both steps (issue #10 §5): a
    second import waits up to ``wait_s`` seconds, else :class:`ImportBusyError`. ``options``: the
    user's header mapping, unit and sheets (:class:`chiiki.data.headers.IntakeOptions`)."""
    from chiiki.data.datasets import current_version, dataset_root, import_dataset

    engine = engine_or_factory if isinstance(engine_or_factory, Engine) else engine_or_factory.kw["bind"]
    root = dataset_root(data_dir, name)
    with import_lock(root, wait_s=wait_s, on_wait=on_wait), _database_import_lock(engine, name):
        previous = current_version(data_dir, name)
        result = import_dataset(source_dir, data_dir, name=name, actor=actor, locked=True, options=options)
        try:
            with session_scope(engine_or_factory) as session:
                row = register_dataset(session, result, actor=actor, name=name)
            return row
        except BaseException:
            shutil.rmtree(result.path, ignore_errors=True)
            _restore_pointer(root, previous)
            raise
