"""Invariant zeros (issue 18, item 1): against SLICOT (control.zeros) and scipy.signal.ss2zpk,
the rank drop of G at each zero, and eig(A - B D^{-1} C) for invertible D."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

import lti_ops
from lti_ops import _xp
from lti_ops.testing import to_numpy

control = pytest.importorskip("control")
signal = pytest.importorskip("scipy.signal")

SEEDS = st.integers(0, 2**32 - 1)


def _random(seed, N, P, M, *, d="random", dt=None, dtype="float64"):
    """A random real system (NumPy arrays) and its StateSpace."""
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((N, N)) / math.sqrt(N)
    B, C = rng.standard_normal((N, M)), rng.standard_normal((P, N))
    D = rng.standard_normal((P, M)) if d == "random" else np.zeros((P, M))
    if d == "invertible":
        D = D + 2 * np.eye(P, M)
    return [x.astype(dtype) for x in (A, B, C, D)]


def _system(xp, arrays, dt=None):
    return lti_ops.StateSpace(*(xp.asarray(x) for x in arrays), dt=dt)


def _finite(z):
    z = to_numpy(z)
    return z[np.isfinite(z)]


def assert_same_zeros(got, want, tol):
    """The finite entries of `got` match `want` one to one within tol * (1 + |want|)."""
    got, want = _finite(got), np.asarray(want)
    assert got.shape == want.shape, (got, want)
    if not want.size:
        return
    cost = np.abs(got[:, None] - want[None, :])
    rows, cols = linear_sum_assignment(cost)
    err = cost[rows, cols] / (1 + np.abs(want[cols]))
    assert np.max(err) <= tol, (got, want, err)


def _tol(dtype, n):
    return 100 * n * math.sqrt(np.finfo(dtype).eps)


def _not_on_jax(xp):
    """JAX compiles each new shape (5-10 s a test); it runs the eig route that torch runs here
    too, and is checked on it in the SISO comparison and under jax.jit."""
    if "jax" in xp.__name__:
        pytest.skip("the eig route is checked on torch; JAX runs it in the SISO, rank and jit tests")


# --------------------------------------------------------------------------- against SLICOT / SciPy


@settings(max_examples=10)
@given(seed=SEEDS, N=st.integers(1, 6), d=st.sampled_from(["zero", "random"]), discrete=st.booleans())
def test_siso_zeros_equal_control_and_scipy(xp, seed, N, d, discrete):
    arrays = _random(seed, N, 1, 1, d=d)
    dt = 0.1 if discrete else None
    z = lti_ops.zeros(_system(xp, arrays, dt))
    assert z.shape == (N,) and z.dtype == _xp.complex_dtype(xp, xp.float64)
    assert_same_zeros(z, control.zeros(control.ss(*arrays, dt or 0)), _tol(np.float64, N))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", signal.BadCoefficients)  # its leading-zero trimming warns
        want = signal.ss2zpk(*arrays)[0]
    assert_same_zeros(z, want, _tol(np.float64, N))


@settings(max_examples=10)
@given(seed=SEEDS, N=st.integers(1, 6), io=st.integers(2, 3), d=st.sampled_from(["zero", "random"]))
def test_square_mimo_zeros_equal_control(xp, seed, N, io, d):
    _not_on_jax(xp)
    arrays = _random(seed, N, io, io, d=d)
    z = lti_ops.zeros(_system(xp, arrays, dt=1.0))
    assert_same_zeros(z, control.zeros(control.ss(*arrays, 1.0)), _tol(np.float64, N))


@settings(max_examples=10)
@given(seed=SEEDS, N=st.integers(2, 6), tall=st.booleans(), d=st.sampled_from(["zero", "random"]),
       dependent=st.booleans())
def test_non_square_zeros_equal_control(xp, seed, N, tall, d, dependent):
    """Generic tall/wide systems have no zeros; with a dependent extra output (input) row the
    zeros are those of the square part."""
    _not_on_jax(xp)
    A, B, C, D = _random(seed, N, 2, 2, d=d)
    extra = np.random.default_rng(seed + 1).standard_normal(2)
    row = extra @ C if dependent else np.random.default_rng(seed + 2).standard_normal(N)
    C, D = np.vstack([C, row]), np.vstack([D, extra @ D if dependent else np.zeros(2)])
    arrays = (A, B, C, D) if tall else (A.T, C.T, B.T, D.T)
    z = lti_ops.zeros(_system(xp, arrays))
    assert z.shape == (N,)
    assert_same_zeros(z, control.zeros(control.ss(*arrays)), _tol(np.float64, N))


# --------------------------------------------------------------------------- identities


@settings(max_examples=10)
@given(seed=SEEDS, N=st.integers(1, 6), io=st.integers(1, 3))
def test_transfer_matrix_loses_rank_at_each_zero(xp, seed, N, io):
    arrays = _random(seed, N, io, io, d="zero" if seed % 2 else "random")
    sys = _system(xp, arrays)
    z = _finite(lti_ops.zeros(sys))
    poles = np.linalg.eigvals(arrays[0])
    z = z[np.min(np.abs(z[:, None] - poles[None, :]), axis=-1, initial=np.inf) > 1e-3] if z.size else z
    if not z.size:
        return
    G = to_numpy(lti_ops.transfer_function(sys, xp.asarray(z)))  # (P, M, K)
    smallest = np.linalg.svd(np.moveaxis(G, -1, 0), compute_uv=False)[:, -1]
    A, B, C, D = arrays  # the size of the terms that cancel: |C| |(zI - A)^{-1}| |B| + |D|
    resolvent = [np.linalg.norm(np.linalg.inv(s * np.eye(N) - A), 2) for s in z]
    scale = np.linalg.norm(C, 2) * np.array(resolvent) * np.linalg.norm(B, 2) + np.linalg.norm(D, 2)
    assert np.all(smallest <= _tol(np.float64, N) * scale * (1 + np.abs(z))), (smallest, scale, z)


def test_transfer_matrix_keeps_rank_away_from_zeros():
    """The test above would pass for any point if G were always singular: it is not."""
    arrays = _random(3, 4, 2, 2)
    G = lti_ops.transfer_function(lti_ops.StateSpace(*arrays), np.array([0.3 + 0.7j]))[..., 0]
    sv = np.linalg.svd(G, compute_uv=False)
    assert sv[-1] > 1e-3 * sv[0]


@settings(max_examples=10)
@given(seed=SEEDS, N=st.integers(1, 6), io=st.integers(1, 3))
def test_invertible_d_gives_eig_of_a_minus_b_dinv_c(xp, dtype, seed, N, io):
    arrays = _random(seed, N, io, io, d="invertible", dtype=dtype)
    A, B, C, D = (x.astype(np.float64) for x in arrays)
    want = np.linalg.eigvals(A - B @ np.linalg.solve(D, C))
    z = lti_ops.zeros(_system(xp, arrays))
    assert z.dtype == _xp.complex_dtype(xp, getattr(xp, dtype))
    cond = np.linalg.cond(D)
    assert_same_zeros(z, want, _tol(np.dtype(dtype), N) * cond)


@settings(max_examples=5)
@given(seed=SEEDS)
def test_structured_systems_equal_their_dense_form(xp, seed):
    _not_on_jax(xp)
    rng = np.random.default_rng(seed)
    lam = xp.asarray(-rng.uniform(0.2, 2, 3) + 1j * rng.uniform(-2, 2, 3))
    B, C = (xp.asarray(rng.standard_normal(s) + 1j * rng.standard_normal(s)) for s in ((3, 1), (1, 3)))
    P = xp.asarray(0.3 * rng.standard_normal((3, 1)) + 0j)
    for sys in (lti_ops.Diagonal(lam, B, C, conj_sym=True), lti_ops.DPLR(lam, P, P, B, C)):
        assert_same_zeros(lti_ops.zeros(sys), _finite(lti_ops.zeros(sys.to_dense())), _tol(np.float64, 6))


def test_batched_equals_one_by_one(xp):
    _not_on_jax(xp)
    stacks = [np.stack(x) for x in zip(*(_random(s, 4, 2, 2, d="zero") for s in range(3)))]
    z = to_numpy(lti_ops.zeros(_system(xp, stacks)))
    assert z.shape == (3, 4)
    for i in range(3):
        one = to_numpy(lti_ops.zeros(_system(xp, [x[i] for x in stacks])))
        np.testing.assert_allclose(z[i], one, rtol=1e-10)
    shared = lti_ops.StateSpace(xp.asarray(stacks[0]), xp.asarray(stacks[1][0]), xp.asarray(stacks[2][0]))
    assert lti_ops.zeros(shared).shape == (3, 4)


def test_finite_first_sorted_then_inf():
    """(s + 2)(s - 1) / s^3-ish: two finite zeros sorted by real part, then inf."""
    num, den = np.array([1.0, 1.0, -2.0]), np.array([1.0, 3.0, 3.0, 1.0])
    z = lti_ops.zeros(lti_ops.from_transfer_function(num, den))
    np.testing.assert_allclose(z[:2], [-2, 1], atol=1e-12)
    assert np.all(np.isinf(z[2:]))


def test_shift_invert_route_equals_qz(monkeypatch):
    """The eig route of the other namespaces, run on NumPy, gives QZ's zeros."""
    cases = [_random(5, 5, 2, 2, d="zero"), _random(6, 5, 1, 1), _random(7, 4, 3, 2, d="zero")]
    qz = [lti_ops.zeros(lti_ops.StateSpace(*a)) for a in cases]

    def refuse(a, b):
        raise NotImplementedError("no QZ")

    monkeypatch.setattr(_xp, "pencil_eigvals", refuse)
    for a, want in zip(cases, qz):
        assert_same_zeros(lti_ops.zeros(lti_ops.StateSpace(*a)), _finite(want), 1e-8)


