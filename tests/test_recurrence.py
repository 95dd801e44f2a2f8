"""Tests of step / simulate / scan: convolution = recurrence, both conventions."""

import numpy as np
import pytest
import scipy.signal
from hypothesis import given
from hypothesis import strategies as st

import lti_ops
from lti_ops.testing import assert_close, to_numpy, tolerance

from _helpers import as_xp, checks_values, markov, systems


def _discrete(kind, data, xp, dtype="float64", **kw):
    sys = data.draw(systems(kind, xp, dtype, **kw))
    return lti_ops.discretize(sys, 0.1, "zoh" if kind == "diagonal" else "s4_bilinear")


def _conv(h, u):
    """y[..., p, t] = sum_m sum_j h[..., p, m, j] u[..., m, t - j] (causal, NumPy)."""
    L = u.shape[-1]
    out = np.zeros(np.broadcast_shapes(h.shape[:-3], u.shape[:-2]) + (h.shape[-3], L), dtype=np.result_type(h, u))
    for j in range(min(L, h.shape[-1])):
        out[..., :, j:] += np.einsum("...pm,...ml->...pl", h[..., j], u[..., :, : L - j])
    return out


@pytest.mark.jit
@pytest.mark.parametrize("kind", ["dense", "diagonal", "dplr"])
@pytest.mark.parametrize("method", ["sequential", "parallel"])
@given(data=st.data(), L=st.integers(1, 80))
def test_scan_is_kernel_convolution(xp, kind, method, data, L):
    disc = _discrete(kind, data, xp, n_inputs=2, n_outputs=2)
    rng = np.random.default_rng(L)
    u = rng.standard_normal((2, L))
    y, x = lti_ops.scan(disc, as_xp(xp, u), method=method)
    K = to_numpy(lti_ops.ssm_kernel(disc, L))
    want = _conv(K, u) + to_numpy(disc.D) @ u
    assert_close(y, want, atol=1e-12 * L * (1 + np.abs(want).max()), rtol=0)


@pytest.mark.parametrize("kind", ["dense", "diagonal", "dplr"])
@given(data=st.data(), L=st.integers(1, 80))
def test_simulate_is_markov_convolution_and_continues(xp, kind, data, L):
    disc = _discrete(kind, data, xp, n_inputs=1, n_outputs=1)
    rng = np.random.default_rng(L)
    u = rng.standard_normal(2 * L)
    y, x = lti_ops.simulate(disc, as_xp(xp, u))
    h = markov(disc, 2 * L)[0, 0]
    want = np.convolve(h, u)[: 2 * L]
    assert_close(y, want, atol=1e-12 * L * (1 + np.abs(want).max()), rtol=0)
    first, x_mid = lti_ops.simulate(disc, as_xp(xp, u[:L]))
    second, x_end = lti_ops.simulate(disc, as_xp(xp, u[L:]), x_mid)
    assert_close(xp.concat([first, second]), to_numpy(y), atol=1e-12 * L * (1 + np.abs(want).max()), rtol=0)
    assert_close(x_end, to_numpy(x), atol=1e-11 * (1 + np.abs(to_numpy(x)).max()), rtol=0)


def test_simulate_matches_scipy_dlsim():
    rng = np.random.default_rng(1)
    A, B = 0.3 * rng.standard_normal((4, 4)), rng.standard_normal((4, 2))
    C, D = rng.standard_normal((3, 4)), rng.standard_normal((3, 2))
    u, x0 = rng.standard_normal((2, 500)), rng.standard_normal(4)
    for method in ("sequential", "parallel"):
        y, xf = lti_ops.simulate(lti_ops.StateSpace(A, B, C, D, dt=0.1), u, x0, method=method)
        _, yref, xref = scipy.signal.dlsim((A, B, C, D, 0.1), u.T, x0=x0)
        np.testing.assert_allclose(y, yref.T, atol=1e-12)
        np.testing.assert_allclose(A @ xref[-1] + B @ u[:, -1], xf, atol=1e-12)


@pytest.mark.jit
def test_batched_siso_channels_and_float32(xp, dtype):
    ssm = lti_ops.s4d_init("lin", 16, H=3, rng=0, xp=xp, dtype=dtype)
    disc = lti_ops.discretize(ssm, 0.05, "zoh")
    u = np.random.default_rng(0).standard_normal((2, 3, 300))
    y, x = lti_ops.scan(disc, as_xp(xp, u, dtype))
    assert y.dtype == getattr(xp, dtype) and tuple(y.shape) == (2, 3, 300) and tuple(x.shape) == (2, 3, 8)
    K = to_numpy(lti_ops.ssm_kernel(disc, 300))[:, 0, 0]
    want = np.stack([[np.convolve(K[h], u[b, h])[:300] for h in range(3)] for b in range(2)])
    assert_close(y, want, atol=tolerance(dtype, n=300, cond=10) * np.abs(want).max(), rtol=0)


