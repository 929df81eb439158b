"""Korean and English text analysis shared by both backends: query words, particles,
synonyms, Hangul bigrams, prefixes for suggestions and safe highlighted snippets."""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass
from importlib import resources

WORD_RE = re.compile(r"\w+", re.UNICODE)
HANGUL_RE = re.compile(r"[\uac00-\ud7a3]+")

#: Josa (조사) stripped from the end of a Korean query word, longest first. A query word
#: with a particle also searches its stem, so 노트북을 finds 노트북; the reverse needs
#: nothing, because the stem's bigrams are inside the inflected word's bigrams.
PARTICLES = tuple(
    sorted(
        (
            *("에서는", "으로는", "에게서", "으로서", "으로써"),
            *("까지", "부터", "에서", "으로", "에게", "한테", "처럼", "보다"),
            *("이나", "라도", "마다", "조차", "이랑", "께서"),
            *("을", "를", "이", "가", "은", "는", "의", "에", "로", "와", "과", "도", "만", "랑"),
        ),
        key=len,
        reverse=True,
    )
)
#: Words of a query that are searched; the rest are ignored (a pasted paragraph would
#: otherwise build an enormous query).
MAX_QUERY_WORDS = 16
#: Longest prefix indexed for suggestions, in characters after Hangul is split into jamo
#: (about eight syllables, or 24 Latin letters).
MAX_PREFIX = 24
#: Characters of context a snippet keeps around the first match.
SNIPPET_CHARS = 160


def is_hangul(word: str) -> bool:
    return bool(HANGUL_RE.fullmatch(word))


#: Full-width Latin letters, digits and signs (U+FF01 – U+FF5E, as Korean input methods
#: type them) and the ideographic space, read as their ordinary forms. Only these: a full
#: NFKC would also turn compatibility jamo into conjoining jamo.
HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def words(text: str) -> list[str]:
    """Lower-cased word tokens (letters, digits and Hangul; punctuation splits); full-width
    Latin letters and digits count as the ordinary ones."""
    text = (text or "").translate(HALF_WIDTH)
    return [w.lower() for w in WORD_RE.findall(text) if w != "_"]


def strip_particle(word: str) -> str | None:
    """The stem of a Korean word ending in a particle, if at least two syllables remain."""
    if not is_hangul(word):
        return None
    for particle in PARTICLES:
        if word.endswith(particle) and len(word) - len(particle) >= 2:
            return word[: -len(particle)]
    return None


def hangul_bigrams(word: str) -> list[str]:
    """Overlapping two-syllable grams of a Hangul run; a one-syllable run is kept whole."""
    if len(word) < 2:
        return [word] if word else []
    return [word[i : i + 2] for i in range(len(word) - 1)]


def bigram_text(text: str) -> str:
    """Text for the embedded Korean field: each Hangul run as space-separated bigrams.

    Bigrams never cross a space, so 소형 드론을 gives 소형 드론 론을.
    """
    out: list[str] = []
    for run in HANGUL_RE.findall(text or ""):
        out.extend(hangul_bigrams(run))
    return " ".join(out)


# Hangul syllables are built from jamo: an initial consonant, a vowel and an optional final.
_SYLLABLE_BASE, _SYLLABLES = 0xAC00, 11172
_INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
_FINALS = "ㄱㄲㄳㄴㄵㄶㄷㄹㄺㄻㄼㄽㄾㄿㅀㅁㅂㅄㅅㅆㅇㅈㅊㅋㅌㅍㅎ"
#: A lone consonant typed on its own (compatibility jamo) -> the initial it will become.
_COMPAT_INITIAL = {c: chr(0x1100 + i) for i, c in enumerate(_INITIALS)}


def jamo(word: str) -> str:
    """Hangul syllables split into conjoining jamo (드론 -> ᄃ ᅳ ᄅ ᅩ ᆫ), so that a syllable
    still being typed (드로, 드ㄹ) is a prefix of the finished word. Other text is unchanged."""
    out: list[str] = []
    for ch in word:
        code = ord(ch) - _SYLLABLE_BASE
        if 0 <= code < _SYLLABLES:
            initial, vowel, final = code // 588, (code % 588) // 28, code % 28
            out.append(chr(0x1100 + initial) + chr(0x1161 + vowel))
            if final:
                out.append(chr(0x11A7 + final))
        else:
            out.append(_COMPAT_INITIAL.get(ch, ch))
    return "".join(out)


def prefix_text(text: str) -> str:
    """Every prefix (1 to MAX_PREFIX jamo or letters) of every word, for suggestions."""
    out: list[str] = []
    for w in words(text):
        j = jamo(w)
        out.extend(j[:i] for i in range(1, min(len(j), MAX_PREFIX) + 1))
    return " ".join(out)


def typed_prefixes(word: str) -> list[str]:
    """The prefix terms a word being typed may stand for. While typing 드론 an input method
    shows 들 for a moment: its final ㄹ may yet become the next syllable's initial, so the
    word also counts as 드 + ᄅ."""
    forms = [jamo(word)]
    code = ord(word[-1]) - _SYLLABLE_BASE if word else -1
    if 0 <= code < _SYLLABLES and code % 28:
        final = _FINALS[code % 28 - 1]
        if final in _COMPAT_INITIAL:
            bare = chr(_SYLLABLE_BASE + code - code % 28)
            forms.append(jamo(word[:-1] + bare) + _COMPAT_INITIAL[final])
    return [f[:MAX_PREFIX] for f in forms]


