"""SSM kernels: S4D (diagonal, Vandermonde) and S4 (DPLR, Cauchy + Woodbury + iFFT)
against the naive NumPy forms of the S4 code and, for S4D, the strongest same-math peers: the
two-level (blocked Vandermonde) form as one batched GEMM in NumPy, torch and jax.jit."""

import numpy as np

import lti_ops
from benchmarks._case import OURS, Case, optional_peers

TWO_LEVEL_BLOCK = 64  # sqrt(L) at L = 4096: the two exponential tables are then equally large


def s4d_inputs(H, N, L, dtype="float32"):
    """An S4D-Lin layer (N states = N/2 conj pairs), per-channel steps, and the naive
    form's precomputed x = dt lam and ZOH weights w."""
    ssm = lti_ops.s4d_init("lin", N, H=H, rng=0, dtype=dtype)
    dt = lti_ops.init_dt(H, rng=0, dtype=dtype)
    x = dt[:, None] * ssm.lam
    w = ssm.C[:, 0, :] * ssm.B[..., 0] * np.expm1(x) / ssm.lam
    return ssm, dt, x, w


def log_vandermonde_naive(w, x, L):
    """S4's ``log_vandermonde_naive``: 2 Re sum_n w_n exp(l x_n) with the (H, N, L) matrix."""
    l = np.arange(L, dtype=np.real(x).dtype)
    return 2 * np.real(np.einsum("hn,hnl->hl", w, np.exp(x[..., None] * l)))