def test_step_is_one_simulation_step(xp):
    rng = np.random.default_rng(2)
    A, B, C, D = 0.3 * rng.standard_normal((3, 3)), rng.standard_normal((3, 2)), rng.standard_normal((1, 3)), rng.standard_normal((1, 2))
    sys = lti_ops.StateSpace(*(as_xp(xp, v) for v in (A, B, C, D)), dt=1.0)
    x, u = rng.standard_normal(3), rng.standard_normal(2)
    y, x_next = lti_ops.step(sys, as_xp(xp, x), as_xp(xp, u))
    assert_close(y, C @ x + D @ u, rtol=1e-14)
    assert_close(x_next, A @ x + B @ u, rtol=1e-14)


def test_long_sequence_parallel_equals_sequential(xp):
    """L = 3000 (12 levels of the parallel scan); 700 (10 levels) on JAX, whose eager step loop
    spent 42 s of the CI run on the sequential reference."""
    disc = lti_ops.discretize(lti_ops.nplr("legs", 8, C=np.linspace(1, 2, 8), xp=xp), 0.01, "s4_bilinear")
    L = 700 if xp.__name__.startswith("jax") else 3000
    u = as_xp(xp, np.sin(np.arange(L) / 50.0))
    y1, x1 = lti_ops.scan(disc, u, method="parallel")
    y2, x2 = lti_ops.scan(disc, u, method="sequential")
    assert x1.dtype == xp.complex128 and tuple(x1.shape) == (4,)
    assert_close(y1, to_numpy(y2), rtol=1e-10)
    assert_close(x1, to_numpy(x2), rtol=1e-10)


