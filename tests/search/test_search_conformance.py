"""The conformance suite: every test runs unchanged on every backend (see conftest.py)."""

from __future__ import annotations

import random
import re
from datetime import timedelta

import pytest

from search import (
    FACETS,
    Query,
    SearchBackend,
    SearchDocument,
    SearchResult,
    SearchUnavailable,
)
from search_corpus import (
    CONFIDENTIAL_TITLE,
    INSIDER,
    NOW,
    OUTSIDER,
    PUBLIC_COUNT,
    ago,
    corpus_documents,
)

PUBLIC = ["public"]


def ids(backend, text="", principals=PUBLIC, **kwargs) -> list[str]:
    return backend.search(Query(text, principals=principals, per_page=50, **kwargs)).ids


def test_backend_implements_the_protocol(backend):
    assert isinstance(backend, SearchBackend)


# Korean and English text ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("드론", {"product:1", "organisation:10", "demand:5"}),
        ("의자", {"product:2", "product:3"}),
        ("청소", {"demand:4", "idea:9"}),
    ],
)
def test_two_syllable_korean_words(loaded, text, expected):
    assert set(ids(loaded, text)) == expected


def test_particle_in_the_query_finds_the_bare_word(loaded):
    # product:7 has 노트북 without a particle.
    assert "product:7" in ids(loaded, "노트북을")


def test_bare_word_finds_the_word_with_a_particle(loaded):
    # product:6's title has 노트북을.
    found = ids(loaded, "노트북")
    assert {"product:6", "product:7"} <= set(found)


def test_mixed_korean_and_english_query_requires_both(loaded):
    assert set(ids(loaded, "드론 camera")) == {"product:1", "demand:5"}
    assert set(ids(loaded, "chair 인체공학")) == {"product:2"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("drone", "product:1"),  # English finds Korean
        ("드론", "demand:5"),  # Korean finds English (drones)
        ("chair", "product:2"),
        ("의자", "product:3"),
        ("cleaning", "demand:4"),
        ("로봇", "demand:4"),
    ],
)
def test_synonyms_work_both_ways(loaded, text, expected):
    assert expected in ids(loaded, text)


def test_english_is_stemmed(loaded):
    assert "product:3" in ids(loaded, "chairs")
    assert "demand:5" in ids(loaded, "inspecting")


def test_full_width_latin_letters_read_as_ordinary_ones(loaded):
    # Korean input methods type ＤＲＯＮＥ as easily as DRONE; both find the same items.
    assert ids(loaded, "ＤＲＯＮＥ") == ids(loaded, "drone") != []


def test_exact_classification_code_finds_its_items(loaded):
    found = ids(loaded, "35613000")
    assert set(found) == {"product:1", "demand:5"}


def test_classification_label_is_searchable(loaded):
    assert "product:1" in ids(loaded, "무인항공기")
    assert "product:6" in ids(loaded, "security software")


def test_division_and_code_prefix_filters(loaded):
    uav = {"product:1", "demand:5", "product:11"}
    assert set(ids(loaded, filters={"division": "35"})) == uav
    assert set(ids(loaded, filters={"code": "356"})) == {"product:1", "demand:5"}
    assert set(ids(loaded, filters={"code": "35613000"})) == {"product:1", "demand:5"}
    assert set(ids(loaded, filters={"code": ["391", "3971"]})) == {
        "product:2",
        "product:3",
        "demand:4",
    }


def test_no_match_is_empty(loaded):
    result = loaded.search(Query("존재하지않는검색어 zzzqqq", principals=PUBLIC))
    assert result.total == 0
    assert result.hits == []


# Filters, facets, pages and sorting ----------------------------------------------------


def test_filters_combine(loaded):
    assert set(ids(loaded, filters={"type": "product", "region": "서울"})) == {
        "product:1",
        "product:3",
    }
    assert set(ids(loaded, filters={"designated": True})) == {"product:1", "product:6"}
    assert set(ids(loaded, filters={"readiness_level": [8, 9]})) == {
        "product:1",
        "product:2",
        "product:3",
    }
    assert set(ids(loaded, filters={"status": "open", "type": "demand"})) == {
        "demand:4",
        "demand:5",
    }
    assert set(ids(loaded, filters={"organisation": "9"})) == {"demand:4", "demand:5"}
    assert set(ids(loaded, filters={"language": "en"})) == {"product:3", "demand:5"}


def test_amount_range_and_price_buckets(loaded):
    assert set(ids(loaded, filters={"amount_min": 100_000_000})) == {"demand:4", "demand:5"}
    assert set(ids(loaded, filters={"amount_max": 300_000})) == {"product:2", "product:7"}
    assert set(ids(loaded, filters={"price_range": "over_1b"})) == {"demand:4"}


