"""Errors the store raises; every message is Japanese and says what, where and what to do."""

from __future__ import annotations


class StoreError(Exception):
    """Base of the store's errors; ``str(error)`` is the Japanese message for the user."""


class NotFoundError(StoreError):
    """The row asked for does not exist."""


class ConcurrentEditError(StoreError):
    """Someone else changed the row since it was read (optimistic concurrency, issue #6 §6)."""

    def __init__(
        self, entity: str, entity_id: object, *, expected: int | None = None, actual: int | None = None
    ):
        detail = f"（編集開始時の版 {expected}、現在の版 {actual}）" if expected is not None else ""
        super().__init__(
            f"{entity} (ID {entity_id}) は、あなたが読み込んだ後に他の利用者によって更新されました{detail}。"
            "上書きはしていません。最新の内容を読み込み直してから、もう一度変更してください。"
        )
        self.entity = entity
        self.entity_id = entity_id
        self.expected = expected
        self.actual = actual


class PermissionDeniedError(StoreError):
    """The actor's role or scope does not allow this (issue #6 §6)."""


class InvalidInputError(StoreError):
    """A value given to a service function is not acceptable."""
