"""Malformed files, generated (issue #10 §6): whatever bytes arrive as companies / transactions, the
validator answers with a report of Japanese messages — never an exception, never a traceback."""

from __future__ import annotations

import io
import shutil
import tempfile
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chiiki.data.datasets import write_dataset
from chiiki.data.synth import generate_economy
from chiiki.data.validation import validate_directory

_GOOD: dict[str, bytes] = {}


def _good() -> dict[str, bytes]:
    """A small valid data set as CSV and as a workbook (built once)."""
    if not _GOOD:
        with tempfile.TemporaryDirectory() as tmp:
            ds = generate_economy(n_firms=100, years=(2024,), seed=3)
            write_dataset(ds, Path(tmp), fmt="csv")
            for table in ("companies", "transactions"):
                _GOOD[f"{table}.csv"] = (Path(tmp) / f"{table}.csv").read_bytes()
            buffer = io.BytesIO()
            ds.companies.head(30).write_excel(buffer)
            _GOOD["companies.xlsx"] = buffer.getvalue()
    return _GOOD


def _mutate(data: bytes, ops: list[tuple[int, int, bytes]]) -> bytes:
    """Apply (kind, position, bytes) edits: 0 cut the file, 1 insert, 2 overwrite, 3 delete a span."""
    out = bytearray(data)
    for kind, pos, chunk in ops:
        at = pos % (len(out) + 1)
        if kind == 0:
            del out[at:]
        elif kind == 1:
            out[at:at] = chunk
        elif kind == 2:
            out[at : at + len(chunk)] = chunk
        else:
            del out[at : at + len(chunk) * 7]
    return bytes(out)


EDITS = st.lists(
    st.tuples(
        st.integers(0, 3),
        st.integers(0, 2**20),
        st.sampled_from([b"\x00", b"\xff\xfe", b'"', b",,,,", b"\n\n", b"\xe3\x81", b"=HYPERLINK(", b"\r", b"PK\x03\x04"])
        | st.binary(min_size=1, max_size=40),
    ),
    min_size=1,
    max_size=6,
)  # fmt: skip


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(target=st.sampled_from(["companies.csv", "transactions.csv", "companies.xlsx"]), edits=EDITS)
def test_a_mutated_file_gets_a_report_never_an_exception(target, edits):
    good = _good()
    folder = Path(tempfile.mkdtemp(prefix="chiiki-fuzz-"))
    try:
        files = {"companies.csv": good["companies.csv"], "transactions.csv": good["transactions.csv"]}
        if target == "companies.xlsx":
            del files["companies.csv"]
        files[target] = _mutate(good[target], edits)
        for name, data in files.items():
            (folder / name).write_bytes(data)
        report = validate_directory(folder)  # must not raise
        messages = (
            report.errors.get_column("message").to_list() + report.warnings.get_column("message").to_list()
        )
        assert all(any(ord(ch) > 0x3000 for ch in m) for m in messages), messages[:3]
        assert "Traceback" not in "\n".join(messages)
        if report.has_errors:
            assert report.dataset is None
        else:
            assert isinstance(report.dataset.companies, pl.DataFrame)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
