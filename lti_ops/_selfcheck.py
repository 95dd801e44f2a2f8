"""The identity catalogue as a quick self-check on one array backend.

This module is the engine of ``lti-ops check``: :func:`run_checks` evaluates a list of
identities the theory promises (``papers.md`` §4) with the public lti_ops API on arrays of
the requested namespace, dtype and device, and reports the observed error of each next to
its tolerance. Users run it on their own GPU or framework install to see that lti_ops
computes what it should there.

Inputs are built deterministically (``numpy.random.default_rng(0)`` in float64, then
converted); errors are measured on host copies in float64. Tolerances scale with the
dtype's machine epsilon, the size of the computation and a small safety constant, so that
an off-by-one or a wrong factor fails them by orders of magnitude.
"""

from __future__ import annotations

import math
import unicodedata
import time
from dataclasses import dataclass

import numpy as np

import lti_ops as _lo

from . import _dispatch, _xp

__all__ = ["CATALOGUE", "BACKENDS", "DTYPES", "CheckResult", "format_line", "run_checks"]

BACKENDS = ("numpy", "torch", "jax", "cupy", "array_api_strict")
DTYPES = ("float32", "float64")

@dataclass(frozen=True)
class CheckResult:
    """Outcome of one identity check.

    Attributes
    ----------
    identity : str
        Short name of the identity (e.g. ``"convolution = recurrence"``).
    ref : str
        Its number(s) in the catalogue of ``papers.md`` §4 (e.g. ``"§4.7"``).
    error : float
        Observed error (relative unless the identity says otherwise); NaN when not computed.
    tol : float
        Tolerance the error is held to; NaN when not computed.
    passed : bool or None
        True or False; None when the identity does not apply to the backend (skipped).
    seconds : float
        Wall time of the check.
    detail : str
        Reason of a skip, the exception of a crashed check, or extra numbers.
    """

    identity: str
    ref: str
    error: float
    tol: float
    passed: bool | None
    seconds: float
    detail: str = ""


# --------------------------------------------------------------------------- helpers


def _host(x):
    """`x` on the host in float64 / complex128."""
    a = _xp.to_numpy(x)
    return a.astype(np.complex128 if np.iscomplexobj(a) else np.float64)


def _arr(xp, x, dtype, device):
    """NumPy `x` as an array of `xp`: real dtype `dtype`, or its complex partner."""
    x = np.asarray(x)
    name = dtype if not np.iscomplexobj(x) else {"float32": "complex64", "float64": "complex128"}[dtype]
    return xp.asarray(x, dtype=getattr(xp, name), device=device)


def _eps(dtype):
    return float(np.finfo(dtype).eps)


def _rel(a, b):
    """max|a - b| / max|b| of host arrays."""
    a, b = _host(a), _host(b)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} vs {b.shape}")
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), np.finfo(np.float64).tiny))


def _spread(a, b):
    """Hausdorff distance of two point sets, relative to max|b|."""
    a, b = np.ravel(_host(a)), np.ravel(_host(b))
    d = np.abs(a[:, None] - b[None, :])
    return float(max(d.min(axis=0).max(), d.min(axis=1).max()) / np.max(np.abs(b)))


def _modes(rng, n, rate=(0.2, 1.0), freq=3.0):
    """n stable continuous modes with Re in -rate and |Im| <= freq."""
    return -rng.uniform(*rate, n) + 1j * rng.uniform(-freq, freq, n)


def _real_dense(rng, pairs=3, D=0.0):
    """(A, B, C, D, lam): a real continuous system A = T M T^{-1} of 2*pairs states whose
    spectrum lam is known, with a well-conditioned T."""
    lam = _modes(rng, pairs)
    n = 2 * pairs
    M = np.zeros((n, n))
    for i, z in enumerate(lam):
        M[2 * i:2 * i + 2, 2 * i:2 * i + 2] = [[z.real, z.imag], [-z.imag, z.real]]
    T = np.eye(n) + 0.3 * rng.standard_normal((n, n)) / math.sqrt(n)
    A = T @ M @ np.linalg.inv(T)
    B, C = rng.standard_normal((n, 1)), rng.standard_normal((1, n))
    return A, B, C, np.full((1, 1), D), np.concatenate([lam, lam.conj()])