def test_facet_counts(loaded):
    result = loaded.search(Query("", principals=PUBLIC))
    assert result.total == PUBLIC_COUNT
    assert set(result.facets) == set(FACETS)
    facets = {name: dict(pairs) for name, pairs in result.facets.items()}
    assert facets["type"] == {"product": 6, "demand": 3, "idea": 1, "organisation": 1}
    # Only products are designated or not; demands, ideas and organisations stay out.
    assert facets["designated"] == {"true": 2, "false": facets["type"]["product"] - 2}
    assert facets["division"]["35"] == 3
    assert facets["region"]["서울"] == 4
    assert facets["readiness_level"] == {"9": 2, "8": 1, "7": 1}
    assert facets["price_range"] == {"under_10m": 5, "10m_100m": 2, "100m_1b": 1, "over_1b": 1}
    assert facets["organisation"]["6"] == 3
    # Largest first.
    counts = [c for _, c in result.facets["type"]]
    assert counts == sorted(counts, reverse=True)


def test_facets_follow_the_text_and_filters(loaded):
    result = loaded.search(Query("드론", principals=PUBLIC, filters={"type": "product"}))
    assert result.total == 1
    assert dict(result.facets["type"]) == {"product": 1}


def test_facets_can_be_skipped(loaded):
    result = loaded.search(Query("드론", principals=PUBLIC, facets=()))
    assert result.facets == {}
    assert result.total == 3


def test_pagination(loaded):
    full = ids(loaded, sort="newest")
    pages = []
    for page in (1, 2, 3):
        result = loaded.search(Query("", principals=PUBLIC, sort="newest", page=page, per_page=4))
        assert result.total == PUBLIC_COUNT
        assert result.page == page
        pages += result.ids
    assert pages == full
    beyond = loaded.search(Query("", principals=PUBLIC, page=9, per_page=4))
    assert beyond.hits == []
    assert beyond.total == PUBLIC_COUNT


def test_sort_orders(loaded):
    newest = ids(loaded, sort="newest")
    assert newest[:3] == ["product:1", "demand:4", "demand:5"]
    assert ids(loaded, sort="closing")[:3] == ["demand:12", "demand:5", "demand:4"]
    by_amount = ids(loaded, sort="amount")
    assert by_amount[:3] == ["demand:4", "demand:5", "product:1"]
    assert set(by_amount[-2:]) == {"idea:9", "organisation:10"}  # no amount: last
    assert ids(loaded, sort="amount_asc")[:2] == ["product:7", "product:2"]


# Relevance ----------------------------------------------------------------------------


def _plain(doc_id: str, title: str, body: str, **kw) -> SearchDocument:
    return SearchDocument(id=doc_id, type="product", title=title, body=body, **kw)


def test_title_match_ranks_above_body_match(backend):
    backend.index_documents(
        [
            _plain("product:1", "열화상 장비", "정밀 센서 포함", published_at=ago(100)),
            _plain("product:2", "정밀 센서", "열화상 장비 포함", published_at=ago(100)),
        ]
    )
    assert ids(backend, "센서") == ["product:2", "product:1"]
    assert ids(backend, "열화상") == ["product:1", "product:2"]


def test_designated_and_fresh_documents_rank_higher(backend):
    backend.index_documents(
        [
            _plain("product:1", "산업용 카메라", "설명", published_at=ago(300)),
            _plain("product:2", "산업용 카메라", "설명", published_at=ago(300), designated=True),
            _plain("product:3", "산업용 카메라", "설명", published_at=ago(1)),
        ]
    )
    assert ids(backend, "카메라")[-1] == "product:1"
    assert ids(backend, "카메라")[0] == "product:2"


def test_scores_are_descending(loaded):
    result = loaded.search(Query("드론", principals=PUBLIC))
    scores = [h.score for h in result.hits]
    assert scores == sorted(scores, reverse=True)
    assert all(s > 0 for s in scores)


# Highlights --------------------------------------------------------------------------

TAG = re.compile(r"<[^>]*>")


def test_highlights_mark_korean_matches(loaded):
    hit = next(
        h for h in loaded.search(Query("드론", principals=PUBLIC)).hits if h.id == "product:1"
    )
    assert "<mark>드론</mark>" in hit.highlights["title"]
    assert "<mark>드론</mark>" in hit.highlights["body"]


