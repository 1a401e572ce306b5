"""What a case is (a function written once against the ops namespace, plus its inputs) and how cases load."""
from __future__ import annotations

import importlib.util
import inspect
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import numpy as np


class DomainError(ValueError):
    """An input or parameter outside the function's domain; the message names the case and parameter."""


@dataclass(frozen=True)
class Case:
    name: str
    fn: Callable                       # fn(o, **inputs, **params) -> scalar or array
    make_inputs: Callable              # make_inputs(rng, **params) -> {input name: float64 array}
    wrt: tuple[str, ...]               # the inputs differentiated (the rest are data)
    sweep: str | None = None           # the parameter swept, e.g. "n"
    values: tuple = ()                 # its values in a default run
    quick_values: tuple | None = None  # ... in a --quick run (default: the first two)
    full_values: tuple | None = None   # ... in a --full run (default: the default values)
    fixed: dict = field(default_factory=dict)       # parameters that are not swept
    canonical: Callable | None = None  # canonical(**params) -> inputs of point 0 (a published point)
    check_params: Callable | None = None   # check_params(**params) -> error text or None
    check_inputs: Callable | None = None   # check_inputs(**inputs, **params) -> error text or None
    points: int = 2                    # evaluation points per parameter value (point 0 = canonical)
    family: str = ""                   # the case module's name, filled by the loader
    source: str = ""                   # the file the case came from, filled by the loader
    note: str = ""                     # the task as a student would get it (Markdown)
    complex_ok: bool = True            # the float code accepts complex input (complex step applies)
    # The hand-derived answer in plain numpy, called as analytic(**inputs, **params it names):
    # a list of gradient arrays in wrt order (scalar f), or the Jacobian array (m outputs x n inputs,
    # inputs flattened in wrt order) for vector f. Scored like any method by methods/analytic.py.
    analytic: Callable | None = None
    # expect_nonfinite(**params) -> why float64 evaluation overflows there (text), else None: a NaN/inf
    # derivative at such parameters is the measured inaccuracy of the float form, not a failure of the run.
    expect_nonfinite: Callable | None = None
    # `run --order 2` scores this case's Hessian and HVPs while its one differentiated input has at most this
    # many entries (0: never). Only for scalar f of a single differentiated input (diffbench/second_order.py).
    second_order_inputs: int = 0

    @classmethod
    def from_function(cls, fn: Callable, inputs, sweep: dict | None = None, wrt=None, name: str | None = None,
                      points: int | None = None, analytic: Callable | None = None, dps: int = 50) -> "Case":
        """A case from fn(o, ...) alone. inputs: {name: value} (a fixed point; values as diffbench.compare
        takes them, decimal strings and Fractions kept exact for the reference) or make_inputs(rng, **params).
        sweep: {parameter: values}, e.g. {"n": (2, 4, 8)}. wrt: the inputs differentiated (default: fn's
        parameters after o without a default, the swept one aside). analytic: a hand-derived gradient,
        analytic(**inputs) -> list of arrays in wrt order, scored as the method "analytic"."""
        from diffbench.exact import ExactPoint, InputError, exact_inputs
        if not callable(fn):
            raise TypeError(f"Case.from_function needs a function f(o, ...), not {type(fn).__name__}")
        if sweep is not None and (not isinstance(sweep, dict) or len(sweep) != 1):
            raise ValueError("sweep: one parameter and its values, e.g. sweep={'n': (2, 4, 8)}")
        swept, values = next(iter(sweep.items())) if sweep else (None, ())
        signature = list(inspect.signature(fn).parameters.values())[1:]
        if wrt is None:
            wrt = [p.name for p in signature if p.default is inspect.Parameter.empty and p.name != swept]
            if isinstance(inputs, dict):
                wrt = [n for n in wrt if n in inputs] or list(inputs)
        canonical = None
        if isinstance(inputs, dict):
            exact, rounded = exact_inputs(inputs, dps)
            canonical = ExactPoint(exact, rounded)
            make_inputs, points = canonical, points or 1
        elif callable(inputs):
            make_inputs, points = inputs, points or 2
        else:
            raise InputError("inputs: a dict {name: value} or a function make_inputs(rng, **params)")
        missing = [n for n in wrt if isinstance(inputs, dict) and n not in inputs]
        if missing:
            raise InputError(f"inputs: no value for {', '.join(missing)}")
        title = name or getattr(fn, "__name__", "f")
        title = "f" if title == "<lambda>" else title
        return cls(name=title, fn=fn, make_inputs=make_inputs, wrt=tuple(wrt), sweep=swept,
                   values=tuple(values), quick_values=tuple(values) if sweep else None, canonical=canonical,
                   points=points, family=title, analytic=analytic)

    def sweep_values(self, mode: str = "default") -> tuple:
        if self.sweep is None:
            return (None,)
        if mode == "quick":
            return self.quick_values if self.quick_values is not None else self.values[:2]
        if mode == "full":
            return self.full_values if self.full_values is not None else self.values
        return self.values

    def params(self, value) -> dict:
        params = dict(self.fixed)
        if self.sweep is not None:
            params[self.sweep] = value
        return params

    def validate_params(self, params: dict) -> None:
        message = self.check_params(**params) if self.check_params else None
        if message:
            raise DomainError(f"case {self.name!r}: {message}")

    def inputs(self, seed: int, params: dict, point: int) -> dict:
        """The inputs of one point, from a generator seeded by (seed, case, parameter, point)."""
        self.validate_params(params)
        rng = point_rng(seed, self.name, params, point)
        if point == 0 and self.canonical is not None:
            inputs = {k: np.asarray(v, dtype=np.float64) for k, v in self.canonical(**params).items()}
            generated = self.make_inputs(rng, **params)
            inputs = {**generated, **inputs}
        else:
            inputs = self.make_inputs(rng, **params)
        inputs = {k: np.asarray(v, dtype=np.float64) for k, v in inputs.items()}
        message = self.check_inputs(**inputs, **params) if self.check_inputs else None
        if message:
            raise DomainError(f"case {self.name!r} at {describe(params)}, point {point}: {message}")
        return inputs

    def nonfinite_reason(self, params: dict) -> str | None:
        """Why a non-finite float64 result is expected at these parameters, or None."""
        return self.expect_nonfinite(**params) if self.expect_nonfinite else None

    def fn_params(self, params: dict) -> dict:
        """The parameters fn names in its signature (others only shape the inputs)."""
        accepted = inspect.signature(self.fn).parameters
        return {k: v for k, v in params.items() if k in accepted}

    def call(self, o, inputs: dict, params: dict):
        return self.fn(o, **inputs, **self.fn_params(params))

    def split(self, inputs: dict):
        """(list of differentiated inputs in wrt order, dict of data inputs)."""
        return [inputs[k] for k in self.wrt], {k: v for k, v in inputs.items() if k not in self.wrt}

    def bind(self, data: dict, params: dict) -> Callable:
        """f(o, *wrt_values) with the data and parameters fixed: what the AD transforms take."""
        names, fn, params = self.wrt, self.fn, self.fn_params(params)

        def f(o, *xs):
            return fn(o, **dict(zip(names, xs)), **data, **params)
        return f