def _state_space(xp, dtype, device, A, B, C, D, dt=None):
    return _lo.StateSpace(*(_arr(xp, x, dtype, device) for x in (A, B, C, D)), dt=dt)


def _diagonal(xp, dtype, device, lam, b, c, d=None, *, dt=None, conj_sym=False):
    d = None if d is None else _arr(xp, d, dtype, device)
    return _lo.Diagonal.siso(*(_arr(xp, x, dtype, device) for x in (lam, b, c)), d, dt=dt, conj_sym=conj_sym)


def _cplx(rng, *shape):
    return rng.standard_normal(shape) + 1j * rng.standard_normal(shape)


def _discrete_modes(rng, n, rmin=0.3, rmax=0.8):
    return rng.uniform(rmin, rmax, n) * np.exp(1j * rng.uniform(0.1, 3.0, n))


def _causal_conv(k, u):
    """Host reference: y_t = sum_{j<=t} k_j u_{t-j}, along the last axis."""
    L = u.shape[-1]
    y = np.zeros(np.broadcast_shapes(k.shape[:-1], u.shape[:-1]) + (L,), dtype=np.result_type(k, u))
    for j in range(min(L, k.shape[-1])):
        y[..., j:] += k[..., j:j + 1] * u[..., :L - j]
    return y


def _violation(*ratios):
    """How far ``a <= b`` is violated for pairs (a, b): max(0, a/b - 1)."""
    return max(0.0, *(a / b - 1.0 for a, b in ratios))


# --------------------------------------------------------------------------- the catalogue

_REGISTRY = []


def _identity(title, ref):
    def register(func):
        func.identity, func.ref = title, ref
        _REGISTRY.append(func)
        return func

    return register


@_identity("ZOH eigenvalue map", "§4.2")
def zoh_eigenvalues(xp, dtype, kernel, device):
    """λ(Ā) = exp(Δλ) for ``discretize(sys, Δ, "zoh")`` of a dense real system."""
    rng = np.random.default_rng(0)
    A, B, C, D, lam = _real_dense(rng)
    disc = _lo.discretize(_state_space(xp, dtype, device, A, B, C, D), 0.3, "zoh")
    err = _spread(np.linalg.eigvals(_host(disc.A)), np.exp(0.3 * lam))
    return err, 1e3 * _eps(dtype)


@_identity("bilinear map & stability", "§4.1")
def bilinear_stability(xp, dtype, kernel, device):
    """λ(Ā) = (1 + Δλ/2)/(1 − Δλ/2), and Re λ < 0 ⇒ |λ(Ā)| < 1, for Δ from 0.1 to 30."""
    rng = np.random.default_rng(0)
    A, B, C, D, lam = _real_dense(rng)
    sys = _state_space(xp, dtype, device, A, B, C, D)
    err, radius = 0.0, 0.0
    for dt in (0.1, 1.0, 30.0):
        ev = np.linalg.eigvals(_host(_lo.discretize(sys, dt, "bilinear").A))
        err = max(err, _spread(ev, (1 + dt * lam / 2) / (1 - dt * lam / 2)))
        radius = max(radius, float(np.max(np.abs(ev))))
    return (err if radius < 1 else math.inf), 1e3 * _eps(dtype), f"max |λ(Ā)| = {radius:.6g}"


@_identity("dense = diagonal kernels", "§4.3")
def dense_diagonal(xp, dtype, kernel, device):
    """ssm_kernel of a conj_sym ``Diagonal`` (Vandermonde, `kernel`) equals that of its dense
    real form, for ZOH and bilinear: discretization commutes with diagonalization."""
    rng = np.random.default_rng(0)
    sys = _diagonal(xp, dtype, device, _modes(rng, 4), _cplx(rng, 4), _cplx(rng, 4), conj_sym=True)
    dense = sys.to_dense()
    err = max(_rel(_lo.ssm_kernel(sys, 64, dt=0.1, method=m, kernel=kernel),
                   _lo.ssm_kernel(dense, 64, dt=0.1, method=m)) for m in ("zoh", "bilinear"))
    return err, 64 * 20 * _eps(dtype)


