"""The tape's capabilities against torch, mpmath and closed forms: gradients, Jacobians, HVPs, Hessians,
Hutchinson's trace estimator, checkpointing and the stored-bytes accounting."""
import numpy as np
import pandas as pd
import pytest
import torch

from diffbench.ad import api
from diffbench.ad.checkpoint import chain_grad, sqrt_every
from diffbench.ad.kernels import FLOAT_KERNELS
from diffbench.ad.reverse import Tape
from diffbench.backends import FloatOps, MpOps, TorchOps
from diffbench.case import load_cases
from diffbench.casekit import spd
from diffbench.experiments import checkpoint as checkpoint_experiment
from diffbench.experiments import hutchinson as hutchinson_experiment
from diffbench.experiments import jacobian as jacobian_experiment
from diffbench.reference import reference

CASES = load_cases()
# Every seed case at a size whose mpmath reference takes well under a second.
SEED = {"trace_example": None, "logistic": 4, "log_quadratic": 10, "logdet": 5, "linear_minus_logdet": 5, "mds": 5}
TOLERANCE = 1e-13   # relative, norm-wise: the bar for the tape against torch and mpmath
DPS = 40
H = "1e-15"         # the mpmath central-difference step: error ~h^2 = 1e-30, rounding ~1e-40/h = 1e-25


def relative(a, b) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    scale = np.linalg.norm(b.ravel())
    return float(np.linalg.norm((a - b).ravel()) / (scale if scale else 1.0))


def flat(parts):
    return np.concatenate([np.asarray(p, dtype=np.float64).reshape(-1) for p in parts])


def setup(name, seed=0, point=1):
    case = CASES[name]
    params = case.params(SEED[name])
    inputs = case.inputs(seed, params, point)
    xs, data = case.split(inputs)
    return case, params, inputs, xs, data


def torch_function(case, params, data):
    ops = TorchOps()
    f = case.bind({k: ops.asarray(v) for k, v in data.items()}, params)
    return lambda *z: f(ops, *z)


def mp_gradient(case, params, data, mp):
    f = case.bind({k: mp.asarray(v) for k, v in data.items()}, params)
    return lambda xs: flat_object(api.grad(f, mp, xs))


def flat_object(parts):
    return np.concatenate([np.asarray(p, dtype=object).reshape(-1) for p in parts])


def mp_hvp(case, params, xs, data, vectors):
    """∇²f v as (∇f(x + hv) − ∇f(x − hv)) / 2h at 40 digits: first-order rules only, no forward-over-reverse."""
    mp = MpOps(DPS)
    gradient = mp_gradient(case, params, data, mp)
    h = mp.ctx.mpf(H)
    xs_mp = [mp.asarray(x) for x in xs]
    shift = [mp.asarray(v) * h for v in vectors]
    plus = gradient([x + s for x, s in zip(xs_mp, shift)])
    minus = gradient([x - s for x, s in zip(xs_mp, shift)])
    return mp.to_float((plus - minus) / (2 * h))


def rademacher(xs, seed):
    rng = np.random.default_rng(seed)
    return [np.float64(rng.choice([-1.0, 1.0])) if np.ndim(x) == 0 else rng.choice([-1.0, 1.0], size=np.shape(x))
            for x in xs]


@pytest.mark.parametrize("name", SEED)
def test_gradient_and_jacobians_match_mpmath_and_torch(name):
    case, params, inputs, xs, data = setup(name)
    ref = reference(case, params, inputs, np.random.default_rng(0), dps=DPS)
    assert ref["digits"] > 20   # the two mpmath routes agree, so the reference itself is sound
    truth = ref["hi"].reshape(-1)
    gradient = flat(api.grad(case.bind(data, params), FloatOps(), xs))
    jac_rev, _ = api.jacrev(case.bind(data, params), FloatOps(), xs)
    jac_fwd = api.jacfwd(case.bind(data, params), FloatOps(), xs)
    leaves = [TorchOps().asarray(x, requires_grad=True) for x in xs]
    torch_gradient = flat([g.detach().numpy() for g in
                           torch.autograd.grad(torch_function(case, params, data)(*leaves), leaves)])
    for got in (gradient, jac_rev.reshape(-1), jac_fwd.reshape(-1)):
        assert relative(got, truth) <= TOLERANCE
        assert relative(got, torch_gradient) <= TOLERANCE


