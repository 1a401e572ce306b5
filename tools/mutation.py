"""Mutation testing of diffbench's core modules with mutmut 3, in a scratch copy; prints the mutation score."""
from __future__ import annotations

import argparse
import ast
import json
import os
import shutil
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKER = ".diffbench-mutation"          # written into the scratch folder: only such a folder is ever replaced
# module -> the tests that target it (in-process ones: mutmut forks per mutant, worker pools would not see it)
CORE = {
    "diffbench/ad/rules.py": ["tests/test_mut_rules.py", "tests/test_rules.py", "tests/test_rule_edges.py",
                              "tests/test_nonsymmetric.py"],
    "diffbench/ad/forward.py": ["tests/test_mut_forward.py", "tests/test_rules.py", "tests/test_rule_edges.py", "tests/test_ad.py"],
    "diffbench/ad/reverse.py": ["tests/test_mut_reverse.py", "tests/test_rules.py", "tests/test_ad.py"],
    "diffbench/methods/finite_diff.py": ["tests/test_mut_fd.py", "tests/test_fd_estimates.py", "tests/test_numeric.py"],
    "diffbench/methods/complex_step.py": ["tests/test_mut_numeric.py", "tests/test_rule_edges.py",
                                          "tests/test_numeric.py"],
    "diffbench/methods/richardson.py": ["tests/test_mut_numeric.py", "tests/test_numeric.py"],
    "diffbench/methods/random_direction.py": ["tests/test_mut_numeric.py", "tests/test_numeric.py"],
    "diffbench/methods/tape.py": ["tests/test_mut_methods.py", "tests/test_ad.py"],
    "diffbench/methods/symbolic.py": ["tests/test_mut_methods.py", "tests/test_swell.py"],
    "diffbench/reference.py": ["tests/test_mut_reference.py", "tests/test_reference_independence.py",
                               "tests/test_accuracy.py"],
    "diffbench/scoring.py": ["tests/test_mut_scoring.py", "tests/test_scoring.py", "tests/test_numeric.py",
                             "tests/test_reference_independence.py"],
    "diffbench/floor.py": ["tests/test_mut_reference.py", "tests/test_floor.py"],
    "diffbench/fd_model.py": ["tests/test_mut_scoring.py", "tests/test_floor.py"],
    "diffbench/verdict.py": ["tests/test_mut_scoring.py", "tests/test_kinks.py", "tests/test_compare.py"],
    "diffbench/assemble.py": ["tests/test_assemble.py", "tests/test_reference_independence.py",
                              "tests/test_lecture_cases.py", "tests/test_numeric.py"],
    "diffbench/check/compare.py": ["tests/test_mut_compare.py", "tests/test_compare.py", "tests/test_check.py",
                                   "tests/test_testing.py"],
}
EQUIVALENT = ROOT / "tools" / "equivalent_mutants.txt"   # "<mutant name> <why it is equivalent>" per line
# tests that start worker pools or CLI subprocesses (they would run the unmutated code) or need the session run
DESELECT = "not cli_exits and not run_rows and not default_results and not thresholds_hold and not every_seed_case " \
           "and not reference_routes_agree and not end_to_end and not in_headless"
KILLED = {1, 3, 36, -24, 24, 152, 255}   # mutmut 3: test failure, pytest internal error, timeouts
SURVIVED, NO_TESTS = {0}, {5, 33}