def test_highlights_mark_stemmed_english(loaded):
    hit = loaded.search(Query("inspecting", principals=PUBLIC)).hits[0]
    assert hit.id == "demand:5"
    assert "<mark>inspection</mark>" in hit.highlights["title"].lower()


def test_highlights_are_escaped_except_mark(loaded):
    result = loaded.search(Query("카메라", principals=PUBLIC))
    hit = next(h for h in result.hits if h.id == "product:11")
    for snippet in hit.highlights.values():
        assert set(TAG.findall(snippet)) <= {"<mark>", "</mark>"}
    assert "&lt;script&gt;" in hit.highlights["title"]
    assert "&lt;b&gt;" in hit.highlights["body"]
    assert "&amp;" in hit.highlights["body"]


# Confidentiality ---------------------------------------------------------------------


def test_confidential_proposal_is_invisible_to_other_suppliers(loaded):
    for text in ("", "드론", "산불", "zeppelin", "역제안"):
        result = loaded.search(Query(text, principals=OUTSIDER))
        assert "proposal:8" not in result.ids
        assert "proposal" not in dict(result.facets["type"])
        assert dict(result.facets["region"]).get("강원") is None
    only = loaded.search(Query("zeppelin", principals=OUTSIDER))
    assert only.total == 0
    assert all(count == 0 for pairs in only.facets.values() for _, count in pairs)
    assert loaded.suggest("드론 기", OUTSIDER) == []
    assert CONFIDENTIAL_TITLE not in [s.text for s in loaded.suggest("드", OUTSIDER, limit=50)]
    assert loaded.count(OUTSIDER) == PUBLIC_COUNT


def test_confidential_proposal_is_visible_to_its_parties(loaded):
    for principals in (INSIDER, ["org:9"], ["role:operator"], ["user:12"]):
        result = loaded.search(Query("zeppelin", principals=principals))
        assert result.ids == ["proposal:8"]
        assert result.total == 1
        assert dict(result.facets["type"]) == {"proposal": 1}
    assert CONFIDENTIAL_TITLE in [s.text for s in loaded.suggest("드론 기", INSIDER)]
    assert loaded.count(INSIDER) == PUBLIC_COUNT + 1


def test_no_principals_sees_nothing(loaded):
    assert loaded.search(Query("", principals=[])).total == 0
    assert loaded.suggest("드", []) == []
    assert loaded.count([]) == 0


# Suggestions -------------------------------------------------------------------------


def test_suggestions_complete_korean_and_english_prefixes(loaded):
    korean = [s.id for s in loaded.suggest("드", PUBLIC)]
    assert {"product:1", "organisation:10"} <= set(korean)
    assert [s.id for s in loaded.suggest("road insp", PUBLIC)] == ["demand:5"]
    assert [s.id for s in loaded.suggest("Ergo", PUBLIC)] == ["product:3"]
    suggestion = loaded.suggest("청소로", PUBLIC)[0]
    assert (suggestion.id, suggestion.type, suggestion.text) == (
        "demand:4",
        "demand",
        "공공청사 청소로봇 도입",
    )
    assert loaded.suggest("", PUBLIC) == []
    # Half-typed syllables on the way to 드론 and 청소로봇.
    for typing in ("드ㄹ", "들", "드로", "청솔", "청소롭"):
        assert loaded.suggest(typing, PUBLIC), typing
    assert "product:1" in [s.id for s in loaded.suggest("소형 들", PUBLIC)]
    assert [s.id for s in loaded.suggest("드론ㅋ", PUBLIC)] == ["organisation:10"]  # 드론코리아
    assert loaded.suggest("드론ㅌ", PUBLIC) == []
    assert len(loaded.suggest("드", PUBLIC, limit=1)) == 1


# Writes, deletion and reindexing -----------------------------------------------------


def test_reindexing_a_document_replaces_it(loaded):
    doc = corpus_documents()[1]
    changed = SearchDocument(**{**doc.to_dict(), "title": "접이식 의자", "classifications": []})
    loaded.index_documents([changed])
    assert loaded.count() == len(corpus_documents())
    assert "product:2" in ids(loaded, "접이식")


def test_plain_dicts_are_accepted(backend):
    backend.index_documents(
        [
            {
                "id": "idea:1",
                "type": "idea",
                "title": "스마트 가로등",
                "published_at": NOW.isoformat(),
            }
        ]
    )
    assert ids(backend, "가로등") == ["idea:1"]


def test_deletion_removes_a_document_from_results(loaded):
    assert "product:1" in ids(loaded, "드론")
    assert loaded.delete_documents(["product:1", "product:999"]) == 2
    assert "product:1" not in ids(loaded, "드론")
    assert "product:1" not in [s.id for s in loaded.suggest("소형", PUBLIC)]
    assert loaded.count() == len(corpus_documents()) - 1