@_identity("convolution = recurrence", "§4.7")
def convolution_recurrence(xp, dtype, kernel, device):
    """``scan(sys, u)`` equals the causal convolution of u with ``ssm_kernel(sys, L)`` plus
    D u (S4 convention: x_k = Āx_{k−1} + B̄u_k, y_k = Cx_k + Du_k)."""
    rng = np.random.default_rng(0)
    L, lam = 128, _discrete_modes(rng, 4, 0.5, 0.95)
    sys = _diagonal(xp, dtype, device, lam, _cplx(rng, 4), _cplx(rng, 4), 0.5, dt=1.0, conj_sym=True)
    u = rng.standard_normal((2, L))
    K = _host(_lo.ssm_kernel(sys, L, kernel=kernel))[0, 0]
    y, _ = _lo.scan(sys, _arr(xp, u, dtype, device), kernel=kernel)
    return _rel(y, _causal_conv(K, u) + 0.5 * u), 10 * L * _eps(dtype)


@_identity("FFT conv = direct conv", "§4.8")
def fft_convolution(xp, dtype, kernel, device):
    """``fftconv`` equals the direct sum: causal and full linear convolution, and the
    length-L circular one (linear plus the wrap-around term)."""
    rng = np.random.default_rng(0)
    L = 100
    u, k, kc = rng.standard_normal((3, L)), rng.standard_normal((3, 37)), rng.standard_normal((3, L))
    U = _arr(xp, u, dtype, device)
    full = _causal_conv(k, np.concatenate([u, np.zeros((3, 36))], axis=-1))
    wrap = sum(kc[:, j:j + 1] * np.roll(u, j, axis=-1) for j in range(L))  # sum_j k_j u_{(t-j) mod L}
    errs = (
        _rel(_lo.fftconv(U, _arr(xp, k, dtype, device), kernel=kernel), full[:, :L]),
        _rel(_lo.fftconv(U, _arr(xp, k, dtype, device), mode="full", kernel=kernel), full),
        _rel(_lo.fftconv(U, _arr(xp, kc, dtype, device), mode="circular", kernel=kernel), wrap),
    )
    return max(errs), 100 * math.log2(L) * _eps(dtype)


@_identity("similarity invariance", "§4.9")
def similarity_invariance(xp, dtype, kernel, device):
    """(TAT⁻¹, TB, CT⁻¹, D) has the Markov parameters and Hankel singular values of (A, B, C, D)."""
    rng = np.random.default_rng(0)
    A, B, C, D, _ = _real_dense(rng, D=0.3)
    n = A.shape[0]
    T = np.eye(n) + 0.5 * rng.standard_normal((n, n)) / math.sqrt(n)
    Ti = np.linalg.inv(T)
    one = _state_space(xp, dtype, device, A, B, C, D)
    two = _state_space(xp, dtype, device, T @ A @ Ti, T @ B, C @ Ti, D)
    markov = _rel(_lo.markov_parameters(two, 32, dt=0.1, method="zoh", kernel=kernel),
                  _lo.markov_parameters(one, 32, dt=0.1, method="zoh", kernel=kernel))
    hsv = _rel(_lo.hankel_singular_values(two), _lo.hankel_singular_values(one))
    cond = float(np.linalg.cond(T))
    return max(markov, hsv), 1e3 * cond * _eps(dtype), f"Markov {markov:.1e}, HSV {hsv:.1e}"


@_identity("truncated generating function", "§4.11")
def generating_function(xp, dtype, kernel, device):
    """DFT_L(K̄[0:L])_j = z_j · C̃(z_j I − Ā)⁻¹B̄ at z_j = e^{2πij/L}, with C̃ = C(I − Ā^L)
    (``transfer_function`` of ``c_tilde(sys, L)``)."""
    rng = np.random.default_rng(0)
    L = 32
    sys = _diagonal(xp, dtype, device, _discrete_modes(rng, 4, 0.5, 0.95), _cplx(rng, 4), _cplx(rng, 4), dt=1.0)
    K = _host(_lo.ssm_kernel(sys, L, kernel=kernel))[0, 0]
    z = np.exp(2j * np.pi * np.arange(L) / L)
    G = _host(_lo.transfer_function(_lo.c_tilde(sys, L), _arr(xp, z, dtype, device), kernel=kernel))[0, 0]
    return _rel(z * G, np.fft.fft(K)), 50 * L * _eps(dtype)


