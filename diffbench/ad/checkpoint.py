"""Checkpointed reverse mode for chains s_{i+1} = step(s_i, i): keep every k-th state, recompute the rest.

Following Griewank & Walther's checkpointing and Chen et al. (2016, "Training deep nets with sublinear
memory cost"): one plain forward pass keeps the states s_0, s_k, s_2k, ...; the backward pass then walks
the segments last-first, records each segment again on a fresh tape from its checkpoint and pulls the
adjoint through it. Memory: the checkpoints plus one segment's tape; cost: one extra forward pass.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from diffbench.ad.reverse import Tape, Var


@dataclass(frozen=True)
class ChainStats:
    """What one chain gradient kept and did."""
    steps: int                 # n, the chain's length
    every: int | None          # k: a checkpoint every k steps (None: one tape over the whole chain)
    checkpoints: int           # states kept between the passes
    stored_bytes: int          # peak bytes held for the backward pass: checkpoints + the largest tape
    steps_evaluated: int       # step evaluations in all (n without checkpoints, 2n with them)


def sqrt_every(n: int) -> int:
    """k = ceil(sqrt(n)): about sqrt(n) checkpoints of sqrt(n)-step segments."""
    return max(1, math.isqrt(n - 1) + 1) if n > 1 else 1


def _nbytes(value) -> int:
    return int(getattr(value, "nbytes", 8))


def _run_segment(step, base, start_state, first: int, last: int, loss=None):
    """A tape holding steps first..last-1 from start_state (and the loss after them, if given)."""
    tape = Tape(base)
    x = tape.var(start_state, "s")
    state = x
    for i in range(first, last):
        state = step(tape, state, i)
    out = loss(tape, state) if loss is not None else state
    return tape, x, out


def _pull(tape: Tape, x: Var, out, seed, like):
    if not isinstance(out, Var):
        return like * 0
    adjoint = tape.backward(out, seed, keep=frozenset((x.index,)))[x.index]
    return like * 0 if adjoint is None else adjoint


def chain_grad(step, base, x0, n: int, loss, every: int | None = None):
    """(loss value, d loss / d s_0, ChainStats) for s_n = step(...step(s_0, 0)..., n-1), loss(o, s_n) scalar.

    step(o, state, i) and loss(o, state) are written against the ops namespace `o`, like a case.
    every=None records the whole chain on one tape; every=k keeps every k-th state and recomputes.
    """
    if n < 1:
        raise ValueError(f"the chain needs n >= 1 steps, got n={n}")
    if every is None:
        tape, x, out = _run_segment(step, base, x0, 0, n, loss)
        value = out.primal if isinstance(out, Var) else out
        gradient = _pull(tape, x, out, base.const(1), x0)
        return value, gradient, ChainStats(n, None, 0, tape.stored_bytes(), n)
    if every < 1:
        raise ValueError(f"checkpoint spacing must be >= 1, got every={every}")
    checkpoints = {}
    state = x0
    for i in range(n):
        if i % every == 0:
            checkpoints[i] = state
        state = step(base, state, i)
    kept_bytes = sum(_nbytes(s) for s in checkpoints.values())
    # The loss is the last "segment": its tape turns the seed 1 into the adjoint of s_n.
    tape, x, out = _run_segment(step, base, state, n, n, loss)
    value = out.primal if isinstance(out, Var) else out
    adjoint = _pull(tape, x, out, base.const(1), state)
    largest = tape.stored_bytes()
    for first in sorted(checkpoints, reverse=True):
        last = min(first + every, n)
        tape, x, out = _run_segment(step, base, checkpoints[first], first, last)
        adjoint = _pull(tape, x, out, adjoint, checkpoints[first])
        # NB: the segment tape holds its start state, already counted among the checkpoints.
        largest = max(largest, tape.stored_bytes() - _nbytes(checkpoints[first]))
        del tape, x, out
    return value, adjoint, ChainStats(n, every, len(checkpoints), kept_bytes + largest, 2 * n)