def test_zero_transfer_function_and_no_states():
    A = -np.eye(2)
    none = lti_ops.zeros(lti_ops.StateSpace(A, np.zeros((2, 1)), np.zeros((1, 2))))
    assert none.shape == (2,) and np.all(np.isinf(none))
    empty = lti_ops.zeros(lti_ops.StateSpace(np.zeros((3, 0, 0)), np.zeros((3, 0, 1)), np.zeros((3, 1, 0))))
    assert empty.shape == (3, 0) and empty.dtype == np.complex128


def test_float32_gives_complex64(xp):
    _not_on_jax(xp)
    arrays = _random(1, 3, 1, 1, dtype="float32")
    assert lti_ops.zeros(_system(xp, arrays)).dtype == xp.complex64


def test_under_jax_jit():
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    arrays = _random(2, 4, 2, 2, d="zero")
    fn = jax.jit(lambda A, B, C, D: lti_ops.zeros(lti_ops.StateSpace(A, B, C, D)))
    assert_same_zeros(fn(*arrays), control.zeros(control.ss(*arrays)), 1e-8)


def test_gradient_of_zeros_matches_finite_differences():
    """For invertible D the zeros are smooth in A: d sum(Re z) / dA by autograd and by FD."""
    torch = pytest.importorskip("torch")
    A, B, C, D = (torch.tensor(x) for x in _random(4, 3, 1, 1, d="invertible"))
    A.requires_grad_(True)
    f = lambda a: torch.sum(torch.real(lti_ops.zeros(lti_ops.StateSpace(a, B, C, D))))  # noqa: E731
    (grad,) = torch.autograd.grad(f(A), A)
    h, fd = 1e-6, torch.zeros_like(A)
    with torch.no_grad():
        for i in range(3):
            for j in range(3):
                E = torch.zeros_like(A)
                E[i, j] = h
                fd[i, j] = (f(A + E) - f(A - E)) / (2 * h)
    np.testing.assert_allclose(grad.numpy(), fd.numpy(), rtol=1e-5, atol=1e-7)


# --------------------------------------------------------------------------- errors


def test_errors_name_the_argument():
    with pytest.raises(TypeError, match="`sys` must be a StateSpace, Diagonal or DPLR"):
        lti_ops.zeros(np.eye(2))
    sys = lti_ops.StateSpace(np.eye(1), np.ones((1, 1)), np.ones((1, 1)))
    object.__setattr__(sys, "A", np.array([[np.nan]]))
    with pytest.raises(ValueError, match="`sys.A` must be finite"):
        lti_ops.zeros(sys)


def test_pencil_eigvals_refuses_other_namespaces():
    torch = pytest.importorskip("torch")
    with pytest.raises(NotImplementedError, match="no generalized eigensolver"):
        _xp.pencil_eigvals(torch.eye(2), torch.eye(2))