@pytest.mark.parametrize("name", SEED)
def test_hvp_matches_mpmath_and_torch(name):
    case, params, inputs, xs, data = setup(name)
    vectors = rademacher(xs, 7)
    got = flat(api.hvp(case.bind(data, params), FloatOps(), xs, vectors))
    truth = mp_hvp(case, params, xs, data, vectors)
    tops = TorchOps()
    _, torch_hvp = torch.autograd.functional.hvp(torch_function(case, params, data),
                                                 tuple(tops.asarray(x) for x in xs),
                                                 tuple(tops.asarray(v) for v in vectors))
    assert relative(got, truth) <= TOLERANCE
    assert relative(got, flat([t.numpy() for t in torch_hvp])) <= TOLERANCE


@pytest.mark.parametrize("name", ["trace_example", "logistic", "log_quadratic", "logdet", "mds"])
def test_hessian_matches_mpmath_and_torch(name):
    case, params, inputs, xs, data = setup(name)
    hessian = api.hessian(case.bind(data, params), FloatOps(), xs)
    sizes = [int(np.size(x)) for x in xs]
    columns = []
    for j in range(sum(sizes)):
        e = np.zeros(sum(sizes))
        e[j] = 1.0
        parts = np.split(e, np.cumsum(sizes)[:-1])
        columns.append(mp_hvp(case, params, xs, data, [p.reshape(np.shape(x)) for p, x in zip(parts, xs)]))
    truth = np.stack(columns, axis=1)
    tops = TorchOps()
    torch_parts = torch.autograd.functional.hessian(torch_function(case, params, data),
                                                    tuple(tops.asarray(x) for x in xs))
    torch_hessian = np.block([[np.asarray(torch_parts[i][j]).reshape(sizes[i], sizes[j]) for j in range(len(xs))]
                              for i in range(len(xs))])
    assert relative(hessian, truth) <= TOLERANCE
    assert relative(hessian, torch_hessian) <= TOLERANCE
    assert np.allclose(hessian, hessian.T, rtol=1e-13, atol=0)


def test_hessian_of_quadratic_form_is_A_plus_A_transpose():
    rng = np.random.default_rng(3)
    A, x = rng.standard_normal((6, 6)), rng.standard_normal(6)   # not symmetric on purpose
    hessian = api.hessian(lambda o, x: o.dot(x, o.matvec(A, x)), FloatOps(), [x])
    np.testing.assert_allclose(hessian, A + A.T, rtol=1e-15, atol=1e-15)


@pytest.mark.parametrize("symmetric", [True, False])
def test_hessian_of_minus_logdet_acts_as_inverse_sandwich(symmetric):
    """∇²(−log det X)[V] = X^-T V^T X^-T for general X (= X^-1 V X^-1 for symmetric X and V)."""
    rng = np.random.default_rng(4)
    X = spd(rng, 5, condition=10.0)
    if not symmetric:
        X = X + 0.1 * rng.standard_normal((5, 5))   # the LU path of the logdet kernel
    V = rng.standard_normal((5, 5))
    V = (V + V.T) / 2 if symmetric else V
    (got,) = api.hvp(lambda o, X: -o.logdet(X), FloatOps(), [X], [V])
    inverse = np.linalg.inv(X)
    expected = inverse @ V @ inverse if symmetric else inverse.T @ V.T @ inverse.T
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)


def test_logdet_kernel_agrees_with_the_generic_rule():
    X = spd(np.random.default_rng(5), 30, condition=10.0)
    value, factor = FLOAT_KERNELS["logdet"].forward(X)
    assert factor is not None   # symmetric positive definite: the Cholesky path
    assert value == pytest.approx(np.linalg.slogdet(X)[1], rel=1e-14)
    (gradient,) = api.grad(lambda o, X: o.logdet(X), FloatOps(), [X])
    assert relative(gradient, np.linalg.inv(X).T) <= 1e-14
    not_symmetric = X + np.triu(np.full_like(X, 1e-3), 1)
    assert FLOAT_KERNELS["logdet"].forward(not_symmetric)[1] is None
    (gradient,) = api.grad(lambda o, X: o.logdet(X), FloatOps(), [not_symmetric])
    assert relative(gradient, np.linalg.inv(not_symmetric).T) <= 1e-13


