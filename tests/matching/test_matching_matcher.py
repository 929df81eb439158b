import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from matching import CodeClassifier, CodeSuggestion, DemandMatch, Match, Matcher, Reason

PATROL = {"text": "순찰용 드론, 정지비행, 안내방송", "budget": 50_000_000, "region": "부산광역시"}


def test_init_only_stores_parameters_and_fit_returns_self(korean_listings):
    matcher = Matcher(n_candidates=50, random_state=3)
    assert matcher.get_params()["n_candidates"] == 50
    assert not hasattr(matcher, "index_")
    assert matcher.fit(korean_listings) is matcher
    assert matcher.fit_info_["n_listings"] == len(korean_listings)
    assert clone(matcher).get_params() == matcher.get_params()
    assert not hasattr(clone(matcher), "index_")


def test_methods_require_fitting():
    matcher = Matcher()
    with pytest.raises(NotFittedError):
        matcher.rank(PATROL)
    with pytest.raises(NotFittedError):
        matcher.suggest_codes("드론")
    with pytest.raises(NotFittedError):
        matcher.rank_demands({"text": "드론"}, [PATROL])


def test_fit_rejects_bad_listings():
    with pytest.raises(ValueError, match="no listings"):
        Matcher().fit([])
    with pytest.raises(ValueError, match="unique"):
        Matcher().fit([{"id": 1, "text": "a"}, {"id": 1, "text": "b"}])
    with pytest.raises(ValueError, match="id"):
        Matcher().fit([{"text": "a"}])


def test_patrol_drone_demand_ranks_drone_with_loudspeaker_above_chair(korean_listings):
    matcher = Matcher(random_state=0).fit(korean_listings)
    matches = matcher.rank(PATROL, k=10)
    assert all(isinstance(m, Match) for m in matches)
    ids = [m.listing_id for m in matches]
    assert ids[0] == "drone-speaker"
    assert ids.index("drone-speaker") < ids.index("chair")
    assert ids.index("drone-survey") < ids.index("chair")
    scores = [m.score for m in matches]
    assert scores == sorted(scores, reverse=True)
    assert len(matcher.rank(PATROL, k=2)) == 2


def test_english_and_mixed_ranking(english_listings):
    matcher = Matcher(random_state=0).fit(english_listings)
    assert matcher.rank({"text": "drone for patrol with loudspeaker"}, k=1)[0].listing_id == (
        "e-drone"
    )
    assert matcher.rank({"text": "office chairs, 의자"}, k=1)[0].listing_id == "e-chair"


def test_missing_fields_are_allowed(korean_listings):
    matcher = Matcher(random_state=0).fit([{"id": 9, "text": "드론"}, *korean_listings])
    assert matcher.rank({"text": "드론"}, k=3)
    assert matcher.rank({}, k=3)  # an empty demand still returns a ranking


def test_given_codes_are_used(korean_listings):
    matcher = Matcher(random_state=0).fit(korean_listings)
    top = matcher.rank({"text": "장비", "codes": ["N7110"]}, k=2)
    assert {m.listing_id for m in top} == {"chair", "desk"}
    assert any(r.code == "code_match" for r in top[0].reasons)


def test_reasons_in_korean_and_english(korean_listings):
    matcher = Matcher(random_state=0).fit(korean_listings)
    best = matcher.rank(PATROL, k=1)[0]
    codes = [r.code for r in best.reasons]
    assert codes[0] == "shared_terms"
    assert {"within_budget", "same_region", "readiness", "pilot_record"} <= set(codes)
    shared = best.reasons[0]
    assert isinstance(shared, Reason)
    assert shared.text("ko").startswith("공통 핵심어: ")
    assert "드론" in shared.text("ko")
    assert shared.text("en").startswith("Shared key terms: ")
    for reason in best.reasons:
        assert 0 < len(reason.text("ko")) <= 60
        assert 0 < len(reason.text("en")) <= 60
    budget = next(r for r in best.reasons if r.code == "within_budget")
    assert budget.text("ko") == "예산 이내: 30,000,000원 ≤ 50,000,000원"
    assert budget.text("en") == "Within budget: ₩30,000,000 ≤ ₩50,000,000"
    with pytest.raises(ValueError, match="language"):
        shared.text("fr")


def test_explain_one_pair(korean_listings):
    matcher = Matcher(random_state=0).fit(korean_listings)
    reasons = matcher.explain(PATROL, "chair")
    assert [r.code for r in reasons] == ["within_budget"]
    assert matcher.explain(PATROL, "drone-speaker") == matcher.rank(PATROL, k=1)[0].reasons
    with pytest.raises(KeyError):
        matcher.explain(PATROL, "nope")


