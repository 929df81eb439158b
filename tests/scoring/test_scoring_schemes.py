"""Scheme files: the default scheme, finding schemes by name and version, refusing bad ones."""

from __future__ import annotations

import json
import shutil

import pytest

from scoring import SchemeError, available_schemes, load_scheme, parse_scheme
from scoring.loader import SCHEMES_DIR


def test_default_scheme_structure(scheme):
    assert (scheme.id, scheme.version, scheme.key) == ("default", 1, "default-v1")
    assert scheme.max_total == 100
    assert [(c.id, c.points) for c in scheme.criteria] == [
        ("technology", 30),
        ("market", 20),
        ("publicness", 30),
        ("growth", 20),
    ]
    assert [len(c.items) for c in scheme.criteria] == [3, 2, 3, 2]
    assert all(item.points == 10 for item in scheme.items)
    assert [g.id for g in scheme.gates] == [
        "public_fit",
        "innovative_solution",
        "trl",
        "safety",
        "no_regulatory_obstacle",
    ]
    assert scheme.gate("trl").applies_to == ("prototype",)
    assert [g.id for g in scheme.applicable_gates("proven")] == [
        "public_fit",
        "innovative_solution",
        "safety",
        "no_regulatory_obstacle",
    ]
    assert [lv.percent for lv in scheme.levels] == [100, 80, 60, 40, 20]
    assert scheme.item("novelty").allowed_points() == (10, 8, 6, 4, 2)
    assert scheme.criterion("technology").label.ko == "기술성"


def test_default_scheme_rules_are_declared_not_coded(scheme):
    assert scheme.aggregation.trim_min_evaluators == 5
    assert scheme.aggregation.gate_tie_passes is False
    assert scheme.decision.all_gates_must_pass is True
    assert [(t.id, t.target, t.required) for t in scheme.decision.thresholds] == [
        ("total", "total", 70),
        ("technology_minimum", "technology", 18),
        ("publicness_minimum", "publicness", 18),
    ]
    assert scheme.validity is not None
    assert (scheme.validity.initial_years, scheme.validity.extension_years) == (3, (1, 2))
    assert scheme.validity.max_years == 6


def test_every_label_and_descriptor_is_bilingual_and_distinct(scheme):
    texts = [scheme.title, *(lv.label for lv in scheme.levels)]
    texts += [t for g in scheme.gates for t in (g.label, g.question)]
    texts += [c.label for c in scheme.criteria]
    for item in scheme.items:
        texts.append(item.label)
        assert set(item.descriptors) == {lv.id for lv in scheme.levels}
        texts.extend(item.descriptors.values())
        # A rubric whose levels read the same cannot guide anyone.
        assert len({d.en for d in item.descriptors.values()}) == len(scheme.levels)
        assert len({d.ko for d in item.descriptors.values()}) == len(scheme.levels)
    for text in texts:
        assert text.ko.strip()
        assert text.en.strip()
        assert any("\uac00" <= ch <= "\ud7a3" for ch in text.ko), text.ko  # has Hangul
    assert scheme.title.get("ko") == scheme.title.ko
    assert scheme.title.get("fr") == scheme.title.en


def test_available_schemes_lists_the_default():
    found = [(s.id, s.version) for s in available_schemes()]
    assert ("default", 1) in found


@pytest.mark.parametrize("info", available_schemes(), ids=lambda info: info.path.name)
def test_every_shipped_scheme_is_valid(info):
    # A new file in scoring/schemes/ is checked here without writing a test for it.
    scheme = load_scheme(info.id, info.version)
    assert (scheme.id, scheme.version) == (info.id, info.version)
    assert scheme.max_total == 100


def test_newest_version_is_loaded_unless_one_is_named(tmp_path):
    shutil.copy(SCHEMES_DIR / "default-v1.toml", tmp_path / "default-v1.toml")
    text = (SCHEMES_DIR / "default-v1.toml").read_text(encoding="utf-8")
    (tmp_path / "default-v2.toml").write_text(
        text.replace("version = 1", "version = 2", 1), encoding="utf-8"
    )
    assert load_scheme("default", directory=tmp_path).version == 2
    assert load_scheme("default", 1, directory=tmp_path).version == 1
    assert [s.version for s in available_schemes(tmp_path)] == [1, 2]


def test_scheme_as_plain_data(scheme):
    data = json.loads(json.dumps(scheme.to_dict(), ensure_ascii=False))
    assert data["id"] == "default"
    assert data["criteria"][0]["items"][0]["descriptors"]["good"]["ko"].startswith("국내에는")
    assert data["gates"][2]["applies_to"] == ["prototype"]
    assert scheme.level("fair").percent == 60


def test_load_by_file_name_or_path(tmp_path):
    assert load_scheme("default-v1.toml").key == "default-v1"

    path = tmp_path / "copy.toml"
    shutil.copy(SCHEMES_DIR / "default-v1.toml", path)
    assert load_scheme(path).key == "default-v1"
    assert load_scheme(str(path)).source == str(path)


def test_unknown_scheme_or_version_is_refused_with_the_choices():
    with pytest.raises(SchemeError, match=r"no such scheme; available: .*default-v1"):
        load_scheme("dialogue")
    with pytest.raises(SchemeError, match="default version 9"):
        load_scheme("default", version=9)


