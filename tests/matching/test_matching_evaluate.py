import gzip
import json
import random

from matching.evaluate import evaluate, format_report, main
from matching.ocds import iter_releases, load_tenders, tender_from_release

RELEASE = {
    "ocid": "ocds-1",
    "tender": {
        "title": "Generator replacement at the headquarters",
        "items": [
            {
                "description": "Diesel generator N6115B",
                "classification": {"scheme": "GSIN", "description": "N6115B: Generator Set"},
            }
        ],
    },
}


def test_canadian_code_in_description_is_read_and_scrubbed():
    tender = tender_from_release(RELEASE)
    assert tender["codes"] == ["N6115B"]
    assert "N6115B" not in tender["text"]
    assert tender["text"].startswith("Generator replacement")
    assert tender["code_text"] == "Generator Set"
    assert tender["code_names"] == {"N6115B": "Generator Set"}


def test_code_names_are_read_per_code():
    several = {
        "ocid": "ocds-3",
        "tender": {
            "title": "Highway resurfacing and joint sealing",
            "items": [
                {
                    "classification": {
                        "description": "5131BI: Asphalt, Joint Sealing, 5131C: Highways, Roads"
                    }
                },
                {
                    "classification": {
                        "scheme": "CPV",
                        "id": "45233140-2",
                        "description": "Roadworks",
                    }
                },
                {"classification": {"scheme": "CPV", "id": "45233141-9"}},
            ],
        },
    }
    tender = tender_from_release(several)
    assert tender["codes"] == ["5131BI", "5131C", "45233140-2", "45233141-9"]
    assert tender["code_names"] == {
        "5131BI": "Asphalt, Joint Sealing",
        "5131C": "Highways, Roads",
        "45233140-2": "Roadworks",
    }


def test_release_shapes(tmp_path):
    cpv = {
        "ocid": "ocds-2",
        "tender": {
            "title": "Стіл масажний для лікарні",
            "items": [{"classification": {"scheme": "CPV", "id": "39121200-8"}}],
        },
    }
    package = {"releases": [RELEASE]}
    records = {"records": [{"compiledRelease": cpv}, {"releases": [{"url": "x"}]}]}
    assert [r["ocid"] for r in iter_releases(package)] == ["ocds-1"]
    assert [r["ocid"] for r in iter_releases(records)] == ["ocds-2"]
    assert [r["ocid"] for r in iter_releases([RELEASE, cpv])] == ["ocds-1", "ocds-2"]
    folder = tmp_path / "data"
    folder.mkdir()
    with gzip.open(folder / "a.json.gz", "wt", encoding="utf-8") as handle:
        json.dump(package, handle)
    (folder / "b.json").write_text(json.dumps(records), encoding="utf-8")
    (folder / "c.json").write_text(json.dumps([RELEASE]), encoding="utf-8")  # duplicate text
    (folder / "broken.json").write_text("not json", encoding="utf-8")
    tenders = load_tenders(folder)
    assert [t["codes"][0] for t in tenders] == ["N6115B", "39121200-8"]


def test_short_or_uncoded_tenders_are_dropped():
    assert tender_from_release({"tender": {"title": "too short", "items": []}}) is None
    assert tender_from_release({"tender": {"title": "long enough text but no code at all"}}) is None


def test_matcher_beats_bm25_on_a_canadian_subsample(canada_path):
    tenders = load_tenders(canada_path)
    sample = random.Random(0).sample(tenders, 1000)
    report = evaluate(sample, seed=0, k=10)
    assert report["n_listings"] == 500
    assert report["grading"] == "all codes"
    matcher, bm25 = report["matcher"]["ndcg@10"], report["bm25"]["ndcg@10"]
    # Measured 1.71 x and top-3 0.531 on this sample (1.61 x and 0.505 without the listings'
    # code names); the margins guard against regressions.
    assert matcher > 1.5 * bm25
    assert report["matcher"]["recall@10"] > 1.5 * report["bm25"]["recall@10"]
    assert report["classification"]["top3"] > 0.5
    assert report["weights_source"] == "self-supervised"
    assert 0.0 <= report["classifier_blend"] <= 1.0
    assert report["classifier_name_rows"] > 400  # the listings' code names trained it
    # The group re-ranker was weighed inside fit by a nested cross-validation on held-out
    # listings; it is kept only when that gain is positive.
    assert report["classifier_rerank_gain"] is not None
    assert report["classifier_reranker"] == (report["classifier_rerank_gain"] > 0)
    assert report["bm25_names"]["ndcg@10"] > bm25  # the names help keyword search too
    text = format_report(report, name="sample")
    assert "NDCG ratio" in text and "text + code names" in text
    # Without any code names the classifier is measurably worse on the same split.
    bare = evaluate(sample, seed=0, k=10, names_field=False)
    assert bare["classifier_name_rows"] == 0 and "bm25_names" not in bare
    assert bare["classification"]["top3"] < report["classification"]["top3"] - 0.01


