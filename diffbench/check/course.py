"""A course file (JSON, or TOML on Python >= 3.11): the Jacobian layout the lectures use and the points per task."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from diffbench.check.compare import LAYOUTS
from diffbench.check.tasks import TASKS, TASKS_BY_FUNCTION, Task

KEYS = ("jacobian_layout", "weights")


class CourseError(ValueError):
    """The course file cannot be used; the message is one line."""


@dataclass(frozen=True)
class Course:
    jacobian_layout: str = "rows"
    weights: dict = field(default_factory=dict)     # function -> points, overriding the template's

    def weight(self, task: Task) -> float:
        return float(self.weights.get(task.function, task.weight))

    @property
    def max_score(self) -> float:
        return sum(self.weight(task) for task in TASKS)


def read_course(path) -> Course:
    """The course file at `path`, validated: known keys and functions, a known layout, points >= 0."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise CourseError(f"course file {path}: {error.strerror or error}") from None
    data = parse(path, text)
    if not isinstance(data, dict):
        raise CourseError(f"course file {path}: expected a table of settings")
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise CourseError(f"course file {path}: unknown setting {', '.join(unknown)} (known: {', '.join(KEYS)})")
    layout = data.get("jacobian_layout", "rows")
    if layout not in LAYOUTS:
        raise CourseError(f"course file {path}: jacobian_layout must be one of {', '.join(LAYOUTS)}, not {layout!r}")
    weights = data.get("weights", {})
    if not isinstance(weights, dict):
        raise CourseError(f"course file {path}: weights must map function names to points")
    for name, points in weights.items():
        if name not in TASKS_BY_FUNCTION:
            raise CourseError(f"course file {path}: weights name {name!r}, which is not a task function")
        if isinstance(points, bool) or not isinstance(points, (int, float)) or not math.isfinite(points) \
                or points < 0:
            raise CourseError(f"course file {path}: the weight of {name} must be a number >= 0, not {points!r}")
    return Course(layout, {name: float(points) for name, points in weights.items()})


def parse(path: Path, text: str):
    if path.suffix == ".toml":
        try:
            import tomllib
        except ImportError:
            raise CourseError(f"course file {path}: TOML needs Python >= 3.11; write it as JSON") from None
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise CourseError(f"course file {path}: {error}") from None
    try:
        return json.loads(text)
    except ValueError as error:
        raise CourseError(f"course file {path}: not JSON ({error})") from None
