"""Search input handling: what a query is made of, before PostgreSQL takes over.

Matching, ranking and typo correction happen in the database (pg_trgm, unaccent
and full-text search; see selectors.aircraft_search and migration 0014). This
module only bounds and splits what the visitor typed.
"""

import re
import unicodedata

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
    """Matches Aircraft.designation_key and search_keys: "F/A-18" and "fa 18" both
    give "fa18", "Écureuil" gives "ecureuil" (accents go, as PostgreSQL's unaccent
    takes them off the keys)."""
    decomposed = unicodedata.normalize("NFKD", "".join(tokens))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def units(query: str) -> list[list[str]]:
    """The query's pieces as typed, each a list of tokens: "boeing 747-8" gives
    [["boeing"], ["747", "8"]]; a piece like "747-8" matches as a designation too."""
    pieces = [terms(chunk) for chunk in normalise(query).split()]
    pieces = [piece for piece in pieces if piece]
    kept, count = [], 0
    for piece in pieces:
        if count + len(piece) > MAX_TERMS:
            break
        kept.append(piece)
        count += len(piece)
    return kept


def is_designation_like(key: str) -> bool:
    return len(key) >= 2 and any(ch.isdigit() for ch in key)


def fragment_keys(tokens: list[str]) -> list[str]:
    """Designation-like runs of up to three neighbouring tokens, as keys: "F22
    raptor" gives "f22", "f 16 falcon" gives "f16" (a letter and a number typed
    apart). Runs with no digit are names, left to the text search."""
    keys = []
    for start in range(len(tokens)):
        for end in range(start + 1, min(start + 3, len(tokens)) + 1):
            key = designation_key(tokens[start:end])
            if is_designation_like(key) and len(key) >= MIN_KEY_LENGTH and key not in keys:
                keys.append(key)
    return keys[: MAX_TERMS * 2]
