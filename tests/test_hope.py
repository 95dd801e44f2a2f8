"""Identity and error-path tests of lti_ops.hope (papers.md §4 items 35-43)."""

import math
import re
from contextlib import nullcontext

import array_api_compat
import numpy as np
import pytest
import scipy.linalg
from hypothesis import given
from hypothesis import strategies as st

import lti_ops
from lti_ops import _xp
from lti_ops.hope import tail_length
from lti_ops.testing import assert_close, to_numpy, tolerance
from lti_ops.testing import strategies as lst

from _helpers import as_xp, checks_values

COMPLEX = {"float32": "complex64", "float64": "complex128"}
SEEDS = st.integers(0, 2**32 - 1)
DT = st.floats(0.1, 10.0)


# --------------------------------------------------------------------------- references


def _np(x):
    return to_numpy(x).astype(np.complex128)


def _dt_np(dt):
    return np.asarray(to_numpy(dt) if hasattr(dt, "shape") else dt, dtype=np.float64)


def _series_kernel(h, dt, L):
    """Kernel of sum_k h_k b(x)^(k+1), b(x) = (x - p)/(1 - p x), by truncated power series."""
    p = (1 - dt) / (1 + dt)
    b = np.empty(L)
    b[0] = -p
    b[1:] = (1 - p * p) * p ** np.arange(L - 1)
    power, k = b.astype(complex), np.zeros(L, complex)
    for hk in h:
        k = k + hk * power
        power = np.convolve(power, b)[:L]
    return k


def _kernels(h, dt, L):
    """Series kernels of a batch: h (..., n), dt float or array of the batch."""
    h = _np(h)
    dt = np.broadcast_to(_dt_np(dt), h.shape[:-1])
    out = np.empty(h.shape[:-1] + (L,), complex)
    for i in np.ndindex(*h.shape[:-1]):
        out[i] = _series_kernel(h[i], float(dt[i]), L)
    return out


def _support(h, dt, rel=1e-17):
    """Lags beyond which the kernel is below rel * ||h||_1 (Cauchy bound)."""
    a = float(np.max(np.abs(1 - _dt_np(dt)) / (1 + _dt_np(dt))))
    return tail_length(h.shape[-1], a, math.log(1 / rel))


def _l1(h):
    return float(np.max(np.sum(np.abs(_np(h)), axis=-1)))


def _hope(draw_xp, dtype, **kw):
    return lst.hope_parameters(xp=draw_xp, dtype=dtype, **kw)


def _complex_dtype(xp, dtype):
    return getattr(xp, COMPLEX[dtype])


# --------------------------------------------------------------------------- item 35: Möbius


