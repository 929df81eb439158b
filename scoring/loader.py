"""Find, read and validate scheme files (TOML or JSON) and turn them into `Scheme` objects."""

from __future__ import annotations

import json
import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scoring._numbers import exact
from scoring.model import (
    AggregationRule,
    Criterion,
    DecisionRule,
    DeviationRule,
    Gate,
    Item,
    ProductKind,
    RubricLevel,
    Scheme,
    Text,
    Threshold,
    ValidityRule,
)

SCHEMES_DIR = Path(__file__).parent / "schemes"
SUFFIXES = (".toml", ".json")
# The index is reported on a 0–100 scale, so every scheme's criteria must add up to this.
INDEX_MAX = 100
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_FILE_NAME = re.compile(r"^(?P<id>[a-z][a-z0-9_]*)-v(?P<version>[1-9][0-9]*)$")


class SchemeError(ValueError):
    """A scheme file is missing, unreadable or malformed; `problems` lists every fault found."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"invalid scoring scheme {source}:\n{lines}")


@dataclass(frozen=True)
class SchemeInfo:
    """A scheme file found in a schemes directory."""

    id: str
    version: int
    path: Path


def available_schemes(directory: str | Path | None = None) -> list[SchemeInfo]:
    """Every scheme file named `<id>-v<version>.toml|json`, sorted by id then version."""
    folder = Path(directory) if directory is not None else SCHEMES_DIR
    found = []
    for path in folder.iterdir():
        match = _FILE_NAME.match(path.stem)
        if path.suffix in SUFFIXES and match:
            found.append(SchemeInfo(match["id"], int(match["version"]), path))
    return sorted(found, key=lambda info: (info.id, info.version))


def load_scheme(
    name_or_path: str | Path = "default",
    version: int | None = None,
    *,
    directory: str | Path | None = None,
) -> Scheme:
    """Load and validate a scheme.

    `name_or_path` is a scheme id ("default": the newest version unless `version` is given)
    or the path of a scheme file.

    :raise SchemeError: no such scheme, or the file is malformed (every problem is listed).
    """
    candidate = Path(name_or_path)
    if candidate.suffix in SUFFIXES:
        if not candidate.exists() and len(candidate.parts) == 1:
            # A bare file name such as "default-v1.toml" means the one in the schemes folder.
            candidate = (Path(directory) if directory is not None else SCHEMES_DIR) / candidate
        return load_scheme_file(candidate)
    name = str(name_or_path)
    matches = [s for s in available_schemes(directory) if s.id == name]
    if version is not None:
        matches = [s for s in matches if s.version == version]
    if not matches:
        wanted = name if version is None else f"{name} version {version}"
        known = ", ".join(f"{s.id}-v{s.version}" for s in available_schemes(directory))
        raise SchemeError(wanted, [f"no such scheme; available: {known or 'none'}"])
    info = matches[-1]
    scheme = load_scheme_file(info.path)
    if (scheme.id, scheme.version) != (info.id, info.version):
        raise SchemeError(
            str(info.path),
            [f"file name says {info.id}-v{info.version} but the file declares {scheme.key}"],
        )
    return scheme


def load_scheme_file(path: str | Path) -> Scheme:
    """Read one scheme file.

    :raise SchemeError: unreadable, not valid TOML/JSON, or not a valid scheme.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise SchemeError(str(path), [f"cannot read the file: {exc.strerror}"]) from exc
    try:
        if path.suffix == ".json":
            data = json.loads(raw.decode("utf-8"))
        else:
            data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SchemeError(str(path), [f"not valid {path.suffix[1:].upper()}: {exc}"]) from exc
    return parse_scheme(data, source=str(path))


def parse_scheme(data: Any, source: str = "<data>") -> Scheme:
    """Validate a scheme given as plain data (the parsed file) and build it.

    :raise SchemeError: listing every problem found, each with its location in the file.
    """
    reader = _Reader()
    scheme = reader.scheme(data, source)
    if reader.problems:
        raise SchemeError(source, reader.problems)
    assert scheme is not None
    return scheme


_MISSING = object()