@_identity("length doubling of C̃", "§4.12")
def length_doubling(xp, dtype, kernel, device):
    """C̃_{2L} = C̃_L(I + Ā^L) (``double_c_tilde``) and C = C̃(I − Ā^L)⁻¹ (``c_from_c_tilde``),
    for a diagonal and a dense discrete system."""
    rng = np.random.default_rng(0)
    L, err = 16, 0.0
    A, B, C, D, _ = _real_dense(rng)
    diag = _diagonal(xp, dtype, device, _discrete_modes(rng, 4, 0.7, 0.99), _cplx(rng, 4), _cplx(rng, 4), dt=1.0)
    dense = _lo.discretize(_state_space(xp, dtype, device, A, B, C, D), 0.2, "zoh")
    for sys in (diag, dense):
        tilde = _lo.c_tilde(sys, L)
        err = max(err, _rel(_lo.double_c_tilde(tilde, L).C, _lo.c_tilde(sys, 2 * L).C),
                  _rel(_lo.c_from_c_tilde(tilde, L).C, sys.C))
    return err, 200 * L * _eps(dtype)


@_identity("DPLR Woodbury = dense solve", "§4.13")
def dplr_woodbury(xp, dtype, kernel, device):
    """For A = diag(λ) − PQᴴ (rank 2, conj_sym): the Cauchy + Woodbury transfer function
    and the S4 DPLR kernel equal those of the dense A."""
    rng = np.random.default_rng(0)
    N = 4
    lam = _modes(rng, N, rate=(0.5, 1.0))
    P, Q = 0.2 * _cplx(rng, N, 2), 0.2 * _cplx(rng, N, 2)
    sys = _lo.DPLR.siso(*(_arr(xp, x, dtype, device) for x in (lam, P, Q, _cplx(rng, N), _cplx(rng, N))),
                        conj_sym=True)
    dense = sys.to_dense()
    s = _arr(xp, 0.3 + 1j * np.linspace(-4, 4, 9), dtype, device)
    tf = _rel(_lo.transfer_function(sys, s, kernel=kernel), _lo.transfer_function(dense, s))
    K = _rel(_lo.ssm_kernel(sys, 64, dt=0.1, method="bilinear", kernel=kernel),
             _lo.ssm_kernel(dense, 64, dt=0.1, method="bilinear"))
    return max(tf, K), 64 * 50 * _eps(dtype), f"transfer {tf:.1e}, kernel {K:.1e}"


@_identity("conjugate symmetry", "§4.14")
def conjugate_symmetry(xp, dtype, kernel, device):
    """A conj_sym half (λ, B, C) gives the kernel and transfer function of the full system
    (λ, λ̄), (B, B̄), (C, C̄), and the full kernel is real."""
    rng = np.random.default_rng(0)
    lam, b, c = _modes(rng, 3), _cplx(rng, 3), _cplx(rng, 3)
    half = _diagonal(xp, dtype, device, lam, b, c, conj_sym=True)
    full = _diagonal(xp, dtype, device, *(np.concatenate([x, x.conj()]) for x in (lam, b, c)))
    Kh = _lo.ssm_kernel(half, 64, dt=0.1, method="zoh", kernel=kernel)
    Kf = _host(_lo.ssm_kernel(full, 64, dt=0.1, method="zoh", kernel=kernel))
    s = _arr(xp, 0.1 + 1j * np.linspace(-4, 4, 9), dtype, device)
    err = max(_rel(Kh, Kf.real), float(np.max(np.abs(Kf.imag)) / np.max(np.abs(Kf))),
              _rel(_lo.transfer_function(half, s, kernel=kernel), _lo.transfer_function(full, s, kernel=kernel)))
    return err, 64 * 20 * _eps(dtype)


