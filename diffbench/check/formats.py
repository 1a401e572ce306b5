"""Check results as graders read them: one JSON object per file, and Gradescope's results.json."""
from __future__ import annotations

import math

from diffbench.check.checker import CheckResult, TaskResult
from diffbench.check.compare import order_words
from diffbench.check.course import Course
from diffbench.check.tasks import TASKS

SANDBOX_WORDS = {"bwrap": "bwrap (bubblewrap)",
                 "none": "none: limits only, not safe against a hostile student"}


def number(value) -> float | None:
    """JSON has no NaN: an undefined number is null."""
    return None if value is None or not math.isfinite(value) else round(float(value), 6)


def task_record(task: TaskResult, course: Course) -> dict:
    worst = task.worst
    return {
        "function": task.task.function,
        "status": task.status,
        "passed": task.passed,
        "digits": number(task.digits),
        "worst_point": worst.label if worst else None,
        "taylor_order": number(task.order),
        "mistake": (worst.mistake or None) if worst and not task.passed else None,
        "message": task.message or (order_words(task.order) if task.passed else ""),
        "time_s": number(task.seconds),
        "weight": course.weight(task.task),
        "output": task.output,
    }


def file_record(result: CheckResult, course: Course) -> dict:
    """Everything about one file: per function, plus the sandbox it ran in and the score under the course."""
    return {
        "file": str(result.path),
        "passed": result.passed,
        "sandbox": result.sandbox,
        "jacobian_layout": course.jacobian_layout,
        "error": result.error or None,
        "score": score(result, course),
        "max_score": course.max_score,
        "functions": [task_record(task, course) for task in result.tasks],
        "missing": list(result.missing),
        "output_at_import": result.output,
    }


def score(result: CheckResult, course: Course) -> float:
    return sum(course.weight(task.task) for task in result.tasks if task.passed)


def gradescope_document(result: CheckResult, course: Course) -> dict:
    """Gradescope's autograder schema: score, max_score and one test per task function of the template."""
    by_function = {task.task.function: task for task in result.tasks}
    tests = []
    for task in TASKS:
        checked = by_function.get(task.function)
        weight = course.weight(task)
        tests.append({
            "name": task.function,
            "score": weight if checked is not None and checked.passed else 0.0,
            "max_score": weight,
            "output": test_output(checked, result),
            "visibility": "visible",
        })
    overview = f"sandbox: {SANDBOX_WORDS[result.sandbox]}; Jacobian layout: {course.jacobian_layout}"
    if result.error:
        overview = f"{result.error}\n{overview}"
    return {"score": sum(t["score"] for t in tests), "max_score": course.max_score, "output": overview,
            "visibility": "visible", "stdout_visibility": "hidden", "tests": tests}


def test_output(task: TaskResult | None, result: CheckResult) -> str:
    if result.error:
        return result.error
    if task is None:
        return "not in your file"
    lines = [f"{task.status}: {task.message or order_words(task.order)}"]
    if not math.isnan(task.digits):
        lines.append(f"correct digits (min over points): {max(task.digits, 0.0):.1f}")
    if task.output:
        lines.append("your function printed:\n" + task.output)
    lines.append(f"sandbox: {SANDBOX_WORDS[result.sandbox]}")
    return "\n".join(lines)
