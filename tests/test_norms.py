"""Accuracy and edge cases of the norms and Hankel singular values (issue 17).

The identity tests of these primitives live in tests/test_hankel.py; this module holds the
cases that once gave wrong numbers: a single ill-conditioned discrete system's HSVs (against
an mpmath reference), the H-infinity peak just above ||D||, and zero-state systems.
"""

import math

import numpy as np
import pytest

import lti_ops

mp = pytest.importorskip("mpmath")


# --------------------------------------------------------------------------- HSV accuracy


def _ill_conditioned(n=5, cond=1e4, seed=0):
    """A real stable discrete system whose eigenvector matrix has condition `cond`."""
    rng = np.random.default_rng(seed)
    U, _ = np.linalg.qr(rng.standard_normal((n, n)))
    W, _ = np.linalg.qr(rng.standard_normal((n, n)))
    V = U @ np.diag(np.logspace(0, -math.log10(cond), n)) @ W.T
    lam = np.array([0.9, -0.7, 0.5, 0.3, -0.2, 0.1][:n])
    A = V @ np.diag(lam) @ np.linalg.inv(V)
    return A, rng.standard_normal((n, 1)), rng.standard_normal((1, n))


def _mp_stein(A, W):
    """X with A X A^T - X + W = 0 in 50 digits, by the n^2 Kronecker system."""
    n = A.rows
    K = mp.matrix(n * n, n * n)
    for i in range(n):
        for j in range(n):
            for k in range(n):
                for m in range(n):
                    K[i * n + k, j * n + m] = (1 if (i, k) == (j, m) else 0) - A[i, j] * A[k, m]
    x = mp.lu_solve(K, mp.matrix([W[i, j] for i in range(n) for j in range(n)]))
    return mp.matrix([[x[i * n + j] for j in range(n)] for i in range(n)])


def _mp_hsv(A, B, C):
    with mp.workdps(50):
        Am, Bm, Cm = mp.matrix(A.tolist()), mp.matrix(B.tolist()), mp.matrix(C.tolist())
        P = _mp_stein(Am, Bm * Bm.T)
        Q = _mp_stein(Am.T, Cm.T * Cm)
        ev = mp.eig(P * Q)[0]
        return np.array(sorted((float(mp.sqrt(mp.re(e))) for e in ev), reverse=True))


def test_one_discrete_system_has_the_hsv_accuracy_of_a_batch():
    """Issue 17: SciPy's solve_discrete_lyapunov gave 1e-4 sigma_1 at cond(V) = 1e4; the
    squared Smith iteration that batches use gives about 1e-8 sigma_1, one system too."""
    A, B, C = _ill_conditioned()
    want = _mp_hsv(A, B, C)
    D = np.zeros((1, 1))
    one = lti_ops.hankel_singular_values(lti_ops.StateSpace(A, B, C, D, dt=1.0))
    pair = lti_ops.hankel_singular_values(
        lti_ops.StateSpace(np.stack([A, A]), np.stack([B, B]), np.stack([C, C]), np.stack([D, D]), dt=1.0)
    )
    for got in (one, pair[0], pair[1]):
        assert np.max(np.abs(got - want)) <= 1e-6 * want[0]
    np.testing.assert_allclose(one, pair[0], rtol=0, atol=1e-9 * want[0])


# --------------------------------------------------------------------------- H-infinity near ||D||


def _hope_case(dtype):
    """The HOPE system of issue 17 whose peak 0.6808 lies between poles, 1.6 % above the
    value at z = -1 (its continuous ||D|| = 0.6703 after the Tustin map)."""
    rng = np.random.default_rng(61)
    n = int(rng.integers(1, 9))
    dt = float(np.exp(rng.uniform(np.log(0.25), np.log(4))))
    return (rng.standard_normal(n) / n).astype(dtype), dt