def test_over_budget_reason():
    assert Reason("over_budget", {"percent": 20}).text("en") == "Over budget by 20%"
    assert Reason("over_budget", {"percent": 20}).text("ko") == "예산 20% 초과"
    # Far over budget, a multiple reads better than a percentage with seven digits.
    assert Reason("over_budget", {"percent": 1143300}).text("ko") == "예산의 약 11,434배"
    assert Reason("over_budget", {"percent": 150}).text("en") == "About 3 × the budget"
    with pytest.raises(ValueError, match="unknown reason"):
        Reason("nonsense")


def test_rank_demands_for_a_supplier(korean_listings):
    matcher = Matcher(random_state=0).fit(korean_listings)
    demands = [
        {"id": "d-chair", "text": "회의실 의자 교체"},
        {"id": "d-drone", "text": "해안 순찰 드론 구매, 안내방송 가능", "budget": 40_000_000},
        {"text": "홍수 경보 센서"},
    ]
    matches = matcher.rank_demands(korean_listings[0], demands, k=3)
    assert all(isinstance(m, DemandMatch) for m in matches)
    assert matches[0].demand_id == "d-drone"
    assert {m.demand_id for m in matches} == {"d-chair", "d-drone", 2}
    assert any(r.code == "within_budget" for r in matches[0].reasons)
    assert matcher.rank_demands(korean_listings[0], [], k=3) == []


def test_prepared_demands_hold_the_same_code_distributions_without_listing_scores(
    korean_listings,
):
    matcher = Matcher(random_state=0).fit(korean_listings)
    demands = [
        {"id": "d-chair", "text": "회의실 의자 교체", "region": "부산"},
        {"id": "d-drone", "text": "해안 순찰 드론 구매, 안내방송 가능", "budget": 40_000_000},
        {"id": "d-coded", "text": "야간 순찰 장비", "codes": [korean_listings[0]["codes"][0]]},
        {"text": "홍수 경보 센서"},
    ]
    prepared = matcher.prepare_demands(demands)
    assert len(prepared) == 4
    for demand, light in zip(demands, prepared.contexts, strict=True):
        full = matcher._demand_context(demand)  # what rank() computes: scores against the index
        assert light.keys() == {"text", "codes", "dist"}
        for level_light, level_full in zip(light["dist"], full["dist"], strict=True):
            np.testing.assert_allclose(level_light, level_full)
    # A demand with codes is scored by them: its agreement with a listing of the same code.
    coded = next(
        m for m in matcher.rank_demands(korean_listings[0], prepared) if m.demand_id == "d-coded"
    )
    assert any(r.code == "code_match" for r in coded.reasons)
    other = Matcher(random_state=1).fit(korean_listings)
    with pytest.raises(ValueError, match="another matcher"):
        other.rank_demands(korean_listings[0], prepared)
    assert matcher.rank_demands(korean_listings[0], matcher.prepare_demands([])) == []


def test_suggest_codes_top_k_with_probabilities(korean_listings):
    matcher = Matcher(random_state=0).fit(korean_listings)
    suggestions = matcher.suggest_codes("야간 순찰 드론", k=3)
    assert all(isinstance(s, CodeSuggestion) for s in suggestions)
    assert 1 <= len(suggestions) <= 3
    assert suggestions[0].code == "N15"
    assert suggestions[0].level == "group"
    assert suggestions[0].example in {"N1550A", "N1550B"}
    probabilities = [s.probability for s in suggestions]
    assert probabilities == sorted(probabilities, reverse=True)
    assert all(0 < p <= 1 for p in probabilities)
    assert sum(probabilities) <= 1 + 1e-9
    fine = matcher.suggest_codes("야간 순찰 드론", k=2, level="exact")
    assert fine[0].code in {"N1550A", "N1550B"}


def test_code_classifier_standalone():
    texts = ["drone patrol", "patrol drone camera", "office chair", "chair mesh", "water sensor"]
    codes = ["N1550A", "N1550B", "N7110A", "N7110B", "N6665"]
    clf = CodeClassifier(level="group", n_neighbors=3).fit(texts, codes)
    assert list(clf.predict(["drone for patrol", "ergonomic chair"])) == ["N15", "N71"]
    proba = clf.predict_proba(["drone"])
    assert proba.shape == (1, len(clf.classes_))
    top = clf.suggest("a chair", k=3)
    assert top[0].code == "N71"
    with pytest.raises(ValueError, match="level"):
        CodeClassifier(level="family").fit(texts, codes)
    with pytest.raises(NotFittedError):
        CodeClassifier().suggest("x")