@_identity("Parseval / H2", "§4.17")
def parseval_h2(xp, dtype, kernel, device):
    """Σ_k |h_k|² over the (decayed) Markov parameters equals ``h2_norm(sys)²`` =
    tr(CPCᴴ) + |D|²."""
    rng = np.random.default_rng(0)
    L = 160  # rho = 0.8: the tail is 0.8**320
    sys = _diagonal(xp, dtype, device, _discrete_modes(rng, 4), _cplx(rng, 4), _cplx(rng, 4), 0.7,
                    dt=1.0, conj_sym=True)
    energy = float(np.sum(np.abs(_host(_lo.markov_parameters(sys, L, kernel=kernel))) ** 2))
    h2 = float(_host(_lo.h2_norm(sys))) ** 2
    return abs(energy - h2) / h2, 10 * L * _eps(dtype)


@_identity("Hankel norm <= H∞ <= 2Σσ", "§4.18")
def hankel_hinf(xp, dtype, kernel, device):
    """σ₁ = ‖G‖_H ≤ ‖G‖∞ and σ₁ ≤ ‖G − D‖∞ ≤ 2Σσᵢ; the error is the relative violation."""
    rng = np.random.default_rng(0)
    A, B, C, D, _ = _real_dense(rng, D=2.0)
    sys = _state_space(xp, dtype, device, A, B, C, D)
    strict = _state_space(xp, dtype, device, A, B, C, 0 * D)
    s1 = float(_host(_lo.hankel_norm(sys)))
    hsv_sum = float(np.sum(_host(_lo.hankel_singular_values(sys))))
    g, g0 = float(_host(_lo.hinf_norm(sys))), float(_host(_lo.hinf_norm(strict)))
    err = _violation((s1, g), (s1, g0), (g0, 2 * hsv_sum))
    return err, 100 * _eps(dtype), f"σ1 {s1:.4g}, ‖G‖∞ {g:.4g}, ‖G−D‖∞ {g0:.4g}, 2Σσ {2 * hsv_sum:.4g}"


@_identity("Gramian HSV = Hankel SVD", "§4.19")
def gramian_hankel_svd(xp, dtype, kernel, device):
    """sqrt(eig(PQ)) (square-root method on the Gramians) equals the singular values of the
    finite Hankel matrix [h_{i+j+1}] of a fast-decaying system (``method="markov"``),
    compared relative to σ₁."""
    rng = np.random.default_rng(0)
    sys = _diagonal(xp, dtype, device, _discrete_modes(rng, 3), _cplx(rng, 3), _cplx(rng, 3), dt=1.0, conj_sym=True)
    gram = _host(_lo.hankel_singular_values(sys))
    markov = _host(_lo.hankel_singular_values(sys, method="markov", n_markov=256))
    return float(np.max(np.abs(gram - markov)) / gram[0]), 1e3 * _eps(dtype)


def _difference(xp, one, two):
    """Dense error system G1 − G2 (parallel connection)."""
    n, k = one.A.shape[-1], two.A.shape[-1]
    zeros = lambda r, c: xp.zeros((r, c), dtype=one.A.dtype, device=_device(one.A))  # noqa: E731
    A = xp.concat([xp.concat([one.A, zeros(n, k)], axis=1), xp.concat([zeros(k, n), two.A], axis=1)], axis=0)
    B = xp.concat([one.B, two.B], axis=0)
    C = xp.concat([one.C, -two.C], axis=1)
    return _lo.StateSpace(A, B, C, one.D - two.D)


def _device(x):
    return getattr(x, "device", None)


@_identity("balanced truncation bound", "§4.21")
def balanced_truncation(xp, dtype, kernel, device):
    """σ_{k+1} ≤ ‖G − G_k‖∞ ≤ 2Σ_{j>k}σ_j for the order-k balanced truncation G_k (k = 2 of
    6); the error is the relative violation."""
    rng = np.random.default_rng(0)
    A, B, C, D, _ = _real_dense(rng, D=0.5)
    sys = _state_space(xp, dtype, device, A, B, C, D)
    red, hsv, bound = _lo.balanced_truncation(sys, 2)
    gap = float(_host(_lo.hinf_norm(_difference(xp, sys, red))))
    hsv, bound = _host(hsv), float(_host(bound))
    err = _violation((float(hsv[2]), gap), (gap, bound))
    return err, 100 * _eps(dtype), f"σ3 {hsv[2]:.4g} ≤ ‖G−G2‖∞ {gap:.4g} ≤ {bound:.4g}"