def scratch(folder: Path) -> Path:
    if folder.exists():
        if not (folder / MARKER).exists():
            raise SystemExit(f"error: {folder} exists and was not made by this tool; choose another --workdir")
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / MARKER).write_text("scratch folder of tools/mutation.py\n")
    for name in ("diffbench", "cases", "tests"):
        shutil.copytree(ROOT / name, folder / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", folder / "pyproject.toml")
    (folder / "import").mkdir()
    (folder / "import" / "diffbench_cases").symlink_to(folder / "cases")
    rules = folder / "diffbench" / "ad" / "rules.py"
    rules.write_text(named_rules(rules.read_text()), encoding="utf-8")
    return folder


def named_rules(source: str) -> str:
    """rules.py with each lambda of the RULES table turned into a module-level def (_<row>_value, _jvp<i>, _vjp<i>).

    NB: mutmut 3 mutates def functions only; the same rules as named functions (a rewrite of the scratch
    copy, the table's behaviour unchanged) let it mutate and switch every rule of the table.
    """
    tree = ast.parse(source)
    body = []
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and any(getattr(t, "id", "") == "RULES" for t in statement.targets):
            for key, row in zip(statement.value.keys, statement.value.values):
                body.extend(_name_lambdas(key.value, row))
        body.append(statement)
    tree.body = body
    return ast.unparse(ast.fix_missing_locations(tree)) + "\n"


def _name_lambdas(row_name: str, row: ast.Call) -> list:
    """Replace the lambdas of one Rule(impl, jvps, vjps) call by names; returns their defs."""
    defs = []

    def named(lam: ast.Lambda, label: str) -> ast.Name:
        name = f"_{row_name}_{label}"
        defs.append(ast.FunctionDef(name=name, args=lam.args, body=[ast.Return(lam.body)], decorator_list=[]))
        return ast.Name(id=name, ctx=ast.Load())

    if isinstance(row.args[0], ast.Lambda):
        row.args[0] = named(row.args[0], "value")
    for argument, kind in zip(row.args[1:3], ("jvp", "vjp")):
        argument.elts = [named(e, f"{kind}{i}") if isinstance(e, ast.Lambda) else e
                         for i, e in enumerate(argument.elts)]
    return defs


def configure(folder: Path, modules: list[str], tests: list[str] | None = None) -> None:
    tests = tests or sorted({t for m in modules for t in CORE[m]})
    lines = ["", "[tool.mutmut]", 'source_paths = ["diffbench"]', f"only_mutate = {json.dumps(modules)}",
             'also_copy = ["cases"]', f"pytest_add_cli_args_test_selection = {json.dumps(tests)}",
             f'pytest_add_cli_args = ["-p", "no:cacheprovider", "-x", "-q", "-k", "{DESELECT}"]',
             "use_git_change_detection = false"]
    with open(folder / "pyproject.toml", "a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


def environment(folder: Path) -> dict:
    """The mutated copy's cases importable as diffbench_cases; one BLAS thread per test process."""
    paths = [str(folder / "import"), *filter(None, [os.environ.get("PYTHONPATH", "")])]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths), "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}


def run_mutmut(folder: Path, children: int, time_limit_s: float) -> bool:
    """mutmut run at the lowest priority; True if it finished inside the time limit (results so far are kept)."""
    env = environment(folder)
    command = ["nice", "-n", "19", sys.executable, "-m", "mutmut", "run", "--max-children", str(children)]
    process = subprocess.Popen(command, cwd=folder, env=env, start_new_session=True,
                               stdout=open(folder / "mutmut.log", "w"), stderr=subprocess.STDOUT)
    try:
        process.wait(timeout=time_limit_s)
        return process.returncode == 0
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)
        return False


def equivalent_mutants(path: Path = EQUIVALENT) -> dict:
    """mutant name -> the one-line reason it cannot change any result (lines: name, whitespace, reason)."""
    listed = {}
    for number, text in enumerate(path.read_text(encoding="utf-8").splitlines() if path.exists() else [], 1):
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        name, _, reason = text.strip().partition(" ")
        if not reason.strip():
            raise SystemExit(f"error: {path}:{number}: {name} has no reason")
        listed[name] = reason.strip()
    return listed


def tally(folder: Path, modules: list[str], equivalent: dict | None = None) -> dict:
    """module -> Counter of outcomes, plus the surviving mutants' names, from mutmut's per-file .meta records.

    A survivor listed in tools/equivalent_mutants.txt counts as "equivalent"; a listed mutant that was
    killed is reported (the listing is wrong) and counts as killed.
    """
    equivalent = equivalent_mutants() if equivalent is None else equivalent
    per_module, survivors, wrongly_listed = {}, [], []
    for module in modules:
        meta = folder / "mutants" / (module + ".meta")
        codes = json.loads(meta.read_text())["exit_code_by_key"] if meta.exists() else {}
        counts = Counter()
        for name, code in codes.items():
            kind = ("killed" if code in KILLED else "survived" if code in SURVIVED else
                    "no tests" if code in NO_TESTS else "not checked" if code is None else f"other ({code})")
            if kind == "survived" and name in equivalent:
                kind = "equivalent"
            elif kind == "killed" and name in equivalent:
                wrongly_listed.append(name)
            counts[kind] += 1
            if kind == "survived":
                survivors.append(name)
        per_module[module] = counts
    return {"modules": per_module, "survivors": sorted(survivors), "wrongly_listed": sorted(wrongly_listed)}


