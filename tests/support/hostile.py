"""Hypothesis strategies for hostile input: odd unicode (NUL, lone surrogates, right-to-left marks,
combining marks), injection attempts, huge strings and numbers, and JSON of any shape.

The fuzz tests use them with `FUZZ`-style settings: derandomized (the same examples on every run, so
CI is deterministic), no deadline (a database round trip varies), modest example counts.
"""

from typing import Any

from hypothesis import strategies as st

NASTY = (
    "",
    " ",
    "\x00",
    "a\x00b",
    "\ud800",
    "x\udfffy",
    "\ufeff",
    "\u202eevil",
    "e\u0301",
    "🔧💧",
    "\r\n",
    "\t",
    "\u2028",
    "' OR 1=1 --",
    "'; DROP TABLE work_orders; --",
    'Robert"); DELETE FROM requests; --',
    "<script>alert(1)</script>",
    "<@U0ADMIN> <!channel>",
    "*bold* _it_ ~x~ `code`",
    "${jndi:ldap://x/a}",
    "{{7*7}}",
    "%s%n%x",
    "../../etc/passwd",
    "١٢٣",
    "\uff11\uff12",  # fullwidth digits
    "NaN",
    "null",
    "[]",
    "{}",
)
NUMBERISH = ("1e400", "-1e400", "nan", "inf", "-0", "1_000", "0x10", "\uff11\uff12", "1e-400", "9" * 30, "2.5", "1e8")

# every code point, lone surrogates included (Slack and JSON can carry them as \ud800 escapes)
ANY_CHARACTER = st.characters(codec=None, exclude_categories=())


def text(*, max_size: int = 60) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(NASTY),
        st.text(ANY_CHARACTER, max_size=max_size),
        st.text(max_size=max_size),
        st.sampled_from(NASTY).flatmap(lambda nasty: st.text(max_size=8).map(lambda word: f"{word}{nasty}{word}")),
    )


def storable_text(*, max_size: int = 60) -> st.SearchStrategy[str]:
    """Odd text a person can really type: injections, markup, emoji, right-to-left marks; no NUL or
    lone surrogate, and something on it."""
    typed = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=max_size)
    nasty = st.sampled_from([text for text in NASTY if text.strip() and "\x00" not in text and text.isprintable()])
    return st.one_of(nasty, typed).filter(lambda text: text.strip() != "")


def huge(*, longest: int = 70_000) -> st.SearchStrategy[str]:
    """Long strings, around and beyond every limit, up to `longest` (built by repetition: cheap to generate)."""
    sizes = [size for size in (151, 201, 3001, 70_000) if size <= longest]
    return st.tuples(st.sampled_from(("x", "é", "🔧", "\x00", " ")), st.sampled_from(sizes)).map(
        lambda pair: pair[0] * pair[1]
    )


def without_surrogates(text: str) -> str:
    """`text` as a server reads it from a form-encoded body: a lone surrogate arrives as U+FFFD."""
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def numberish() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(NUMBERISH),
        st.integers(-(10**12), 10**12).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        text(max_size=8),
    )


def scalar() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.sampled_from((2**63, -(2**63) - 1, 10**30)),
        st.floats(allow_nan=False, allow_infinity=False),
        text(),
        numberish(),
    )


def json_value(*, max_leaves: int = 8) -> st.SearchStrategy[Any]:
    return st.recursive(
        scalar(),
        lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(text(max_size=10), inner, max_size=3)),
        max_leaves=max_leaves,
    )
