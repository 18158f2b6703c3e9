"""The source credit of the shipped boundaries, shown on every map (docs/maps.md).

国土数値情報 terms (コンテンツ利用規約) allow copying and adaptation with a source credit and a note that
the data were edited; the SmartNews README that distributes the simplified files asks for MLIT's credit.
"""

CREDIT = (
    "「国土数値情報（行政区域データ）」（国土交通省）（https://nlftp.mlit.go.jp/ksj/）をもとに"
    "スマートニュース メディア研究所が加工（簡素化）したもの（smartnews-smri/japan-topography）を、"
    "地域未来が加工（政令市の区の統合・投影）して作成"
)
"""The credit line every map carries (in the SVG itself, not only on the page)."""

SOURCE_NOTE = (
    "国土交通省 国土数値情報 行政区域データ N03（2021年1月1日時点、N03-21_210101）を、スマートニュース "
    "メディア研究所が 0.1% に簡素化した TopoJSON（GitHub smartnews-smri/japan-topography, "
    "b403e71eb97f1fdf32f63d16bd485129f703855e, 2023-12-01）。"
)
"""Where the shipped boundaries come from (edition, processing, revision)."""
