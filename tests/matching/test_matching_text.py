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


def test_english_shared_terms_are_stemmed_and_skip_short_words():
    terms = shared_terms("Patrol drones with a loudspeaker", "drone, loudspeaker and camera")
    assert terms == ["loudspeaker", "drones"]
    assert shared_terms("a of it", "a of it") == []


def test_mixed_text_tokens():
    assert word_tokens("<p>AI 기반 CCTV 카메라</p>") == ["ai", "기반", "cctv", "카메라"]


def test_encoder_views_are_normalised_and_match_korean_inflections():
    encoder = TextEncoder()
    xc, xw = encoder.fit_transform(["드론 순찰", "사무용 의자", "drone patrol"])
    assert xc.shape[0] == xw.shape[0] == 3
    qc, _ = encoder.transform(["드론을 이용한 순찰"])
    sims = (qc @ xc.T).toarray().ravel()
    assert sims.argmax() == 0
    norms = np.asarray(xc.multiply(xc).sum(axis=1)).ravel()
    assert norms == pytest.approx([1.0, 1.0, 1.0], abs=1e-5)
