import numpy as np
import pytest

from matching.text import TextEncoder, shared_terms, word_tokens


def test_korean_shared_terms_survive_particles_and_compounds():
    terms = shared_terms(
        "순찰용 드론, 정지비행, 안내방송", "방송용 스피커를 탑재한 드론이 정지비행"
    )
    assert "드론" in terms
    assert "정지비행" in terms
    assert "방송" in terms


def test_korean_verb_endings_are_never_shared_terms():
    # Both texts end their sentences in 합니다 and join clauses with 하며: those are grammar,
    # and the nouns before them (측정, 제공, 연동) are what the texts are about.
    demand = "도로 결빙을 측정합니다. 관제 시스템과 연동되며 경보를 제공합니다."
    listing = "노면 온도를 측정하며 결빙 위험을 알려 줍니다. 기존 시스템과 연동됩니다."
    terms = shared_terms(demand, listing, limit=None)
    assert {"결빙", "측정", "연동", "시스템"} <= set(terms)
    assert not any(term.endswith(("니다", "하며", "되며")) for term in terms), terms
    assert shared_terms("설치가 가능합니다", "운영이 가능합니다 있습니다", limit=None) == []


def test_english_shared_terms_are_stemmed_and_skip_short_words():
    terms = shared_terms("Patrol drones with a loudspeaker", "drone, loudspeaker and camera")
    assert terms == ["loudspeaker", "drones"]
    assert shared_terms("a of it", "a of it") == []


def test_mixed_text_tokens():
    assert word_tokens("<p>AI 기반 CCTV 카메라</p>") == ["ai", "기반", "cctv", "카메라"]


def test_a_korean_terms_rarity_is_read_from_the_character_ngrams():
    encoder = TextEncoder()
    encoder.fit(["교통 관제", "수질 관제", "결빙감지기 설치", "결빙감지 장치", "결빙감지 센서"])
    # 관제 and 결빙 are inside words, never words of their own in the other texts.
    assert encoder.idf("결빙") < encoder.idf("교통")
    assert encoder.idf("관제") < encoder.idf("수질")
    # Longer than a 4-gram: as rare as its rarest piece (빙감지기 is in one text, 결빙감지 in 3).
    assert encoder.idf("결빙감지기") == encoder.idf("빙감지기") > encoder.idf("결빙감지")
    assert encoder.idf("없는말") == pytest.approx(float(encoder.chars_.idf_.max()))


def test_encoder_views_are_normalised_and_match_korean_inflections():
    encoder = TextEncoder()
    xc, xw = encoder.fit_transform(["드론 순찰", "사무용 의자", "drone patrol"])
    assert xc.shape[0] == xw.shape[0] == 3
    qc, _ = encoder.transform(["드론을 이용한 순찰"])
    sims = (qc @ xc.T).toarray().ravel()
    assert sims.argmax() == 0
    norms = np.asarray(xc.multiply(xc).sum(axis=1)).ravel()
    assert norms == pytest.approx([1.0, 1.0, 1.0], abs=1e-5)