def _peak(h, dt):
    theta = np.linspace(-np.pi, np.pi, 200001)
    return float(np.max(np.abs(np.asarray(lti_ops.hope_transfer(h.astype(np.float64), dt, theta.size)))))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_hinf_finds_a_peak_just_above_the_value_at_infinity(dtype):
    h, dt = _hope_case(dtype)
    want = _peak(h, dt)
    sys = lti_ops.hope_to_state_space(h, dt)
    got = float(lti_ops.hinf_norm(sys, method="hamiltonian"))
    rtol = 1e-4 if dtype == "float32" else 1e-7
    assert abs(got - want) <= rtol * want


@pytest.fixture
def jax_x32():
    jax = pytest.importorskip("jax")
    before = jax.config.jax_enable_x64
    jax.config.update("jax_enable_x64", False)
    yield pytest.importorskip("jax.numpy")
    jax.config.update("jax_enable_x64", before)


def test_hinf_finds_the_peak_on_jax_in_single_precision(jax_x32):
    jnp = jax_x32
    h, dt = _hope_case("float32")
    want = _peak(h, dt)
    got = float(lti_ops.hinf_norm(lti_ops.hope_to_state_space(jnp.asarray(h), dt)))
    assert abs(got - want) <= 1e-4 * want


# --------------------------------------------------------------------------- zero-state systems


@pytest.fixture(params=[1.0, None], ids=["discrete", "continuous"])
def static_gain(request):
    """Issue 17: a system with no state, G = D = 2 (a crash in the Hessenberg resolvent)."""
    return lti_ops.StateSpace(np.zeros((0, 0)), np.zeros((0, 1)), np.zeros((1, 0)), np.array([[2.0]]), dt=request.param)


def test_transfer_function_of_a_static_gain_is_d(static_gain):
    G = np.asarray(lti_ops.transfer_function(static_gain, np.array([0.5j, 1.0, -1.0])))
    np.testing.assert_array_equal(G, np.full((1, 1, 3), 2.0 + 0j))
    w = np.array([0.0, 1.0, 3.0])
    np.testing.assert_array_equal(np.asarray(lti_ops.frequency_response(static_gain, w)), np.full((1, 1, 3), 2.0 + 0j))


@pytest.mark.parametrize("method", ["auto", "hamiltonian", "grid"])
def test_hinf_norm_of_a_static_gain_is_norm_d(static_gain, method):
    assert float(lti_ops.hinf_norm(static_gain, method=method)) == 2.0


@pytest.mark.parametrize("method", ["gramian", "parseval"])
def test_h2_norm_of_a_static_gain(static_gain, method):
    """Discrete: sum of |h_k|^2 = |D|^2; continuous: infinite (D != 0 is not square integrable)."""
    want = 2.0 if static_gain.is_discrete else math.inf
    assert float(lti_ops.h2_norm(static_gain, method=method)) == want


def test_gramians_hsvs_and_balancing_of_a_static_gain(static_gain):
    P, Q = lti_ops.gramians(static_gain)
    assert P.shape == Q.shape == (0, 0)
    for method in ("gramian", "markov"):
        assert np.asarray(lti_ops.hankel_singular_values(static_gain, method=method)).shape == (0,)
    assert float(lti_ops.hankel_norm(static_gain)) == 0.0
    assert int(lti_ops.mcmillan_degree(static_gain)) == 0
    bal, hsv = lti_ops.balanced_realization(static_gain)
    red = lti_ops.balanced_truncation(static_gain, 0)
    for system in (bal, red.system):
        assert system.n_states == 0 and float(np.asarray(system.D)[0, 0]) == 2.0
    assert hsv.shape == (0,) and float(red.error_bound) == 0.0


# --------------------------------------------------------------------------- NaN / inf


def _with_bad(field, value, dt=1.0):
    A, B, C, D = np.array([[0.5]]), np.ones((1, 1)), np.ones((1, 1)), np.zeros((1, 1))
    arrays = {"A": A if dt else -A, "B": B, "C": C, "D": D}
    with pytest.raises(ValueError, match=rf"`{field}` must be finite"):  # the container refuses
        lti_ops.StateSpace(**{**arrays, field: np.full_like(arrays[field], value)}, dt=dt)
    sys = lti_ops.StateSpace(**arrays, dt=dt)
    getattr(sys, field)[...] = value  # its own copy changed behind its back: the functions refuse too
    return sys


