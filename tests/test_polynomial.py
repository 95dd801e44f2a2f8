"""Polynomial representations (issue 18, item 2): transfer-function coefficients and
zero-pole-gain form, against scipy.signal (ss2tf, tf2ss, ss2zpk, zpk2ss) and control.ss2tf,
and round trips."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lti_ops
from lti_ops import _xp
from lti_ops.testing import to_numpy

signal = pytest.importorskip("scipy.signal")
control = pytest.importorskip("control")

SEEDS = st.integers(0, 2**32 - 1)


def _random(seed, N, P, M, *, complex_=False, batch=()):
    rng = np.random.default_rng(seed)

    def draw(*shape):
        x = rng.standard_normal(batch + shape)
        return x + 1j * rng.standard_normal(batch + shape) if complex_ else x

    return draw(N, N) / math.sqrt(max(N, 1)), draw(N, M), draw(P, N), draw(P, M)


def _points(seed, K=4):
    rng = np.random.default_rng(seed + 1)
    return rng.uniform(-2, 2, K) + 1j * rng.uniform(0.5, 2, K)


def _eval(num, den, s):
    """num(s)/den(s) by Horner, num (..., P, M, L) and den (..., n+1) NumPy, s (K,)."""
    pn = np.stack([np.polyval(np.moveaxis(num, -1, 0), x) for x in s], axis=-1)
    pd = np.stack([np.polyval(np.moveaxis(den, -1, 0), x) for x in s], axis=-1)
    return pn / pd[..., None, None, :]


def _tol(dtype, n, c=1000):
    return c * n * np.finfo(dtype).eps


def _not_on_jax(xp):
    if "jax" in xp.__name__:
        pytest.skip("JAX compiles every new shape (seconds each); it runs the identity and gradient tests")


# --------------------------------------------------------------------------- to_transfer_function


@settings(max_examples=10)
@given(seed=SEEDS, N=st.integers(0, 6), P=st.integers(1, 2), M=st.integers(1, 2), complex_=st.booleans())
def test_coefficients_give_the_transfer_function(xp, seed, N, P, M, complex_):
    arrays = _random(seed, N, P, M, complex_=complex_, batch=(2,))
    sys = lti_ops.StateSpace(*(xp.asarray(x) for x in arrays), dt=0.5)
    num, den = lti_ops.to_transfer_function(sys)
    assert num.shape == (2, P, M, N + 1) and den.shape == (2, N + 1)
    assert num.dtype == sys.dtype and den.dtype == sys.dtype  # real stays real, complex complex
    s = _points(seed)
    got = _eval(to_numpy(num), to_numpy(den), s)
    want = to_numpy(lti_ops.transfer_function(sys, xp.asarray(s)))
    np.testing.assert_allclose(got, want, rtol=_tol(np.float64, N + 1, 1e4), atol=_tol(np.float64, N + 1, 1e4))


@settings(max_examples=10)
@given(seed=SEEDS, N=st.integers(1, 6), P=st.integers(1, 3), M=st.integers(1, 3))
def test_coefficients_equal_scipy_ss2tf(xp, seed, N, P, M):
    _not_on_jax(xp)
    arrays = _random(seed, N, P, M)
    num, den = (to_numpy(x) for x in lti_ops.to_transfer_function(lti_ops.StateSpace(*(xp.asarray(x) for x in arrays))))
    scale = 1 + np.max(np.abs(den))
    for j in range(M):
        n2, d2 = signal.ss2tf(*arrays, input=j)
        np.testing.assert_allclose(den, d2, atol=_tol(np.float64, N, 1e4) * scale)
        np.testing.assert_allclose(num[:, j], n2, atol=_tol(np.float64, N, 1e4) * scale * (1 + np.max(np.abs(n2))))


def test_transfer_function_equals_control_ss2tf():
    arrays = _random(11, 4, 2, 3)
    num, den = lti_ops.to_transfer_function(lti_ops.StateSpace(*arrays))
    tf = control.ss2tf(control.ss(*arrays))
    s = _points(11)
    want = np.stack([tf(x) for x in s], axis=-1)
    np.testing.assert_allclose(_eval(num, den, s), want, rtol=1e-10)


@settings(max_examples=5)
@given(seed=SEEDS, conj_sym=st.booleans())
def test_diagonal_route_equals_dense_route(xp, seed, conj_sym):
    _not_on_jax(xp)
    rng = np.random.default_rng(seed)
    lam = xp.asarray(-rng.uniform(0.2, 2, 3) + 1j * rng.uniform(-2, 2, 3))
    B, C = (xp.asarray(rng.standard_normal(s) + 1j * rng.standard_normal(s)) for s in ((3, 2), (2, 3)))
    D = xp.asarray(rng.standard_normal((2, 2)) + (0 if conj_sym else 1j) * rng.standard_normal((2, 2)))
    sys = lti_ops.Diagonal(lam, B, C, D, conj_sym=conj_sym)
    num, den = lti_ops.to_transfer_function(sys)
    assert _xp.is_complex(xp, num.dtype) is not conj_sym  # conj_sym gives real coefficients
    num2, den2 = lti_ops.to_transfer_function(sys.to_dense())
    np.testing.assert_allclose(to_numpy(den), to_numpy(den2), atol=1e-12 * 50)
    np.testing.assert_allclose(to_numpy(num), to_numpy(num2), atol=1e-12 * 50)


def test_float32_stays_float32(xp):
    _not_on_jax(xp)
    arrays = [x.astype(np.float32) for x in _random(3, 3, 1, 1)]
    num, den = lti_ops.to_transfer_function(lti_ops.StateSpace(*(xp.asarray(x) for x in arrays)))
    assert num.dtype == xp.float32 and den.dtype == xp.float32
    n2, d2 = signal.ss2tf(*(x.astype(np.float64) for x in arrays))
    np.testing.assert_allclose(to_numpy(den), d2, atol=_tol(np.float32, 3, 100) * 10)
    np.testing.assert_allclose(to_numpy(num)[0, 0], n2[0], atol=_tol(np.float32, 3, 100) * 10)


def test_den_gradient_matches_finite_differences():
    torch = pytest.importorskip("torch")
    A, B, C, D = (torch.tensor(x) for x in _random(5, 3, 1, 1))
    A.requires_grad_(True)
    w = torch.tensor([0.3, -1.2, 0.7, 2.0], dtype=torch.float64)

    def f(a):
        num, den = lti_ops.to_transfer_function(lti_ops.StateSpace(a, B, C, D))
        return torch.sum(w * den) + torch.sum(w * num[0, 0])

    (grad,) = torch.autograd.grad(f(A), A)
    h, fd = 1e-6, torch.zeros_like(A)
    with torch.no_grad():
        for i in range(3):
            for j in range(3):
                E = torch.zeros_like(A)
                E[i, j] = h
                fd[i, j] = (f(A + E) - f(A - E)) / (2 * h)
    np.testing.assert_allclose(grad.numpy(), fd.numpy(), rtol=1e-6, atol=1e-8)


def test_den_gradient_on_jax():
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    A, B, C, D = (jax.numpy.asarray(x) for x in _random(6, 3, 1, 1))
    f = lambda a: lti_ops.to_transfer_function(lti_ops.StateSpace(a, B, C, D))[1][-1]  # noqa: E731  = det(-A)
    A = np.asarray(A)  # d det(-A) / dA = det(-A) A^{-T}
    np.testing.assert_allclose(jax.jit(jax.grad(f))(jax.numpy.asarray(A)), np.linalg.det(-A) * np.linalg.inv(A).T, rtol=1e-10)


# --------------------------------------------------------------------------- from_transfer_function


@settings(max_examples=10)
@given(seed=SEEDS, n=st.integers(1, 5), lead=st.floats(0.5, 3.0), L=st.integers(1, 6))
def test_canonical_form_equals_scipy_tf2ss(xp, seed, n, lead, L):
    _not_on_jax(xp)
    rng = np.random.default_rng(seed)
    den = np.concatenate([[lead], rng.standard_normal(n)])
    num = rng.standard_normal(min(L, n + 1))
    sys = lti_ops.from_transfer_function(xp.asarray(num), xp.asarray(den), dt=0.2)
    assert sys.dt == 0.2 and sys.n_states == n
    want = signal.tf2ss(num, den)
    for got, w in zip((sys.A, sys.B, sys.C, sys.D), want):
        np.testing.assert_allclose(to_numpy(got), np.reshape(w, to_numpy(got).shape), atol=1e-13)


@settings(max_examples=10)
@given(seed=SEEDS, N=st.integers(1, 5), P=st.integers(1, 2), M=st.integers(1, 3))
def test_round_trip_keeps_the_frequency_response(xp, seed, N, P, M):
    _not_on_jax(xp)
    arrays = _random(seed, N, P, M, batch=(2,))
    sys = lti_ops.StateSpace(*(xp.asarray(x) for x in arrays))
    back = lti_ops.from_transfer_function(*lti_ops.to_transfer_function(sys), mimo=True)
    assert back.n_states == N * M and back.batch_shape == (2,)
    s = xp.asarray(_points(seed))
    np.testing.assert_allclose(to_numpy(lti_ops.transfer_function(back, s)),
                               to_numpy(lti_ops.transfer_function(sys, s)), rtol=1e-8, atol=1e-8)


def test_static_gain_has_no_state():
    sys = lti_ops.from_transfer_function(np.array([[3.0], [1.0]]), np.array([[2.0], [4.0]]))
    assert sys.n_states == 0 and sys.batch_shape == (2,)
    np.testing.assert_allclose(sys.D[..., 0, 0], [1.5, 0.25])


def test_from_transfer_function_errors():
    den = np.array([1.0, 3.0, 2.0])
    with pytest.raises(ValueError, match="`num` has 4 coefficients and `den` 3: the transfer function is improper"):
        lti_ops.from_transfer_function(np.ones(4), den)
    with pytest.raises(ValueError, match="`den` has a zero leading coefficient"):
        lti_ops.from_transfer_function(np.ones(2), np.array([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match=r"`num` must have shape \(..., P, M, L\) with mimo=True"):
        lti_ops.from_transfer_function(np.ones(2), den, mimo=True)
    with pytest.raises(ValueError, match="`den` must have shape"):
        lti_ops.from_transfer_function(np.ones(2), np.float64(1.0) + np.zeros(()))
    with pytest.raises(ValueError, match="`num` and `den` need at least one coefficient"):
        lti_ops.from_transfer_function(np.ones(0), np.ones(0))
    with pytest.raises(TypeError, match="`mimo` must be True or False"):
        lti_ops.from_transfer_function(np.ones(2), den, mimo="yes")
    with pytest.raises(ValueError, match="batch shapes do not broadcast"):
        lti_ops.from_transfer_function(np.ones((3, 2)), np.ones((2, 3)))
    with pytest.raises(ValueError, match="`num` must be finite"):
        lti_ops.from_transfer_function(np.array([np.nan, 1.0]), den)


# --------------------------------------------------------------------------- zero-pole-gain


@settings(max_examples=8)
@given(seed=SEEDS, N=st.integers(1, 5), P=st.integers(1, 2), M=st.integers(1, 2), d=st.booleans())
def test_zpk_equals_scipy_ss2zpk(xp, seed, N, P, M, d):
    _not_on_jax(xp)
    A, B, C, D = _random(seed, N, P, M)
    D = D if d else 0 * D
    z, p, k = lti_ops.to_zpk(lti_ops.StateSpace(*(xp.asarray(x) for x in (A, B, C, D))))
    z, p, k = to_numpy(z), to_numpy(p), to_numpy(k)
    assert z.shape == (P, M, N) and p.shape == (N,) and k.shape == (P, M) and not np.iscomplexobj(k)
    np.testing.assert_allclose(np.sort_complex(p), np.sort_complex(np.linalg.eigvals(A)), atol=1e-12)
    for i in range(P):
        for j in range(M):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", signal.BadCoefficients)
                z2, _, k2 = signal.ss2zpk(A, B, C[i : i + 1], D[i : i + 1], input=j)
            np.testing.assert_allclose(k[i, j], k2, rtol=1e-8)
            zf = z[i, j][np.isfinite(z[i, j])]
            assert zf.shape == z2.shape
            np.testing.assert_allclose(np.poly(zf), np.poly(z2), atol=1e-7 * (1 + np.max(np.abs(np.poly(z2)))))


@settings(max_examples=10)
@given(seed=SEEDS, N=st.integers(1, 5), nz=st.integers(0, 5), complex_=st.booleans())
def test_zpk_round_trip_and_scipy_zpk2ss(xp, seed, N, nz, complex_):
    _not_on_jax(xp)
    rng = np.random.default_rng(seed)
    nz = min(nz, N)
    half = lambda n: -rng.uniform(0.2, 2, n) + 1j * rng.uniform(0.1, 2, n)  # noqa: E731
    if complex_:
        p, zf, k = half(N), half(nz), np.array([[1.5 - 0.5j]])
    else:  # conjugate-closed
        hp, hz = half(N // 2), half(nz // 2)
        p = np.concatenate([hp, np.conj(hp), -rng.uniform(0.2, 2, N % 2)])
        zf = np.concatenate([hz, np.conj(hz), -rng.uniform(0.2, 2, nz % 2)])
        k = np.array([[1.5]])
    z = np.concatenate([zf, np.full(N - nz, np.inf)])[None, None, :]
    sys = lti_ops.from_zpk(xp.asarray(z), xp.asarray(p), xp.asarray(k))
    assert _xp.is_complex(xp, sys.dtype) is complex_
    s = _points(seed)
    want = k[0, 0] * np.prod(s[:, None] - zf, axis=-1) / np.prod(s[:, None] - p, axis=-1)
    got = to_numpy(lti_ops.transfer_function(sys, xp.asarray(s)))[0, 0]
    np.testing.assert_allclose(got, want, rtol=1e-9)
    ref = signal.zpk2ss(zf, p, k[0, 0])
    np.testing.assert_allclose(got, to_numpy(lti_ops.transfer_function(lti_ops.StateSpace(*ref), s))[0, 0], rtol=1e-9)
    z2, p2, k2 = (to_numpy(x) for x in lti_ops.to_zpk(sys))
    np.testing.assert_allclose(k2, k, rtol=1e-9)
    assert np.sum(np.isfinite(z2)) == nz
    np.testing.assert_allclose(np.poly(z2[np.isfinite(z2)]), np.poly(zf), atol=1e-7)
    np.testing.assert_allclose(np.poly(p2), np.poly(p), atol=1e-9)


def test_mimo_zpk_round_trip_is_batched():
    arrays = _random(9, 3, 2, 2, batch=(3,))
    sys = lti_ops.StateSpace(*arrays)
    z, p, k = lti_ops.to_zpk(sys)
    assert z.shape == (3, 2, 2, 3) and p.shape == (3, 3) and k.shape == (3, 2, 2)
    back = lti_ops.from_zpk(z, p, k)
    s = _points(9)
    np.testing.assert_allclose(lti_ops.transfer_function(back, s), lti_ops.transfer_function(sys, s), rtol=1e-8)


def test_from_zpk_errors():
    z, p, k = np.array([[[-1.0, np.inf]]]), np.array([-1.0, -2.0]), np.array([[2.0]])
    with pytest.raises(ValueError, match="`z` has 3 entries per channel and `p` 2 poles"):
        lti_ops.from_zpk(np.array([[[-1.0, np.inf, np.inf]]]), p, k)
    with pytest.raises(ValueError, match="`z` must not contain NaN"):
        lti_ops.from_zpk(np.array([[[np.nan, 1.0]]]), p, k)
    with pytest.raises(ValueError, match=r"`z` has shape \(1, 1, 2\) and `k` \(1, 2\)"):
        lti_ops.from_zpk(z, p, np.ones((1, 2)))
    with pytest.raises(ValueError, match=r"`z` must have shape \(..., P, M, Nz\)"):
        lti_ops.from_zpk(np.array([-1.0]), p, k)
    with pytest.raises(ValueError, match="`z` must be closed under complex conjugation"):
        lti_ops.from_zpk(np.array([[[-1.0 + 1j, np.inf]]]), p, k)
    with pytest.raises(ValueError, match="`p` must be closed under complex conjugation"):
        lti_ops.from_zpk(z, np.array([-1.0 + 1j, -2.0]), k)
    with pytest.raises(ValueError, match="`p` must be finite"):
        lti_ops.from_zpk(z, np.array([np.inf, -2.0]), k)
    with pytest.raises(ValueError, match="batch shapes do not broadcast"):
        lti_ops.from_zpk(z, np.ones((3, 2)), np.ones((2, 1, 1)))


def test_to_functions_refuse_non_systems():
    for fn in (lti_ops.to_transfer_function, lti_ops.to_zpk):
        with pytest.raises(TypeError, match="`sys` must be a StateSpace, Diagonal or DPLR"):
            fn(np.eye(2))
