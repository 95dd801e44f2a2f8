"""Tests of transfer functions at arbitrary points and the node sets."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import lti_ops
from lti_ops.testing import assert_close, to_numpy, tolerance
from lti_ops.testing import strategies as lst

from _helpers import as_xp, checks_values, markov, systems, transfer

POINTS = np.array([0.3 + 1j, 2.0 + 0j, -0.05 + 7j, 1j, 10.0 - 3j])


@pytest.mark.parametrize("kind", ["dense", "diagonal", "dplr"])
@given(data=st.data())
def test_transfer_function_matches_the_resolvent(xp, dtype, kind, data):
    sys = data.draw(systems(kind, xp, dtype, batch_shape=st.sampled_from([(), (2,)]), **({"rank": st.integers(1, 3)} if kind == "dplr" else {})))
    ctype = "complex64" if dtype == "float32" else "complex128"
    G = lti_ops.transfer_function(sys, as_xp(xp, POINTS, ctype))
    assert G.dtype == getattr(xp, ctype)  # points take part in promotion: complex128 ones widen
    want = transfer(sys, POINTS)
    assert_close(G, want, atol=tolerance(dtype, n=8, cond=100) * (1 + np.abs(want).max()), rtol=0)


@pytest.mark.jit
@given(data=st.data())
def test_structured_equals_dense_and_points_broadcast_with_the_batch(xp, data):
    sys = data.draw(lst.dplr_systems(xp=xp, batch_shape=(3,), conj_sym=st.booleans()))
    pts = as_xp(xp, POINTS[None, :] * np.array([[1.0], [0.5], [2.0]]))  # one row of points per channel
    G = to_numpy(lti_ops.transfer_function(sys, pts))
    D = to_numpy(lti_ops.transfer_function(sys.to_dense(), pts))
    assert G.shape == (3, sys.n_outputs, sys.n_inputs, 5)
    np.testing.assert_allclose(G, D, atol=1e-12 * (1 + np.abs(D).max()))


@pytest.mark.jit
@given(data=st.data())
def test_discrete_transfer_is_the_z_transform_of_the_markov_parameters(xp, data):
    disc = lti_ops.discretize(data.draw(systems("diagonal", xp)), 0.2, "zoh")
    z = 1.5 * np.exp(1j * np.linspace(0, 3, 4))  # outside the unit disk: the series converges
    h = markov(disc, 400)
    series = np.einsum("...l,kl->...k", h, z[:, None] ** -np.arange(400))
    assert_close(lti_ops.transfer_function(disc, as_xp(xp, z)), series, rtol=1e-10)


@pytest.mark.jit
@given(data=st.data())
def test_similarity_invariance(xp, data):
    sys = data.draw(lst.stable_state_spaces(xp=xp))
    rng = np.random.default_rng(0)
    T = np.eye(sys.n_states) + 0.3 * rng.standard_normal((sys.n_states, sys.n_states))
    A, B, C, D = (to_numpy(x) for x in (sys.A, sys.B, sys.C, sys.D))
    moved = lti_ops.StateSpace(*(as_xp(xp, x) for x in (T @ A @ np.linalg.inv(T), T @ B, C @ np.linalg.inv(T), D)))
    assert_close(lti_ops.transfer_function(moved, as_xp(xp, POINTS)),
                 to_numpy(lti_ops.transfer_function(sys, as_xp(xp, POINTS))), rtol=1e-9)


def test_frequency_response_matches_python_control():
    control = pytest.importorskip("control")
    rng = np.random.default_rng(3)
    A = rng.standard_normal((5, 5)) - 3 * np.eye(5)
    B, C, D = rng.standard_normal((5, 2)), rng.standard_normal((3, 5)), rng.standard_normal((3, 2))
    w = np.logspace(-2, 2, 50)
    ours = lti_ops.frequency_response(lti_ops.StateSpace(A, B, C, D), w)
    resp = control.frequency_response(control.ss(A, B, C, D), w)
    np.testing.assert_allclose(ours, resp.magnitude * np.exp(1j * resp.phase), rtol=1e-10)
    Ad = 0.3 * rng.standard_normal((5, 5))
    ours_d = lti_ops.frequency_response(lti_ops.StateSpace(Ad, B, C, D, dt=0.1), w[:20])
    resp_d = control.frequency_response(control.ss(Ad, B, C, D, 0.1), w[:20])
    np.testing.assert_allclose(ours_d, resp_d.magnitude * np.exp(1j * resp_d.phase), rtol=1e-10)


def test_points_on_poles_raise(xp):
    lam = as_xp(xp, [-1.0 + 0j, -2.0])
    diag = lti_ops.Diagonal.siso(lam, lam, lam)
    for sys in (diag, diag.to_dense()) if checks_values(xp) else (diag,):  # the node test reads values anywhere
        with pytest.raises(ValueError, match=r"a point coincides with a pole of the system"):
            lti_ops.transfer_function(sys, as_xp(xp, [0.0 + 0j, -2.0 + 0j]))
    half = lti_ops.Diagonal.siso(as_xp(xp, [-1.0 + 2j]), as_xp(xp, [1.0 + 0j]), as_xp(xp, [1.0 + 0j]), conj_sym=True)
    with pytest.raises(ValueError, match=r"a point coincides with a pole"):
        lti_ops.transfer_function(half, as_xp(xp, [-1.0 - 2j]))  # the implied conjugate mode


def test_dplr_point_on_a_diagonal_only_pole_is_finite(xp):
    # diag(lam) has a mode at 0 but A = diag(lam) - P Q^H does not: the dense fallback answers
    sys = lti_ops.DPLR.siso(*(as_xp(xp, x) for x in (
        np.array([0.0 + 0j, -1.0]), np.array([[1.0 + 0j], [0.0]]), np.array([[1.0 + 0j], [0.0]]),
        np.array([1.0 + 0j, 1.0]), np.array([1.0 + 0j, 1.0]))))
    G = lti_ops.transfer_function(sys, as_xp(xp, [0.0 + 0j, 1.0 + 0j]))
    assert_close(G, transfer(sys, np.array([0.0, 1.0])), rtol=1e-14)


def test_node_sets(xp):
    w = lti_ops.roots_of_unity(8, xp=xp)
    np.testing.assert_allclose(to_numpy(w), np.exp(-2j * np.pi * np.arange(8) / 8), atol=1e-15)
    half = lti_ops.roots_of_unity(8, half=True, xp=xp, dtype="complex64")
    assert half.dtype == xp.complex64 and tuple(half.shape) == (5,)
    s = to_numpy(lti_ops.bilinear_nodes(8, 0.5, xp=xp))
    om = np.exp(-2j * np.pi * np.arange(4) / 8)
    np.testing.assert_allclose(s[:4], 4 * (1 - om) / (1 + om), atol=1e-13)
    assert np.isinf(s[4].real)
    assert tuple(lti_ops.bilinear_nodes(7, 0.5, half=False).shape) == (7,)


def test_errors(xp):
    sys = lti_ops.Diagonal.siso(*(as_xp(xp, [-1.0]) for _ in range(3)))
    with pytest.raises(TypeError, match=r"`sys` must be a StateSpace, Diagonal or DPLR system; got list"):
        lti_ops.transfer_function([1], as_xp(xp, [1.0]))
    with pytest.raises(ValueError, match=r"`points` must have shape \(\.\.\., K\); got \(\)"):
        lti_ops.transfer_function(sys, as_xp(xp, 1.0))
    with pytest.raises(TypeError, match=r"`w` must be real angular frequencies; got dtype"):
        lti_ops.frequency_response(sys, as_xp(xp, [1j]))
    with pytest.raises(ValueError, match=r"`L` must be a positive integer; got 0"):
        lti_ops.roots_of_unity(0)
    with pytest.raises(ValueError, match=r"`dtype` must be complex64 or complex128"):
        lti_ops.roots_of_unity(4, dtype="float64")
    with pytest.raises(ValueError, match=r"`dt` must be positive and finite; got -1.0"):
        lti_ops.bilinear_nodes(4, -1.0)


@pytest.mark.parametrize("complex_", [False, True])
def test_hessenberg_path_equals_solves(xp, complex_):
    # more points than states: one Hessenberg reduction, O(N^2) per point (Laub)
    from lti_ops import _cauchy, _hessenberg

    rng = np.random.default_rng(4)
    A = rng.standard_normal((2, 7, 7)) + (1j * rng.standard_normal((2, 7, 7)) if complex_ else 0)
    B, C = rng.standard_normal((2, 7, 3)) + 0j, rng.standard_normal((2, 2, 7)) + 0j
    z = 4 * np.exp(1j * np.linspace(0, 6, 40))
    H, _, _ = _hessenberg.reduce(xp, *(as_xp(xp, x + 0j) for x in (A, B, C)))
    assert np.abs(np.tril(to_numpy(H), -2)).max() < 1e-14
    many = _cauchy.dense_resolvent(xp, *(as_xp(xp, x + 0j) for x in (A, B, C)), as_xp(xp, z))
    few = np.concatenate([to_numpy(_cauchy.dense_resolvent(xp, *(as_xp(xp, x + 0j) for x in (A, B, C)), as_xp(xp, z[i:i + 5])))
                          for i in range(0, 40, 5)], axis=-1)
    assert_close(many, few, rtol=1e-12)
    if not checks_values(xp):
        return
    with pytest.raises(ValueError, match=r"a point coincides with a pole"):
        diag = np.diag([1.0, 2.0, 3.0]) + 0j
        _cauchy.dense_resolvent(xp, as_xp(xp, diag), as_xp(xp, np.ones((3, 1)) + 0j), as_xp(xp, np.ones((1, 3)) + 0j),
                                as_xp(xp, np.array([0.5, 2.0, 5.0, 7.0]) + 0j))


# --------------------------------------------------------------------------- issue 17

import importlib.util  # noqa: E402

NUMBA = pytest.param("numba", marks=pytest.mark.skipif(importlib.util.find_spec("numba") is None,
                                                      reason="numba is not installed"))


@pytest.mark.parametrize("kernel", ["xp", NUMBA])
@pytest.mark.parametrize("conj_sym", [False, True])
def test_complex64_cauchy_sums_are_accumulated_in_double(kernel, conj_sym):
    """Issue 17: single-precision Cauchy sums over N = 256 modes at 4096 nodes lost up to
    2x (xp: complex64 matmul) and 5x (Numba: float32 accumulators) eps * sum|terms|
    against the float64 sum of the same (rounded) inputs. Summed in double (xp), or in
    float32 runs of 8 modes added into float64 totals (Numba: 0.83x and 0.55x here), they
    stay under 1x; float32 accumulators over all N modes measured 4.6x and 3.3x."""
    rng = np.random.default_rng(0)
    N, K = 256, 4096
    lam = (-rng.uniform(0.01, 1, N) + 1j * rng.uniform(-50, 50, N)).astype(np.complex64)
    B = (rng.standard_normal((N, 1)) + 1j * rng.standard_normal((N, 1))).astype(np.complex64)
    C = (rng.standard_normal((1, N)) + 1j * rng.standard_normal((1, N))).astype(np.complex64)
    z = (1j * np.linspace(-60, 60, K)).astype(np.complex64)
    w = (C[0] * B[:, 0]).astype(np.complex128)
    R = 1 / (z.astype(np.complex128)[None, :] - lam.astype(np.complex128)[:, None])
    want, terms = w @ R, np.abs(w) @ np.abs(R)
    if conj_sym:
        Rc = 1 / (z.astype(np.complex128)[None, :] - np.conj(lam).astype(np.complex128)[:, None])
        want, terms = want + np.conj(w) @ Rc, terms + np.abs(w) @ np.abs(Rc)
    D = np.zeros((1, 1), np.float32 if conj_sym else np.complex64)
    G = lti_ops.transfer_function(lti_ops.Diagonal(lam, B, C, D, conj_sym=conj_sym), z, kernel=kernel)
    assert G.dtype == np.complex64
    error = np.abs(G[0, 0] - want) / (np.finfo(np.float32).eps * terms)
    assert np.max(error) <= 1.0


@pytest.mark.parametrize("kernel", ["xp", NUMBA])
def test_singular_woodbury_is_a_pole_on_every_engine(kernel):
    """Issue 17: a rank-2 DPLR whose A (not diag(lam)) has the eigenvalue 1: I + k11 has a
    zero determinant at z = 1. The Numba kernel raised ZeroDivisionError in d/det; now every
    engine says it is a pole, and the other points are right."""
    lam = np.array([0.5, 0.0], complex)
    P = np.array([[1.0, 0.0], [1.0, 0.0]], complex)
    Q = np.array([[-0.25, 0.0], [-0.5, 0.0]], complex)
    sys = lti_ops.DPLR(lam, P, Q, np.array([[1.0], [2.0]], complex), np.array([[1.0, -1.0]], complex),
                       np.zeros((1, 1), complex), dt=1.0)
    with pytest.raises(ValueError, match=r"a point coincides with a pole of the system"):
        lti_ops.transfer_function(sys, np.array([2.0, 1.0 + 0j]), kernel=kernel)
    pts = np.array([2.0, -1.0, 0.3j])
    assert_close(lti_ops.transfer_function(sys, pts, kernel=kernel),
                 lti_ops.transfer_function(sys.to_dense(), pts), rtol=1e-13)


def test_transfer_argument_audit():
    """Issue 17 audit of transfer_function, frequency_response and the node sets."""
    sys = lti_ops.Diagonal.siso(np.array([0.5, 0.2]), np.ones(2), np.ones(2), dt=1.0)
    nan_sys = lti_ops.Diagonal.siso(np.array([0.5, 0.25]), np.ones(2), np.ones(2), dt=1.0)
    nan_sys.lam[1] = np.nan  # changed behind the container's back (its constructor refuses NaN)
    cases = [
        (lambda: lti_ops.transfer_function(sys, np.array([np.nan])), ValueError, r"`points` must be finite; got 1 non-finite entry"),
        (lambda: lti_ops.transfer_function(sys, np.array([1.0, np.inf])), ValueError, r"`points` must be finite"),
        (lambda: lti_ops.transfer_function(nan_sys, np.array([1.0])), ValueError, r"`sys.lam` must be finite"),
        (lambda: lti_ops.transfer_function(sys, np.array([True])), TypeError, r"`points` has dtype bool"),
        (lambda: lti_ops.transfer_function(sys, np.array([1.0], dtype=object)), TypeError, r"`points` has dtype object"),
        (lambda: lti_ops.transfer_function(sys, [1.0]), TypeError, r"`points` must be an array"),
        (lambda: lti_ops.transfer_function(sys, np.array([1.0]), kernel="gpu"), ValueError, r"`kernel` must be one of .*; got 'gpu'"),
        (lambda: lti_ops.transfer_function(sys, np.array([0.5])), ValueError, r"a point coincides with a pole"),
        (lambda: lti_ops.frequency_response(sys, np.array([np.inf])), ValueError, r"`w` must be finite"),
        (lambda: lti_ops.frequency_response(nan_sys, np.array([1.0])), ValueError, r"`sys.lam` must be finite"),
        (lambda: lti_ops.frequency_response("sys", np.array([1.0])), TypeError, r"`sys` must be a StateSpace, Diagonal or DPLR system; got str"),
        (lambda: lti_ops.frequency_response(sys, np.array([True])), TypeError, r"`w` has dtype bool"),
        (lambda: lti_ops.roots_of_unity(2.5), ValueError, r"`L` must be a positive integer; got 2.5"),
        (lambda: lti_ops.roots_of_unity(4, half="yes"), TypeError, r"`half` must be True or False; got 'yes'"),
        (lambda: lti_ops.roots_of_unity(4, dtype="float16"), ValueError, r"`dtype` must be complex64 or complex128; got 'float16'"),
        (lambda: lti_ops.roots_of_unity(4, xp="numpy"), TypeError, r"`xp` must be an array namespace"),
        (lambda: lti_ops.bilinear_nodes(4, np.array([0.1, 0.2])), TypeError, r"`dt` must be a positive number \(one node set\)"),
        (lambda: lti_ops.bilinear_nodes(4, float("nan")), ValueError, r"`dt` must be positive and finite; got nan"),
        (lambda: lti_ops.bilinear_nodes(-1, 0.1), ValueError, r"`L` must be a positive integer; got -1"),
        (lambda: lti_ops.bilinear_nodes(4, 0.1, half=1), TypeError, r"`half` must be True or False; got 1"),
    ]
    for call, exc, match in cases:
        with pytest.raises(exc, match=match):
            call()
    assert lti_ops.transfer_function(sys, np.zeros(0)).shape == (1, 1, 0)  # no points: empty


@pytest.mark.parametrize("kernel", ["xp", "auto"])
def test_dplr_fields_of_different_batch_ranks_broadcast(xp, kernel):
    """An unbatched low-rank factor beside batched C and B (a shared HiPPO correction under
    per-channel readouts): the Woodbury stack broadcasts them; once a raw concat error."""
    rng = np.random.default_rng(3)
    lam, P = np.array([-1.0 + 1j, -2.0 - 0.5j]), np.array([[0.5], [0.25 + 0.1j]])
    B, C = rng.standard_normal((3, 2, 1)) + 0j, rng.standard_normal((3, 1, 2)) + 0j
    sys = lti_ops.DPLR(*(as_xp(xp, x) for x in (lam, P, P, B, C, np.zeros((1, 1)))))
    if kernel != "xp" and xp.__name__.split(".")[0] != "numpy":
        kernel = "xp"
    G = lti_ops.transfer_function(sys, as_xp(xp, POINTS), kernel=kernel)
    dense = lti_ops.transfer_function(sys.to_dense(), as_xp(xp, POINTS))
    assert tuple(G.shape) == (3, 1, 1, len(POINTS))
    assert_close(G, to_numpy(dense), rtol=1e-10)