SYSTEM_FUNCTIONS = {
    "h2_norm": lti_ops.h2_norm,
    "h2_norm-parseval": lambda s: lti_ops.h2_norm(s, method="parseval"),
    "hinf_norm": lti_ops.hinf_norm,
    "hinf_norm-grid": lambda s: lti_ops.hinf_norm(s, method="grid"),
    "hankel_norm": lti_ops.hankel_norm,
    "hankel_singular_values": lti_ops.hankel_singular_values,
    "gramians": lti_ops.gramians,
    "balanced_realization": lti_ops.balanced_realization,
    "balanced_truncation": lambda s: lti_ops.balanced_truncation(s, 1),
}


@pytest.mark.parametrize("call", SYSTEM_FUNCTIONS.values(), ids=SYSTEM_FUNCTIONS.keys())
@pytest.mark.parametrize("field", ["B", "C"])
@pytest.mark.parametrize("value", [np.nan, np.inf])
@pytest.mark.parametrize("dt", [1.0, None], ids=["discrete", "continuous"])
def test_norms_refuse_non_finite_systems_by_name(call, field, value, dt):
    """Issue 17: NaN in B or C gave h2_norm = hinf_norm = 0.0."""
    with pytest.raises(ValueError, match=rf"`sys\.{field}` must be finite"):
        call(_with_bad(field, value, dt))


def test_mcmillan_degree_and_hankel_arrays_refuse_non_finite_input():
    with pytest.raises(ValueError, match=r"`x\.B` must be finite"):
        lti_ops.mcmillan_degree(_with_bad("B", np.nan))
    h = np.array([0.0, 1.0, np.inf, 0.25, 0.1])
    for call in (lti_ops.hankel_matrix, lti_ops.realize):
        with pytest.raises(ValueError, match="`h` must be finite"):
            call(h)
    with pytest.raises(ValueError, match="`x` must be finite"):
        lti_ops.mcmillan_degree(h)
    with pytest.raises(ValueError, match="`x` must be finite"):
        lti_ops.hankel_matvec(np.arange(6.0), np.array([1.0, np.nan, 0.0]))
    with pytest.raises(ValueError, match="`y` must be finite"):
        lti_ops.hankel_rmatvec(np.arange(6.0), np.array([1.0, np.nan, 0.0]))
    with pytest.raises(ValueError, match="`hsv` must be finite"):
        lti_ops.epsilon_rank(np.array([1.0, np.nan]), 0.1)


# --------------------------------------------------------------------------- bad arguments

