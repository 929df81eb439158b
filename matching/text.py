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
#: Particles and suffixes stripped from Korean tokens before comparing key terms.
_KOREAN_SUFFIXES = (
    "에서는",
    "으로는",
    "에서",
    "으로",
    "에게",
    "까지",
    "부터",
    "처럼",
    "하는",
    "하고",
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
    for suffix in _KOREAN_SUFFIXES:
        if token.endswith(suffix) and len(token) - len(suffix) >= MIN_TERM_LENGTH_HANGUL:
            return token[: -len(suffix)]
    return token


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
    hangul_b = [_strip_korean_suffix(t) for t in tokens_b if is_hangul(t)]
    found: dict[str, None] = {}
    for token in word_tokens(a):
        if token.isdigit():
            continue
        if is_hangul(token):
            stem = _strip_korean_suffix(token)
            for other in hangul_b:
                common = _longest_common_substring(stem, other)
                if len(common) >= MIN_TERM_LENGTH_HANGUL and is_hangul(common):
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
        """The word IDF of ``term`` (the largest IDF for an unknown term)."""
        check_is_fitted(self, "chars_")
        if self.words_ is None:
            return 1.0
        index = self.words_.vocabulary_.get(term)
        idf = self.words_.idf_
        return float(idf[index]) if index is not None else float(idf.max())