def test_feedback_changes_ranking(korean_listings):
    matcher = Matcher(random_state=0).fit(korean_listings)
    demand = {"text": "순찰 드론"}
    before = [m.listing_id for m in matcher.rank(demand, k=2)]
    assert before[0] == "drone-speaker"
    pairs = []
    for text in ("순찰 드론", "드론", "드론 구매", "방재용 드론"):
        pairs.append(({"text": text}, "drone-survey", "accepted"))
        pairs.append(({"text": text}, "drone-speaker", "declined"))
    assert matcher.fit_feedback(pairs) is matcher
    after = [m.listing_id for m in matcher.rank(demand, k=2)]
    assert after[0] == "drone-survey"
    with pytest.raises(ValueError, match="unknown feedback label"):
        matcher.fit_feedback([(demand, "chair", "maybe")])
    with pytest.raises(ValueError, match="unknown listing"):
        matcher.fit_feedback([(demand, "nope", True)])
    with pytest.raises(ValueError, match="both positive and negative"):
        matcher.fit_feedback([(demand, "chair", True)])


def test_partial_feedback_waits_for_both_classes(korean_listings):
    matcher = Matcher(random_state=0).fit(korean_listings)
    demand = {"text": "순찰 드론"}
    matcher.partial_fit_feedback([(demand, "drone-survey", True)])
    assert matcher.feedback_model_ is None
    before = {m.listing_id: m.score for m in matcher.rank(demand, k=3)}
    matcher.partial_fit_feedback([(demand, "drone-speaker", False)])
    assert matcher.feedback_model_ is not None
    assert len(matcher.feedback_pairs_) == 2
    after = {m.listing_id: m.score for m in matcher.rank(demand, k=3)}
    assert after["drone-survey"] > before["drone-survey"]
    assert after["drone-speaker"] < before["drone-speaker"]


def test_random_state_makes_fitting_reproducible(canada_path):
    from matching.ocds import load_tenders

    tenders = load_tenders(canada_path)[:300]
    listings = [{"id": t["id"], "text": t["text"], "codes": t["codes"]} for t in tenders]
    a = Matcher(random_state=1, n_pseudo_demands=100).fit(listings)
    b = Matcher(random_state=1, n_pseudo_demands=100).fit(listings)
    assert a.weights_source_ == "self-supervised"
    assert (a.relevance_weights_ == b.relevance_weights_).all()


def test_vectorised_pair_features_agree_with_the_reference(korean_listings):
    import numpy as np

    from matching.matcher import _pair_values

    matcher = Matcher(random_state=0).fit([*korean_listings, {"id": "bare", "text": "x"}])
    for demand in (PATROL, {"text": "x", "budget": 1_000_000, "region": "서울"}, {"text": "x"}):
        positions = np.arange(len(matcher.listings_))
        expected = np.vstack([_pair_values(demand, listing) for listing in matcher.listings_])
        np.testing.assert_allclose(matcher._pair_matrix(demand, positions), expected)


def _synthetic_catalogue(n_per_family=20):
    families = [
        ("N6115", "diesel generator set engine power"),
        ("N7110", "office chair desk furniture ergonomic"),
        ("R019", "consulting advisory professional services study"),
    ]
    texts, codes = [], []
    for f, (code, words) in enumerate(families):
        vocab = words.split()
        for i in range(n_per_family):
            picked = [vocab[(i + j) % len(vocab)] for j in range(3)]
            texts.append(" ".join(picked) + f" lot {f}{i}")
            codes.append(
                [f"{code}{'AB'[i % 2]}"] + (["N6116"] if code == "N6115" and i % 5 == 0 else [])
            )
    return texts, codes


def test_linear_blend_is_chosen_internally_and_stays_hierarchical():
    texts, codes = _synthetic_catalogue()
    clf = CodeClassifier(random_state=0).fit(texts, codes)
    assert clf.blend_ in (0.0, 0.25, 0.5, 0.75, 1.0)
    assert clf.cv_scores_  # the grid was scored on held-out listings
    assert clf.suggest("ergonomic office chair", k=1)[0].code == "N71"
    assert clf.suggest("diesel generator", k=1, level="class")[0].code == "N6115"
    dist, _ = clf._distributions(["consulting study"])[0]
    group, classes = dist[1][:-1], dist[2][:-1]
    for c, parent in enumerate(clf.parents_[2]):
        assert classes[c] <= group[parent] + 1e-9
    # The group re-ranker was weighed by a nested cross-validation and kept only if it won.
    assert "rerank_gain" in clf.cv_scores_
    assert (clf.reranker_ is not None) == (clf.cv_scores_["rerank_gain"] > 0)
    plain = CodeClassifier(linear=False).fit(texts, codes)
    assert plain.linear_ is None and plain.blend_ == 0.0 and plain.reranker_ is None