def test_file_name_must_match_declared_id_and_version(tmp_path):
    shutil.copy(SCHEMES_DIR / "default-v1.toml", tmp_path / "default-v3.toml")
    with pytest.raises(
        SchemeError, match="file name says default-v3 but the file declares default-v1"
    ):
        load_scheme("default", directory=tmp_path)


def test_a_new_scheme_is_just_a_new_file(tmp_path, mini_data):
    # How a competitive-dialogue scheme would be added: drop a file in, nothing else.
    (tmp_path / "mini-v1.json").write_text(json.dumps(mini_data), encoding="utf-8")
    scheme = load_scheme("mini", directory=tmp_path)
    assert scheme.key == "mini-v1"
    assert scheme.item("idea").allowed_points() == (40, 20, 10)
    assert scheme.validity is None


def test_broken_toml_is_reported_with_its_position(tmp_path):
    path = tmp_path / "broken-v1.toml"
    path.write_text('id = "broken"\nversion = \n', encoding="utf-8")
    with pytest.raises(SchemeError, match=r"broken-v1.toml.*\n.*not valid TOML: .*line 2"):
        load_scheme(path)


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(SchemeError, match="cannot read the file"):
        load_scheme(tmp_path / "absent-v1.toml")


def _problems(data) -> list[str]:
    with pytest.raises(SchemeError) as caught:
        parse_scheme(data, source="test")
    return caught.value.problems


def test_the_default_data_itself_is_valid(default_data):
    assert parse_scheme(default_data).key == "default-v1"


def test_empty_scheme_lists_every_missing_section():
    problems = _problems({})
    for key in ("id", "version", "title", "levels", "criteria", "decision", "deviation"):
        assert f"{key}: is required" in problems


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        (lambda d: d.update(version=0), "version: must be at least 1, got 0"),
        (lambda d: d.update(id="Default Scheme"), "id: expected an id"),
        (lambda d: d.update(weights={}), "weights: unknown key (allowed:"),
        (
            lambda d: d["criteria"][0].update(points=35),
            "criteria[0].points: is 35 but its items add up to 30",
        ),
        (
            lambda d: (
                d["criteria"][1].update(points=30),
                d["criteria"][1]["items"][0].update(points=20),
            ),
            "criteria: points add up to 110, must be 100",
        ),
        (
            lambda d: d["criteria"][0]["items"][1].update(points="ten"),
            "criteria[0].items[1].points: expected a number, got text 'ten'",
        ),
        (
            lambda d: d["criteria"][0]["items"][0]["rubric"].pop("fair"),
            "criteria[0].items[0].rubric.fair: is required",
        ),
        (
            lambda d: d["criteria"][2]["items"][2]["rubric"]["good"].pop("ko"),
            "criteria[2].items[2].rubric.good.ko: is required",
        ),
        (
            lambda d: d["gates"][1]["label"].update(en="  "),
            "gates[1].label.en: must be non-empty text",
        ),
        (
            lambda d: d["gates"][2].update(applies_to=["prototypes"]),
            "gates[2].applies_to[0]: unknown product kind 'prototypes'",
        ),
        (
            lambda d: d["criteria"][3]["items"][0].update(id="novelty"),
            "an id 'novelty' is used more than once",
        ),
        (
            lambda d: d["levels"][1].update(percent=100),
            "levels: two levels have the same percent",
        ),
        (lambda d: d["levels"][0].update(percent=120), "levels[0].percent: must be at most 100"),
        (
            lambda d: d["decision"]["thresholds"][1].update(target="technlogy"),
            "decision.thresholds[1].target: unknown target 'technlogy'",
        ),
        (
            lambda d: d["decision"]["thresholds"][0].update(min_percent=70),
            "decision.thresholds[0]: give exactly one of min_points or min_percent",
        ),
        (
            lambda d: d["decision"]["thresholds"][0].update(min_points=170),
            "decision.thresholds[0]: requires 170 of only 100 points",
        ),
        (
            lambda d: d["aggregation"].update(trim_min_evaluators=2),
            "aggregation.trim_min_evaluators: must be at least 3, got 2",
        ),
        (
            lambda d: d["aggregation"].update(gate_tie_passes="no"),
            "aggregation.gate_tie_passes: expected true or false",
        ),
        (
            lambda d: d["deviation"].update(min_other_sheets=1),
            "deviation.min_other_sheets: must be at least 2, got 1",
        ),
        (
            lambda d: d["validity"].update(extension_years=[1, 0]),
            "validity.extension_years[1]: must be at least 1, got 0",
        ),
        (lambda d: d.update(criteria=[]), "criteria: must not be empty"),
        (
            lambda d: d["levels"][2].update(percent=float("nan")),
            "levels[2].percent: must be a finite number, got nan",
        ),
        (lambda d: d.update(levels="five"), "levels: expected a list, got text"),
    ],
)
def test_malformed_scheme_is_refused_with_a_clear_message(default_data, breakage, expected):
    breakage(default_data)
    problems = _problems(default_data)
    assert any(expected in p for p in problems), problems


def test_all_problems_are_reported_at_once(default_data):
    default_data["version"] = "one"
    default_data["criteria"][0]["items"][0]["rubric"].pop("poor")
    problems = _problems(default_data)
    assert len(problems) == 2
    with pytest.raises(SchemeError) as caught:
        parse_scheme(default_data, source="x-v1.toml")
    message = str(caught.value)
    assert message.startswith("invalid scoring scheme x-v1.toml:")
    assert "version: expected a whole number, got text 'one'" in message
