"""The embedded backend: a tantivy index in a local directory, no server.

Layout of ``PATH``::

    PATH/<alias>.current        name of the live index directory (replaced atomically)
    PATH/<alias>-<token>/       tantivy index directories

Several processes may search and write the same PATH (WSGI workers plus a worker process):
tantivy allows one writer per index at a time through its lock file, so a write waits for
the lock (``lock_timeout`` seconds, then ``SearchUnavailable``); each search first checks,
with two ``stat`` calls, whether the pointer file or the index's ``meta.json`` changed and
reopens or reloads its reader if so. A reindex builds a new directory and swaps the pointer.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import threading
import time
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import tantivy

from search import analysis, ranking
from search.backend import DEFAULT_ALIAS, DocumentLike
from search.errors import SearchUnavailable
from search.models import (
    Hit,
    Query,
    SearchDocument,
    SearchResult,
    Suggestion,
    as_document,
    now_utc,
)

#: Sentinels for missing sort values, so missing ones sort last in either direction.
_LATEST = 2**62
_NONE = -1
#: Facet name -> tantivy fast field.
_FACET_FIELDS = {
    "type": "type",
    "division": "division",
    "region": "region",
    "status": "status",
    "designated": "designated",
    "readiness_level": "readiness_level",
    "price_range": "price_range",
    "organisation": "organisation",
}
FACET_SIZE = 50
#: An index directory that is not live and untouched for this long is a failed build.
STALE_BUILD_SECONDS = 6 * 3600


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    for name in ("title", "body"):
        sb.add_text_field(name, stored=True, tokenizer_name="en")
    sb.add_text_field("extra", tokenizer_name="en")
    for name in ("title_ko", "body_ko", "extra_ko"):
        sb.add_text_field(name, tokenizer_name="default")
    sb.add_text_field("prefix", tokenizer_name="ws")
    for name in ("type", "division", "region", "status", "organisation", "language"):
        sb.add_text_field(name, stored=name == "type", fast=True, tokenizer_name="raw")
    for name in ("price_range", "designated", "acl", "codes", "code_prefix"):
        sb.add_text_field(name, fast=name in ("price_range", "designated"), tokenizer_name="raw")
    for name in ("readiness_level", "amount", "published", "closes", "amount_desc", "amount_asc"):
        sb.add_integer_field(name, indexed=True, fast=True)
    return sb.build()


SCHEMA = _schema()


def _english() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


#: Suggestion prefixes are made in Python (search.analysis.prefix_text): split on spaces only.
_WHITESPACE = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()


def _epoch(value: datetime | None, missing: int) -> int:
    return missing if value is None else int(value.timestamp())


def to_tantivy(doc: SearchDocument) -> tantivy.Document:
    """The tantivy document for one SearchDocument."""
    fields: dict[str, Any] = {
        "id": doc.id,
        "type": doc.type,
        "title": doc.title,
        "body": doc.body,
        "extra": doc.extra_text,
        "title_ko": analysis.bigram_text(doc.title),
        "body_ko": analysis.bigram_text(doc.body),
        "extra_ko": analysis.bigram_text(doc.extra_text),
        "prefix": analysis.prefix_text(doc.title),
        "acl": list(doc.acl),
        "language": doc.language,
        "published": _epoch(doc.published_at, 0),
        "closes": _epoch(doc.closes_at, _LATEST),
        "amount_desc": _NONE if doc.amount is None else doc.amount,
        "amount_asc": _LATEST if doc.amount is None else doc.amount,
    }
    optional = {
        "division": doc.divisions,
        "codes": doc.codes,
        "code_prefix": doc.code_prefixes,
        "region": doc.region,
        "status": doc.status,
        "organisation": doc.organisation_id,
        "price_range": doc.price_range,
        "readiness_level": doc.readiness_level,
        "amount": doc.amount,
        "designated": None if doc.designation is None else str(doc.designation).lower(),
    }
    fields.update({k: v for k, v in optional.items() if v not in (None, [])})
    return tantivy.Document(**fields)


class EmbeddedBackend:
    """SearchBackend over a tantivy index in ``path`` (see the module docstring)."""

    name = "embedded"

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        alias: str = DEFAULT_ALIAS,
        lock_timeout: float = 10.0,
        writer_heap: int = 64_000_000,
    ) -> None:
        self.root = Path(path)
        self.alias = alias
        self.lock_timeout = lock_timeout
        self.writer_heap = writer_heap
        self._english = _english()
        self._lock = threading.RLock()
        self._index: tantivy.Index | None = None
        self._index_name: str | None = None
        self._pointer_stamp: tuple[int, int] | None = None
        self._meta_stamp: tuple[int, int] | None = None

    # Index directories -------------------------------------------------------------------

    @property
    def _pointer(self) -> Path:
        return self.root / f"{self.alias}.current"

    def _live_name(self) -> str | None:
        try:
            return self._pointer.read_text(encoding="utf-8").strip() or None
        except FileNotFoundError:
            return None

    def _open_index(self, name: str, *, create: bool = False) -> tantivy.Index:
        path = self.root / name
        if not create and not (path / "meta.json").exists():
            raise SearchUnavailable(f"embedded index {path} is missing")
        path.mkdir(parents=True, exist_ok=True)
        try:
            index = tantivy.Index(SCHEMA, path=str(path), reuse=True)
        except (OSError, ValueError) as exc:
            raise SearchUnavailable(f"cannot open embedded index {path}: {exc}") from exc
        index.register_tokenizer("en", self._english)
        index.register_tokenizer("ws", _WHITESPACE)
        return index

    def create_index(self, name: str | None = None) -> str:
        """Create an empty index directory ``<alias>-<token>``; returns its name."""
        if name is None:
            stamp = time.strftime("%Y%m%d%H%M%S", time.gmtime())
            name = f"{self.alias}-{stamp}-{secrets.token_hex(3)}"
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SearchUnavailable(f"cannot create {self.root}: {exc}") from exc
        self._open_index(name, create=True)
        return name

    def swap_alias(self, name: str) -> None:
        """Point the alias at ``name`` (an atomic rename) and delete the replaced index.

        Readers in other processes notice the new pointer on their next search; files they
        still have open stay readable until they let go of them.
        """
        if not (self.root / name / "meta.json").exists():
            raise SearchUnavailable(f"no index named {name} in {self.root}")
        old = self._live_name()
        tmp = self.root / f".{self.alias}.current.{os.getpid()}.{secrets.token_hex(3)}"
        tmp.write_text(name, encoding="utf-8")
        os.replace(tmp, self._pointer)
        stale = time.time() - STALE_BUILD_SECONDS
        for path in self.root.glob(f"{self.alias}-*"):
            if path.name == name:
                continue
            # The replaced index, and builds abandoned long ago; never a build in progress.
            if path.name == old or _mtime(path) < stale:
                shutil.rmtree(path, ignore_errors=True)

    def ensure_index(self) -> None:
        with self._lock:
            name = self._live_name()
            if name is None or not (self.root / name / "meta.json").exists():
                self.swap_alias(self.create_index())

    def _current(self) -> tantivy.Index:
        """The live index with a reader no older than the last commit of any process."""
        with self._lock:
            try:
                pointer_stamp = _stamp(self._pointer)
            except FileNotFoundError:
                self.ensure_index()
                pointer_stamp = _stamp(self._pointer)
            except OSError as exc:
                raise SearchUnavailable(f"embedded index unreadable: {exc}") from exc
            if self._index is None or pointer_stamp != self._pointer_stamp:
                name = self._live_name()
                if name is None:
                    raise SearchUnavailable("embedded index pointer is empty")
                self._index = self._open_index(name)
                self._index_name = name
                self._pointer_stamp = pointer_stamp
                self._meta_stamp = None
            try:
                meta_stamp = _stamp(self.root / str(self._index_name) / "meta.json")
            except FileNotFoundError:
                # Swapped away and deleted by another process between our two stats.
                self._index = None
                return self._current()
            if meta_stamp != self._meta_stamp:
                self._index.reload()
                self._meta_stamp = meta_stamp
            return self._index

    # Writes ------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _writer(self, index: tantivy.Index, threads: int = 1):
        """A writer on ``index``, waiting for another process's writer to finish."""
        deadline = time.monotonic() + self.lock_timeout
        delay = 0.01
        while True:
            try:
                writer = index.writer(self.writer_heap, threads)
                break
            except (ValueError, OSError) as exc:
                if "lock" not in str(exc).lower():
                    raise SearchUnavailable(f"cannot write the embedded index: {exc}") from exc
                if time.monotonic() > deadline:
                    raise SearchUnavailable(f"embedded index is locked: {exc}") from exc
                time.sleep(delay)
                delay = min(delay * 2, 0.2)
        try:
            yield writer
            writer.commit()
            writer.wait_merging_threads()
        except BaseException as exc:
            with contextlib.suppress(Exception):
                writer.rollback()
            if isinstance(exc, OSError):
                raise SearchUnavailable(f"cannot write the embedded index: {exc}") from exc
            raise
        finally:
            del writer

    def _load(self, index: tantivy.Index, documents: Iterable[DocumentLike], threads: int) -> int:
        n = 0
        with self._writer(index, threads) as writer:
            for raw in documents:
                doc = as_document(raw)
                writer.delete_documents_by_term("id", doc.id)
                writer.add_document(to_tantivy(doc))
                n += 1
        return n

    def index_documents(self, documents: Iterable[DocumentLike], *, refresh: bool = True) -> int:
        """Add or replace documents by id in one commit (``refresh`` is always true here).

        :raise SearchUnavailable: when the index cannot be opened or stays locked.
        :raise ValueError: on an invalid document (nothing is written).
        """
        docs = [as_document(d) for d in documents]
        if not docs:
            return 0
        with self._lock:
            return self._load(self._current(), docs, threads=1)

    def delete_documents(self, ids: Iterable[str], *, refresh: bool = True) -> int:
        """Remove documents by id; returns the number of ids given.

        :raise SearchUnavailable: when the index cannot be opened or stays locked.
        """
        ids = list(ids)
        if not ids:
            return 0
        with self._lock, self._writer(self._current()) as writer:
            for doc_id in ids:
                writer.delete_documents_by_term("id", doc_id)
        return len(ids)

    def reindex(self, documents: Iterable[DocumentLike]) -> str:
        """Build ``<alias>-<token>`` from ``documents`` and swap it in; searches keep using
        the old index until the swap. Writes made meanwhile by other processes go to the old
        index and are lost: replay them (the app's outbox) after the swap.

        :raise SearchUnavailable: when the directory cannot be written.
        """
        name = self.create_index()
        index = self._open_index(name)
        try:
            self._load(index, documents, threads=0)
        except BaseException:
            shutil.rmtree(self.root / name, ignore_errors=True)
            raise
        with self._lock:
            self.swap_alias(name)
        return name

    # Reads -------------------------------------------------------------------------------

    def _text_query(self, words: list[analysis.QueryWord]) -> tantivy.Query | None:
        if not words:
            return None
        s = SCHEMA
        musts = []
        for qw in words:
            clauses: list[tantivy.Query] = []
            for form in qw.hangul_forms:
                grams = analysis.hangul_bigrams(form)
                for field, boost in (
                    ("title_ko", ranking.TITLE_BOOST),
                    ("body_ko", 1.0),
                    ("extra_ko", ranking.EXTRA_BOOST),
                ):
                    q = self._all_terms(field, grams)
                    clauses.append(tantivy.Query.boost_query(q, boost))
            for form in qw.other_forms:
                tokens = self._english.analyze(form)
                if not tokens:
                    continue
                for field, boost in (
                    ("title", ranking.TITLE_BOOST),
                    ("body", 1.0),
                    ("extra", ranking.EXTRA_BOOST),
                ):
                    if len(tokens) == 1:
                        q = tantivy.Query.term_query(s, field, tokens[0])
                    else:
                        q = tantivy.Query.phrase_query(s, field, tokens)
                    clauses.append(tantivy.Query.boost_query(q, boost))
                code = tantivy.Query.term_query(s, "codes", form.upper())
                clauses.append(tantivy.Query.boost_query(code, ranking.CODE_BOOST))
            if not clauses:
                return tantivy.Query.empty_query()
            musts.append(
                (
                    tantivy.Occur.Must,
                    tantivy.Query.boolean_query([(tantivy.Occur.Should, c) for c in clauses]),
                )
            )
        return tantivy.Query.boolean_query(musts)

    @staticmethod
    def _all_terms(field: str, terms: Sequence[str]) -> tantivy.Query:
        if len(terms) == 1:
            return tantivy.Query.term_query(SCHEMA, field, terms[0])
        return tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, tantivy.Query.term_query(SCHEMA, field, t)) for t in terms]
        )

    @staticmethod
    def _filter(q: tantivy.Query) -> tuple[tantivy.Occur, tantivy.Query]:
        return (tantivy.Occur.Must, tantivy.Query.const_score_query(q, 0.0))

    def _acl(self, principals: Sequence[str]) -> tuple[tantivy.Occur, tantivy.Query]:
        # No principals means nothing is visible, never everything.
        return self._filter(tantivy.Query.term_set_query(SCHEMA, "acl", list(principals) or [""]))

    def _filters(self, query: Query) -> list[tuple[tantivy.Occur, tantivy.Query]]:
        s = SCHEMA
        out = [self._acl(query.principals)]
        for name in ("type", "division", "region", "status", "organisation", "language"):
            values = [str(v) for v in query.filter_values(name)]
            if name == "division":
                values = [v.upper() for v in values]
            if values:
                out.append(self._filter(tantivy.Query.term_set_query(s, name, values)))
        designated = query.filter_values("designated")
        if designated:
            values = [_bool_text(v) for v in designated]
            out.append(self._filter(tantivy.Query.term_set_query(s, "designated", values)))
        levels = query.filter_values("readiness_level")
        if levels:
            any_level = [
                (tantivy.Occur.Should, tantivy.Query.term_query(s, "readiness_level", int(v)))
                for v in levels
            ]
            out.append(self._filter(tantivy.Query.boolean_query(any_level)))
        buckets = query.filter_values("price_range")
        if buckets:
            out.append(self._filter(tantivy.Query.term_set_query(s, "price_range", buckets)))
        codes = [str(v).strip().upper() for v in query.filter_values("code")]
        if codes:
            out.append(self._filter(tantivy.Query.term_set_query(s, "code_prefix", codes)))
        low, high = query.filters.get("amount_min"), query.filters.get("amount_max")
        if low is not None or high is not None:
            rq = tantivy.Query.range_query(
                s,
                "amount",
                tantivy.FieldType.Integer,
                None if low is None else int(low),
                None if high is None else int(high),
            )
            out.append(self._filter(rq))
        return out

    def _signals(self) -> list[tuple[tantivy.Occur, tantivy.Query]]:
        s = SCHEMA
        fresh_from = int((now_utc() - timedelta(days=ranking.FRESH_DAYS)).timestamp())
        designated = tantivy.Query.term_query(s, "designated", "true")
        fresh = tantivy.Query.range_query(
            s, "published", tantivy.FieldType.Integer, fresh_from, None
        )
        return [
            (
                tantivy.Occur.Should,
                tantivy.Query.const_score_query(designated, ranking.DESIGNATED_BONUS),
            ),
            (tantivy.Occur.Should, tantivy.Query.const_score_query(fresh, ranking.FRESH_BONUS)),
        ]

    def search(self, query: Query) -> SearchResult:
        """Run ``query`` seen through its principals.

        :raise SearchUnavailable: when the index cannot be opened.
        """
        words = analysis.parse_query(query.text)
        text_q = self._text_query(words) or tantivy.Query.all_query()
        matched = tantivy.Query.boolean_query([(tantivy.Occur.Must, text_q), *self._filters(query)])
        ranked = tantivy.Query.boolean_query([(tantivy.Occur.Must, matched), *self._signals()])
        searcher = self._current().searcher()
        order = {
            "newest": ("published", tantivy.Order.Desc),
            "closing": ("closes", tantivy.Order.Asc),
            "amount": ("amount_desc", tantivy.Order.Desc),
            "amount_desc": ("amount_desc", tantivy.Order.Desc),
            "amount_asc": ("amount_asc", tantivy.Order.Asc),
        }.get(query.sort)
        if order is None:
            result = searcher.search(ranked, query.per_page, count=True, offset=query.offset)
        else:
            result = searcher.search(
                matched,
                query.per_page,
                count=True,
                order_by_field=order[0],
                offset=query.offset,
                order=order[1],
            )
        hits = []
        for score, address in result.hits:
            stored = searcher.doc(address)
            marks = {}
            if query.highlight and words:
                marks = analysis.highlights(
                    stored.get_first("title") or "", stored.get_first("body") or "", words
                )
            hits.append(
                Hit(
                    id=stored.get_first("id"),
                    type=stored.get_first("type"),
                    score=float(score) if order is None else 0.0,
                    highlights=marks,
                )
            )
        facets = self._facets(searcher, matched, query.facets) if query.facets else {}
        return SearchResult(
            total=result.count or 0,
            hits=hits,
            facets=facets,
            page=query.page,
            per_page=query.per_page,
        )

    @staticmethod
    def _facets(searcher, matched: tantivy.Query, names: Sequence[str]) -> dict:
        aggs = {n: {"terms": {"field": _FACET_FIELDS[n], "size": FACET_SIZE}} for n in names}
        raw = searcher.aggregate(matched, aggs)
        out: dict[str, list[tuple[str, int]]] = {}
        for name in names:
            buckets = [
                (_facet_key(b["key"]), int(b["doc_count"]))
                for b in raw.get(name, {}).get("buckets", [])
            ]
            out[name] = sorted(buckets, key=lambda kv: (-kv[1], kv[0]))
        return out

    def suggest(
        self, prefix: str, principals: Sequence[str] = ("public",), *, limit: int = 8
    ) -> list[Suggestion]:
        """Titles visible to ``principals`` whose words start with the typed words.

        :raise SearchUnavailable: when the index cannot be opened.
        """
        terms = analysis.suggest_terms(prefix)
        if not terms:
            return []
        clauses = [
            (tantivy.Occur.Must, tantivy.Query.term_set_query(SCHEMA, "prefix", alternatives))
            for alternatives in terms
        ]
        q = tantivy.Query.boolean_query([*clauses, self._acl(principals), *self._signals()])
        searcher = self._current().searcher()
        out: list[Suggestion] = []
        seen: set[str] = set()
        for _score, address in searcher.search(q, limit * 3, count=False).hits:
            stored = searcher.doc(address)
            title = stored.get_first("title") or ""
            if title in seen:
                continue
            seen.add(title)
            out.append(Suggestion(title, stored.get_first("id"), stored.get_first("type")))
            if len(out) == limit:
                break
        return out

    def count(self, principals: Sequence[str] | None = None) -> int:
        """Documents in the live index, or those visible to ``principals``.

        :raise SearchUnavailable: when the index cannot be opened.
        """
        searcher = self._current().searcher()
        if principals is None:
            return int(searcher.num_docs)
        q = tantivy.Query.boolean_query([self._acl(principals)])
        return int(searcher.search(q, 1, count=True).count or 0)

    def health(self) -> dict[str, Any]:
        try:
            documents = self.count()
        except Exception as exc:  # health reports every failure, it never raises
            return {
                "ok": False,
                "backend": self.name,
                "documents": None,
                "detail": f"{type(exc).__name__}: {exc}",
                "index": self._index_name,
                "path": str(self.root),
            }
        return {
            "ok": True,
            "backend": self.name,
            "documents": documents,
            "detail": f"tantivy index {self._index_name} in {self.root}",
            "index": self._index_name,
            "path": str(self.root),
            "korean": "hangul bigrams",
        }

    def close(self) -> None:
        with self._lock:
            self._index = None
            self._index_name = None
            self._pointer_stamp = None


def _stamp(path: Path) -> tuple[int, int]:
    """What changes when a file is replaced or rewritten (files are renamed into place)."""
    st = path.stat()
    return (st.st_mtime_ns, st.st_ino)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _bool_text(value: Any) -> str:
    if isinstance(value, str):
        return "true" if value.lower() in ("true", "1", "yes") else "false"
    return "true" if value else "false"


def _facet_key(key: Any) -> str:
    if isinstance(key, float) and key.is_integer():
        key = int(key)
    return str(key)