@given(dt=DT, seed=SEEDS, K=st.integers(1, 20))
def test_mobius_is_algorithm_1_steps_2_to_4(xp, dtype, dt, seed, K):
    rng = np.random.default_rng(seed)
    theta = rng.uniform(-0.9 * np.pi, 0.9 * np.pi, K)  # away from z = -1
    radius = np.concatenate([np.ones(K // 2 + 1), rng.uniform(0.5, 2.0, K - K // 2 - 1)])
    z = radius * np.exp(1j * theta)
    w = lti_ops.mobius(as_xp(xp, z, COMPLEX[dtype]), dt)
    s = (z - 1) / (z + 1) / dt
    want = (1 + s) / (1 - s)
    assert w.dtype == _complex_dtype(xp, dtype)
    assert_close(w, want, rtol=tolerance(dtype, n=10, cond=max(dt, 1 / dt)))
    on_circle = np.abs(_np(w)[: K // 2 + 1])
    assert np.max(np.abs(on_circle - 1)) <= tolerance(dtype, n=10)


@given(a=DT, b=DT, seed=SEEDS)
def test_mobius_group_laws(xp, dtype, a, b, seed):
    rng = np.random.default_rng(seed)
    z = as_xp(xp, rng.uniform(0.3, 3.0, 8) * np.exp(1j * rng.uniform(-3, 3, 8)), COMPLEX[dtype])
    rtol = tolerance(dtype, n=20, cond=max(a, 1 / a) * max(b, 1 / b))
    assert_close(lti_ops.mobius(z, 1.0), z, rtol=tolerance(dtype))
    assert_close(lti_ops.mobius(lti_ops.mobius(z, b), a), lti_ops.mobius(z, a * b), rtol=rtol)
    assert_close(lti_ops.mobius(lti_ops.mobius(z, a), 1 / a), z, rtol=rtol)
    origin = lti_ops.mobius(as_xp(xp, np.zeros(1), COMPLEX[dtype]), a)  # M(0) = -p
    assert_close(origin, np.array([(a - 1) / (a + 1)]), rtol=tolerance(dtype, n=4))


@given(L=st.integers(1, 64), params=st.data())
def test_mobius_nodes_formula(xp, dtype, L, params):
    _, dt = params.draw(_hope(xp, dtype, batch_shape=st.sampled_from([(), (3,)])))
    w = lti_ops.mobius_nodes(L, dt, xp=xp) if not hasattr(dt, "shape") else lti_ops.mobius_nodes(L, dt)
    d = _dt_np(dt)[..., None]
    j = np.arange(L)
    angle = 2 * np.arctan(np.tan(np.pi * j / L) / d)
    want = np.exp(1j * angle)
    nyquist = L % 2 == 0
    if nyquist:
        want[..., L // 2] = -1.0
    rtol = tolerance(dtype if hasattr(dt, "shape") else "float64", n=10, cond=max(d.max(), 1 / d.min()))
    assert_close(w, want, rtol=rtol)
    omega = as_xp(xp, np.exp(2j * np.pi * j / L))
    if not hasattr(dt, "shape"):
        assert_close(w, lti_ops.mobius(omega, dt), rtol=rtol)
        assert w.dtype == xp.complex128
    wn = to_numpy(w)
    assert np.all(wn[..., 0] == 1)
    if nyquist:
        assert np.all(wn[..., L // 2] == -1)
    assert np.array_equal(wn[..., 1:], np.conj(wn[..., :0:-1]))  # w_{L-j} = conj(w_j) exactly
    assert np.max(np.abs(np.abs(wn) - 1)) <= tolerance(wn.dtype, n=2)


def _closed_mobius(z, dt):
    """papers.md §3.3: M_dt(z) = ((1 + dt) z + (dt - 1)) / ((dt - 1) z + (dt + 1))."""
    return ((1 + dt) * z + (dt - 1)) / ((dt - 1) * z + (dt + 1))


@pytest.mark.parametrize("dt", [0.05, 0.3, 0.8, 1.7, 6.0])
def test_mobius_map_nodes_and_samples_follow_the_closed_formula_in_dt_not_1_over_dt(xp, dt):
    """Item 35 against the closed formula itself, at several dt.

    M_{1/dt}(z) = -M_dt(-z): a dt -> 1/dt slip sends every node to minus the node of the
    opposite frequency, which the Lipschitz, H-infinity and HSV tests cannot see (all three
    are invariant under it). Here each stage of the sampling (the map, the nodes, HOPE's
    samples through every kernel) is compared with the formula, and the formula at 1/dt is
    shown to be far from it, so a slip anywhere fails.
    """
    rtol = tolerance("float64", n=16, cond=max(dt, 1 / dt))
    z = np.exp(1j * np.linspace(-2.9, 2.9, 11)) * np.linspace(0.5, 1.5, 11)
    want, slip = _closed_mobius(z, dt), _closed_mobius(z, 1 / dt)
    away = (np.abs(z + 1) > 0.2) & (np.abs(z - 1) > 0.2)  # +-1 are fixed points of every M_dt
    assert np.min(np.abs(want - slip)[away]) > 1e-2  # the test tells them apart
    assert_close(lti_ops.mobius(as_xp(xp, z), dt), want, rtol=rtol)
    assert_close(lti_ops.mobius(as_xp(xp, z[None]), as_xp(xp, np.array([dt]))), want[None], rtol=rtol)
    q = (dt - 1) / (dt + 1)
    assert_close(lti_ops.mobius(as_xp(xp, np.array([0j, 1j])), dt), [q, (1j * (1 + dt) + dt - 1) / (1j * (dt - 1) + dt + 1)], rtol=rtol)
    L = 12
    omega = np.exp(2j * np.pi * np.arange(L) / L)
    nodes = _closed_mobius(omega, dt)
    assert np.max(np.abs(nodes - _closed_mobius(omega, 1 / dt))) > 0.1
    assert_close(lti_ops.mobius_nodes(L, dt, xp=xp), nodes, atol=rtol, rtol=0)
    assert_close(lti_ops.mobius_nodes(L, as_xp(xp, np.array([dt]))), nodes[None], atol=rtol, rtol=0)
    h = np.array([1.0, -0.5 + 0.25j, 0.3j, 0.2])
    g = sum(h[k] * nodes ** -(k + 1) for k in range(h.size))
    g_slip = sum(h[k] * _closed_mobius(omega, 1 / dt) ** -(k + 1) for k in range(h.size))
    assert np.max(np.abs(g - g_slip)) > 0.05
    for kernel in ("xp", "auto"):  # "auto": the fused Numba kernel on NumPy
        assert_close(lti_ops.hope_transfer(as_xp(xp, h), dt, L, kernel=kernel), g, atol=rtol * 4, rtol=0)
        k = lti_ops.hope_kernel(as_xp(xp, h), dt, L, mode="circular", kernel=kernel)
        assert_close(k, np.fft.ifft(g), atol=rtol * 4, rtol=0)
    assert_close(lti_ops.hope_to_state_space(as_xp(xp, h), dt).D[0, 0], np.sum(h * q ** np.arange(1, 5)), atol=rtol, rtol=0)


def test_mobius_nodes_creation_keywords(xp):
    w = lti_ops.mobius_nodes(8, 0.5, dtype="complex64", xp=xp)
    assert _xp.array_namespace(w) is _xp.array_namespace(xp.asarray([0.0]))
    assert w.dtype == xp.complex64 and tuple(w.shape) == (8,)
    w = lti_ops.mobius_nodes(5, as_xp(xp, np.array([[0.5], [2.0]]), "float32"))
    assert w.dtype == xp.complex64 and tuple(w.shape) == (2, 1, 5)


# --------------------------------------------------------------------------- item 36 and samples


@pytest.mark.jit
@given(params=st.data(), extra=st.integers(1, 20))
def test_unit_timescale_is_the_fir_kernel(xp, dtype, params, extra):
    h, _ = params.draw(_hope(xp, dtype, batch_shape=st.sampled_from([(), (2,)])))
    n = h.shape[-1]
    L = n + extra
    want = np.concatenate([np.zeros(h.shape[:-1] + (1,)), _np(h), np.zeros(h.shape[:-1] + (L - n - 1,))], axis=-1)
    atol = tolerance(dtype, n=n + 2) * _l1(h)
    for mode in ("circular", "linear"):
        k = lti_ops.hope_kernel(h, 1.0, L, mode=mode)
        assert k.dtype == h.dtype
        assert_close(k, want, atol=atol, rtol=0)


@pytest.mark.parametrize("n", [1024, 4096])
def test_long_parameter_vectors_stay_accurate(xp, dtype, n):
    """Horner in 1/w: no w^-k powers, so n = 4096 keeps ~n eps accuracy at Delta = 1."""
    rng = np.random.default_rng(n)
    h = as_xp(xp, (rng.standard_normal(n) + 1j * rng.standard_normal(n)) / math.sqrt(2 * n), COMPLEX[dtype])
    k = lti_ops.hope_kernel(h, 1.0, n + 1, mode="circular")
    assert_close(k[1:], _np(h), atol=tolerance(dtype, n=4) * _l1(h), rtol=0)
    assert abs(complex(to_numpy(k[0]))) <= tolerance(dtype, n=4) * _l1(h)


@given(params=st.data(), seed=SEEDS, K=st.integers(1, 12))
def test_horner_equals_the_power_sum(xp, dtype, params, seed, K):
    h, _ = params.draw(_hope(xp, dtype, batch_shape=st.sampled_from([(), (2,), (3, 1)])))
    rng = np.random.default_rng(seed)
    pts = rng.uniform(0.7, 1.5, (1,) * (h.ndim - 1) + (K,)) * np.exp(1j * rng.uniform(-3, 3, K))
    g = lti_ops.hope_transfer_at(h, as_xp(xp, pts, COMPLEX[dtype]))
    hn = _np(h)
    want = sum(hn[..., k, None] * pts ** (-(k + 1)) for k in range(hn.shape[-1]))
    assert g.dtype == _complex_dtype(xp, dtype)
    assert_close(g, want, rtol=tolerance(dtype, n=hn.shape[-1] + 1, cond=(1 / 0.7) ** hn.shape[-1]))


# --------------------------------------------------------------------------- kernels


@given(params=st.data(), L=st.integers(1, 80))
def test_linear_kernel_is_the_impulse_response(xp, dtype, params, L):
    h, dt = params.draw(_hope(xp, dtype, batch_shape=st.sampled_from([(), (2,)]), complex_=st.booleans()))
    k = lti_ops.hope_kernel(h, dt, L)
    assert k.dtype == h.dtype and tuple(k.shape) == tuple(h.shape[:-1]) + (L,)
    n = h.shape[-1]
    atol = tolerance(dtype, n=n + 8, cond=8) * _l1(h)
    assert_close(k, _kernels(h, dt, L), atol=atol, rtol=0)


@pytest.mark.jit
@given(params=st.data(), L=st.integers(1, 40))
def test_circular_kernel_is_the_folded_impulse_response(xp, dtype, params, L):
    h, dt = params.draw(_hope(xp, dtype, batch_shape=st.sampled_from([(), (2,)])))
    long = _kernels(h, dt, L * (1 + -(-_support(h, dt) // L)))
    folded = long.reshape(long.shape[:-1] + (-1, L)).sum(axis=-2)
    k = lti_ops.hope_kernel(h, dt, L, mode="circular")
    assert_close(k, folded, atol=tolerance(dtype, n=h.shape[-1] + 8, cond=8) * _l1(h), rtol=0)


@given(params=st.data(), L=st.integers(2, 60))
def test_realization_kernel_equals_sampled_kernel(xp, dtype, params, L):
    h, dt = params.draw(_hope(xp, dtype, n=st.integers(1, 10), batch_shape=st.sampled_from([(), (2,)])))
    sys = lti_ops.hope_to_state_space(h, dt)
    n = h.shape[-1]
    assert sys.n_states == n and sys.dt == 1.0 and sys.dtype == h.dtype
    A = to_numpy(sys.A)
    assert np.all(np.tril(A, -1) == 0)
    p = (1 - _dt_np(dt)) / (1 + _dt_np(dt))
    assert_close(np.diagonal(A, axis1=-2, axis2=-1), np.broadcast_to(p[..., None], A.shape[:-1]), rtol=tolerance(dtype))
    m = lti_ops.markov_parameters(sys, L)[..., 0, 0, :]
    atol = tolerance(dtype, n=n + L, cond=4) * _l1(h)
    assert_close(m, lti_ops.hope_kernel(h, dt, L), atol=atol, rtol=0)
    assert_close(m, _kernels(h, dt, L), atol=atol, rtol=0)


@given(params=st.data())
def test_realization_has_the_single_pole_and_an_orthogonal_observer(xp, dtype, params):
    h, dt = params.draw(_hope(xp, dtype, n=st.integers(1, 12)))
    sys = lti_ops.hope_to_state_space(h, dt)
    A, C = (to_numpy(x).astype(complex) for x in (sys.A, sys.C))
    # observability Gramian is I: A^H A + C^H C = I (the all-pass sections are orthogonal)
    assert_close(A.conj().T @ A + C.conj().T @ C, np.eye(A.shape[0]), rtol=0, atol=tolerance(dtype, n=h.shape[-1]))
    if xp.__name__.endswith("numpy"):
        assert np.all(np.abs(sys.poles() - (1 - dt) / (1 + dt)) <= tolerance(dtype))


@given(params=st.data())
def test_feedthrough_formula(xp, dtype, params):
    """Item 39: k_0 = sum_k h_k ((dt - 1)/(dt + 1))^(k+1)."""
    h, dt = params.draw(_hope(xp, dtype, batch_shape=st.sampled_from([(), (3,)])))
    q = ((_dt_np(dt) - 1) / (_dt_np(dt) + 1))[..., None]
    want = np.sum(_np(h) * q ** np.arange(1, h.shape[-1] + 1), axis=-1)
    atol = tolerance(dtype, n=h.shape[-1] + 8) * _l1(h)
    assert_close(lti_ops.hope_kernel(h, dt, 4)[..., 0], want, atol=atol, rtol=0)
    assert_close(lti_ops.hope_to_state_space(h, dt).D[..., 0, 0], want, atol=atol, rtol=0)


@given(params=st.data(), L=st.integers(10, 60))
def test_single_pole_recurrence(xp, dtype, params, L):
    """Item 38: sum_m C(n, m) (-p)^m k_{j-m} = 0 for j > n (n <= 6: binomials stay small)."""
    h, dt = params.draw(_hope(xp, dtype, n=st.integers(1, 6), dt_min=0.2, dt_max=5.0))
    n = h.shape[-1]
    k = _np(lti_ops.hope_kernel(h, dt, L))
    p = (1 - dt) / (1 + dt)
    coef = np.array([math.comb(n, m) * (-p) ** m for m in range(n + 1)])
    residual = [np.dot(coef, k[j - np.arange(n + 1)]) for j in range(n + 1, L)]
    bound = tolerance(dtype, n=n + 8, cond=np.sum(np.abs(coef))) * _l1(h)
    assert np.max(np.abs(residual), initial=0.0) <= bound


# --------------------------------------------------------------------------- items 37, 40, 41


@given(params=st.data())
def test_hankel_singular_values_do_not_depend_on_the_timescale(xp, dtype, params):
    """Item 37: SVs of the long Hankel [k_{i+j+1}] = SVs of the n x n Hankel [h_{i+j}], rank n."""
    h, dt = params.draw(_hope(xp, dtype, n=st.integers(1, 8), dt_min=0.25, dt_max=4.0))
    n = h.shape[-1]
    hn = _np(h)
    want = np.linalg.svd(scipy.linalg.hankel(hn, np.zeros(n)), compute_uv=False)
    m = _support(h, dt, rel=1e-18)
    k = _np(lti_ops.hope_kernel(h, dt, 2 * m + 1))
    sv = np.linalg.svd(scipy.linalg.hankel(k[1 : m + 1], k[m : 2 * m]), compute_uv=False)
    atol = tolerance(dtype, n=m, c=4) * want[0]
    assert_close(sv[:n], want, atol=atol, rtol=0)
    assert np.all(sv[n:] <= atol)
    hsv = lti_ops.hankel_singular_values(lti_ops.hope_to_state_space(h, dt))
    p = (1 - dt) / (1 + dt)  # Gramian route: a Lyapunov solve, conditioned like 1 / (1 - p^2)
    assert_close(hsv, want, atol=tolerance(dtype, n=n * n, c=100, cond=1 / (1 - p * p)) * want[0], rtol=0)


@given(params=st.data())
def test_hinf_norm_does_not_depend_on_the_timescale(xp, dtype, params):
    """Item 41: ||G_dt||_inf = ||G||_inf, and a dense sample of |G| approaches it from below."""
    h, dt = params.draw(_hope(xp, dtype, n=st.integers(1, 8), dt_min=0.25, dt_max=4.0))
    norm = float(lti_ops.hinf_norm(lti_ops.hope_to_state_space(h, dt)))
    base = float(lti_ops.hinf_norm(lti_ops.hope_to_state_space(h, 1.0)))
    rtol = max(1e-6, tolerance(dtype, n=h.shape[-1] * 10, c=100))
    assert abs(norm - base) <= rtol * base
    sampled = float(np.max(np.abs(_np(lti_ops.hope_transfer(h, dt, 4096)))))
    assert sampled <= base * (1 + rtol) and sampled >= base * (1 - 0.05)


@pytest.mark.jit
@given(params=st.data(), seed=SEEDS, L=st.integers(1, 64), size=st.floats(1e-3, 1.0))
def test_lipschitz_bound(xp, dtype, params, seed, L, size):
    """Item 40: max_j |g_j - g~_j| <= ||h - h~||_1 <= sqrt(n) ||h - h~||_2, for every dt."""
    h, dt = params.draw(_hope(xp, dtype))
    n = h.shape[-1]
    rng = np.random.default_rng(seed)
    delta = size * (rng.standard_normal(n) + 1j * rng.standard_normal(n))
    h2 = as_xp(xp, _np(h) + delta, COMPLEX[dtype])
    gap = np.max(np.abs(_np(lti_ops.hope_transfer(h, dt, L)) - _np(lti_ops.hope_transfer(h2, dt, L))))
    l1 = float(np.sum(np.abs(_np(h2) - _np(h))))
    slack = tolerance(dtype, n=n + 2) * (_l1(h) + _l1(h2))
    assert gap <= l1 + slack
    assert l1 <= math.sqrt(n) * float(np.linalg.norm(_np(h2) - _np(h))) * (1 + 1e-12)


# --------------------------------------------------------------------------- items 42, 43: convolution


@given(params=st.data(), seed=SEEDS)
def test_circular_and_linear_agree_past_the_memory_window(xp, dtype, params, seed):
    """Item 42: past S = memory_window the wrap-around is below the tail of the kernel."""
    h, dt = params.draw(_hope(xp, dtype, n=st.integers(1, 8), dt_min=0.2, dt_max=5.0))
    tol = 1e-3 * _l1(h)
    S = int(lti_ops.memory_window(h, dt, tol))
    L = 2 * S + 8
    u = as_xp(xp, np.random.default_rng(seed).standard_normal((2, L)), dtype)
    lin, circ = (_np(lti_ops.hope_conv(u, h, dt, mode=mode)) for mode in ("linear", "circular"))
    tail = float(np.sum(np.abs(_kernels(h, dt, _support(h, dt))[..., S:])))
    umax = float(np.max(np.abs(_np(u))))
    slack = tolerance(dtype, n=L, c=10) * _l1(h) * umax * math.sqrt(L)
    assert np.max(np.abs(lin[..., S:] - circ[..., S:])) <= tail * umax + slack


@given(params=st.data())
def test_memory_window_is_exact_and_follows_the_n_over_dt_rule(xp, params):
    h, dt = params.draw(_hope(xp, "float64", n=st.integers(8, 24), dt_min=0.05, dt_max=20.0))
    tol = 1e-6 * _l1(h)
    S = int(lti_ops.memory_window(h, dt, tol))
    k = np.abs(_kernels(h, dt, _support(h, dt, rel=1e-12)))
    assert np.all(k[S:] < tol) and k[S - 1] >= tol
    rule = h.shape[-1] * max(dt, 1 / dt)
    assert 0.8 * rule <= S <= 2.5 * rule + 2


def test_memory_window_at_unit_timescale_is_the_fir_length(xp):
    h = as_xp(xp, np.array([[1.0, 0.0, 2.0, 0.0], [1.0, 1e-9, 0.0, 0.0]]))
    assert to_numpy(lti_ops.memory_window(h, 1.0, 1e-6)).tolist() == [4, 2]  # last |k_j| >= tol at j = 3, 1
    assert to_numpy(lti_ops.memory_window(h, 1.0, 10.0)).tolist() == [0, 0]


@pytest.mark.jit
@given(params=st.data(), seed=SEEDS, L=st.integers(1, 48))
def test_real_output_for_real_input_is_algorithm_1(xp, dtype, params, seed, L):
    """Item 43: Re(ifft(fft(u) g)) = circular_conv(u, Re(ifft(g))), and hope_conv is it."""
    h, dt = params.draw(_hope(xp, dtype, batch_shape=st.sampled_from([(), (3,)])))
    rng = np.random.default_rng(seed)
    u = rng.standard_normal((2,) + tuple(h.shape[:-1]) + (L,))
    D = rng.standard_normal(h.shape[:-1])
    y = lti_ops.hope_conv(as_xp(xp, u, dtype), h, dt, D=as_xp(xp, D, dtype), mode="circular")
    assert y.dtype == getattr(xp, dtype)
    g = _np(lti_ops.hope_transfer(h, dt, L))
    want = np.real(np.fft.ifft(np.fft.fft(u) * g)) + D[..., None] * u
    kr = np.real(np.fft.ifft(g))
    via_kernel = lti_ops.fftconv(as_xp(xp, u, dtype), as_xp(xp, kr, dtype), mode="circular")
    scale = _l1(h) * float(np.max(np.abs(u))) * math.sqrt(L) + float(np.max(np.abs(D * u[..., 0]), initial=0))
    atol = tolerance(dtype, n=h.shape[-1] + math.log2(L) + 4) * scale
    assert_close(y, want, atol=atol, rtol=0)
    assert_close(via_kernel, want - D[..., None] * u, atol=atol, rtol=0)


@given(params=st.data(), seed=SEEDS, L=st.integers(1, 48), complex_u=st.booleans())
def test_linear_conv_is_the_causal_convolution(xp, dtype, params, seed, L, complex_u):
    h, dt = params.draw(_hope(xp, dtype, batch_shape=st.sampled_from([(), (3,)])))
    rng = np.random.default_rng(seed)
    u = rng.standard_normal(tuple(h.shape[:-1]) + (L,)) + (1j * rng.standard_normal(L) if complex_u else 0)
    y = lti_ops.hope_conv(as_xp(xp, u, COMPLEX[dtype] if complex_u else dtype), h, dt, D=0.5)
    k = _kernels(h, dt, L)
    k = k if complex_u else k.real
    want = np.empty(np.broadcast_shapes(u.shape, k.shape), complex)
    for i in np.ndindex(*want.shape[:-1]):
        want[i] = np.convolve(np.broadcast_to(u, want.shape)[i], np.broadcast_to(k, want.shape)[i])[:L]
    want = want + 0.5 * u
    assert y.dtype == (_complex_dtype(xp, dtype) if complex_u else getattr(xp, dtype))
    scale = _l1(h) * float(np.max(np.abs(u))) * math.sqrt(L) + float(np.max(np.abs(u)))
    assert_close(y, want, atol=tolerance(dtype, n=h.shape[-1] + math.log2(L) + 8) * scale, rtol=0)


@given(params=st.data(), seed=SEEDS, mode=st.sampled_from(["linear", "circular"]))
def test_batch_equals_loop(xp, params, seed, mode):
    """Item 45: (B, H, L) with one dt per channel = a loop over channels."""
    h, dt = params.draw(_hope(xp, "float64", batch_shape=(3,), dt_min=0.3, dt_max=3.0))
    u = np.random.default_rng(seed).standard_normal((2, 3, 24))
    y = to_numpy(lti_ops.hope_conv(as_xp(xp, u), h, dt, mode=mode))
    k = to_numpy(lti_ops.hope_kernel(h, dt, 24, mode=mode))
    for c in range(3):
        hc, dc = h[c : c + 1, :], float(to_numpy(dt)[c])
        kc = to_numpy(lti_ops.hope_kernel(hc, dc, 24, mode=mode))[0]
        np.testing.assert_allclose(k[c], kc, rtol=0, atol=1e-14 * _l1(h))
        yc = to_numpy(lti_ops.hope_conv(as_xp(xp, u[:, c : c + 1]), hc, dc, mode=mode))[:, 0]
        np.testing.assert_allclose(y[:, c], yc, rtol=0, atol=1e-13 * _l1(h) * np.abs(u).max())


def test_hope_transfer_takes_the_kernel_keyword(xp):
    h = as_xp(xp, np.array([1.0 + 1j, 0.5, -0.25j]))
    # "auto" may take the Numba kernel, equal to the reference up to rounding
    assert_close(lti_ops.hope_transfer(h, 0.3, 16, kernel="xp"), lti_ops.hope_transfer(h, 0.3, 16, kernel="auto"), rtol=1e-12)
    foreign, serves = ("numba", "numpy") if array_api_compat.is_cupy_namespace(xp) else ("cupy", "cupy")
    with pytest.raises(ValueError, match=rf"`kernel`='{foreign}' serves {serves} arrays only"):
        lti_ops.hope_kernel(h, 0.3, 8, kernel=foreign)
    with pytest.raises(ValueError, match=r"`kernel` must be one of .*; got 'fast'"):
        lti_ops.hope_conv(as_xp(xp, np.ones(8)), h, 0.3, kernel="fast")


def test_linear_node_count_rule():
    """N = n + 1 at dt = 1 (FIR); the rule is symmetric in dt <-> 1/dt and grows like n/dt."""
    assert tail_length(64, 0.0, 40.0) == 65
    for dt in (0.1, 0.01):
        a = (1 - dt) / (1 + dt)
        N = tail_length(64, a, math.log(2 / 2.2e-16))
        assert 64 / dt < N < 2 * 64 / dt
    h = np.ones(4) / 4
    k_short = lti_ops.hope_kernel(h, 0.2, 16, n_nodes=16)  # aliased on purpose
    assert np.max(np.abs(k_short - lti_ops.hope_kernel(h, 0.2, 16))) > 1e-6


# --------------------------------------------------------------------------- fits and init


@given(params=st.data(), extra=st.integers(0, 10))
def test_fit_of_a_hope_kernel_recovers_it(xp, dtype, params, extra):
    h, _ = params.draw(_hope(xp, dtype, batch_shape=st.sampled_from([(), (2,)])))
    n = h.shape[-1]
    k = lti_ops.hope_kernel(h, 1.0, n + 1 + extra)
    fit = lti_ops.hope_from_kernel(k, n)
    atol = tolerance(dtype, n=n + 4) * _l1(h)
    assert_close(fit.h, _np(h), atol=atol, rtol=0)
    assert_close(fit.D, np.zeros(h.shape[:-1]), atol=atol, rtol=0)
    assert float(np.max(to_numpy(fit.error))) <= atol * math.sqrt(extra + 1)
    longer = lti_ops.hope_from_kernel(k, n + 3)
    assert tuple(longer.h.shape) == tuple(h.shape[:-1]) + (n + 3,)


@given(seed=SEEDS, L=st.integers(2, 30), n=st.integers(1, 40))
def test_fit_error_is_the_residual_norm(xp, dtype, seed, L, n):
    k = np.random.default_rng(seed).standard_normal((2, L)).astype(dtype)
    fit = lti_ops.hope_from_kernel(as_xp(xp, k, dtype), n)
    residual = k.copy()
    residual[:, 0] -= to_numpy(fit.D)
    m = min(n, L - 1)
    residual[:, 1 : m + 1] -= to_numpy(fit.h)[:, :m]
    assert np.all(to_numpy(fit.h)[:, m:] == 0)
    assert_close(fit.error, np.linalg.norm(residual.astype(float), axis=-1), rtol=tolerance(dtype, n=L))


@given(sys=st.data(), n=st.integers(1, 12))
def test_fit_of_a_state_space(xp, dtype, sys, n):
    cont = sys.draw(lst.stable_diagonals(xp=xp, dtype=dtype, n_inputs=1, n_outputs=1, margin=0.5))
    disc = lti_ops.discretize(cont, 0.5, "zoh")
    fit = lti_ops.hope_from_state_space(disc, n)
    m = _np(lti_ops.markov_parameters(disc, 400))[0, 0]
    scale = float(np.max(np.abs(m)))
    assert_close(fit.h, m[1 : n + 1], atol=tolerance(dtype, n=20) * scale, rtol=0)
    assert_close(fit.D, m[0], atol=tolerance(dtype, n=4) * scale, rtol=0)
    tail = math.sqrt(float(np.sum(np.abs(m[n + 1 :]) ** 2)))
    assert abs(float(fit.error) - tail) <= tolerance(dtype, n=100, c=100) * scale + 1e-6 * tail


def test_hope_init_scalings_and_reproducibility(xp):
    h = lti_ops.hope_init(64, H=200, rng=0, xp=xp)
    hn = to_numpy(h)
    assert hn.shape == (200, 64) and h.dtype == xp.complex128
    assert abs(np.mean(np.abs(hn) ** 2) * 8 * 64 - 1) < 0.05  # randn(cfloat) / sqrt(2n) / 2
    assert abs(np.mean(hn.real**2) / np.mean(hn.imag**2) - 1) < 0.1
    lra = to_numpy(lti_ops.hope_init(64, H=200, scaling="lra", rng=0))
    assert abs(np.mean(np.abs(lra) ** 2) * 2 * 64 - 1) < 0.05
    decayed = to_numpy(lti_ops.hope_init(64, H=200, decay_exp=-1.0, rng=0))
    np.testing.assert_allclose(decayed, to_numpy(lti_ops.hope_init(64, H=200, rng=0)) / np.arange(1, 65))
    np.testing.assert_array_equal(to_numpy(lti_ops.hope_init(5, rng=3)), to_numpy(lti_ops.hope_init(5, rng=3)))
    assert lti_ops.hope_init(5, dtype="float32", xp=xp).dtype == xp.complex64


def test_random_hope_is_high_rank():
    """papers.md §3.8: random h has eps-rank close to n (57/61/62 of 64 for one draw)."""
    h = lti_ops.hope_init(64, H=5, rng=1)
    sv = np.stack([np.linalg.svd(scipy.linalg.hankel(x, np.zeros(64)), compute_uv=False) for x in h])
    ranks = to_numpy(lti_ops.epsilon_rank(sv, 1e-4))
    assert np.all(ranks >= 55)


@given(params=st.data())
def test_hope_parameters_strategy_is_bounded(xp, dtype, params):
    h, dt = params.draw(_hope(xp, dtype, batch_shape=st.sampled_from([(), (2, 3)]), dt_min=0.2, dt_max=5.0))
    assert h.dtype == _complex_dtype(xp, dtype)
    d = _dt_np(dt)
    assert np.all((d >= 0.2 * (1 - 1e-6)) & (d <= 5.0 * (1 + 1e-6)))
    assert d.shape == tuple(h.shape[:-1])
    assert float(np.max(np.abs(_np(h)))) < 10


# --------------------------------------------------------------------------- errors


def test_error_paths(xp):
    h = as_xp(xp, np.array([1.0, 0.5]))
    with pytest.raises(TypeError, match=r"`h` must be an array of shape \(\.\.\., n\); got list"):
        lti_ops.hope_kernel([1.0], 1.0, 4)
    with pytest.raises(ValueError, match=r"`h` must have shape \(\.\.\., n\); got \(\)"):
        lti_ops.hope_kernel(as_xp(xp, np.array(1.0)), 1.0, 4)
    with pytest.raises(ValueError, match=r"`h` must hold at least one Markov parameter .* got shape \(2, 0\)"):
        lti_ops.hope_transfer(as_xp(xp, np.zeros((2, 0))), 1.0, 4)
    with pytest.raises(ValueError, match=r"`dt` must be positive and finite; got -1.0"):
        lti_ops.hope_kernel(h, -1.0, 4)
    with pytest.raises(ValueError, match=r"`dt` must be positive and finite everywhere") if checks_values(xp) else nullcontext():
        lti_ops.hope_transfer(h, as_xp(xp, np.array([0.0])), 4)
    with pytest.raises(TypeError, match=r"`dt` must be real; got 1j"):
        lti_ops.mobius_nodes(4, 1j)
    with pytest.raises(ValueError, match=r"batch shapes do not broadcast: `h` has batch shape \(2,\) and `dt` has batch shape \(3,\)"):
        lti_ops.hope_kernel(as_xp(xp, np.ones((2, 3))), as_xp(xp, np.ones(3)), 4)
    with pytest.raises(ValueError, match=r"`L` must be a positive integer; got 0"):
        lti_ops.hope_transfer(h, 1.0, 0)
    with pytest.raises(ValueError, match=r"`mode` must be one of \['linear', 'circular'\]; got 'full'"):
        lti_ops.hope_kernel(h, 1.0, 4, mode="full")
    with pytest.raises(ValueError, match=r"`tol` and `n_nodes` are for mode='linear'"):
        lti_ops.hope_kernel(h, 1.0, 4, mode="circular", tol=1e-3)
    with pytest.raises(ValueError, match=r"`tol` must be in \(0, 1\); got 2.0"):
        lti_ops.hope_kernel(h, 1.0, 4, tol=2.0)
    with pytest.raises(ValueError, match=r"`tol` must be finite and > 0; got 0.0"):
        lti_ops.hope_kernel(h, 1.0, 4, tol=0.0)
    with pytest.raises(ValueError, match=r"`n_nodes` must be at least L = 8; got 4"):
        lti_ops.hope_kernel(h, 1.0, 8, n_nodes=4)
    with pytest.raises(ValueError, match=r"`points` holds 0, the pole of G") if checks_values(xp) else nullcontext():
        lti_ops.hope_transfer_at(h, as_xp(xp, np.array([1.0, 0.0])))
    with pytest.raises(TypeError, match=r"`points` must be an array of shape \(\.\.\., K\); got float"):
        lti_ops.hope_transfer_at(h, 1.0)
    with pytest.raises(ValueError, match=r"`z` holds the pole \(1 \+ dt\) / \(1 - dt\)"):
        lti_ops.mobius(as_xp(xp, np.array([3.0 + 0j])), 0.5)
    with pytest.raises(ValueError, match=r"`dtype` must be complex64 or complex128; got 'float32'"):
        lti_ops.mobius_nodes(4, 1.0, dtype="float32", xp=xp)
    with pytest.raises(TypeError, match=r"`xp` must be an array namespace"):
        lti_ops.mobius_nodes(4, 1.0, xp="numpy")


def test_conv_fit_window_and_init_error_paths(xp):
    h = as_xp(xp, np.array([1.0, 0.5]))
    with pytest.raises(TypeError, match=r"`u` must be an array of shape \(\.\.\., L\); got int"):
        lti_ops.hope_conv(3, h, 1.0)
    with pytest.raises(ValueError, match=r"`u` has shape \(2, 0\): its time axis \(the last\) must not be empty"):
        lti_ops.hope_conv(as_xp(xp, np.zeros((2, 0))), h, 1.0)
    with pytest.raises(ValueError, match=r"batch shapes do not broadcast: `u` has batch shape \(3,\) and `h` has batch shape \(2,\)"):
        lti_ops.hope_conv(as_xp(xp, np.zeros((3, 5))), as_xp(xp, np.ones((2, 2))), 1.0)
    with pytest.raises(ValueError, match=r"`tol` must be finite and > 0; got -1.0"):
        lti_ops.memory_window(h, 1.0, -1.0)
    with pytest.raises(ValueError, match=r"`n` must be a positive integer; got 0"):
        lti_ops.hope_from_kernel(h, 0)
    with pytest.raises(ValueError, match=r"`k` must hold at least one sample .* got shape \(0,\)"):
        lti_ops.hope_from_kernel(as_xp(xp, np.zeros(0)), 2)
    with pytest.raises(TypeError, match=r"`sys` must be a StateSpace, Diagonal or DPLR system; got tuple"):
        lti_ops.hope_from_state_space((1, 2), 2)
    cont = lti_ops.Diagonal.siso(as_xp(xp, np.array([-1.0])), as_xp(xp, np.ones(1)), as_xp(xp, np.ones(1)))
    with pytest.raises(ValueError, match=r"`sys` must be a discrete-time system"):
        lti_ops.hope_from_state_space(cont, 2)
    mimo = lti_ops.Diagonal(as_xp(xp, np.array([0.5])), as_xp(xp, np.ones((1, 2))), as_xp(xp, np.ones((1, 1))), dt=1.0)
    with pytest.raises(ValueError, match=r"`sys` must be SISO \(HOPE channels are\); got 1 outputs and 2 inputs"):
        lti_ops.hope_from_state_space(mimo, 2)
    unstable = lti_ops.Diagonal.siso(as_xp(xp, np.array([1.5])), as_xp(xp, np.ones(1)), as_xp(xp, np.ones(1)), dt=1.0)
    with pytest.raises(ValueError, match=r"stable"):
        lti_ops.hope_from_state_space(unstable, 2)
    with pytest.raises(ValueError, match=r"`scaling` must be one of \['standalone', 'lra'\]; got 'xavier'"):
        lti_ops.hope_init(4, scaling="xavier")
    with pytest.raises(ValueError, match=r"`H` must be a positive integer; got 0"):
        lti_ops.hope_init(4, H=0)
    with pytest.raises(TypeError, match=r"`rng` must be None, a non-negative int seed or a numpy.random.Generator"):
        lti_ops.hope_init(4, rng="seed")
    with pytest.raises(ValueError, match=r"`dtype` must be float32 or float64"):
        lti_ops.hope_init(4, dtype="int8")


# --------------------------------------------------------------------------- bad inputs (issue 17)

DTYPE_MSG = r"`{}` has dtype \S*{}; expected float32, float64, complex64, complex128 or an integer dtype"

# (checked argument, call taking it): every public HOPE function and each of its array arguments
ARRAY_ARGS = {
    "mobius-z": ("z", lambda xp, x: lti_ops.mobius(x, 0.5)),
    "transfer_at-h": ("h", lambda xp, x: lti_ops.hope_transfer_at(x, as_xp(xp, np.array([1.0, -1.0])))),
    "transfer_at-points": ("points", lambda xp, x: lti_ops.hope_transfer_at(as_xp(xp, np.ones(2)), x)),
    "transfer-h": ("h", lambda xp, x: lti_ops.hope_transfer(x, 0.5, 8)),
    "kernel-h": ("h", lambda xp, x: lti_ops.hope_kernel(x, 0.5, 8)),
    "kernel-circular-h": ("h", lambda xp, x: lti_ops.hope_kernel(x, 0.5, 8, mode="circular")),
    "conv-u": ("u", lambda xp, x: lti_ops.hope_conv(x, as_xp(xp, np.ones(2)), 0.5)),
    "conv-h": ("h", lambda xp, x: lti_ops.hope_conv(as_xp(xp, np.ones(6)), x, 0.5)),
    "memory_window-h": ("h", lambda xp, x: lti_ops.memory_window(x, 0.5, 1e-3)),
    "to_state_space-h": ("h", lambda xp, x: lti_ops.hope_to_state_space(x, 0.5)),
    "from_kernel-k": ("k", lambda xp, x: lti_ops.hope_from_kernel(x, 2)),
}

# calls taking `dt` (a number or an array of the batch of `h`, here shape (2,))
DT_ARGS = {
    "mobius": lambda xp, dt: lti_ops.mobius(as_xp(xp, np.ones((2, 3)) + 0j), dt),
    "mobius_nodes": lambda xp, dt: lti_ops.mobius_nodes(4, dt),
    "transfer": lambda xp, dt: lti_ops.hope_transfer(as_xp(xp, np.ones((2, 3))), dt, 8),
    "kernel": lambda xp, dt: lti_ops.hope_kernel(as_xp(xp, np.ones((2, 3))), dt, 8),
    "conv": lambda xp, dt: lti_ops.hope_conv(as_xp(xp, np.ones((2, 6))), as_xp(xp, np.ones((2, 3))), dt),
    "memory_window": lambda xp, dt: lti_ops.memory_window(as_xp(xp, np.ones((2, 3))), dt, 1e-3),
    "to_state_space": lambda xp, dt: lti_ops.hope_to_state_space(as_xp(xp, np.ones((2, 3))), dt),
}


@pytest.mark.parametrize("case", ARRAY_ARGS)
def test_non_finite_arrays_are_refused_by_name(xp, case):
    name, call = ARRAY_ARGS[case]
    for bad in (math.nan, math.inf, -math.inf, complex(0.0, math.nan)):
        x = as_xp(xp, np.array([0.5, bad, bad]), "complex128" if isinstance(bad, complex) else None)
        with pytest.raises(ValueError, match=rf"`{name}` must be finite; got 2 non-finite entries"):
            call(xp, x)


@pytest.mark.parametrize("case", ARRAY_ARGS)
def test_bool_arrays_python_sequences_and_scalars_are_refused_by_name(xp, case):
    name, call = ARRAY_ARGS[case]
    with pytest.raises(TypeError, match=DTYPE_MSG.format(name, "bool")):
        call(xp, as_xp(xp, np.array([True, False])))
    with pytest.raises(TypeError, match=rf"`{name}` must be an array of shape \(\.\.\., \w\); got list"):
        call(xp, [1.0, 0.5])
    with pytest.raises(ValueError, match=rf"`{name}` must have shape \(\.\.\., \w\); got \(\)"):
        call(xp, as_xp(xp, np.array(1.0)))


@pytest.mark.parametrize("case", ARRAY_ARGS)
@pytest.mark.parametrize("dtype", ["float16", "object"])
def test_half_precision_and_object_arrays_are_refused_by_name(case, dtype):
    """float16 would promote silently (or, in `mobius`, came back as a real float16)."""
    name, call = ARRAY_ARGS[case]
    import array_api_compat.numpy as npx

    with pytest.raises(TypeError, match=DTYPE_MSG.format(name, dtype)):
        call(npx, np.array([1.0, 0.5], dtype=dtype))


@pytest.mark.parametrize("case", ARRAY_ARGS)
def test_integer_arrays_promote_to_the_default_float(xp, case):
    name, call = ARRAY_ARGS[case]
    ints = as_xp(xp, np.array([2, 1, 4]))
    floats = xp.astype(ints, _xp.floating_dtype(xp, ints))  # the default float of the namespace
    got, want = _arrays(call(xp, ints)), _arrays(call(xp, floats))
    for g, w in zip(got, want):
        assert g.dtype == w.dtype
        assert_close(g, w, rtol=0, atol=0)


def _arrays(result):
    if hasattr(result, "A"):
        return [result.A, result.B, result.C, result.D]
    return list(result) if isinstance(result, tuple) else [result]


@pytest.mark.parametrize("case", DT_ARGS)
def test_bad_timescales_are_refused_by_name(xp, case):
    call = DT_ARGS[case]
    for bad in (math.nan, math.inf, 0.0, -0.5):
        with pytest.raises(ValueError, match=r"`dt` must be positive and finite; got"):
            call(xp, bad)
    with pytest.raises(ValueError, match=r"`dt` must be a positive finite number or array; got None"):
        call(xp, None)
    for bad in (True, "0.5"):
        with pytest.raises(TypeError, match=r"`dt` must be a positive finite number or array; got"):
            call(xp, bad)
    with pytest.raises(TypeError, match=r"`dt` must be real; got 1j"):
        call(xp, 1j)
    with pytest.raises(TypeError, match=r"`dt` must be an array \(or a number\); got list"):
        call(xp, [0.5, 0.5])
    if checks_values(xp):
        with pytest.raises(ValueError, match=r"`dt` must be positive and finite everywhere"):
            call(xp, as_xp(xp, np.array([0.5, math.nan])))
    with pytest.raises(TypeError, match=r"`dt` (must have a real dtype; got|has dtype) \S*bool"):
        call(xp, as_xp(xp, np.array([True, True])))
    if case != "mobius_nodes":
        with pytest.raises(ValueError, match=r"batch shapes do not broadcast: `\w` has batch shape \(2,\) and `dt` has batch shape \(3,\)"):
            call(xp, as_xp(xp, np.ones(3)))


@pytest.mark.parametrize("case", DT_ARGS)
def test_half_precision_and_foreign_timescale_arrays_are_refused(case):
    import array_api_compat.numpy as npx

    call = DT_ARGS[case]
    with pytest.raises(TypeError, match=DTYPE_MSG.format("dt", "float16")):
        call(npx, np.array([0.5, 2.0], dtype=np.float16))
    torch = pytest.importorskip("torch")
    if case != "mobius_nodes":
        with pytest.raises(TypeError, match=r"`\w` and `dt` are from different namespaces: numpy and torch"):
            call(npx, torch.tensor([0.5, 2.0], dtype=torch.float64))


def test_mixed_namespaces_are_refused_by_name():
    torch = pytest.importorskip("torch")
    h, t = np.ones(2), torch.ones(4, dtype=torch.float64)
    with pytest.raises(TypeError, match=r"`h` and `points` are from different namespaces: numpy and torch"):
        lti_ops.hope_transfer_at(h, t)
    with pytest.raises(TypeError, match=r"`u` and `h` are from different namespaces: torch and numpy"):
        lti_ops.hope_conv(t, h, 0.5)


@pytest.mark.parametrize("bad", [0, -1, 2.0, "4", True, None])
def test_bad_lengths_and_orders_are_refused_by_name(xp, bad):
    h = as_xp(xp, np.array([1.0, 0.5]))
    pattern = r"`{}` must be a positive integer; got " + re.escape(repr(bad))
    calls = {
        "L": [lambda: lti_ops.hope_transfer(h, 0.5, bad), lambda: lti_ops.hope_kernel(h, 0.5, bad),
              lambda: lti_ops.hope_kernel(h, 0.5, bad, mode="circular"), lambda: lti_ops.mobius_nodes(bad, 0.5)],
        "n": [lambda: lti_ops.hope_from_kernel(h, bad), lambda: lti_ops.hope_init(bad)],
        "n_nodes": [lambda: lti_ops.hope_kernel(h, 0.5, 4, n_nodes=bad)] if bad is not None else [],
        "H": [lambda: lti_ops.hope_init(4, H=bad)] if bad is not None else [],
    }
    for name, fns in calls.items():
        for fn in fns:
            with pytest.raises(ValueError, match=pattern.format(name)):
                fn()


def test_empty_inputs(xp):
    """No parameter or no sample is refused; an empty batch is an empty result."""
    for call in (lambda x: lti_ops.hope_kernel(x, 0.5, 4), lambda x: lti_ops.memory_window(x, 0.5, 1e-3),
                 lambda x: lti_ops.hope_to_state_space(x, 0.5), lambda x: lti_ops.hope_transfer_at(x, as_xp(xp, np.ones(2)))):
        with pytest.raises(ValueError, match=r"`h` must hold at least one Markov parameter"):
            call(as_xp(xp, np.zeros((2, 0))))
    h0, dt0 = as_xp(xp, np.ones((0, 3))), as_xp(xp, np.ones(0))
    assert tuple(lti_ops.hope_kernel(h0, dt0, 4).shape) == (0, 4)
    assert tuple(lti_ops.memory_window(h0, dt0, 1e-3).shape) == (0,)
    assert tuple(lti_ops.hope_transfer_at(as_xp(xp, np.ones(3)), as_xp(xp, np.ones(0))).shape) == (0,)


@pytest.mark.parametrize("dt", [1e-8, 1e8, 1e-300, 1e300])
def test_extreme_timescales_are_refused_not_run(dt):
    """The alias-free rule would ask for ~n/dt nodes (or |p| rounds to 1): a clear error,
    at once, instead of gigabytes and minutes; the circular kernel and n_nodes still work."""
    h = np.ones(4) / 4
    if dt in (1e-300, 1e300):
        why = r"`dt` is so far from 1 that the pole p = \(1 - dt\)/\(1 \+ dt\) .* rounds to \|p\| = 1"
    else:
        why = r"`dt` makes HOPE's kernel last about n \* max\(dt, 1/dt\) steps: \d+ lags here for n = 4"
    with pytest.raises(ValueError, match=why + r".*pass n_nodes=\.\.\. \(at least L\), a larger `tol`, or mode='circular'"):
        lti_ops.hope_kernel(h, dt, 16)
    with pytest.raises(ValueError, match=why + r".*use a larger `tol` or a `dt` closer to 1"):
        lti_ops.memory_window(h, dt, 1e-3)
    assert np.all(np.isfinite(lti_ops.hope_kernel(h, dt, 16, mode="circular")))
    assert np.all(np.isfinite(lti_ops.hope_kernel(h, dt, 16, n_nodes=64)))


# --------------------------------------------------------------------------- paper: why nonuniform


def _slow_system(tau):
    """A real continuous system (modes at s = -1, -0.7 +- 0.6i, -1.5) discretized by the
    bilinear rule at step tau: T(z) = sum_i c_i (z + 1)/(z - q_i) and its kernel."""
    lam = np.array([-1.0, -0.7 + 0.6j, -0.7 - 0.6j, -1.5])
    res = np.array([1.0, 0.5 - 0.8j, 0.5 + 0.8j, -0.6])
    c, q = res * tau / (2 - lam * tau), (2 + lam * tau) / (2 - lam * tau)

    def transfer(z):
        return np.sum(c[:, None] * (z + 1) / (z - q[:, None]), axis=0)

    def kernel(L):
        j = np.arange(1, L)
        return np.concatenate([[c.sum()], (c[:, None] * (1 + q[:, None]) * q[:, None] ** (j - 1)).sum(0)]).real

    return transfer, kernel


def _fit_from_samples(transfer, nodes, n):
    """D and n HOPE parameters from L samples of a transfer function at `nodes`: the lags of
    ifft(T(nodes)), the base system G whose resampling G(M_dt(z)) is T (Algorithm 1 backwards)."""
    c = np.fft.ifft(transfer(nodes))
    return c[0], c[1 : n + 1]


@pytest.mark.parametrize("beta", [0.25, 0.5, 1.0, 2.0, 4.0])
def test_mobius_sampling_recovers_a_long_memory_system_that_uniform_sampling_cannot(beta):
    """papers.md §3.2-3.4: n Markov parameters sampled at Möbius nodes hold a memory of about
    n/dt steps; sampled at the uniform FFT nodes (dt = 1) they hold n steps.

    The target is a slow system (a bilinear discretization at step tau = 0.02 of modes near
    s = -1: its kernel lasts ~2000 steps). Both fits get the same budget: L = 256 samples of
    T on the unit circle and n = 16 parameters plus a skip D. Uniform: h = lags 1..n of
    ifft(T(omega_j)), HOPE at dt = 1 (an FIR filter). Möbius: h = lags 1..n of
    ifft(T(M_{1/dt}(omega_j))), the nonuniform nodes of ``mobius_nodes(L, 1/dt)``, HOPE at dt
    = beta * tau / 2 (beta = 1 matches the modes' scale). The kernel and the transfer function
    of each HOPE model are compared with the target's: uniform sampling misses 87 % of the
    kernel (and 82 % of the peak of T), Möbius sampling 6e-7 at the matched dt and under 1 %
    anywhere in a 16-fold range of dt around it.
    """
    tau, n, L, Lk = 0.02, 16, 256, 3000
    transfer, kernel = _slow_system(tau)
    want = kernel(Lk)
    assert abs(want[-1]) < 1e-15 * np.abs(want).max()  # Lk covers the whole memory
    grid = np.exp(2j * np.pi * np.arange(4096) / 4096)
    T = transfer(grid)

    def errors(D, h, dt):
        k = np.asarray(lti_ops.hope_kernel(h, dt, Lk)) + D * (np.arange(Lk) == 0)
        g = np.asarray(lti_ops.hope_transfer(h, dt, grid.size)) + D  # G_dt at the FFT nodes
        return np.linalg.norm(k - want) / np.linalg.norm(want), np.max(np.abs(g - T)) / np.max(np.abs(T))

    uniform = errors(*_fit_from_samples(transfer, lti_ops.mobius_nodes(L, 1.0), n), 1.0)
    dt = beta * tau / 2
    mobius = errors(*_fit_from_samples(transfer, lti_ops.mobius_nodes(L, 1 / dt), n), dt)
    assert uniform[0] > 0.8 and uniform[1] > 0.5  # n = 16 uniform samples' parameters: 16 lags of ~2000
    assert mobius[0] < 0.01 * uniform[0] and mobius[1] < 0.01 * uniform[1]
    if beta == 1.0:
        assert mobius[0] < 1e-5 and mobius[1] < 1e-6