def test_errors(xp):
    sys = lti_ops.StateSpace(as_xp(xp, [[0.5]]), as_xp(xp, [[1.0, 1.0]]), as_xp(xp, [[1.0]]), dt=1.0)
    cont = lti_ops.StateSpace(as_xp(xp, [[-0.5]]), as_xp(xp, [[1.0]]), as_xp(xp, [[1.0]]))
    with pytest.raises(ValueError, match=r"`sys` must be a discrete-time system"):
        lti_ops.scan(cont, as_xp(xp, [1.0]))
    with pytest.raises(ValueError, match=r"`u` must have shape \(\.\.\., M=2, L\); got \(3,\)"):
        lti_ops.simulate(sys, as_xp(xp, [1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match=r"`x0` must have shape \(\.\.\., 1\); got \(2,\)"):
        lti_ops.simulate(sys, as_xp(xp, np.ones((2, 4))), as_xp(xp, [1.0, 2.0]))
    with pytest.raises(ValueError, match=r"`method` must be one of \['auto', 'parallel', 'sequential'\]"):
        lti_ops.scan(sys, as_xp(xp, np.ones((2, 4))), method="fast")
    with pytest.raises(ValueError, match=r"`x` must be the current state"):
        lti_ops.step(sys, None, as_xp(xp, [1.0, 1.0]))


def test_results_do_not_depend_on_the_chunk_size(xp, monkeypatch):
    """The chunking is namespace-independent Python, checked on NumPy, array_api_strict and
    torch; on JAX the hundreds of eagerly dispatched chunks cost 28 s of the CI run."""
    if xp.__name__.startswith("jax"):
        pytest.skip("chunking is namespace-independent; JAX's eager dispatch of every chunk is slow")
    from lti_ops import _cauchy

    rng = np.random.default_rng(3)
    dplr = lti_ops.discretize(lti_ops.nplr("legt", 8, C="endpoint", xp=xp), 0.05, "s4_bilinear")
    diag = lti_ops.discretize(lti_ops.s4d_init("inv", 8, H=2, rng=0, xp=xp), 0.05, "zoh")
    dense = dplr.to_dense()
    u = as_xp(xp, rng.standard_normal(97))
    pts = as_xp(xp, np.exp(1j * np.linspace(0, 3, 37)))

    def everything():
        return [lti_ops.ssm_kernel(s, 97) for s in (dplr, diag, dense)] + [
            lti_ops.scan(dplr, u)[0], lti_ops.scan(diag, u)[0],
            lti_ops.transfer_function(dplr, pts), lti_ops.transfer_function(dense, pts)]

    whole = everything()
    monkeypatch.setattr(_cauchy, "CHUNK_ELEMENTS", 64)  # forces many chunks everywhere
    for got, want in zip(everything(), whole):
        assert_close(got, to_numpy(want), atol=1e-12 * (1 + np.abs(to_numpy(want)).max()), rtol=0)


def test_batches_broadcast_between_system_input_and_state(xp):
    sys = lti_ops.Diagonal(as_xp(xp, [[0.5, 0.2], [0.1, -0.3], [0.9, 0.0]]), as_xp(xp, np.ones((2, 1))),
                           as_xp(xp, np.ones((1, 2))), dt=1.0)  # batch (3,)
    u = np.random.default_rng(0).standard_normal((2, 1, 7))  # batch (2, 1)
    x0 = as_xp(xp, np.ones((2, 1, 2)))
    for method in ("sequential", "parallel"):
        y, x = lti_ops.simulate(sys, as_xp(xp, u), method=method)
        assert tuple(y.shape) == (2, 3, 7) and tuple(x.shape) == (2, 3, 2)
        y0, _ = lti_ops.simulate(sys, as_xp(xp, u), x0, method=method)
        lam = np.array([[0.5, 0.2], [0.1, -0.3], [0.9, 0.0]])
        free = (lam[None, :, :, None] ** np.arange(7)).sum(axis=-2)  # response to x0 = 1
        assert_close(y0, to_numpy(y) + free, rtol=1e-12)
    y, x = lti_ops.step(sys, as_xp(xp, np.zeros(2)), as_xp(xp, 1.0))
    assert tuple(y.shape) == (3,) and tuple(x.shape) == (3, 2)


# --------------------------------------------------------------------------- complex input, conj_sym (issue 17)


def _conj_sym_pair(xp, H=2, N=3, M=1, P=1):
    rng = np.random.default_rng(11)
    lam = np.exp(0.1 * (-rng.random((H, N)) + 1j * rng.standard_normal((H, N))))
    B = rng.standard_normal((H, N, M)) + 1j * rng.standard_normal((H, N, M))
    C = rng.standard_normal((H, P, N)) + 1j * rng.standard_normal((H, P, N))
    D = rng.standard_normal((H, P, M))
    half = lti_ops.Diagonal(*(as_xp(xp, v) for v in (lam, B, C, D)), dt=1.0, conj_sym=True)
    both = (np.concatenate([lam, lam.conj()], -1), np.concatenate([B, B.conj()], -2),
            np.concatenate([C, C.conj()], -1), D)
    full = lti_ops.Diagonal(*(as_xp(xp, v) for v in both), dt=1.0)
    return half, full, rng


@pytest.mark.parametrize("func", [lti_ops.scan, lti_ops.simulate])
@pytest.mark.parametrize("io", [(1, 1), (2, 3)])
@pytest.mark.parametrize("kernel", ["auto", "xp"])
def test_complex_input_to_conj_sym_diagonal_is_the_full_systems(xp, func, io, kernel):
    if kernel == "xp" and xp.__name__ != "array_api_compat.numpy":
        pytest.skip("auto is the reference body outside NumPy")
    half, full, rng = _conj_sym_pair(xp, M=io[0], P=io[1])
    shape = (2, 40) if io == (1, 1) else (2, io[0], 40)
    u = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
    x0 = rng.standard_normal((2, 3)) + 1j * rng.standard_normal((2, 3))
    y, x = func(half, as_xp(xp, u), as_xp(xp, x0), kernel=kernel)
    y_full, x_full = func(full, as_xp(xp, u), as_xp(xp, np.concatenate([x0, x0.conj()], -1)), kernel=kernel)
    assert_close(y, to_numpy(y_full), atol=1e-12 * np.abs(to_numpy(y_full)).max(), rtol=0)
    assert tuple(x.shape) == (2, 6)  # the full state: the half cannot hold it
    assert_close(x, to_numpy(x_full), atol=1e-12 * np.abs(to_numpy(x_full)).max(), rtol=0)
    y2, _ = func(half, as_xp(xp, u), x, kernel=kernel)  # the full state goes back in as x0
    y2_full, _ = func(full, as_xp(xp, u), x_full, kernel=kernel)
    assert_close(y2, to_numpy(y2_full), atol=1e-12 * np.abs(to_numpy(y2_full)).max(), rtol=0)
    y_real, x_real = func(half, as_xp(xp, u.real), kernel=kernel)  # real input: the half state
    assert tuple(x_real.shape) == (2, 3) and not np.iscomplexobj(to_numpy(y_real))


def test_argument_errors_name_the_argument(xp):
    sys = lti_ops.StateSpace(as_xp(xp, [[0.5]]), as_xp(xp, [[1.0]]), as_xp(xp, [[1.0]]), dt=1.0)
    u = as_xp(xp, np.ones(4))
    for func in (lti_ops.scan, lti_ops.simulate):
        with pytest.raises(ValueError, match=r"`u` must have at least one time step .*got shape \(0,\)"):
            func(sys, as_xp(xp, np.ones(0)))
        with pytest.raises(TypeError, match=r"`u` has dtype .*bool.*; expected a real or complex floating"):
            func(sys, as_xp(xp, np.ones(4, bool)))
        with pytest.raises(TypeError, match=r"`x0` has dtype .*bool"):
            func(sys, u, as_xp(xp, np.ones(1, bool)))
        with pytest.raises(TypeError, match=r"`sys` must be a StateSpace, Diagonal or DPLR system; got NoneType"):
            func(None, u)
        with pytest.raises(ValueError, match=r"`method` must be one of .*; got 1"):
            func(sys, u, method=1)
        if hasattr(xp, "float16"):
            with pytest.raises(TypeError, match=r"`u` has dtype .*float16.*half precision is not supported"):
                func(sys, xp.astype(u, xp.float16))
        if checks_values(xp):
            with pytest.raises(ValueError, match=r"`u` must be finite; got 1 non-finite entry"):
                func(sys, as_xp(xp, [1.0, np.nan, 2.0]))
            with pytest.raises(ValueError, match=r"`x0` must be finite; got 1 non-finite entry"):
                func(sys, u, as_xp(xp, [np.inf]))
    with pytest.raises(TypeError, match=r"`u` must be an array; got float"):
        lti_ops.step(sys, as_xp(xp, [0.0]), 1.0)
    with pytest.raises(TypeError, match=r"`x` must be an array; got list"):
        lti_ops.step(sys, [0.0], as_xp(xp, 1.0))
    if checks_values(xp):
        with pytest.raises(ValueError, match=r"`u` must be finite"):
            lti_ops.step(sys, as_xp(xp, [0.0]), as_xp(xp, np.nan))


def test_mixed_namespaces_are_refused():
    torch = pytest.importorskip("torch")
    sys = lti_ops.StateSpace(np.array([[0.5]]), np.array([[1.0]]), np.array([[1.0]]), dt=1.0)
    with pytest.raises(TypeError, match=r"`u` .*different namespaces|different namespaces.*`u`"):
        lti_ops.scan(sys, torch.ones(3, dtype=torch.float64))


@pytest.mark.parametrize("func", [lti_ops.scan, lti_ops.simulate])
def test_complex_input_to_conj_sym_dplr_is_the_full_systems(xp, func):
    half = lti_ops.discretize(lti_ops.nplr("legs", 4, C=np.linspace(1, 2, 4), xp=xp), 0.1, "bilinear")
    both = [xp.concat([x, xp.conj(x)], axis=-2 if x.ndim > 1 and name != "C" else -1)
            for name, x in (("lam", half.lam), ("P", half.P), ("Q", half.Q), ("B", half.B), ("C", half.C))]
    full = lti_ops.DPLR(*both, half.D, dt=half.dt)
    rng = np.random.default_rng(12)
    u = as_xp(xp, rng.standard_normal(40) + 1j * rng.standard_normal(40))
    x0 = rng.standard_normal(2) + 1j * rng.standard_normal(2)
    y, x = func(half, u, as_xp(xp, x0))
    y_full, x_full = func(full, u, as_xp(xp, np.concatenate([x0, x0.conj()])))
    assert_close(y, to_numpy(y_full), atol=1e-12 * np.abs(to_numpy(y_full)).max(), rtol=0)
    assert_close(x, to_numpy(x_full), atol=1e-12 * np.abs(to_numpy(x_full)).max(), rtol=0)
    y2, _ = func(half, u, x)
    y2_full, _ = func(full, u, x_full)
    assert_close(y2, to_numpy(y2_full), atol=1e-12 * np.abs(to_numpy(y2_full)).max(), rtol=0)
