"""Text representations that work for Korean, English and mixed text without a dictionary.

Character n-grams inside word boundaries (``char_wb`` 2–4) cope with Korean particles
glued to nouns (드론을, 드론이) and with spelling variants; word n-grams keep exact terms
sharp. Both are TF-IDF weighted and L2-normalised separately, so a dot product is a cosine.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

WORD_PATTERN = r"(?u)\b\w+\b"
_TAGS = re.compile(r"<[^>]+>")
_TOKEN = re.compile(r"\w+", re.UNICODE)
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
#: Particles stripped from Korean tokens before comparing key terms (드론을 → 드론).
_KOREAN_PARTICLES = (
    "에서는",
    "으로는",
    "에서",
    "으로",
    "에게",
    "까지",
    "부터",
    "처럼",
    "이며",
    "용",
    "을",
    "를",
    "이",
    "가",
    "은",
    "는",
    "의",
    "에",
    "로",
    "와",
    "과",
    "도",
    "및",
)
#: Endings of verbs and adjectives stripped the same way (측정합니다 → 측정, 연동되며 → 연동);
#: a token that is nothing but such a word (합니다, 있습니다) is no term at all.
KOREAN_VERB_ENDINGS = (
    "합니다",
    "습니다",
    "입니다",
    "됩니다",
    "니다",
    "하는",
    "되는",
    "하고",
    "되고",
    "하며",
    "되며",
    "하여",
    "되어",
    "해야",
    "해서",
    "하면",
    "되면",
    "하게",
    "하기",
    "되기",
    "하다",
    "되다",
    "한다",
    "된다",
    "했다",
    "됐다",
)
#: Longest first, so the longest suffix a token ends with is the one considered.
_KOREAN_SUFFIXES = tuple(sorted(_KOREAN_PARTICLES + KOREAN_VERB_ENDINGS, key=len, reverse=True))
#: Korean predicate endings: a token ending so is a verb or adjective, not a term.
KOREAN_PREDICATE_ENDINGS = ("하다", "한다", "된다", "있다", "없다", "이다", "했다", "됐다", "않다")
#: Korean words that are never key terms: auxiliaries, connectives, quantities.
KOREAN_STOP_TERMS = frozenset(
    [
        "있다",
        "있는",
        "있고",
        "있어",
        "있도록",
        "없다",
        "없는",
        "없어",
        "한다",
        "하는",
        "하고",
        "하여",
        "해야",
        "되는",
        "된다",
        "되어",
        "않는",
        "않고",
        "않아",
        "위해",
        "위한",
        "통해",
        "대한",
        "따라",
        "따른",
        "같은",
        "때문",
        "경우",
        "이상",
        "이하",
        "이내",
        "안에",
        "이후",
        "현재",
        "기존",
        "모든",
        "매년",
        "가능",
        "가능한",
        "필요",
        "필요한",
        "어렵다",
        "어려운",
        "어려워",
        "등을",
        "등의",
        "그리고",
        "또는",
        "각각",
        "우리",
        "해당",
        "이를",
        "이런",
    ]
)
MIN_TERM_LENGTH_LATIN = 3
MIN_TERM_LENGTH_HANGUL = 2


def normalize_text(text: object) -> str:
    """NFKC-normalised, lower-cased text with HTML tags removed."""
    if text is None:
        return ""
    value = unicodedata.normalize("NFKC", str(text))
    return _TAGS.sub(" ", value).lower()


def word_tokens(text: object) -> list[str]:
    """Word tokens (Unicode ``\\w+`` runs) of the normalised text."""
    return _TOKEN.findall(normalize_text(text))


def is_hangul(token: str) -> bool:
    return bool(_HANGUL.search(token))


def _strip_korean_suffix(token: str) -> str:
    """The token without the longest particle or verb ending it ends with, unless fewer than
    ``MIN_TERM_LENGTH_HANGUL`` syllables would remain (then the token as it is)."""
    for suffix in _KOREAN_SUFFIXES:
        if token.endswith(suffix):
            if len(token) - len(suffix) >= MIN_TERM_LENGTH_HANGUL:
                return token[: -len(suffix)]
            return token
    return token


def _is_korean_function_word(token: str) -> bool:
    """A word that names nothing: a stop term, or only a verb (합니다, 있습니다, 하는)."""
    return token in KOREAN_STOP_TERMS or (
        token.endswith(KOREAN_VERB_ENDINGS) and _strip_korean_suffix(token) == token
    )


def _stem_latin(token: str) -> str:
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 3 and token.endswith("s") and not token.endswith("ss"):
        return token[:-1]
    return token


def _longest_common_substring(a: str, b: str) -> str:
    best_len, best_end = 0, 0
    previous = [0] * (len(b) + 1)
    for i in range(1, len(a) + 1):
        current = [0] * (len(b) + 1)
        for j in range(1, len(b) + 1):
            if a[i - 1] == b[j - 1]:
                current[j] = previous[j - 1] + 1
                if current[j] > best_len:
                    best_len, best_end = current[j], i
        previous = current
    return a[best_end - best_len : best_end]


def shared_terms(a: object, b: object, limit: int | None = 3) -> list[str]:
    """Key terms two texts share, longest first (at most ``limit``; ``None``: all).

    Latin tokens match after light stemming; Korean tokens match on their longest common
    run of at least two syllables, so 안내방송 and 방송용 share 방송.
    """
    tokens_b = word_tokens(b)
    latin_b = {_stem_latin(t) for t in tokens_b if not is_hangul(t) and not t.isdigit()}
    hangul_b = [
        _strip_korean_suffix(t)
        for t in tokens_b
        if is_hangul(t) and not _is_korean_function_word(t)
    ]
    found: dict[str, None] = {}
    for token in word_tokens(a):
        if token.isdigit():
            continue
        if is_hangul(token):
            if _is_korean_function_word(token):
                continue
            stem = _strip_korean_suffix(token)
            for other in hangul_b:
                common = _longest_common_substring(stem, other)
                if (
                    len(common) >= MIN_TERM_LENGTH_HANGUL
                    and is_hangul(common)
                    and not _is_korean_function_word(common)
                ):
                    found.setdefault(common, None)
        else:
            stem = _stem_latin(token)
            if len(stem) >= MIN_TERM_LENGTH_LATIN and stem in latin_b:
                found.setdefault(token, None)
    terms = sorted(found, key=lambda t: (-len(t), t))
    # Drop terms contained in a longer one already kept (드론 inside 드론방송).
    kept: list[str] = []
    for term in terms:
        if not any(term in longer for longer in kept):
            kept.append(term)
    return kept if limit is None else kept[:limit]


class TextEncoder(TransformerMixin, BaseEstimator):
    """Two TF-IDF views of a text: character n-grams (``char_wb``) and word n-grams.

    ``transform`` returns the pair ``(chars, words)`` of L2-normalised CSR matrices.
    """

    def __init__(
        self,
        char_ngram_range=(2, 4),
        word_ngram_range=(1, 2),
        min_df=1,
        max_features=None,
    ):
        self.char_ngram_range = char_ngram_range
        self.word_ngram_range = word_ngram_range
        self.min_df = min_df
        self.max_features = max_features

    def _vectorizers(self):
        common = {
            "preprocessor": normalize_text,
            "sublinear_tf": True,
            "min_df": self.min_df,
            "max_features": self.max_features,
            "dtype": np.float32,
        }
        chars = TfidfVectorizer(analyzer="char_wb", ngram_range=self.char_ngram_range, **common)
        words = TfidfVectorizer(
            analyzer="word",
            token_pattern=WORD_PATTERN,
            ngram_range=self.word_ngram_range,
            **common,
        )
        return chars, words

    def fit(self, texts, y=None):
        self.fit_transform(texts)
        return self

    def fit_transform(self, texts, y=None):
        texts = [t or " " for t in texts]
        chars, words = self._vectorizers()
        xc = chars.fit_transform(texts)
        try:
            xw = words.fit_transform(texts)
        except ValueError:  # no word token at all (only punctuation): keep an empty view
            words = None
            xw = sp.csr_matrix((len(texts), 1), dtype=np.float32)
        self.chars_, self.words_ = chars, words
        return xc.tocsr(), xw.tocsr()

    def transform(self, texts):
        check_is_fitted(self, "chars_")
        texts = [t or " " for t in texts]
        xc = self.chars_.transform(texts).tocsr()
        if self.words_ is None:
            xw = sp.csr_matrix((len(texts), 1), dtype=np.float32)
        else:
            xw = self.words_.transform(texts).tocsr()
        return xc, xw

    def idf(self, term: str) -> float:
        """The IDF of ``term`` among the fitted texts (the largest IDF for an unknown term).

        A Korean term is matched inside words (``shared_terms``), so its rarity is read from
        the character n-grams: a term no longer than the longest n-gram is one, a longer one
        is as rare as its rarest piece. Other terms are read from the words.
        """
        check_is_fitted(self, "chars_")
        if is_hangul(term):
            longest = self.char_ngram_range[1]
            pieces = [term[i : i + longest] for i in range(max(1, len(term) - longest + 1))]
            return max(_idf_of(self.chars_, piece) for piece in pieces)
        if self.words_ is None:
            return 1.0
        return _idf_of(self.words_, term)


def _idf_of(vectorizer, term: str) -> float:
    index = vectorizer.vocabulary_.get(term)
    idf = vectorizer.idf_
    return float(idf[index]) if index is not None else float(idf.max())
