"""Search input handling: what a query is made of, before PostgreSQL takes over.

Matching, ranking and typo correction happen in the database (pg_trgm, unaccent
and full-text search; see selectors.aircraft_search and migration 0005). This
module only bounds and splits what the visitor typed.
"""

import re

MAX_QUERY_LENGTH = 100
MAX_TERMS = 8
# A designation fragment shorter than this ("8" in "747-8") would prefix-match
# far too many designations to rank anything first.
MIN_KEY_LENGTH = 3
_TERM = re.compile(r"[^\W_]+")


def normalise(raw: str) -> str:
    """Printable, trimmed, single-spaced and bounded; what the page echoes and events record."""
    printable = "".join(ch if ch.isprintable() else " " for ch in raw[: MAX_QUERY_LENGTH * 4])
    return " ".join(printable.split())[:MAX_QUERY_LENGTH]


def terms(query: str) -> list[str]:
    """Word and number tokens, in any script; everything else (quotes, SQL, tags) is dropped."""
    return [t.casefold() for t in _TERM.findall(query)][:MAX_TERMS]


def canonical(query: str) -> str:
    """The form searches are counted under: "F-22 Raptor!" and "f 22 raptor" are one query."""
    return " ".join(terms(query))


def designation_key(tokens: list[str]) -> str:
    """Matches Aircraft.designation_key: "F/A-18" and "fa 18" both give "fa18"."""
    return "".join(tokens)


def fragment_keys(query: str) -> list[str]:
    """Designation-like pieces of a longer query, as keys: "boeing 747-8" gives
    "7478" and "F22 raptor" gives "f22"; "f 16 falcon" gives "f16" (a letter and
    a number typed apart). Pieces with no digit are names, left to the text search."""
    tokens = terms(query)
    keys = []
    for start in range(len(tokens)):
        for end in range(start + 1, min(start + 3, len(tokens)) + 1):
            key = designation_key(tokens[start:end])
            if any(ch.isdigit() for ch in key) and len(key) >= MIN_KEY_LENGTH and key not in keys:
                keys.append(key)
    for chunk in query.split():  # "747-8" as typed, with its punctuation
        key = designation_key(terms(chunk))
        if any(ch.isdigit() for ch in key) and len(key) >= MIN_KEY_LENGTH and key not in keys:
            keys.append(key)
    return keys[: MAX_TERMS * 2]
