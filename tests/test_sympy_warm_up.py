"""sympy's one-time lazy imports are made before anything is timed: in the workers' fork server, and by run()."""
import json
import subprocess
import sys

from diffbench.runner.executor import LocalExecutor, Limits
from diffbench.runner.scheduler import Task, run_tasks

# Built-in cases whose expressions reach the ops sympy builds lazily: Piecewise (where), Max (amax), a
# matrix determinant, sqrt, log and exp, tanh.
PROBE_CASES = [("logistic", 2), ("feedforward_3_5", None), ("softmax", None), ("logdet", 2), ("mds", 5),
               ("cross_entropy_naive", 0), ("two_layer_tanh", None), ("expm1_over_x", None)]

PROBE = """
import json, sys
import diffbench.runner.worker
from diffbench.methods.symbolic import SYMPY, warm_up
from diffbench.runner.catalog import case_files
from diffbench.runner.worker import _cases_in
if {warm}:
    warm_up()
before = set(sys.modules)
cases = {{name: case for source in case_files(None) for name, case in _cases_in(source).items()}}
imported = {{}}
for name, value in {cases}:
    case = cases[name]
    params = case.params(value if value is not None else case.sweep_values("quick")[0])
    known = set(sys.modules)
    SYMPY.run(case, params, [case.inputs(0, params, 0)], None)
    imported[name] = sorted(m for m in set(sys.modules) - known if m.split(".")[0] == "sympy")
print(json.dumps(imported))
"""


def sympy_modules_each_job_imports(warm: bool) -> dict:
    """In a fresh interpreter (as a worker starts): {case: sympy modules its sympy job imported}."""
    script = PROBE.format(warm=warm, cases=PROBE_CASES)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_after_the_warm_up_no_sympy_job_imports_a_sympy_module():
    cold = sympy_modules_each_job_imports(warm=False)
    # what the warm-up is for: the first job of a fresh process imports parts of sympy inside its timed phases
    assert "sympy.codegen.ast" in cold["logistic"] and "sympy.combinatorics" in cold["logistic"]
    assert sympy_modules_each_job_imports(warm=True) == {name: [] for name, _ in PROBE_CASES}


def test_the_warm_up_leaves_sympys_cache_empty():
    script = ("import sympy.core.cache as c\nfrom diffbench.methods.symbolic import warm_up\nwarm_up()\n"
              "print(sum(f.cache_info().currsize for f in c.CACHE))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["0"]


def warm_state() -> tuple:
    """In a worker, before it runs anything of sympy: was the warm-up run, and are its imports made?"""
    from diffbench.methods.symbolic import warm_up
    return warm_up.cache_info().currsize, "sympy.codegen.ast" in sys.modules, "sympy.combinatorics" in sys.modules


def test_the_fork_server_warms_sympy_before_it_forks_a_worker():
    seen = {}
    run_tasks([Task("warm", warm_state, (), Limits(60, 1024), "warm state")], LocalExecutor(1),
              lambda task, outcome, seconds: seen.__setitem__(task.key, outcome))
    assert seen["warm"] == (1, True, True)
