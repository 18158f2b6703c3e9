"""Refusing text the database cannot store (issue #10 §9): a NUL character, or a lone UTF-16
surrogate that JSON can spell (``"\\ud800"``), makes PostgreSQL fail mid-request. Every request's
query, path, form and JSON text is checked once, up front, and such input gets a 422 with a
Japanese message naming the field — never a 500 and a reset connection."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator

from fastapi import Request

from chiiki.store.errors import InvalidInputError


def is_storable(text: str) -> bool:
    """False for text with a NUL character or a lone surrogate."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _json_texts(value: object, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path or "（本文）", value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield path or "（本文）", str(k)
            yield from _json_texts(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _json_texts(v, f"{path}[{i}]")


async def _texts(request: Request) -> list[tuple[str, str]]:
    texts = [*request.query_params.multi_items(), *request.path_params.items()]
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("application/json"):
        with contextlib.suppress(ValueError):  # malformed JSON: the route's own parsing answers it
            texts += list(_json_texts(json.loads(await request.body())))
    elif ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        texts += [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    return texts


async def reject_unstorable_text(request: Request) -> None:
    """An app-wide dependency: 422 for any text field the store could not hold."""
    for name, text in await _texts(request):
        if not is_storable(text) or not is_storable(name):
            raise InvalidInputError(
                f"項目「{name if is_storable(name) else '（名前に不正な文字）'}」に保存できない文字"
                "（NUL 文字などの制御文字）が含まれています。その文字を削除してからもう一度送信してください。"
            )
