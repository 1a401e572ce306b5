"""A run's parent process plans, schedules and assembles without importing torch or sympy (its workers do)."""
import json
import os
import subprocess
import sys

import pandas as pd

from diffbench.methods import METHODS, REGISTRY, described, expects_timeout

# Runs `diffbench ARGS` in this interpreter, then prints which of torch and sympy the parent imported.
# NB: the __main__ guard matters: forkserver workers re-import __main__.
WRAPPER = """
import json, sys
if __name__ == "__main__":
    from diffbench.cli import main
    try:
        main(sys.argv[1:])
    except SystemExit as stop:
        code = stop.code
    print(json.dumps({"exit": code, "heavy": [m for m in ("torch", "sympy") if m in sys.modules]}), file=sys.stderr)
"""


def test_registry_says_which_methods_time_out_as_their_modules_do():
    for name in REGISTRY:
        method = METHODS[name]
        assert expects_timeout(name) is method.expected_timeout, name
        summary = described(name)
        assert (summary.name, summary.kind, summary.expected_timeout) == (name, method.kind, method.expected_timeout)
    assert expects_timeout("sympy") and not expects_timeout("tape_reverse")


def test_a_run_with_sympy_and_torch_leaves_them_to_its_workers(tmp_path):
    done = subprocess.run([sys.executable, "-c", WRAPPER, "run", "--quick", "--only", "logistic", "--methods",
                           "sympy,torch,tape_reverse", "--no-report", "--out", str(tmp_path)],
                          capture_output=True, text=True, timeout=300, env=os.environ.copy())
    seen = json.loads(done.stderr.strip().splitlines()[-1])
    assert seen["exit"] == 0, done.stdout[-2000:]
    assert seen["heavy"] == []
    (run_dir,) = [d for d in tmp_path.iterdir() if d.is_dir()]
    results = pd.read_csv(run_dir / "results.csv")
    ok = results[results.status == "ok"]
    assert set(ok.method) == {"sympy", "torch", "tape_reverse"}
    assert (ok.correct_digits > 12).all()   # the logistic map's derivative, well within float64's floor
