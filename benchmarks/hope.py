"""HOPE frequency samples (Algorithm 1, steps 1-8) against the HOPE code's dense form and
Horner's rule compiled by JAX (``jax.jit``) and run by torch (eager), both on the
precomputed Möbius nodes (ours makes them in the call).

Work: n complex multiply-adds per node, 8 real flops each (four FMAs), H L n 8 in all;
the nodes and 1/w (O(H L)) are not counted.
"""

import numpy as np

import lti_ops
from benchmarks._case import OURS, Case
from lti_ops.hope import _nodes

JAX = "jax.jit Horner (lax.fori_loop)"


def hope_inputs(H, n, L, dtype="float32"):
    """Markov parameters (H, n), per-channel steps and the (H, L) Mobius nodes."""
    rng = np.random.default_rng(0)
    h = (rng.standard_normal((H, n)) / np.sqrt(n)).astype(dtype)
    dt = np.exp(rng.uniform(np.log(0.1), np.log(10.0), H)).astype(dtype)
    ctype = np.result_type(dtype, np.complex64)
    import array_api_compat.numpy as xp

    w = np.asarray(_nodes(xp, L, dt, ctype))
    return h, dt, w


def hope_dense(h, w):
    """The HOPE code's form: the (H, L, n) power tensor w^-(k+1) by broadcasting, then einsum."""
    k = np.arange(1, h.shape[-1] + 1, dtype=h.dtype)
    w_pows = w[..., None] ** -k  # (H, L, n)
    return np.einsum("hn,hln->hl", h.astype(w.dtype), w_pows)


def jax_horner():
    """``jax.jit`` of Horner in x = 1/w, ``acc = (acc + h_k) x``, as ``lax.fori_loop`` over k
    (measured faster on this CPU than the loop unrolled in the trace: 18 vs 26 ms at full
    size); None without JAX."""
    try:
        import jax
    except ImportError:
        return None

    @jax.jit
    def horner(h, w):
        x = 1 / w
        n = h.shape[1]

        def step(i, acc):
            return (acc + jax.lax.dynamic_slice_in_dim(h, n - 2 - i, 1, axis=1)) * x

        return jax.lax.fori_loop(0, n - 1, step, h[:, -1:] * x)

    return lambda h, w: horner(h, w).block_until_ready()


def torch_horner(h, w):
    """Horner in x = 1/w on torch tensors (eager, complex64, all intra-op threads)."""
    x = 1 / w
    acc = h[:, -1:] * x
    for k in range(h.shape[1] - 2, -1, -1):
        acc = (acc + h[:, k : k + 1]) * x
    return acc


def hope_case(quick):
    H, n, L = (64, 64, 1024) if quick else (256, 64, 4096)
    h, dt, w = hope_inputs(H, n, L)
    contenders = {
        OURS: lambda: lti_ops.hope_transfer(h, dt, L),
        "numpy einsum on the (H, L, n) powers": lambda: hope_dense(h, w),
        "lti_ops kernel='xp'": lambda: lti_ops.hope_transfer(h, dt, L, kernel="xp"),
    }
    bars = {"numpy einsum on the (H, L, n) powers": 10}
    jitted = jax_horner()
    if jitted is not None:
        import jax.numpy as jnp

        hj, wj = jnp.asarray(h.astype(w.dtype)), jnp.asarray(w)
        contenders[JAX] = lambda: jitted(hj, wj)
        bars[JAX] = 2
    try:
        import torch
    except ImportError:
        pass
    else:
        ht, wt = torch.from_numpy(h.astype(w.dtype)), torch.from_numpy(w)
        contenders["torch Horner (eager)"] = lambda: torch_horner(ht, wt)
    return Case(
        f"HOPE samples H={H} n={n} L={L} f32->c64",
        contenders,
        bars=bars,
        work=8.0 * H * L * n,
        peak="fma_f32",
    )


def cases(quick):
    return [hope_case(quick)]
