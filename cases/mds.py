"""The multidimensional-scaling loss L(W) = sum_ij V_ij (||W_i - W_j||^2 - D_ij)^2, unweighted and weighted."""
import numpy as np

from diffbench.case import Case


def mds_loss(o, W, D):
    N = o.shape(W)[0]
    squared_norms = o.sum(W * W, axis=1)
    # ||W_i - W_j||^2 = |W_i|^2 + |W_j|^2 - 2 <W_i, W_j>  (NB: the Gram form, O(N^2 d) without an N x N x d array)
    distances = o.reshape(squared_norms, (N, 1)) + o.reshape(squared_norms, (1, N)) - 2 * o.matmul(W, o.transpose(W))
    residual = distances - D
    return o.sum(residual * residual)


def weighted_mds_loss(o, W, D, V):
    N = o.shape(W)[0]
    squared_norms = o.sum(W * W, axis=1)
    distances = o.reshape(squared_norms, (N, 1)) + o.reshape(squared_norms, (1, N)) - 2 * o.matmul(W, o.transpose(W))
    residual = distances - D
    return o.sum(V * residual * residual)


def mds_gradient(W, D):
    """Row k: 4 sum_j (r_kj + r_jk)(W_k - W_j), r_ij = ||W_i - W_j||^2 - D_ij."""
    differences = W[:, None, :] - W[None, :, :]           # [k, j] = W_k - W_j
    r = np.sum(differences ** 2, axis=-1) - D
    return [4 * np.einsum("kj,kjd->kd", r + r.T, differences)]


def weighted_mds_gradient(W, D, V):
    """Row k: 4 sum_j (V_kj r_kj + V_jk r_jk)(W_k - W_j); V is not symmetric, so the transpose shows."""
    differences = W[:, None, :] - W[None, :, :]
    r = np.sum(differences ** 2, axis=-1) - D
    weighted = V * r
    return [4 * np.einsum("kj,kjd->kd", weighted + weighted.T, differences)]


def mds_inputs(rng, N, d):
    truth = rng.standard_normal((N, d))
    D = np.sum((truth[:, None, :] - truth[None, :, :]) ** 2, axis=-1)
    return {"W": rng.standard_normal((N, d)), "D": D}


def weighted_mds_inputs(rng, N, d):
    """The unweighted inputs plus unequal, non-symmetric positive weights V_ij in [0.5, 2]."""
    return {**mds_inputs(rng, N, d), "V": rng.uniform(0.5, 2.0, (N, N))}


def check_weighted_mds(W, D, V, N, d):
    if V.shape != (N, N) or (V < 0).any():
        return f"V must be {N}x{N} with non-negative entries, got shape {V.shape}"
    return check_mds(W, D, N, d)


def check_mds(W, D, N, d):
    if D.shape != (N, N):
        return f"D must be {N}x{N}, got {D.shape}"
    if not np.allclose(D, D.T) or (D < 0).any():
        return "D must be symmetric with non-negative entries"
    return None


CASES = (
    Case(
        name="mds",
        fn=mds_loss,
        make_inputs=mds_inputs,
        wrt=("W",),
        sweep="N", values=(5, 50, 200), quick_values=(5, 10), full_values=(5, 50, 200, 1000),
        fixed={"d": 2},
        check_params=lambda N, d: None if int(N) == N and N >= 2 and d >= 1 else f"parameter N={N} must be >= 2",
        check_inputs=check_mds,
        analytic=mds_gradient,
        second_order_inputs=10,
        note=r"Find $\nabla_W \sum_{i,j} (\|W_i - W_j\|^2 - D_{ij})^2$. "
             r"Answer: row $k$ is $4 \sum_j (r_{kj} + r_{jk})(W_k - W_j)$, $r_{ij} = \|W_i - W_j\|^2 - D_{ij}$.",
    ),
    Case(
        name="mds_weighted",
        fn=weighted_mds_loss,
        make_inputs=weighted_mds_inputs,
        wrt=("W",),
        sweep="N", values=(5, 50), quick_values=(5, 10), full_values=(5, 50, 200),
        fixed={"d": 2},
        check_params=lambda N, d: None if int(N) == N and N >= 2 and d >= 1 else f"parameter N={N} must be >= 2",
        check_inputs=check_weighted_mds,
        analytic=weighted_mds_gradient,
        note=r"Find $\nabla_W \sum_{i,j} V_{ij} (\|W_i - W_j\|^2 - D_{ij})^2$ for unequal weights $V_{ij} \ne V_{ji}$. "
             r"Answer: row $k$ is $4 \sum_j (V_{kj} r_{kj} + V_{jk} r_{jk})(W_k - W_j)$.",
    ),
)
