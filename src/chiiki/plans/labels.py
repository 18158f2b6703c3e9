"""Names people read (Japanese) for the plan domain's identifiers (SPEC §6)."""

from __future__ import annotations

PLAN_TYPES = ("A", "B", "C")
PLAN_TYPE_LABELS = {
    "A": "A 戦略産業クラスター計画",
    "B": "B 地域産業クラスター計画",
    "C": "C 地場産業成長プラン",
}
OWNER_LEVEL_LABELS = {
    "block": "地域ブロック（経済産業局）",
    "prefecture": "都道府県",
    "municipality": "市区町村",
}
STATE_LABELS = {
    "draft": "作成中",
    "submitted": "提出済",
    "under_review": "審査中",
    "approved": "承認",
    "returned": "差戻し",
    "monitoring": "フォローアップ中",
    "closed": "終了",
}
REQUIREMENT_STATUS_LABELS = {
    "pending": "未確認",
    "met": "充足",
    "not_met": "不足",
    "not_applicable": "該当なし",
}
KPI_STATUS_LABELS = {
    "achieved": "達成",
    "on_track": "順調",
    "behind": "遅れ",
    "not_reported": "未報告",
    "no_target": "目標未設定",
}
LOCAL_RESOURCES = ("農林水産・食品", "観光", "スポーツ", "伝統産品")
"""Kinds of 地域資源 named by the seed for C plans (others may be given as free text)."""
DEMO_LABEL = "デモデータ"
