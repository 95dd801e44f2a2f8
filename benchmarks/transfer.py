"""Transfer functions at arbitrary points: Cauchy sums against NumPy broadcasting."""

import numpy as np

import lti_ops
from benchmarks._case import OURS, Case, optional_peers


def broadcast_cauchy(lam, v, z, xp=np):
    """sum_n v/(z - lam) + conj(v)/(z - conj lam) with the (H, N, K) arrays (`xp`: numpy,
    torch or jax.numpy)."""
    v = v[..., None]
    return xp.sum(v / (z - lam[..., None]) + xp.conj(v) / (z - xp.conj(lam)[..., None]), axis=-2)


def torch_cauchy(lam, v, z):
    import torch

    torch.set_num_threads(2)
    lt, vt, zt = (torch.from_numpy(np.ascontiguousarray(a)) for a in (lam, v, z))
    return lambda: torch.sum(vt[..., None] / (zt - lt[..., None]) + vt.conj()[..., None] / (zt - lt.conj()[..., None]), dim=-2)


def jax_cauchy(lam, v, z):
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)  # complex128, as ours
    f = jax.jit(lambda lam, v, z: broadcast_cauchy(lam, v, z, jnp))
    args = tuple(jnp.asarray(a) for a in (lam, v, z))
    return lambda: f(*args).block_until_ready()


def diagonal_case(quick):
    H, N, K = (64, 64, 1024) if quick else (256, 64, 4096)
    ssm = lti_ops.s4d_init("inv", N, H=H, rng=0)  # N states = N/2 conj pairs, complex128
    rng = np.random.default_rng(0)
    z = np.exp(1j * rng.uniform(0, np.pi, K)) * rng.uniform(0.5, 2, K)  # arbitrary points
    lam, v = ssm.lam, ssm.C[..., 0, :] * ssm.B[..., 0]
    return Case(
        f"diagonal transfer function H={H} N={N} K={K} points c128",
        {
            OURS: lambda: lti_ops.transfer_function(ssm, z)[:, 0, 0],
            "numpy broadcast Cauchy": lambda: broadcast_cauchy(lam, v, z),
            **optional_peers(**{"torch broadcast Cauchy": lambda: torch_cauchy(lam, v, z),
                                "jax.jit broadcast Cauchy": lambda: jax_cauchy(lam, v, z)}),
        },
        bars={"numpy broadcast Cauchy": 25},
        note="kernel='xp' left out: about a minute per call at this size",
        work=H * K * (N // 2),  # one division per node and conjugate pair (the Cauchy kernels' bound)
        peak="div_f64",
    )


def cases(quick):
    return [diagonal_case(quick)]