def describe(params: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in params.items()) or "-"


def point_rng(seed: int, case_name: str, params: dict, point: int) -> np.random.Generator:
    """NB: the stream depends on the seed, the case's name, its parameters and the point index only."""
    key = zlib.crc32(f"{case_name}|{describe(params)}".encode())
    return np.random.default_rng([seed, key, point])


def load_case_file(path: Path) -> tuple[Case, ...]:
    """A case module is a plain Python file defining CASES = (Case(...), ...)."""
    path = Path(path)
    spec = importlib.util.spec_from_file_location(f"diffbench_user_cases.{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    cases = getattr(module, "CASES", None)
    if not isinstance(cases, (tuple, list)):
        raise ValueError(f"{path}: a case module must define CASES = (Case(...), ...)")
    return tuple(_fill(case, path) for case in cases)


def _fill(case: Case, path: Path) -> Case:
    return replace(case, family=case.family or path.stem, source=str(path))


def builtin_case_dir() -> Path:
    import diffbench_cases
    return Path(diffbench_cases.__file__).parent


def load_cases(directories=None) -> dict[str, Case]:
    """Every case of every *.py file (not starting with _) in the given folders, by name."""
    directories = [builtin_case_dir()] if not directories else [Path(d) for d in directories]
    cases: dict[str, Case] = {}
    for directory in directories:
        if not directory.is_dir():
            raise FileNotFoundError(f"case folder {directory} does not exist")
        for path in sorted(directory.glob("*.py")):
            if path.name.startswith("_"):
                continue
            for case in load_case_file(path):
                if case.name in cases:
                    raise ValueError(f"case {case.name!r} is defined twice ({cases[case.name].source}, {path})")
                cases[case.name] = case
    return cases
