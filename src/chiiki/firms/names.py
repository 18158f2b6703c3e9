"""Matching firms by name (issue #12 §2): applicants' lists write the same company as 「株式会社会津精密」,
「(株)会津精密」, 「㈱会津精密」 or 「会津精密 株式会社」, in full-width or half-width letters.

:func:`name_key` is the key both sides are compared on: Unicode NFKC (full-width ↔ half-width, ㈱ →
(株)), legal-form words and their abbreviations removed, spaces and punctuation removed, Latin
letters lower-cased. :func:`match_names` finds each applicant's firm: an exact key match is sure when
it names one firm and unsure when several; without one, a firm whose key contains the applicant's
(or the other way round) is offered as an unsure candidate. Vectorised over the firms with Polars.
"""

from __future__ import annotations

import re
import unicodedata

import polars as pl

LEGAL_FORMS = (
    "株式会社",
    "有限会社",
    "合同会社",
    "合資会社",
    "合名会社",
    "一般社団法人",
    "一般財団法人",
    "公益社団法人",
    "公益財団法人",
    "社会福祉法人",
    "医療法人",
    "協同組合",
    "(株)",
    "(有)",
    "(同)",
    "(資)",
    "(名)",
    "(社)",
    "(財)",
    "(医)",
)
"""Words of the legal form, after NFKC (㈱ and （株） both become (株))."""
_LEGAL = re.compile("|".join(re.escape(w) for w in sorted(LEGAL_FORMS, key=len, reverse=True)))
_PUNCT = r"[\s\u3000・,，.．、。\-‐－ー―~〜'\"“”‘’「」『』()（）\[\]【】&＆/]"
# the long-vowel mark ー is part of many names (コーポレーション): only the dash-like marks go
_PUNCT = _PUNCT.replace("ー", "")
_PUNCT_RE = re.compile(_PUNCT)
MIN_PARTIAL = 2
"""Shortest key (characters) offered as a partial match: a single character would match everything."""


def name_key(name: str | None) -> str:
    """The comparison key of one name (see the module docstring)."""
    if not name:
        return ""
    text = unicodedata.normalize("NFKC", name)
    text = _LEGAL.sub("", text)
    return _PUNCT_RE.sub("", text).lower()


def firm_keys(firms: pl.DataFrame) -> pl.DataFrame:
    """``company_id, name, name_key`` of ``firms`` (every name normalised once)."""
    names = firms.select("company_id", "name").with_columns(pl.col("name").fill_null(""))
    unique = names.select("name").unique()
    keys = unique.with_columns(name_key=pl.col("name").map_elements(name_key, return_dtype=pl.Utf8))
    return names.join(keys, on="name", how="left")


def match_names(
    queries: pl.DataFrame, firms: pl.DataFrame, *, max_candidates: int = 5, keyed: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Match ``queries`` (``row, query`` — applicant names) to ``firms`` (``company_id, name``).

    Returns one row per query row: ``row, match`` (``exact`` one firm with the same key, ``several``
    more than one, ``partial`` no equal key but keys containing one another, ``none``),
    ``company_id`` (the firm when exactly one candidate, else null) and ``candidates`` (list of up to
    ``max_candidates`` ``company_id`` of the firms found, by name). ``keyed``: :func:`firm_keys` of
    ``firms`` when the caller keeps it (the keys of a national table take seconds to compute).
    """
    keyed = firm_keys(firms) if keyed is None else keyed
    q = queries.select("row", pl.col("query").map_elements(name_key, return_dtype=pl.Utf8).alias("key"))
    exact = (
        q.join(keyed, left_on="key", right_on="name_key", how="inner")
        .filter(pl.col("key") != "")
        .sort("row", "name", "company_id")
        .group_by("row", maintain_order=True)
        .agg(pl.col("company_id").head(max_candidates).alias("candidates"), pl.len().alias("n"))
        .with_columns(match=pl.when(pl.col("n") == 1).then(pl.lit("exact")).otherwise(pl.lit("several")))
    )
    rest = q.join(exact.select("row"), on="row", how="anti").filter(
        pl.col("key").str.len_chars() >= MIN_PARTIAL
    )
    partial_rows = []
    if rest.height:
        # containment either way: "the firm's key contains the applicant's" is one literal scan of
        # the firm keys; "the applicant's contains the firm's" looks the applicant's substrings up in
        # the set of firm keys (no per-firm pattern)
        fk = keyed.filter(pl.col("name_key").str.len_chars() >= MIN_PARTIAL)
        keys = fk["name_key"].unique()
        key_set = set(keys.to_list())
        longest = int(keys.str.len_chars().max() or 0)
        for row, key in rest.iter_rows():
            inner = [
                key[i:j]
                for i in range(len(key))
                for j in range(i + MIN_PARTIAL, min(len(key), i + longest) + 1)
                if key[i:j] != key and key[i:j] in key_set
            ]
            hit = fk.filter(
                pl.col("name_key").str.contains(key, literal=True) | pl.col("name_key").is_in(inner)
            ).sort("name", "company_id")
            if hit.height:
                partial_rows.append(
                    {
                        "row": row,
                        "candidates": hit["company_id"].head(max_candidates).to_list(),
                        "n": hit.height,
                    }
                )
    partial = pl.DataFrame(
        partial_rows, schema={"row": pl.Int64, "candidates": pl.List(pl.Utf8), "n": pl.Int64}
    ).with_columns(match=pl.lit("partial"))
    found = pl.concat(
        [
            exact.select("row", "candidates", pl.col("n").cast(pl.Int64), "match"),
            partial.select("row", "candidates", "n", "match"),
        ]
    )
    out = queries.select("row").join(found, on="row", how="left")
    return out.with_columns(
        match=pl.col("match").fill_null("none"),
        candidates=pl.col("candidates").fill_null(pl.lit([], dtype=pl.List(pl.Utf8))),
        n=pl.col("n").fill_null(0),
        company_id=pl.when(pl.col("match") == "exact").then(pl.col("candidates").list.first()),
    ).sort("row")