def suggest_terms(text: str) -> list[list[str]]:
    """For suggestions: per typed word, the prefix terms any of which must match."""
    typed = words(text)[:6]
    out = [[jamo(w)[:MAX_PREFIX]] for w in typed[:-1]]
    if typed:
        out.append(typed_prefixes(typed[-1]))
    return out


@functools.cache
def synonyms() -> dict[str, frozenset[str]]:
    """word -> the other words of its group, read from search/synonyms.txt."""
    table: dict[str, set[str]] = {}
    text = resources.files("search").joinpath("synonyms.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        group = [w.strip().lower() for w in line.split(",") if w.strip()]
        for w in group:
            table.setdefault(w, set()).update(g for g in group if g != w)
    return {k: frozenset(v) for k, v in table.items()}


def _synonyms_of(word: str) -> set[str]:
    table = synonyms()
    found = set(table.get(word, ()))
    if not is_hangul(word) and len(word) > 3 and word.endswith("s"):
        found |= table.get(word[:-1], set())  # drones -> drone
    return found


@dataclass(frozen=True)
class QueryWord:
    """One word the user typed and the forms that may match it (any of them will do)."""

    text: str
    forms: tuple[str, ...]

    @property
    def hangul_forms(self) -> list[str]:
        return [f for f in self.forms if is_hangul(f)]

    @property
    def other_forms(self) -> list[str]:
        return [f for f in self.forms if not is_hangul(f)]


def parse_query(text: str) -> list[QueryWord]:
    """Split a query into words; each word expands to its stem (particle removed) and its
    synonyms. Every word must match (AND); any form of a word may (OR)."""
    out: list[QueryWord] = []
    seen: set[str] = set()
    for w in words(text):
        if w in seen:
            continue
        if len(seen) == MAX_QUERY_WORDS:
            break
        seen.add(w)
        forms = [w]
        stem = strip_particle(w)
        if stem:
            forms.append(stem)
        for f in list(forms):
            forms.extend(s for s in sorted(_synonyms_of(f)) if s not in forms)
        # A mixed token such as "ai로봇" also matches its Hangul part alone.
        parts = HANGUL_RE.findall(w)
        if parts and not is_hangul(w):
            forms.extend(p for p in parts if len(p) >= 2 and p not in forms)
        out.append(QueryWord(w, tuple(forms)))
    return out


# Highlighting ---------------------------------------------------------------------------


def _needle_pattern(query_words: list[QueryWord], stem) -> re.Pattern[str] | None:
    """A regex matching what a query word highlights: Hangul forms as substrings (Korean
    words carry particles), other forms as word prefixes of their stem (clean -> Cleaning)."""
    alts: set[str] = set()
    for qw in query_words:
        for f in qw.forms:
            if is_hangul(f):
                alts.add(re.escape(f))
            else:
                s = stem(f) or f
                alts.add(r"(?<!\w)" + re.escape(s) + r"\w*")
    if not alts:
        return None
    return re.compile("|".join(sorted(alts, key=len, reverse=True)), re.IGNORECASE)


def _english_stem(word: str) -> str:
    # Crude suffix stripping is enough to find where a stemmed match sits in the text.
    for suffix in ("ings", "ing", "ies", "es", "ed", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def highlight(text: str, query_words: list[QueryWord], *, whole: bool = False) -> str | None:
    """An HTML-safe snippet of ``text`` with the query's matches in ``<mark>``, or None when
    nothing matches. Everything except the ``<mark>`` tags is escaped.

    With ``whole`` the entire text is returned; otherwise a window of about SNIPPET_CHARS
    characters around the first match, with an ellipsis where text was cut.
    """
    if not text:
        return None
    pattern = _needle_pattern(query_words, _english_stem)
    if pattern is None:
        return None
    matches = list(pattern.finditer(text))
    if not matches:
        return None
    start, end = 0, len(text)
    if not whole and len(text) > SNIPPET_CHARS:
        first = matches[0].start()
        start = max(0, first - SNIPPET_CHARS // 4)
        end = min(len(text), start + SNIPPET_CHARS)
        # Do not cut a word in half at either edge (unless the word is absurdly long).
        for _ in range(20):
            if start == 0 or not text[start - 1].isalnum():
                break
            start -= 1
        for _ in range(20):
            if end == len(text) or not text[end].isalnum():
                break
            end += 1
    out: list[str] = ["…" if start > 0 else ""]
    pos = start
    for m in matches:
        if m.start() < pos or m.end() > end:
            continue
        out.append(html.escape(text[pos : m.start()]))
        out.append("<mark>" + html.escape(m.group(0)) + "</mark>")
        pos = m.end()
    out.append(html.escape(text[pos:end]))
    out.append("…" if end < len(text) else "")
    return "".join(out)


def highlights(title: str, body: str, query_words: list[QueryWord]) -> dict[str, str]:
    """Snippets for the title (whole) and the body (a window) of one hit."""
    out: dict[str, str] = {}
    t = highlight(title, query_words, whole=True)
    if t:
        out["title"] = t
    b = highlight(body, query_words)
    if b:
        out["body"] = b
    return out
