"""A plan's printable submission (issue #12 §5): the plan document as the reader may see it
(:func:`chiiki.services.plans.plan_document_for`, so firm figures outside the reader's scope never
reach the paper), with the A/C records (:func:`chiiki.services.plan_records.records_document`),
rendered to PDF by :mod:`chiiki.plans.pdf`. The web page, the API and ``chiiki plans export --pdf``
all call :func:`plan_pdf`."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from chiiki.plans.pdf import FontMissingError, plan_pdf_bytes
from chiiki.services.access import Principal
from chiiki.services.plan_records import records_document
from chiiki.services.plans import plan_document_for
from chiiki.store.plans import get_plan

__all__ = ["FontMissingError", "pdf_filename", "plan_pdf", "printable_document"]


def printable_document(db: Session, plan_id: int, reader: Principal, *, min_cell: int) -> dict[str, Any]:
    doc = plan_document_for(db, plan_id, reader, min_cell=min_cell)
    doc["records"] = records_document(db, get_plan(db, plan_id))
    return doc


def plan_pdf(db: Session, plan_id: int, reader: Principal, *, min_cell: int) -> bytes:
    """The PDF of the plan for ``reader`` (raises :class:`FontMissingError` with a Japanese message
    when the server has no Japanese font). The caller checks that the reader may see the plan."""
    return plan_pdf_bytes(printable_document(db, plan_id, reader, min_cell=min_cell))


def pdf_filename(plan_id: int) -> str:
    return f"plan_{plan_id}.pdf"