def test_group_reranker_reorders_only_the_candidates_and_keeps_their_mass():
    from sklearn.linear_model import LogisticRegression

    from matching.classifier import _apply_rerank

    # A model that has learned "feature 0 marks the true group".
    model = LogisticRegression().fit([[0.0], [1.0], [0.0], [1.0]], [False, True, False, True])
    group = np.array([0.4, 0.3, 0.2, 0.1])
    order = np.array([0, 1, 2])  # the blend's top three candidates, best first
    feats = np.array([[0.0], [0.0], [1.0]])  # the evidence points at the third
    out = _apply_rerank(model, feats, order, group)
    assert out.argmax() == 2
    assert out[3] == group[3]  # outside the candidates nothing moves
    assert out[order].sum() == pytest.approx(group[order].sum())
    assert out[0] == pytest.approx(out[1])  # equal evidence, equal share


def test_code_names_train_the_linear_model_as_examples_of_their_group():
    texts, codes = _synthetic_catalogue()
    names = {"N7110A": "Seating", "N6115B": "Generator sets, diesel", "X999": "no such group"}
    clf = CodeClassifier(random_state=0).fit(texts, codes, code_names=names)
    assert clf.n_name_rows_ == 2  # a name whose group no listing has teaches nothing
    bare = CodeClassifier(random_state=0).fit(texts, codes)
    assert bare.n_name_rows_ == 0
    # The names join every cross-validation fold's training, so the held-out linear
    # probabilities the blend is chosen from differ (this catalogue is easy: both are
    # nearly one-hot, so the difference is in the small probabilities).
    assert clf.holdout_linear_.shape == bare.holdout_linear_.shape
    assert not np.array_equal(clf.holdout_linear_, bare.holdout_linear_)
    matcher = Matcher(random_state=0).fit(
        [
            {"id": i, "text": t, "codes": c, "code_names": {"N7110A": "Seating"}}
            for i, (t, c) in enumerate(zip(texts, codes, strict=True))
        ]
    )
    assert matcher.classifier_.n_name_rows_ == 1


def test_words_most_listings_share_are_not_key_terms_in_a_real_catalogue():
    things = [
        "drone",
        "chair",
        "lamp",
        "robot",
        "camera",
        "sensor",
        "boat",
        "desk",
        "pump",
        "valve",
    ]
    listings = [
        {"id": i, "text": f"Monitoring system with {things[i % 10]} model {i} for state agencies"}
        for i in range(60)
    ]
    demand = {"text": "A drone system to watch the state coastline"}
    matcher = Matcher(random_state=0).fit(listings)
    best = matcher.rank(demand, k=1)[0]
    terms = next(r.params["terms"] for r in best.reasons if r.code == "shared_terms")
    assert terms == ["drone"]  # "system" and "state" are in every listing
    # In a handful of listings every shared word still counts (frequency means little there).
    small = Matcher(random_state=0).fit(listings[:6])
    best = small.rank(demand, k=1)[0]
    terms = next(r.params["terms"] for r in best.reasons if r.code == "shared_terms")
    assert {"drone", "system", "state"} <= set(terms)


def test_reasons_name_the_likeliest_of_several_listing_codes(english_listings):
    listings = [*english_listings]
    listings.append(
        {"id": "e-kit", "text": "Patrol drone spare kit and chair", "codes": ["N7110", "N1550"]}
    )
    matcher = Matcher(random_state=0).fit(listings)
    reasons = matcher.explain({"text": "patrol drone with loudspeaker"}, "e-kit")
    predicted = [r for r in reasons if r.code == "predicted_code"]
    assert predicted and predicted[0].params["code"].startswith("N15")


def test_budget_covers_the_whole_quantity(korean_listings):
    """A listing's price is per unit and a demand's budget is for all the units it buys."""
    matcher = Matcher(random_state=0).fit(korean_listings)
    drone = next(item for item in korean_listings if item["id"] == "drone-speaker")
    price = drone["price"]
    many = {**PATROL, "budget": price * 10, "quantity": 20}
    enough = {**PATROL, "budget": price * 20, "quantity": 20}
    over = [r for r in matcher.explain(many, "drone-speaker") if r.code == "over_budget"]
    assert [r.params for r in over] == [{"percent": 100}]
    within = next(r for r in matcher.explain(enough, "drone-speaker") if r.code == "within_budget")
    assert within.params == {"price": price, "budget": price * 20, "quantity": 20}
    assert within.text("ko") == f"예산 이내: {price:,}원 × 20 ≤ {price * 20:,}원"
    assert within.text("en") == f"Within budget: ₩{price:,} × 20 ≤ ₩{price * 20:,}"
    # the ranking's pair features agree with the reasons: over budget ranks lower
    score = {m.listing_id: m.score for m in matcher.rank(many, k=len(korean_listings))}
    fits = {m.listing_id: m.score for m in matcher.rank(enough, k=len(korean_listings))}
    assert score["drone-speaker"] < fits["drone-speaker"]
    # a missing, zero or nonsense quantity means one unit
    for quantity in (None, 0, "many"):
        single = {**PATROL, "budget": price, "quantity": quantity}
        assert any(r.code == "within_budget" for r in matcher.explain(single, "drone-speaker"))