def test_command_line_json(tmp_path, capsys):
    releases = []
    for i, (title, code) in enumerate(
        [
            ("Diesel generator replacement", "N6115B"),
            ("Generator set maintenance contract", "N6115A"),
            ("Office chairs for the new building", "N7110"),
            ("Ergonomic chairs and desks", "N7110B"),
            ("Snow removal services for parking lots", "S208"),
            ("Snow clearing and ice control", "S208A"),
        ]
    ):
        release = {"ocid": f"o{i}", "tender": {"title": title, "items": []}}
        release["tender"]["items"].append({"classification": {"id": code}})
        releases.append(release)
    path = tmp_path / "p.json"
    path.write_text(json.dumps({"releases": releases}), encoding="utf-8")
    assert main(["--ocds", str(path), "--json", "--seed", "1"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["n_listings"] == 3
    assert set(report) >= {"matcher", "bm25", "ndcg_ratio", "classification"}
    assert report["listing_code_names"] is False
    assert report["listing_code_name_field"] is True
    assert main(["--ocds", str(path), "--code-names"]) == 0
    assert "code names=in listing text" in capsys.readouterr().out
    assert main(["--ocds", str(path), "--no-code-names"]) == 0
    assert "code names=none" in capsys.readouterr().out
    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps({"releases": []}), encoding="utf-8")
    assert main(["--ocds", str(empty)]) == 2


def test_grades_take_the_best_pair_of_codes():
    from matching.evaluate import _Grader

    listings = [["N6115B", "5131C"], ["5131BI"], ["N7110"], []]
    grader = _Grader(listings)
    assert grader.grades(["5131C"]).tolist() == [4, 3, 0, 0]
    assert grader.grades(["R019", "N6115A"]).tolist() == [3, 0, 0, 0]
    assert grader.grades(["N7110", "5131BI"]).tolist() == [3, 4, 4, 0]
    primary = _Grader(listings, primary_only=True)
    assert primary.grades(["5131C", "N6115B"]).tolist() == [0, 3, 0, 0]


def test_the_relevance_scorer_is_chosen_on_groups_no_model_trained_on(canada_path, monkeypatch):
    """The pseudo-demands that choose the relevance scorer are the classifier's held-out
    listings, the very listings its group re-ranker is trained on: their re-ranked groups
    must come from the re-ranker's fold models, not from the final one."""
    from matching import Matcher
    from matching.classifier import CodeClassifier

    # A sample on which the re-ranker wins its cross-validation (on many it narrowly does not).
    tenders = random.Random(1).sample(load_tenders(canada_path), 1500)
    listings = [{"id": i, "text": t["text"], "codes": t["codes"]} for i, t in enumerate(tenders)]
    reranked_for = []
    final_rerank = CodeClassifier.rerank_group

    def spy(self, group, linear_group, knn_group, sim, xc, xw, exclude=None):
        reranked_for.append(exclude)
        return final_rerank(self, group, linear_group, knn_group, sim, xc, xw, exclude)

    monkeypatch.setattr(CodeClassifier, "rerank_group", spy)
    matcher = Matcher(random_state=0).fit(listings)
    classifier = matcher.classifier_
    assert classifier.reranker_ is not None  # kept on this sample, so the rule is exercised
    assert matcher.weights_source_ == "self-supervised"
    assert not set(reranked_for) & set(classifier.holdout_.tolist())
    # Fit-time tables are not kept in the model.
    assert classifier.holdout_linear_ is None and classifier.holdout_reranked_ is None
