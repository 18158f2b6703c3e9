"""Imports are serialised (issue #10 §5): a second import of the same data set waits, or is told
clearly that another is running; ``chiiki import`` registers the new version where the web app
looks."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

from chiiki.data.datasets import dataset_root, import_dataset, list_versions, write_dataset
from chiiki.data.locks import ImportBusyError, import_lock
from chiiki.data.synth import generate_economy
from chiiki.services.datasets import current_dataset_ref
from chiiki.store import create_engine_from_url, session_scope, upgrade
from chiiki.store.datasets import import_and_register
from chiiki.store.settings import StoreSettings


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    src = tmp_path_factory.mktemp("src")
    write_dataset(generate_economy(n_firms=400, years=(2024,), seed=3), src)
    return src


def test_second_import_is_told_another_is_running(tmp_path, source):
    with (
        import_lock(dataset_root(tmp_path, "default")),
        pytest.raises(ImportBusyError, match="別の取り込みが実行中"),
    ):
        import_dataset(source, tmp_path)
    assert list_versions(tmp_path) == []  # nothing was written
    assert import_dataset(source, tmp_path).version == "v0001"


def test_second_import_waits_for_the_first(tmp_path, source):
    engine = create_engine_from_url(StoreSettings(data_dir=tmp_path).resolved_database_url)
    upgrade(engine)
    waited = threading.Event()
    results = []
    with import_lock(dataset_root(tmp_path, "default")):
        t = threading.Thread(
            target=lambda: results.append(
                import_and_register(engine, source, tmp_path, actor="t", wait_s=60, on_wait=waited.set)
            )
        )
        t.start()
        assert waited.wait(30)
        assert results == []  # still waiting while the lock is held
    t.join(60)
    assert [r.version for r in results] == ["v0001"]


def test_cli_import_registers_where_the_web_looks(tmp_path, source):
    env = {**os.environ, "CHIIKI_DATA_DIR": str(tmp_path)}
    env.pop("CHIIKI_DATABASE_URL", None)
    for expected in ("v0001", "v0002"):
        done = subprocess.run(
            [sys.executable, "-m", "chiiki.cli.main", "import", str(source)],
            env=env,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        engine = create_engine_from_url(StoreSettings(data_dir=tmp_path).resolved_database_url)
        with session_scope(engine) as s:
            ref = current_dataset_ref(s, tmp_path)
        engine.dispose()
        assert ref is not None and ref.id is not None and ref.label.endswith(expected)


def test_concurrent_cli_imports_both_land(tmp_path, source):
    env = {**os.environ, "CHIIKI_DATA_DIR": str(tmp_path)}
    env.pop("CHIIKI_DATABASE_URL", None)
    engine = create_engine_from_url(StoreSettings(data_dir=tmp_path).resolved_database_url)
    upgrade(engine)
    engine.dispose()
    cmd = [sys.executable, "-m", "chiiki.cli.main", "import", str(source)]
    procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert list_versions(tmp_path) == ["v0001", "v0002"]
    assert not list(dataset_root(tmp_path, "default").glob(".staging-*"))
    assert all(b"Traceback" not in err for _, err in outs)
