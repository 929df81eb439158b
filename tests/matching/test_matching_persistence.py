import pickle

import joblib
import pytest

from matching import IncompatibleModelError, Matcher, __version__, persistence


@pytest.fixture
def fitted(korean_listings):
    return Matcher(random_state=0).fit(korean_listings)


def test_round_trip_keeps_rankings_and_metadata(fitted, tmp_path):
    path = tmp_path / "models" / "matcher.joblib"
    fitted.save(path, metrics={"ndcg@10": 0.5})
    loaded = Matcher.load(path)
    demand = {"text": "순찰용 드론, 안내방송"}
    assert [m.listing_id for m in loaded.rank(demand)] == [
        m.listing_id for m in fitted.rank(demand)
    ]
    meta = loaded.saved_metadata_
    assert meta["format_version"] == persistence.FORMAT_VERSION
    assert meta["library_version"] == __version__
    assert meta["n_listings"] == 6
    assert meta["metrics"] == {"ndcg@10": 0.5}
    assert meta["trained_at"] == fitted.fit_info_["trained_at"]


def test_other_format_version_is_refused(fitted, tmp_path):
    path = tmp_path / "old.joblib"
    fitted.save(path)
    envelope = joblib.load(path)
    envelope["format_version"] = persistence.FORMAT_VERSION + 1
    joblib.dump(envelope, path)
    with pytest.raises(IncompatibleModelError, match="format version"):
        Matcher.load(path)


def test_corrupt_and_foreign_files_are_refused(tmp_path):
    corrupt = tmp_path / "corrupt.joblib"
    corrupt.write_bytes(b"not a pickle at all")
    with pytest.raises(IncompatibleModelError, match="not a readable"):
        Matcher.load(corrupt)
    foreign = tmp_path / "foreign.pkl"
    foreign.write_bytes(pickle.dumps({"hello": "world"}))
    with pytest.raises(IncompatibleModelError, match="not a saved matcher"):
        Matcher.load(foreign)
    with pytest.raises(FileNotFoundError):
        Matcher.load(tmp_path / "missing.joblib")


def test_unfitted_matcher_cannot_be_saved(tmp_path):
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        Matcher().save(tmp_path / "m.joblib")