class _Reader:
    """Walks the parsed file, collecting every problem rather than stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}" if where else message)

    def table(self, value: Any, where: str, required: set[str], optional: set[str]) -> dict:
        if value is _MISSING:
            return {}
        if not isinstance(value, dict):
            self.fail(where, f"expected a table, got {_kind(value)}")
            return {}
        for key in sorted(required - value.keys()):
            self.fail(_join(where, key), "is required")
        for key in sorted(value.keys() - required - optional):
            allowed = ", ".join(sorted(required | optional))
            self.fail(_join(where, key), f"unknown key (allowed: {allowed})")
        return value

    def list_of(self, value: Any, where: str, *, non_empty: bool = True) -> list:
        if value is _MISSING:
            return []
        if not isinstance(value, list):
            self.fail(where, f"expected a list, got {_kind(value)}")
            return []
        if non_empty and not value:
            self.fail(where, "must not be empty")
        return value

    # A missing required key was already reported by table(); the checks below stay quiet.
    def ident(self, value: Any, where: str) -> str:
        if value is _MISSING:
            return ""
        if not isinstance(value, str) or not _ID.match(value):
            self.fail(where, f"expected an id of lower-case letters, digits and _, got {value!r}")
            return str(value)
        return value

    def number(self, value: Any, where: str, *, minimum: float = 0, strict: bool = True) -> float:
        if value is _MISSING:
            return 0
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(where, f"expected a number, got {_kind(value)} {value!r}")
            return 0
        if not math.isfinite(value):
            self.fail(where, f"must be a finite number, got {value!r}")
            return 0
        if value < minimum or (strict and value == minimum):
            relation = "greater than" if strict else "at least"
            self.fail(where, f"must be {relation} {minimum}, got {value!r}")
        return value

    def integer(self, value: Any, where: str, *, minimum: int) -> int:
        if value is _MISSING:
            return minimum
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(where, f"expected a whole number, got {_kind(value)} {value!r}")
            return minimum
        if value < minimum:
            self.fail(where, f"must be at least {minimum}, got {value}")
        return value

    def boolean(self, value: Any, where: str) -> bool:
        if value is _MISSING:
            return False
        if not isinstance(value, bool):
            self.fail(where, f"expected true or false, got {_kind(value)} {value!r}")
            return False
        return value

    def text(self, value: Any, where: str) -> Text:
        table = self.table(value, where, {"ko", "en"}, set())
        parts = {}
        for lang in ("ko", "en"):
            part = table.get(lang, "")
            if lang in table and (not isinstance(part, str) or not part.strip()):
                self.fail(_join(where, lang), "must be non-empty text")
                part = ""
            parts[lang] = part if isinstance(part, str) else ""
        return Text(ko=parts["ko"], en=parts["en"])

    def unique(self, ids: list[str], where: str, what: str) -> None:
        seen: set[str] = set()
        for ident in ids:
            if ident in seen:
                self.fail(where, f"{what} id {ident!r} is used more than once")
            seen.add(ident)

    def scheme(self, data: Any, source: str) -> Scheme | None:
        top = self.table(
            data,
            "",
            {"id", "version", "title", "levels", "gates", "criteria", "aggregation"}
            | {"deviation", "decision"},
            {"description", "product_kinds", "validity"},
        )
        if not top:
            if not self.problems:
                self.fail("", "the file is empty")
            return None
        scheme_id = self.ident(top.get("id", _MISSING), "id")
        version = self.integer(top.get("version", _MISSING), "version", minimum=1)
        title = self.text(top.get("title", _MISSING), "title")
        if "description" in top:
            self.text(top["description"], "description")
        kinds = self.product_kinds(top.get("product_kinds", _MISSING))
        levels = self.levels(top.get("levels", _MISSING))
        gates = self.gates(top.get("gates", _MISSING), {k.id for k in kinds})
        criteria = self.criteria(top.get("criteria", _MISSING), levels)
        ids = [g.id for g in gates] + [c.id for c in criteria]
        ids += [i.id for c in criteria for i in c.items]
        self.unique(ids, "gates/criteria/items", "an")
        aggregation = self.aggregation(top.get("aggregation", _MISSING))
        deviation = self.deviation(top.get("deviation", _MISSING))
        decision = self.decision(top.get("decision", _MISSING), criteria)
        validity = self.validity(top["validity"]) if "validity" in top else None
        return Scheme(
            id=scheme_id,
            version=version,
            title=title,
            levels=levels,
            gates=gates,
            criteria=criteria,
            aggregation=aggregation,
            deviation=deviation,
            decision=decision,
            product_kinds=kinds,
            validity=validity,
            source=source,
        )

    def product_kinds(self, value: Any) -> tuple[ProductKind, ...]:
        kinds = []
        for n, raw in enumerate(self.list_of(value, "product_kinds", non_empty=False)):
            where = f"product_kinds[{n}]"
            table = self.table(raw, where, {"id", "label"}, set())
            kinds.append(
                ProductKind(
                    self.ident(table.get("id", _MISSING), _join(where, "id")),
                    self.text(table.get("label", _MISSING), _join(where, "label")),
                )
            )
        self.unique([k.id for k in kinds], "product_kinds", "a product kind")
        return tuple(kinds)

    def levels(self, value: Any) -> tuple[RubricLevel, ...]:
        levels = []
        for n, raw in enumerate(self.list_of(value, "levels")):
            where = f"levels[{n}]"
            table = self.table(raw, where, {"id", "percent", "label"}, set())
            percent = self.number(table.get("percent", _MISSING), _join(where, "percent"))
            if percent > 100:
                self.fail(_join(where, "percent"), f"must be at most 100, got {percent!r}")
            levels.append(
                RubricLevel(
                    self.ident(table.get("id", _MISSING), _join(where, "id")),
                    percent,
                    self.text(table.get("label", _MISSING), _join(where, "label")),
                )
            )
        self.unique([level.id for level in levels], "levels", "a level")
        percents = [exact(level.percent) for level in levels]
        if len(set(percents)) != len(percents):
            self.fail("levels", "two levels have the same percent")
        # Highest first, the order a scoring form shows them in.
        return tuple(sorted(levels, key=lambda level: -exact(level.percent)))

    def gates(self, value: Any, kinds: set[str]) -> tuple[Gate, ...]:
        gates = []
        for n, raw in enumerate(self.list_of(value, "gates", non_empty=False)):
            where = f"gates[{n}]"
            table = self.table(raw, where, {"id", "label", "question"}, {"applies_to"})
            applies_to = []
            for m, kind in enumerate(
                self.list_of(table.get("applies_to", _MISSING), _join(where, "applies_to"))
            ):
                if kind not in kinds:
                    known = ", ".join(sorted(kinds)) or "none declared in product_kinds"
                    self.fail(
                        f"{where}.applies_to[{m}]", f"unknown product kind {kind!r} ({known})"
                    )
                applies_to.append(str(kind))
            gates.append(
                Gate(
                    self.ident(table.get("id", _MISSING), _join(where, "id")),
                    self.text(table.get("label", _MISSING), _join(where, "label")),
                    self.text(table.get("question", _MISSING), _join(where, "question")),
                    tuple(applies_to),
                )
            )
        return tuple(gates)

    def criteria(self, value: Any, levels: tuple[RubricLevel, ...]) -> tuple[Criterion, ...]:
        criteria = []
        for n, raw in enumerate(self.list_of(value, "criteria")):
            where = f"criteria[{n}]"
            table = self.table(raw, where, {"id", "label", "points", "items"}, set())
            criterion_id = self.ident(table.get("id", _MISSING), _join(where, "id"))
            points = self.number(table.get("points", _MISSING), _join(where, "points"))
            items = tuple(
                self.item(raw_item, f"{where}.items[{m}]", criterion_id, levels)
                for m, raw_item in enumerate(
                    self.list_of(table.get("items", _MISSING), _join(where, "items"))
                )
            )
            item_sum = sum(exact(i.points) for i in items)
            if items and item_sum != exact(points):
                self.fail(
                    _join(where, "points"),
                    f"is {points} but its items add up to {float(item_sum):g}",
                )
            criteria.append(
                Criterion(
                    criterion_id,
                    self.text(table.get("label", _MISSING), _join(where, "label")),
                    points,
                    items,
                )
            )
        total = sum(exact(c.points) for c in criteria)
        if criteria and total != INDEX_MAX:
            self.fail("criteria", f"points add up to {float(total):g}, must be {INDEX_MAX}")
        return tuple(criteria)

    def item(
        self, raw: Any, where: str, criterion_id: str, levels: tuple[RubricLevel, ...]
    ) -> Item:
        table = self.table(raw, where, {"id", "label", "points", "rubric"}, set())
        rubric = self.table(
            table.get("rubric", _MISSING),
            _join(where, "rubric"),
            {level.id for level in levels},
            set(),
        )
        descriptors = {
            level.id: self.text(rubric[level.id], f"{where}.rubric.{level.id}")
            for level in levels
            if level.id in rubric
        }
        return Item(
            id=self.ident(table.get("id", _MISSING), _join(where, "id")),
            criterion_id=criterion_id,
            label=self.text(table.get("label", _MISSING), _join(where, "label")),
            points=self.number(table.get("points", _MISSING), _join(where, "points")),
            levels=levels,
            descriptors=descriptors,
        )

    def aggregation(self, value: Any) -> AggregationRule:
        table = self.table(
            value, "aggregation", {"trim_min_evaluators", "decimals", "gate_tie_passes"}, set()
        )
        trim = self.integer(
            table.get("trim_min_evaluators", _MISSING), "aggregation.trim_min_evaluators", minimum=3
        )
        decimals = self.integer(table.get("decimals", _MISSING), "aggregation.decimals", minimum=0)
        if decimals > 6:
            self.fail("aggregation.decimals", f"must be at most 6, got {decimals}")
        tie = self.boolean(table.get("gate_tie_passes", _MISSING), "aggregation.gate_tie_passes")
        return AggregationRule(trim, decimals, tie)

    def deviation(self, value: Any) -> DeviationRule:
        table = self.table(
            value, "deviation", {"sd_multiple", "min_other_sheets", "sd_floor_percent"}, set()
        )
        return DeviationRule(
            sd_multiple=self.number(table.get("sd_multiple", _MISSING), "deviation.sd_multiple"),
            # Two others are the fewest that give a sample standard deviation.
            min_other_sheets=self.integer(
                table.get("min_other_sheets", _MISSING), "deviation.min_other_sheets", minimum=2
            ),
            sd_floor_percent=self.number(
                table.get("sd_floor_percent", _MISSING), "deviation.sd_floor_percent", strict=False
            ),
        )

    def decision(self, value: Any, criteria: tuple[Criterion, ...]) -> DecisionRule:
        table = self.table(value, "decision", {"all_gates_must_pass", "thresholds"}, set())
        all_gates = self.boolean(
            table.get("all_gates_must_pass", _MISSING), "decision.all_gates_must_pass"
        )
        by_id = {c.id: c for c in criteria}
        thresholds = []
        raw_list = self.list_of(table.get("thresholds", _MISSING), "decision.thresholds")
        for n, raw in enumerate(raw_list):
            where = f"decision.thresholds[{n}]"
            t = self.table(raw, where, {"id", "label", "target"}, {"min_points", "min_percent"})
            target = t.get("target", _MISSING)
            if target is not _MISSING and target != "total" and target not in by_id:
                known = ", ".join(["total", *by_id])
                self.fail(_join(where, "target"), f"unknown target {target!r} (one of: {known})")
            maximum = (
                sum(exact(c.points) for c in criteria)
                if target == "total"
                else exact(by_id[target].points)
                if target in by_id
                else exact(INDEX_MAX)
            )
            given = [key for key in ("min_points", "min_percent") if key in t]
            required = exact(0)
            if len(given) != 1:
                self.fail(where, "give exactly one of min_points or min_percent")
            elif given[0] == "min_points":
                required = exact(self.number(t["min_points"], _join(where, "min_points")))
            else:
                percent = exact(self.number(t["min_percent"], _join(where, "min_percent")))
                required = maximum * percent / 100
            if required > maximum:
                self.fail(where, f"requires {float(required):g} of only {float(maximum):g} points")
            thresholds.append(
                Threshold(
                    id=self.ident(t.get("id", _MISSING), _join(where, "id")),
                    label=self.text(t.get("label", _MISSING), _join(where, "label")),
                    target=str(target),
                    required=float(required),
                )
            )
        self.unique([t.id for t in thresholds], "decision.thresholds", "a threshold")
        return DecisionRule(all_gates, tuple(thresholds))

    def validity(self, value: Any) -> ValidityRule:
        table = self.table(value, "validity", {"initial_years", "extension_years"}, set())
        initial = self.integer(
            table.get("initial_years", _MISSING), "validity.initial_years", minimum=1
        )
        extensions = tuple(
            self.integer(years, f"validity.extension_years[{n}]", minimum=1)
            for n, years in enumerate(
                self.list_of(
                    table.get("extension_years", _MISSING),
                    "validity.extension_years",
                    non_empty=False,
                )
            )
        )
        return ValidityRule(initial, extensions)


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _kind(value: Any) -> str:
    if value is _MISSING or value is None:
        return "nothing"
    return {
        dict: "a table",
        list: "a list",
        str: "text",
        bool: "a boolean",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)