def two_level(xp, w, x, L, J=TWO_LEVEL_BLOCK):
    """2 Re sum_n w_n exp(l x_n) with l = J i + j: tables exp(J i x) (H, L/J, N) and
    exp(j x) (H, N, J), then one real batched GEMM, [Re A, -Im A] @ [Re T; Im T], 2N deep.
    `xp` is numpy, torch or jax.numpy; float32 tables from complex64 exponentials."""
    H, N = x.shape
    j = xp.arange(J, dtype=xp.float32)
    i = xp.arange(L // J, dtype=xp.float32) * J
    T = xp.exp(x[:, :, None] * j)  # (H, N, J)
    A = w[:, None, :] * xp.exp(x[:, None, :] * i[None, :, None])  # (H, L/J, N)
    lhs = xp.concatenate([xp.real(A), -xp.imag(A)], axis=-1)
    rhs = xp.concatenate([xp.real(T), xp.imag(T)], axis=-2)
    return 2 * xp.reshape(xp.matmul(lhs, rhs), (H, L))


def _torch_two_level(w, x, L):
    import torch

    torch.set_num_threads(2)
    wt, xt = torch.from_numpy(w), torch.from_numpy(x)

    class _Torch:  # the numpy names two_level uses
        float32, arange, exp, real, imag, matmul, reshape = (
            torch.float32, torch.arange, torch.exp, torch.real, torch.imag, torch.matmul, torch.reshape)

        @staticmethod
        def concatenate(arrays, axis):
            return torch.cat(arrays, dim=axis)

    return lambda: two_level(_Torch, wt, xt, L)


def _jax_two_level(w, x, L):
    import jax
    import jax.numpy as jnp

    wj, xj = jnp.asarray(w), jnp.asarray(x)
    f = jax.jit(lambda w, x: two_level(jnp, w, x, L))
    return lambda: f(wj, xj).block_until_ready()


def s4d_truth(ssm, dt, L):
    """The float64 kernel of the (float32) layer's parameters."""
    up = lti_ops.Diagonal(*(np.asarray(a, np.complex128) for a in (ssm.lam, ssm.B, ssm.C)), conj_sym=True)
    return lambda: lti_ops.ssm_kernel(up, L, dt=np.asarray(dt, np.float64), method="zoh", kernel="xp")


def s4d_case(quick):
    H, N, L = (64, 64, 1024) if quick else (256, 64, 4096)
    ssm, dt, x, w = s4d_inputs(H, N, L)
    peers = optional_peers(**{
        "torch two-level matmul": lambda: _torch_two_level(w, x, L),
        "jax.jit two-level matmul": lambda: _jax_two_level(w, x, L),
    })
    return Case(
        f"S4D kernel ZOH conj_sym H={H} N={N} L={L} c64->f32",
        {
            OURS: lambda: lti_ops.ssm_kernel(ssm, L, dt=dt, method="zoh")[:, 0, 0],
            "numpy two-level sgemm": lambda: two_level(np, w, x, L),
            **peers,
            "numpy log_vandermonde_naive": lambda: log_vandermonde_naive(w, x, L),
            "lti_ops kernel='xp'": lambda: lti_ops.ssm_kernel(ssm, L, dt=dt, method="zoh", kernel="xp")[:, 0, 0],
        },
        bars={"numpy two-level sgemm": 3, "numpy log_vandermonde_naive": 25},
        work=4 * H * N * L,  # per channel, step and mode: Re(a t) = a_r t_r - a_i t_i, two FMAs
        peak="fma_f32",
        truth=lambda: s4d_truth(ssm, dt, L)()[:, 0, 0],
    )


def dplr_inputs(H, N, L, dtype="float64"):
    """An S4-LegS layer discretized (S4 bilinear) per channel, with S4's stored C~, in
    `dtype`'s complex precision."""
    ssm = lti_ops.nplr("legs", N, C=np.ones(N, dtype), dtype=dtype)
    dt = np.exp(np.linspace(np.log(1e-3), np.log(1e-1), H)).astype(dtype)
    return lti_ops.c_tilde(lti_ops.discretize(ssm, dt, "s4_bilinear"), L)


def dplr_naive(disc, L):
    """Broadcast Cauchy sums of the four Woodbury weights (conj pairs written out, the
    reciprocals shared by the weights: stronger than S4's ``cauchy_naive``), the rank-1
    Woodbury combination and the inverse real FFT."""
    z = np.exp(2j * np.pi * np.arange(L // 2 + 1) / L).astype(disc.dtype)
    lam = disc.lam
    a = np.stack(np.broadcast_arrays(disc.C[..., 0, :], np.conj(disc.Q[..., 0]), lam))[:2]
    b = np.stack(np.broadcast_arrays(disc.B[..., 0], disc.P[..., 0], lam))[:2]
    v = a[:, None] * b[None, :]  # (2, 2, H, N)
    v = np.concatenate([v, np.conj(v)], axis=-1)
    r = 1 / (z - np.concatenate([lam, np.conj(lam)], axis=-1)[..., None])  # (H, 2N, K)
    k = np.einsum("abhn,hnk->abhk", v, r)
    G = k[0, 0] - k[0, 1] * k[1, 0] / (1 + k[1, 1])
    return np.fft.irfft(z * G, n=L)


#: Work of one DPLR kernel call (rank 1, conj_sym, K = L/2 + 1 nodes), in real flops with a
#: division counted as one: per channel, node and listed mode, the conjugate-pair reciprocals
#: s, t (:func:`lti_ops_numba._cauchy._conj_pair` without the scaling: 22 flops, one of them
#: the division) and the four weights' multiply-adds w_re s + i w_im t (4 x 8 = 32 flops);
#: per channel and node the rank-1 Woodbury combination times z (~33 flops); per channel the
#: inverse real FFT (2.5 L log2 L).
DPLR_FLOPS_PER_MODE_NODE = 54
DPLR_FLOPS_PER_NODE = 33


def dplr_work(H, N, L):
    K = L // 2 + 1
    return float(H * K * (DPLR_FLOPS_PER_MODE_NODE * (N // 2) + DPLR_FLOPS_PER_NODE) + H * 2.5 * L * np.log2(L))


def dplr_case(quick):
    H, N, L = (64, 64, 1024) if quick else (256, 64, 4096)
    disc = dplr_inputs(H, N, L)
    disc32 = dplr_inputs(H, N, L, "float32")
    return [
        Case(
            f"S4 DPLR kernel rank 1 H={H} N={N} L={L} c128 (C~ given)",
            {
                OURS: lambda: lti_ops.ssm_kernel(disc, L, c_is_tilde=True),
                "numpy broadcast Cauchy+Woodbury": lambda: dplr_naive(disc, L),
                "lti_ops kernel='xp'": lambda: lti_ops.ssm_kernel(disc, L, c_is_tilde=True, kernel="xp"),
            },
            bars={"numpy broadcast Cauchy+Woodbury": 25},
            work=dplr_work(H, N, L),
            peak="fma_f64",
        ),
        Case(
            f"S4 DPLR kernel rank 1 H={H} N={N} L={L} c64 (C~ given)",
            {
                OURS: lambda: lti_ops.ssm_kernel(disc32, L, c_is_tilde=True),
                "lti_ops c128 (same layer)": lambda: lti_ops.ssm_kernel(disc, L, c_is_tilde=True),
                "numpy broadcast Cauchy+Woodbury c64": lambda: dplr_naive(disc32, L),
            },
            bars={"lti_ops c128 (same layer)": 1.6},
            work=dplr_work(H, N, L),
            peak="fma_f32",
        ),
    ]


def cases(quick):
    return [s4d_case(quick), *dplr_case(quick)]