def test_reindex_swaps_with_no_downtime(loaded):
    before = ids(loaded, "드론")
    seen_during: list[list[str]] = []

    def documents():
        for i, doc in enumerate(corpus_documents()):
            if i == 3:  # halfway through the build, searches still answer from the old index
                seen_during.append(ids(loaded, "드론"))
            if doc.id != "organisation:10":
                yield doc
        yield _plain("product:99", "신형 드론 배터리", "", published_at=NOW)

    name = loaded.reindex(documents())
    assert name.startswith(loaded.alias + "-")
    assert seen_during == [before]
    after = ids(loaded, "드론")
    assert "product:99" in after
    assert "organisation:10" not in after
    assert loaded.count() == len(corpus_documents())
    # A second reindex replaces the first and the old index is gone.
    second = loaded.reindex(corpus_documents())
    assert second != name
    assert set(ids(loaded, "드론")) == set(before)


def test_health_and_count(loaded):
    health = loaded.health()
    assert health["ok"] is True
    assert health["backend"] == loaded.name
    assert health["documents"] == len(corpus_documents())
    assert isinstance(health["detail"], str)
    assert loaded.count() == len(corpus_documents())
    assert loaded.count(PUBLIC) == PUBLIC_COUNT


def test_result_is_plain_data(loaded):
    result = loaded.search(Query("드론", principals=PUBLIC))
    assert isinstance(result, SearchResult)
    assert result.degraded is False
    assert all(isinstance(v, str) for h in result.hits for v in h.highlights.values())
    assert {h.type for h in result.hits} <= {"product", "demand", "organisation"}


def test_empty_index_answers(backend):
    result = backend.search(Query("드론", principals=PUBLIC))
    assert result.total == 0
    assert backend.count() == 0
    assert backend.suggest("드", PUBLIC) == []
    assert backend.health()["ok"] is True


def test_closing_sort_puts_missing_dates_last(loaded):
    order = ids(loaded, sort="closing")
    assert order.index("demand:4") < order.index("product:1")
    assert NOW - timedelta(days=1) < NOW  # sanity for the corpus clock


@pytest.mark.parametrize(
    "text",
    [
        'AND OR NOT ( ) : * " \\ ^ ~ [ ] { } + - ! / ?',
        "title:드론 OR 1=1; DROP TABLE docs --",
        "😀 🚁 드론🚁",
        "ㄷㄹ 드ㄹ",
        "_",
        "의 을 를",
        " ".join(f"단어{i}" for i in range(200)),
        "x" * 1000,
    ],
)
def test_any_text_is_a_valid_query(loaded, text):
    result = loaded.search(Query(text, principals=PUBLIC))
    assert result.total >= 0
    loaded.suggest(text, PUBLIC)


def test_emoji_next_to_a_word_still_finds_it(loaded):
    assert "product:1" in ids(loaded, "🚁드론🚁")


def test_unavailable_backend_raises(unavailable):
    with pytest.raises(SearchUnavailable):
        unavailable.search(Query("드론", principals=PUBLIC))
    with pytest.raises(SearchUnavailable):
        unavailable.index_documents([_plain("product:1", "x", "")])
    health = unavailable.health()
    assert health["ok"] is False
    assert health["backend"] == unavailable.name
    assert health["documents"] is None


def test_visibility_matches_the_acl_for_every_caller(backend):
    """Random access lists over a small set of principals: every caller sees exactly the
    documents sharing a principal with it, in totals, hits, facets and suggestions."""
    rng = random.Random(5)
    universe = ["public", "org:1", "org:2", "org:3", "user:1", "user:2", "role:operator"]
    docs = []
    for i in range(60):
        acl = rng.sample(universe, rng.randint(1, 3))
        docs.append(_plain(f"product:{i}", f"공공 드론 제품 {i}", "드론 본문", acl=acl))
    backend.index_documents(docs)
    callers = [[], ["public"], ["org:1"], ["org:2", "user:2"], ["role:operator", "org:3"]]
    callers += [universe]
    for principals in callers:
        visible = {d.id for d in docs if set(d.acl) & set(principals)}
        for text in ("", "드론"):
            result = backend.search(Query(text, principals=principals, per_page=100))
            assert set(result.ids) == visible
            assert result.total == len(visible)
            assert sum(c for _, c in result.facets["type"]) == len(visible)
        suggested = {s.id for s in backend.suggest("공공 드", principals, limit=100)}
        assert suggested <= visible
        assert backend.count(principals) == len(visible)
