"""Wall-clock timing: median per-call time of a callable over a few timed batches."""
import time


SLOW_CALL_S = 0.02    # calls at least this slow are timed in FEW_REPEATS batches (one call each)
FEW_REPEATS = 3


def measure(fn, repeats: int = 5, min_batch_s: float = 0.002, budget_s: float = 1.0,
            first: float | None = None) -> float:
    """Median seconds per call: batches of enough calls to last min_batch_s, at most ~budget_s in all.

    first: the seconds of a call already made (the warm-up); without it one call is made first, untimed.
    NB: a call of SLOW_CALL_S or more is timed in at most FEW_REPEATS batches: its own length already
    averages out the clock's jitter, and five repeats made most of a default run's method time."""
    if first is None:
        start = time.perf_counter()
        fn()
        first = time.perf_counter() - start
    if first * repeats > budget_s:
        return first  # NB: slow calls are timed once rather than blowing the job's budget
    if first >= SLOW_CALL_S:
        repeats = min(repeats, FEW_REPEATS)
    loops = max(1, int(min_batch_s / max(first, 1e-9)))
    loops = min(loops, max(1, int(budget_s / repeats / max(first, 1e-9))))
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(loops):
            fn()
        times.append((time.perf_counter() - start) / loops)
    times.sort()
    return times[len(times) // 2]


def timed(fn, repeats: int = 5, slow_s: float = 0.2):
    """(first result, seconds per call): a slow call is timed once, a fast one by `measure`; a call of
    SLOW_CALL_S or more is its own warm-up (a fast one gets a second, so its batch size is not set by a
    cold first call)."""
    start = time.perf_counter()
    result = fn()
    first = time.perf_counter() - start
    if first > slow_s:
        return result, first
    return result, measure(fn, repeats, first=first if first >= SLOW_CALL_S else None)


class Stopwatch:
    """with Stopwatch() as sw: ...; sw.seconds"""

    def __enter__(self):
        self._start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self._start
        return False


def function_times(case, points, params) -> list[float]:
    """measure() of one plain float64 evaluation of the case's f at each point; NaN where f raises (the method's
    own run reports that failure)."""
    from diffbench.backends import FloatOps
    ops = FloatOps()
    times = []
    for inputs in points:
        try:
            times.append(measure(lambda: case.call(ops, inputs, params)))
        except Exception:  # noqa: BLE001 - see the docstring
            times.append(float("nan"))
    return times