# `mutmut show` for many mutants in one process (one process per mutant takes a second each)
SHOW_DIFFS = """import sys
from mutmut.mutation.diff_apply import find_mutant, get_diff_for_mutant
for name in sys.argv[1:]:
    print(f"# {name}")
    print(get_diff_for_mutant(name, path=find_mutant(name).path))
"""


def report(folder: Path, result: dict, finished: bool) -> None:
    total = Counter()
    print(f"{'module':40} {'mutants':>7} {'killed':>7} {'survived':>8} {'equiv.':>6} {'no tests':>8} "
          f"{'unchecked':>9} {'score':>6}")
    for module, counts in result["modules"].items():
        total.update(counts)
        print(line(module, counts))
    print(line("all", total))
    print("score = killed / (mutants - equivalent); untested and unchecked mutants count as not killed")
    print("finished" if finished else "stopped at the time limit: unchecked mutants count as not killed")
    for name in result["wrongly_listed"]:
        print(f"  listed as equivalent but killed (fix {EQUIVALENT.name}): {name}")
    diffs = folder / "survivors.txt"
    shown = subprocess.run([sys.executable, "-c", SHOW_DIFFS, *result["survivors"]], cwd=folder, capture_output=True,
                           text=True, env=environment(folder))
    diffs.write_text(shown.stdout + shown.stderr, encoding="utf-8")
    print(f"{len(result['survivors'])} survivors not listed as equivalent (diffs in {diffs}):")
    for name in result["survivors"]:
        print("  " + name)


def line(label: str, counts: Counter) -> str:
    mutants, killed, equivalent = sum(counts.values()), counts["killed"], counts["equivalent"]
    score = f"{100 * killed / (mutants - equivalent):.1f}%" if mutants > equivalent else "–"
    return (f"{label:40} {mutants:7d} {killed:7d} {counts['survived']:8d} {equivalent:6d} {counts['no tests']:8d} "
            f"{counts['not checked']:9d} {score:>6}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--modules", default=",".join(CORE), help="comma-separated core modules (default: all)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/diffbench-mutation"),
                        help="scratch folder for the mutated copy (replaced only if this tool made it)")
    parser.add_argument("--jobs", type=int, default=2, help="mutants tested in parallel")
    parser.add_argument("--time-limit", type=float, default=1800.0, help="seconds before mutmut is stopped")
    parser.add_argument("--tests", default="", help="comma-separated test files instead of the modules' own")
    parser.add_argument("--report-only", action="store_true", help="tally an earlier run in --workdir")
    args = parser.parse_args(argv)
    modules = [m.strip() for m in args.modules.split(",") if m.strip()]
    unknown = [m for m in modules if m not in CORE]
    if unknown or args.jobs < 1 or args.time_limit <= 0:
        parser.error(f"unknown module(s) {', '.join(unknown)}; core: {', '.join(CORE)}" if unknown
                     else "--jobs must be >= 1 and --time-limit > 0")
    try:
        import mutmut  # noqa: F401
    except ImportError:
        print("error: mutmut is not installed: pip install -e '.[mutation]'", file=sys.stderr)
        return 2
    if args.report_only:
        finished = True
    else:
        folder = scratch(args.workdir)
        configure(folder, modules, [t.strip() for t in args.tests.split(",") if t.strip()])
        finished = run_mutmut(folder, args.jobs, args.time_limit)
    report(args.workdir, tally(args.workdir, modules), finished)
    return 0


if __name__ == "__main__":
    sys.exit(main())