def test_vector_jacobian_by_both_modes_matches_torch():
    data = jacobian_experiment.problem(7, 5)
    f = lambda o, x: jacobian_experiment.two_layer(o, x, data["A"], data["B"])  # noqa: E731
    forward = api.jacfwd(f, FloatOps(), [data["x"]])
    reverse, _ = api.jacrev(f, FloatOps(), [data["x"]])
    A, B, x = (torch.tensor(data[k]) for k in ("A", "B", "x"))
    expected = torch.func.jacrev(lambda z: B @ torch.tanh(A @ z))(x).numpy()
    closed_form = data["B"] * (1 - np.tanh(data["A"] @ data["x"]) ** 2) @ data["A"]   # B diag(1 - tanh²) A
    assert forward.shape == reverse.shape == (5, 7)
    for got in (forward, reverse):
        assert relative(got, expected) <= TOLERANCE
        assert relative(got, closed_form) <= TOLERANCE


def test_crossover_is_found_where_reverse_stops_winning():
    table = pd.DataFrame(
        [{"implementation": "tape", "ad_mode": mode, "m_over_n": r, "seconds": s}
         for r, fwd, rev in [(0.1, 1.0, 0.1), (1.0, 1.0, 0.5), (10.0, 1.0, 2.0)]
         for mode, s in (("forward", fwd), ("reverse", rev))])
    found = jacobian_experiment.crossovers(table).iloc[0]
    assert found["found"]
    # log(rev/fwd) runs from log 0.5 at 1 to log 2 at 10: zero halfway in log m/n, at sqrt(10)
    assert found["crossover_m_over_n"] == pytest.approx(np.sqrt(10.0), rel=1e-12)


def test_crossover_table_times_every_mode_and_agrees():
    table = jacobian_experiment.crossover_table(n=6, sizes=(2, 12), budget_s=0.05)
    assert set(table["ad_mode"]) == {"forward", "reverse"} and set(table["implementation"]) == {"tape", "torch"}
    assert (table["seconds"] > 0).all()
    assert (table["max_abs_diff"] <= 1e-14).all()


def test_hutchinson_is_exact_for_a_diagonal_hessian_and_unbiased_otherwise():
    rng = np.random.default_rng(0)
    # Σ x_i^3: H = diag(6x), so every Rademacher sample vᵀHv = Σ 6 x_i exactly.
    x = rng.standard_normal(8)
    estimate, samples = api.hutchinson(lambda o, x: o.sum(x * x * x), FloatOps(), [x], 5, rng)
    assert estimate == pytest.approx(6 * x.sum(), rel=1e-13)
    np.testing.assert_allclose(samples, 6 * x.sum(), rtol=1e-13)
    # xᵀAx: Tr H = 2 Tr A; the mean of 4000 samples lies within 5 standard errors (variance 2‖H‖²_F off-diagonal).
    A = spd(rng, 6, condition=5.0)
    estimate, samples = api.hutchinson(lambda o, x: o.dot(x, o.matvec(A, x)), FloatOps(), [x[:6]], 4000, rng)
    Hm = 2 * A
    standard_error = np.sqrt(2 * (np.sum(Hm * Hm) - np.sum(np.diag(Hm) ** 2)) / 4000)
    assert abs(estimate - 2 * np.trace(A)) < 5 * standard_error


def test_hutchinson_error_table_follows_one_over_root_v():
    table = hutchinson_experiment.error_table(points={"log_quadratic": 10, "logistic": 4},
                                              sample_counts=(1, 64), repeats=24)
    logistic = table[table["case"] == "logistic"]
    assert (logistic["rms_relative_error"] == 0).all()   # one input: vᵀHv = H for v = ±1
    quadratic = table[table["case"] == "log_quadratic"].set_index("samples")
    facts = hutchinson_experiment.hessian_facts(CASES["log_quadratic"], {"n": 10},
                                                CASES["log_quadratic"].inputs(0, {"n": 10}, 0))
    assert quadratic.loc[64, "theory_relative_error"] == pytest.approx(
        np.sqrt(facts["variance_one"] / 64) / abs(facts["trace"]), rel=1e-12)
    # 24 repeats: the measured RMS error is within a factor 2 of theory's sqrt(variance / V) at V = 1 and 64.
    ratio = quadratic["rms_relative_error"] / quadratic["theory_relative_error"]
    assert ((ratio > 0.5) & (ratio < 2.0)).all()


