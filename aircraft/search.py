"""Search input handling and typo correction, without PostgreSQL extensions.

pg_trgm is not available everywhere this runs (the embedded PostgreSQL lacks it),
so near-miss words are matched here against the catalogue's own vocabulary by
trigram similarity: "raptr" -> "raptor".
"""

import re
from collections import defaultdict

MAX_QUERY_LENGTH = 100
MAX_TERMS = 8
COMMON_TRIGRAM = 2000
_TERM = re.compile(r"[^\W_]+")


def normalise(raw: str) -> str:
    """Printable, trimmed, single-spaced and bounded; what the page echoes and events record."""
    printable = "".join(ch if ch.isprintable() else " " for ch in raw[: MAX_QUERY_LENGTH * 4])
    return " ".join(printable.split())[:MAX_QUERY_LENGTH]


def terms(query: str) -> list[str]:
    """Word and number tokens; everything else (quotes, SQL, tags) is dropped."""
    return [t.casefold() for t in _TERM.findall(query)][:MAX_TERMS]


def designation_key(tokens: list[str]) -> str:
    """Matches Aircraft.designation_key: "F/A-18" and "fa 18" both give "fa18"."""
    return "".join(tokens)


def tsquery(tokens: list[str]) -> str:
    """Every term required, each as a prefix. Tokens hold only letters and digits."""
    return " & ".join(f"{token}:*" for token in tokens)


def trigrams(word: str) -> set[str]:
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


class Vocabulary:
    """Words the catalogue uses, indexed by trigram for near-miss lookup."""

    def __init__(self, words: set[str]):
        self.words = {w for w in words if len(w) >= 2}
        self._index: dict[str, list[str]] = defaultdict(list)
        for word in self.words:
            for gram in trigrams(word):
                self._index[gram].append(word)

    def closest(self, word: str, threshold: float = 0.35) -> str | None:
        if word in self.words or len(word) < 3:
            return None
        grams = trigrams(word)
        # Trigrams found in very many words tell little and cost a lot to scan;
        # a candidate must share at least one of the rarer ones.
        rare = [g for g in grams if len(self._index.get(g, ())) <= COMMON_TRIGRAM] or list(grams)
        candidates = {candidate for gram in rare for candidate in self._index.get(gram, ())}
        best, best_score = None, threshold
        for candidate in sorted(candidates):
            other = trigrams(candidate)
            score = len(grams & other) / len(grams | other)
            if score > best_score:
                best, best_score = candidate, score
        return best

    def correct(self, tokens: list[str]) -> list[str]:
        return [self.closest(token) or token for token in tokens]