@_identity("LegS spectrum / NPLR", "§4.27")
def legs_nplr(xp, dtype, kernel, device):
    """LegS (N = 8) has eigenvalues −1 … −N; its NPLR form has Re W = −½ and the transfer
    function of the dense system (an exact unitary similarity)."""
    rng = np.random.default_rng(0)
    N = 8
    c = _arr(xp, rng.standard_normal(N), dtype, device)
    dense = _lo.hippo("legs", N, C=c, dtype=dtype, device=device, xp=xp)
    dplr = _lo.nplr("legs", N, C=c, dtype=dtype, device=device, xp=xp)
    eig = _spread(np.linalg.eigvals(_host(dense.A)), -np.arange(1.0, N + 1))
    real = float(np.max(np.abs(_host(dplr.lam).real + 0.5)))
    s = _arr(xp, 0.5 + 1j * np.linspace(-5, 5, 11), dtype, device)
    tf = _rel(_lo.transfer_function(dplr, s, kernel=kernel), _lo.transfer_function(dense, s))
    # N = 8 keeps the ill-conditioned LegS eigenvectors harmless (observed ~10 eps)
    return max(eig, real, tf), 1e3 * _eps(dtype), f"eig {eig:.1e}, Re W {real:.1e}, transfer {tf:.1e}"


@_identity("HOPE kernel = realization", "§3.4")
def hope_realization(xp, dtype, kernel, device):
    """``hope_kernel(h, Δ, L)`` equals the Markov parameters of ``hope_to_state_space(h, Δ)``
    (a discrete Laguerre network realizing G_Δ(z) = Σ h_k b(z)^{k+1})."""
    rng = np.random.default_rng(0)
    L = 64
    h = _arr(xp, rng.standard_normal(8) / np.arange(1, 9), dtype, device)
    k = _lo.hope_kernel(h, 0.3, L, kernel=kernel)
    m = _lo.markov_parameters(_lo.hope_to_state_space(h, 0.3), L)[0, 0]
    return _rel(k, m), 10 * L * _eps(dtype)


@_identity("HOPE Δ = 1 is FIR", "§4.36")
def hope_fir(xp, dtype, kernel, device):
    """With Δ = 1 the Möbius map is the identity and the HOPE kernel is [0, h_0, …, h_{n−1}, 0, …]."""
    rng = np.random.default_rng(0)
    h = rng.standard_normal(8)
    k = _lo.hope_kernel(_arr(xp, h, dtype, device), 1.0, 16, kernel=kernel)
    return _rel(k, np.concatenate([[0.0], h, np.zeros(7)])), 100 * _eps(dtype)


@_identity("Möbius group law", "§4.35")
def mobius_law(xp, dtype, kernel, device):
    """|M_Δ(ω)| = 1 on the unit circle, M_1 = id and M_a ∘ M_b = M_{ab}."""
    z = _arr(xp, np.exp(2j * np.pi * (np.arange(16) + 0.25) / 16), dtype, device)
    Za = _lo.mobius(z, 0.4)
    err = max(float(np.max(np.abs(np.abs(_host(Za)) - 1))), _rel(_lo.mobius(z, 1.0), z),
              _rel(_lo.mobius(Za, 2.5), _lo.mobius(z, 1.0)), _rel(_lo.mobius(_lo.mobius(z, 0.5), 0.3), _lo.mobius(z, 0.15)))
    return err, 100 * _eps(dtype)


CATALOGUE = tuple(_REGISTRY)


# --------------------------------------------------------------------------- running


