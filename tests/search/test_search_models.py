"""Documents, queries, analysis and URL parsing: plain code, no backend."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from search import (
    Classification,
    InvalidQueryError,
    Query,
    SearchDocument,
    backend_from_url,
)
from search.analysis import (
    bigram_text,
    highlight,
    jamo,
    parse_query,
    prefix_text,
    strip_particle,
    suggest_terms,
    synonyms,
    typed_prefixes,
)
from search.elastic import ElasticsearchBackend
from search.models import code_division, code_prefixes, price_bucket


def test_document_round_trips_through_a_dict():
    doc = SearchDocument(
        id="demand:12",
        type="demand",
        title="드론",
        classifications=[{"code": "35613000", "label_ko": "무인항공기", "label_en": "UAV"}],
        organisation_id=9,
        amount="1000",
        published_at="2026-11-01T09:00:00+09:00",
        acl=["org:9", "role:operator"],
    )
    assert doc.classifications == (Classification("35613000", "무인항공기", "UAV"),)
    assert doc.organisation_id == "9"
    assert doc.amount == 1000
    assert SearchDocument.from_dict(doc.to_dict()) == doc
    assert doc.divisions == ["35"]
    assert "3561" in doc.code_prefixes
    assert doc.extra_text == "무인항공기 UAV"


@pytest.mark.parametrize(
    "bad",
    [
        {"id": "", "type": "demand", "title": "x"},
        {"id": "x:1", "type": "tender", "title": "x"},
        {"id": "x:1", "type": "demand", "title": "x", "acl": []},
        {"id": "x:1", "type": "demand", "title": "x", "closes_at": datetime(2026, 1, 1)},
        {"id": "x:1", "type": "demand", "title": "x", "colour": "red"},
    ],
)
def test_invalid_documents_are_refused(bad):
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        SearchDocument.from_dict(bad)


def test_codes():
    assert code_division("35613000") == "35"
    assert code_division("n6115b") == "N61"
    assert code_prefixes("35600000") == [
        "35",
        "356",
        "3560",
        "35600",
        "356000",
        "3560000",
        "35600000",
    ]
    assert code_prefixes("N6115B") == ["N61", "N611", "N6115", "N6115B"]


@given(st.integers(min_value=0, max_value=10**13))
def test_every_amount_has_one_price_bucket(amount):
    assert price_bucket(amount) is not None
    assert price_bucket(None) is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {"filters": {"colour": "red"}},
        {"sort": "random"},
        {"page": 0},
        {"per_page": 101},
        {"page": 600, "per_page": 20},
        {"facets": ["colour"]},
        {"filters": {"amount_min": "lots"}},
        {"filters": {"amount_max": 1.5}},
        {"filters": {"readiness_level": ["high"]}},
        {"principals": "public"},
    ],
)
def test_invalid_queries_are_refused(kwargs):
    with pytest.raises(InvalidQueryError):
        Query("x", **kwargs)


def test_query_defaults():
    q = Query("드론", page=3, per_page=10)
    assert q.offset == 20
    assert q.principals == ("public",)
    assert q.filter_values("type") == []
    assert Query(filters={"type": "demand"}).filter_values("type") == ["demand"]


def test_particles_and_bigrams():
    assert strip_particle("노트북을") == "노트북"
    assert strip_particle("드론에서는") == "드론"
    assert strip_particle("드론") is None  # too short to hold a particle
    assert strip_particle("drone") is None
    assert bigram_text("소형 드론을 ok 칩") == "소형 드론 론을 칩"
    assert prefix_text("Drone 드론").split()[:5] == ["d", "dr", "dro", "dron", "drone"]
    assert prefix_text("드론").split() == [jamo(p) for p in ("ㄷ", "드", "드ㄹ", "드로", "드론")]


def test_half_typed_korean_is_a_prefix_of_the_word():
    assert len(jamo("드론")) == 5
    assert jamo("드ㄹ") == jamo("드") + "\u1105"  # a lone consonant becomes an initial
    assert typed_prefixes("드로") == [jamo("드로")]
    # 들 on the way to 드론: the final ㄹ may become the next syllable's initial.
    assert typed_prefixes("들") == [jamo("들"), jamo("드") + "\u1105"]
    assert suggest_terms("clean 드") == [["clean"], [jamo("드")]]
    assert suggest_terms("") == []


def test_long_queries_are_cut():
    assert len(parse_query(" ".join(f"w{i}" for i in range(100)))) == 16


def test_query_words_expand_to_stems_and_synonyms():
    words = parse_query("노트북을 Drones")
    assert words[0].forms[:2] == ("노트북을", "노트북")
    assert "laptop" in words[0].forms
    assert "드론" in words[1].forms


def test_synonym_file_has_at_least_thirty_korean_english_pairs():
    table = synonyms()
    korean = [w for w in table if "\uac00" <= w[0] <= "\ud7a3"]
    assert len(korean) >= 30
    for pair in [("드론", "drone"), ("로봇", "robot"), ("의자", "chair"), ("청소", "cleaning")]:
        assert pair[1] in table[pair[0]]
        assert pair[0] in table[pair[1]]


@given(st.text(max_size=300))
def test_highlights_never_contain_markup_from_the_text(text):
    snippet = highlight(text + " 드론", parse_query("드론"))
    assert snippet is not None
    stripped = snippet.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in stripped
    assert ">" not in stripped


def test_highlight_cuts_long_text_around_the_match():
    text = "가" * 500 + " 드론 " + "나" * 500
    snippet = highlight(text, parse_query("드론"))
    assert snippet.startswith("…")
    assert snippet.endswith("…")
    assert "<mark>드론</mark>" in snippet
    assert len(snippet) < 400


def test_urls_choose_the_backend():
    es = backend_from_url("elasticsearch://search.internal:9200", alias="x")
    assert isinstance(es, ElasticsearchBackend)
    assert es.url == "http://search.internal:9200"
    assert backend_from_url("elasticsearchs://h:9243").url == "https://h:9243"
    assert backend_from_url("https://h:9200").url == "https://h:9200"
    with pytest.raises(ValueError, match="scheme"):
        backend_from_url("solr://h")


def test_an_8x_server_gets_the_compatibility_it_understands():
    from search.elastic import Compat8Node, compat_headers

    headers = compat_headers(
        {"accept": "application/vnd.elasticsearch+json; compatible-with=9"}, major=8
    )
    assert headers["accept"] == "application/vnd.elasticsearch+json; compatible-with=8"
    backend = backend_from_url("http://h:9200", server_major=8)
    assert all(isinstance(n, Compat8Node) for n in backend.client.transport.node_pool.all())


def test_the_library_never_imports_the_web_app():
    code = (
        "import sys, search, search.embedded, search.elastic\n"
        "bad = {m for m in sys.modules if m.split('.')[0] in {'procure', 'flask', 'sqlalchemy'}}\n"
        "assert not bad, bad\n"
    )
    root = str(Path(__file__).resolve().parents[2])
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root, timeout=60)  # noqa: S603


def test_now_is_timezone_aware():
    from search.models import now_utc

    assert now_utc().tzinfo is UTC