STABLE = lti_ops.Diagonal.siso(np.array([0.5, -0.2]), np.ones(2), np.ones(2), dt=1.0)
UNSTABLE = lti_ops.StateSpace(np.array([[1.5]]), np.ones((1, 1)), np.ones((1, 1)), np.zeros((1, 1)), dt=1.0)
H = np.arange(6.0)
BAD_CALLS = {
    "h2-method": (lambda: lti_ops.h2_norm(STABLE, method="x"), ValueError, r"`method` must be one of \['gramian'"),
    "h2-rtol": (lambda: lti_ops.h2_norm(STABLE, method="parseval", rtol=-1), ValueError, "`rtol` must be finite and > 0"),
    "h2-rtol-type": (lambda: lti_ops.h2_norm(STABLE, method="parseval", rtol="a"), TypeError, "`rtol` must be a real"),
    "h2-unstable": (lambda: lti_ops.h2_norm(UNSTABLE), ValueError, r"asymptotically stable.*\|p\| = 1\.5"),
    "hinf-unstable": (lambda: lti_ops.hinf_norm(UNSTABLE), ValueError, r"asymptotically stable.*\|p\| = 1\.5"),
    "hinf-rtol": (lambda: lti_ops.hinf_norm(STABLE, rtol=0.5), ValueError, r"`rtol` must be in \(0, 0\.1\]"),
    "hinf-method": (lambda: lti_ops.hinf_norm(STABLE, method=None), ValueError, "`method` must be one of"),
    "hsv-method": (lambda: lti_ops.hankel_singular_values(STABLE, method="svd"), ValueError, "`method` must be one of"),
    "hsv-n_markov": (lambda: lti_ops.hankel_singular_values(STABLE, method="markov", n_markov=0), ValueError, "`n_markov` must be a positive integer"),
    "hsv-n_markov-float": (lambda: lti_ops.hankel_singular_values(STABLE, method="markov", n_markov=2.5), ValueError, "`n_markov` must be a positive integer"),
    "hsv-rng": (lambda: lti_ops.hankel_singular_values(STABLE, method="markov", rng="a"), TypeError, "`rng` must be None"),
    "hsv-unstable": (lambda: lti_ops.hankel_singular_values(UNSTABLE, method="markov"), ValueError, "asymptotically stable"),
    "hankel_norm-type": (lambda: lti_ops.hankel_norm(np.eye(2)), TypeError, "`sys` must be a StateSpace"),
    "gramians-type": (lambda: lti_ops.gramians("a"), TypeError, "`sys` must be a StateSpace"),
    "gramians-unstable": (lambda: lti_ops.gramians(UNSTABLE), ValueError, "asymptotically stable"),
    "epsilon_rank-eps": (lambda: lti_ops.epsilon_rank(np.ones(2), 2), ValueError, r"`eps` must be in \(0, 1\]"),
    "epsilon_rank-negative": (lambda: lti_ops.epsilon_rank(np.array([1.0, -1.0]), 0.1), ValueError, "`hsv` must be non-negative"),
    "epsilon_rank-0d": (lambda: lti_ops.epsilon_rank(np.array(1.0), 0.1), ValueError, r"`hsv` must have shape"),
    "mcmillan-tol": (lambda: lti_ops.mcmillan_degree(H, tol=1.5), ValueError, r"`tol` must be in \(0, 1\)"),
    "mcmillan-list": (lambda: lti_ops.mcmillan_degree([1.0, 2.0]), TypeError, "`x` must be an array"),
    "hankel_matrix-rows": (lambda: lti_ops.hankel_matrix(H, 0), ValueError, "`rows` must be a positive integer"),
    "hankel_matrix-size": (lambda: lti_ops.hankel_matrix(H, 4, 4), ValueError, r"`rows` \+ `cols` must be at most L = 6"),
    "hankel_matrix-bool": (lambda: lti_ops.hankel_matrix(np.ones(4, dtype=bool)), TypeError, "`h` has dtype bool"),
    "hankel_matrix-object": (lambda: lti_ops.hankel_matrix(np.ones(4, dtype=object)), TypeError, "`h` has dtype object"),
    "hankel_matrix-empty": (lambda: lti_ops.hankel_matrix(np.ones(0)), ValueError, "`h` needs at least 2 Markov parameters"),
    "hankel_matrix-mimo": (lambda: lti_ops.hankel_matrix(H, mimo="yes"), TypeError, "`mimo` must be True or False"),
    "hankel_matvec-blocks": (lambda: lti_ops.hankel_matvec(np.ones((1, 2, 6)), np.ones(3), mimo=True), ValueError, "`x`'s last axis must be a positive multiple of 2"),
    "hankel_matvec-list": (lambda: lti_ops.hankel_matvec(H, [1.0, 2.0]), TypeError, "`x` must be an array"),
}


@pytest.mark.parametrize(("call", "error", "match"), BAD_CALLS.values(), ids=BAD_CALLS.keys())
def test_bad_arguments_are_refused_by_name(call, error, match):
    with pytest.raises(error, match=match):
        call()