def logistic_step(o, s, i):
    return 3.5 * s * (1 - s)


@pytest.mark.parametrize("every", [1, 3, 7, 10, 100])
def test_checkpointed_gradient_equals_one_tape(every):
    x0 = np.random.default_rng(1).uniform(0.1, 0.9, 50)
    loss = lambda o, s: o.sum(s * s)  # noqa: E731
    value, gradient, _ = chain_grad(logistic_step, FloatOps(), x0, 100, loss)
    value_k, gradient_k, stats = chain_grad(logistic_step, FloatOps(), x0, 100, loss, every=every)
    assert value_k == value
    np.testing.assert_array_equal(gradient_k, gradient)   # the same operations in the same order
    assert stats.checkpoints == -(-100 // every) and stats.steps_evaluated == 200


def test_checkpointed_logistic_chain_matches_mpmath():
    x0 = np.array([0.2, 0.7])
    _, gradient, _ = chain_grad(logistic_step, FloatOps(), x0, 12, lambda o, s: o.sum(s), every=sqrt_every(12))
    mp = MpOps(DPS)
    truth = mp_gradient_chain(mp, x0, 12)
    assert relative(gradient, truth) <= TOLERANCE


def mp_gradient_chain(mp, x0, n):
    """d l_n / d l_0 = Π 3.5 (1 − 2 l_k), at 40 digits, by the chain rule written out."""
    out = []
    for x in x0:
        l, derivative = mp.ctx.mpf(float(x)), mp.ctx.mpf(1)
        for _ in range(n):
            derivative *= mp.ctx.mpf("3.5") * (1 - 2 * l)
            l = mp.ctx.mpf("3.5") * l * (1 - l)
        out.append(float(derivative))
    return np.array(out)


def test_checkpoint_stored_bytes_are_counted_exactly():
    """A step 3.5*s*(1-s) stores 3 new arrays of 8w bytes (3.5 s, 1 - s, the next state) and the float 3.5."""
    w, n = 100, 64
    x0 = np.full(w, 0.3)
    _, _, whole = chain_grad(logistic_step, FloatOps(), x0, n, lambda o, s: o.sum(s))
    per_state = 8 * w
    # one tape: s_0, 3 arrays per step, the constant 3.5 once (8 bytes) and the loss's scalar (8 bytes)
    assert whole.stored_bytes == per_state * (1 + 3 * n) + 8 + 8
    _, _, root = chain_grad(logistic_step, FloatOps(), x0, n, lambda o, s: o.sum(s), every=8)
    # 8 checkpoints, and the largest tape is one 8-step segment without its start state (a checkpoint)
    assert root.stored_bytes == 8 * per_state + 3 * 8 * per_state + 8
    assert root.stored_bytes < whole.stored_bytes / 6   # 32 states instead of 193


def test_checkpoint_tradeoff_table_is_measured():
    table = checkpoint_experiment.tradeoff_table([checkpoint_experiment.logistic_chain(n=16, width=10),
                                                  checkpoint_experiment.mlp_chain(n=9, width=4, batch=3)], repeats=1)
    assert set(table["every"]) >= {"none", "4", "3"}
    assert (table["max_gradient_difference"] == 0).all()
    root = table[table["label"].str.contains("√")]
    assert (root["memory_ratio"] < 1).all()
    assert (table["traced_peak_bytes"] > 0).all()


def test_grad_releases_the_tape_and_vjp_keeps_it():
    x = np.arange(1.0, 4.0)
    _, pullback, tape = api.vjp(lambda o, x: o.sum(x * x), FloatOps(), [x])
    np.testing.assert_array_equal(pullback(1.0)[0], 2 * x)
    np.testing.assert_array_equal(pullback(2.0)[0], 4 * x)   # a recorded tape serves many sweeps
    assert tape.stored_bytes() == 3 * 8 + 3 * 8 + 8           # x, x*x, and the sum
    tape = Tape(FloatOps())
    v = tape.var(x)
    out = tape.sum(v * v)
    tape.backward(out, 1.0, release=True)
    with pytest.raises(RuntimeError, match="released"):
        tape.backward(out, 1.0)