def _check_jax_dtype(backend, dtype):
    if backend == "jax" and dtype == "float64":
        import jax

        if not jax.config.read("jax_enable_x64"):
            raise ValueError("backend='jax' with dtype='float64' needs 64-bit mode, which is off: set "
                             "JAX_ENABLE_X64=1 in the environment (or call "
                             "jax.config.update('jax_enable_x64', True) first), or pass dtype='float32'")


def _check_kernel(backend, kernel):
    if kernel not in _dispatch.KERNELS:
        raise ValueError(f"kernel={kernel!r} is not valid; expected one of {list(_dispatch.KERNELS)}")
    engine = _dispatch.ENGINES.get(kernel)
    if engine is None:
        return
    if engine.serves != backend:
        raise ValueError(f"kernel={kernel!r} serves backend={engine.serves!r} only; got backend={backend!r}. "
                         "Use kernel='auto' or 'xp'")
    error = _dispatch.REGISTRY.load(kernel)
    if error is not None:
        raise ImportError(f"kernel={kernel!r} needs the {engine.package} package and its engine "
                          f"(pip install 'lti-ops[{engine.extra}]'): {error}")


def _select(only):
    if only is None:
        return CATALOGUE
    names = [only] if isinstance(only, str) else list(only)
    by_name = {}
    for check in CATALOGUE:
        by_name[check.identity] = by_name[check.__name__] = check
    unknown = [n for n in names if n not in by_name]
    if unknown:
        listing = ", ".join(f"{c.__name__} ({c.identity!r})" for c in CATALOGUE)
        raise ValueError(f"only={unknown!r} names no identity; the identities are: {listing}")
    return tuple(c for c in CATALOGUE if c in {by_name[n] for n in names})


def _run_one(check, xp, dtype, kernel, device):
    start = time.perf_counter()
    try:
        out = check(xp, dtype, kernel, device)
    except NotImplementedError as exc:
        return CheckResult(check.identity, check.ref, math.nan, math.nan, None,
                           time.perf_counter() - start, f"skipped: {exc}")
    except Exception as exc:  # a self-check reports, it does not crash
        return CheckResult(check.identity, check.ref, math.nan, math.nan, False,
                           time.perf_counter() - start, f"{type(exc).__name__}: {exc}")
    error, tol = float(out[0]), float(out[1])
    detail = out[2] if len(out) > 2 else ""
    passed = bool(error <= tol)  # NaN fails
    return CheckResult(check.identity, check.ref, error, tol, passed, time.perf_counter() - start, detail)


def run_checks(backend="numpy", dtype="float64", kernel="auto", device=None, only=None):
    """Run the identity catalogue on one backend and report each identity.

    Parameters
    ----------
    backend : {"numpy", "torch", "jax", "cupy", "array_api_strict"}, optional
        Array library the inputs are made in (imported lazily; torch and CuPy through
        array-api-compat).
    dtype : {"float64", "float32"}, optional
        Real precision of the inputs (complex inputs take the matching complex dtype).
    kernel : {"auto", "xp", "numba", "cupy"}, optional
        Passed to every primitive that takes ``kernel=``; ``"numba"`` needs
        ``backend="numpy"`` and ``"cupy"`` needs ``backend="cupy"``.
    device : device of the backend, optional
        Where the inputs are created (the backend's default when None).
    only : str or iterable of str, optional
        Identities to run, by title (``"convolution = recurrence"``) or function name
        (``"convolution_recurrence"``); all of :data:`CATALOGUE` by default.

    Returns
    -------
    list of CheckResult
        One per identity, in catalogue order. An identity that does not apply on the
        backend (a primitive raising ``NotImplementedError`` there) is skipped:
        ``passed=None`` with the reason in ``detail``. Any other exception inside a check
        is a failure (``passed=False``) with the exception in ``detail``.

    Raises
    ------
    ValueError
        Unknown `backend`, `dtype`, `kernel` or `only` name; a forced kernel that does not
        serve `backend`; JAX with float64 while its 64-bit mode is off (set
        ``JAX_ENABLE_X64=1``; this function never changes JAX's global configuration);
        CuPy without a usable GPU.
    ImportError
        If the backend (or a forced kernel's engine) is not installed; the message says how
        to install it.

    Notes
    -----
    The identities (numbers of the catalogue in ``papers.md`` §4):

    * §4.2 ZOH: λ(Ā) = e^{Δλ}. §4.1 bilinear: λ(Ā) = (1 + Δλ/2)/(1 − Δλ/2), |λ(Ā)| < 1.
    * §4.3 kernels of a diagonal system and of its dense form agree (ZOH, bilinear).
    * §4.7 scan = causal convolution with the S4 kernel, plus Du.
    * §4.8 FFT convolution = direct convolution (causal, full, circular with wrap-around).
    * §4.9 Markov parameters and HSVs are invariant under similarity.
    * §4.11 DFT_L(K̄) = z C̃(zI − Ā)⁻¹B̄ at the roots of unity, C̃ = C(I − Ā^L).
    * §4.12 C̃_{2L} = C̃_L(I + Ā^L) and C = C̃(I − Ā^L)⁻¹.
    * §4.13 DPLR (Cauchy + Woodbury) transfer function and kernel = dense ones.
    * §4.14 conj_sym half sum 2·Re Σ = full sum over conjugate pairs; real kernel.
    * §4.17 Σ|h_k|² = ‖G‖²_{H2}. §4.18 σ₁ ≤ ‖G‖∞, σ₁ ≤ ‖G − D‖∞ ≤ 2Σσ.
    * §4.19 Gramian HSVs = SVs of the finite Hankel matrix of Markov parameters.
    * §4.21 σ_{k+1} ≤ ‖G − G_k‖∞ ≤ 2Σ_{j>k}σ_j for balanced truncation.
    * §4.27 LegS eigenvalues −(n+1); NPLR Re W = −½ with the dense transfer function.
    * §3.4 HOPE kernel = Markov parameters of its state-space realization; §4.36 Δ = 1 is
      FIR; §4.35 Möbius maps: |M| = 1, M_1 = id, M_a∘M_b = M_{ab}.

    Tolerances are ``c · n · eps(dtype)`` with n the size of the computation (kernel length
    L, for instance) and c a constant with room above the errors observed on NumPy, torch
    and JAX in both precisions; a wrong factor or an off-by-one exceeds them by orders of
    magnitude.

    References
    ----------
    .. [1] A. Gu, I. Johnson, A. Timalsina, A. Rudra, C. Ré, "How to Train Your HiPPO: State
       Space Models with Generalized Orthogonal Basis Projections", arXiv:2206.12037, 2022
       (ICLR 2023).
    .. [2] A. Yu, M. W. Mahoney, N. B. Erichson, "There is HOPE to Avoid HiPPOs for
       Long-memory State Space Models", arXiv:2405.13975, 2024.

    Examples
    --------
    >>> from lti_ops._selfcheck import run_checks
    >>> results = run_checks("numpy", "float64", only="convolution = recurrence")
    >>> [(r.identity, r.passed) for r in results]
    [('convolution = recurrence', True)]
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend={backend!r} is not valid; expected one of {list(BACKENDS)}")
    if dtype not in DTYPES:
        raise ValueError(f"dtype={dtype!r} is not valid; expected one of {list(DTYPES)}")
    checks = _select(only)
    _check_kernel(backend, kernel)
    xp = _xp.backend_namespace(backend)
    _check_jax_dtype(backend, dtype)
    return [_run_one(check, xp, dtype, kernel, device) for check in checks]


def format_line(result):
    """One aligned line for a :class:`CheckResult`, e.g.
    ``PASS  §4.7   convolution = recurrence        err 3.1e-15  tol 1.8e-11  0.02 s``."""
    status = {True: "PASS", False: "FAIL", None: "SKIP"}[result.passed]
    width = sum(not unicodedata.combining(ch) for ch in result.identity)  # C̃ is two code points
    line = f"{status}  {result.ref:<6} {result.identity}{' ' * max(0, 30 - width)}"
    if result.passed is None:
        return f"{line} {result.detail}"
    line += f" err {result.error:7.1e}  tol {result.tol:7.1e}  {result.seconds:5.2f} s"
    if result.passed is False and result.detail:
        line += f"  ({result.detail})"
    return line
