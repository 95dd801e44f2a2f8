"""Identity, differential and error-path tests of lti_ops.discretize / lti_ops.d2c."""

import math

import numpy as np
import pytest
import scipy.integrate
import scipy.linalg
import scipy.signal
from hypothesis import given
from hypothesis import strategies as st

import lti_ops
from lti_ops.discretize import D2C_METHODS, METHODS
from lti_ops.testing import assert_close, to_numpy, tolerance
from lti_ops.testing import strategies as lst

from _helpers import SKIPS_VALUE_CHECKS, as_xp, checks_values, dense_numpy, markov, systems, transfer

STEPS = st.floats(0.01, 0.5)
COND = 100.0  # cond(V)^2 for the strategies' max_cond = 10
SCIPY_NAMES = {"backward_euler": "backward_diff"}
GBT_METHODS = ("euler", "backward_euler", "bilinear", "gbt", "tustin", "s4_bilinear")


def _alpha(method, data):
    return data.draw(st.floats(0, 1)) if method == "gbt" else None


# --------------------------------------------------------------------------- differential


@pytest.mark.parametrize("method", ["zoh", "foh", "impulse", "euler", "backward_euler", "bilinear", "gbt"])
@given(data=st.data(), dt=STEPS)
def test_matches_scipy_cont2discrete(xp, dtype, method, data, dt):
    sys = data.draw(lst.stable_state_spaces(xp=xp, dtype=dtype))
    if method == "impulse":
        sys = lti_ops.StateSpace(sys.A, sys.B, sys.C, 0 * sys.D)
    alpha = _alpha(method, data)
    ours = lti_ops.discretize(sys, dt, method, alpha=alpha)
    ref = scipy.signal.cont2discrete(
        tuple(np.asarray(x, np.float64) for x in dense_numpy(sys)), dt, SCIPY_NAMES.get(method, method), alpha=alpha
    )
    assert ours.dt == dt
    for got, want in zip((ours.A, ours.B, ours.C, ours.D), ref[:4]):
        assert got.dtype == sys.dtype
        assert_close(got, want, rtol=tolerance(dtype, n=sys.n_states, cond=COND))


@pytest.mark.jit
@pytest.mark.parametrize("method", ["bilinear", "tustin"])
@given(data=st.data(), dt=STEPS)
def test_bilinear_and_tustin_preserve_transfer_function(xp, dtype, method, data, dt):
    sys = data.draw(lst.stable_state_spaces(xp=xp, dtype=dtype))
    disc = lti_ops.discretize(sys, dt, method)
    z = np.exp(1j * np.linspace(0.1, 3.0, 5)) * data.draw(st.floats(0.9, 1.5))
    s = (2 / dt) * (z - 1) / (z + 1)
    assert_close(transfer(disc, z), transfer(sys, s), rtol=tolerance(dtype, n=sys.n_states, cond=1e3))


@given(data=st.data(), dt=STEPS)
def test_tustin_is_a_different_realization_than_bilinear(xp, data, dt):
    sys = data.draw(lst.stable_state_spaces(xp=xp))
    bil, tus = lti_ops.discretize(sys, dt, "bilinear"), lti_ops.discretize(sys, dt, "tustin")
    assert_close(tus.A, bil.A)
    assert_close(tus.B, bil.B / math.sqrt(dt))
    assert_close(tus.C, bil.C * math.sqrt(dt))
    assert_close(tus.D, bil.D)


# --------------------------------------------------------------------------- identities


@given(data=st.data(), dt=STEPS)
def test_eigenvalue_maps_and_stability(xp, dtype, data, dt):
    sys = data.draw(lst.stable_diagonals(xp=xp, dtype=dtype, conj_sym=st.booleans()))
    lam = to_numpy(sys.lam)
    zoh = lti_ops.discretize(sys, dt, "zoh")
    bil = lti_ops.discretize(sys, dt, "bilinear")
    rtol = tolerance(dtype, n=4)
    assert_close(zoh.lam, np.exp(dt * lam), rtol=rtol)
    assert_close(bil.lam, (1 + dt * lam / 2) / (1 - dt * lam / 2), rtol=rtol)
    for disc in (zoh, bil):
        assert bool(disc.is_stable())
        assert np.all(np.abs(to_numpy(disc.poles())) < 1)


@given(data=st.data(), dt=STEPS)
def test_dense_eigenvalues_follow_the_maps(xp, data, dt):
    sys = data.draw(lst.stable_state_spaces(xp=xp))
    lam = np.sort_complex(to_numpy(sys.poles()))
    for method, f in (("zoh", np.exp), ("bilinear", lambda x: (1 + x / 2) / (1 - x / 2))):
        got = np.sort_complex(to_numpy(lti_ops.discretize(sys, dt, method).poles()))
        np.testing.assert_allclose(np.sort_complex(f(dt * lam)), got, rtol=1e-8, atol=1e-10)


@given(data=st.data(), dt=STEPS)
def test_zoh_is_exact_for_piecewise_constant_input(xp, data, dt):
    sys = data.draw(lst.stable_state_spaces(xp=xp, n_inputs=1))
    disc = lti_ops.discretize(sys, dt, "zoh")
    A, B, _, _ = dense_numpy(sys)
    Ad, Bd, _, _ = dense_numpy(disc)
    u = np.array([1.0, -0.5, 2.0, 0.0])
    x = np.zeros(A.shape[-1])
    for k, uk in enumerate(u):
        sol = scipy.integrate.solve_ivp(
            lambda t, s: A @ s + B[:, 0] * uk, (k * dt, (k + 1) * dt), x, rtol=1e-12, atol=1e-14
        )
        exact = sol.y[:, -1]
        x_disc = Ad @ x + Bd[:, 0] * uk
        np.testing.assert_allclose(x_disc, exact, rtol=1e-8, atol=1e-10)
        x = exact


@given(data=st.data(), dt=STEPS)
def test_zoh_semigroup_law(xp, dtype, data, dt):
    sys = data.draw(lst.stable_state_spaces(xp=xp, dtype=dtype))
    one, two = lti_ops.discretize(sys, dt, "zoh"), lti_ops.discretize(sys, 2 * dt, "zoh")
    rtol = tolerance(dtype, n=sys.n_states, cond=COND)
    scale = (1 + np.max(np.abs(to_numpy(one.A)))) * (1 + np.max(np.abs(to_numpy(one.B))))
    assert_close(two.A, one.A @ one.A, atol=rtol * scale, rtol=rtol)
    assert_close(two.B, one.A @ one.B + one.B, atol=rtol * scale, rtol=rtol)


def _gbt_reference(A, B, C, D, dt, alpha):
    """Textbook GBT of a dense NumPy system (independent of the library's code path)."""
    eye = np.eye(A.shape[-1])
    E_inv = np.linalg.inv(eye - alpha * dt * A)
    Bd = dt * E_inv @ B
    return E_inv @ (eye + (1 - alpha) * dt * A), Bd, C @ E_inv, D + alpha * C @ Bd


@pytest.mark.parametrize("kind", ["dense", "diagonal", "dplr"])
@pytest.mark.parametrize("alpha,method", [(0.0, "euler"), (0.5, "bilinear"), (1.0, "backward_euler")])
@given(data=st.data(), dt=STEPS)
def test_gbt_special_cases(xp, kind, alpha, method, data, dt):
    sys = data.draw(systems(kind, xp, "float64"))
    A, B, C, D = dense_numpy(sys)
    eye = np.eye(A.shape[-1])
    explicit = {  # euler: I + dt A; backward_euler: (I - dt A)^{-1}; bilinear: Cayley
        "euler": (eye + dt * A, dt * B, C, D),
        "backward_euler": _gbt_reference(A, B, C, D, dt, 1.0),
        "bilinear": _gbt_reference(A, B, C, D, dt, 0.5),
    }[method]
    if method == "backward_euler":
        np.testing.assert_allclose(explicit[0], np.linalg.inv(eye - dt * A), rtol=1e-12)
    gbt, named = lti_ops.discretize(sys, dt, "gbt", alpha=alpha), lti_ops.discretize(sys, dt, method)
    assert type(gbt) is type(named) is type(sys)
    for got_gbt, got_named, want in zip(dense_numpy(gbt), dense_numpy(named), explicit):
        np.testing.assert_allclose(got_gbt, want, rtol=1e-11, atol=1e-12)
        np.testing.assert_allclose(got_named, want, rtol=1e-11, atol=1e-12)


@pytest.mark.parametrize("kind", ["diagonal", "dplr"])
@pytest.mark.parametrize("method", METHODS)
@given(data=st.data(), dt=STEPS)
def test_structured_commutes_with_dense(xp, dtype, kind, method, data, dt):
    sys = data.draw(systems(kind, xp, dtype))
    if method == "impulse":
        sys = type(sys)(**{**_fields(sys), "D": 0 * sys.D})
    alpha = _alpha(method, data)
    structured = lti_ops.discretize(sys, dt, method, alpha=alpha)
    dense = lti_ops.discretize(sys.to_dense(), dt, method, alpha=alpha)
    keeps = kind == "diagonal" or method in GBT_METHODS
    assert type(structured) is (type(sys) if keeps else lti_ops.StateSpace)
    scale = 1 + np.max(np.abs(markov(dense, 8)))
    assert_close(markov(structured, 8), markov(dense, 8), atol=tolerance(dtype, n=8, cond=COND) * scale, rtol=0)


def _fields(sys):
    names = {"Diagonal": ("lam", "B", "C", "D"), "DPLR": ("lam", "P", "Q", "B", "C", "D")}
    out = {n: getattr(sys, n) for n in names[type(sys).__name__]}
    return {**out, "conj_sym": sys.conj_sym}


@given(data=st.data(), dt=STEPS)
def test_diagonalized_dense_commutes(xp, data, dt):
    sys = data.draw(lst.stable_state_spaces(xp=xp))
    diag = lti_ops.diagonalize(sys)
    for method in ("zoh", "bilinear", "s4_bilinear", "foh"):
        a, b = lti_ops.discretize(diag, dt, method), lti_ops.discretize(sys, dt, method)
        np.testing.assert_allclose(markov(a, 6), markov(b, 6), rtol=1e-9, atol=1e-9)


@pytest.mark.jit
def test_zoh_and_bilinear_kernels_agree_to_second_order(xp):
    rng = np.random.default_rng(3)
    lam = -rng.uniform(0.5, 1.5, 6) + 1j * rng.uniform(-2, 2, 6)
    sys = lti_ops.Diagonal.siso(*(as_xp(xp, v) for v in (lam, rng.standard_normal(6) + 0j, rng.standard_normal(6) + 0j)))
    errors = []
    for dt in (0.1, 0.05, 0.025):
        L = round(2.0 / dt) + 1
        k_zoh = markov(lti_ops.discretize(sys, dt, "zoh"), L)[..., 1::round(0.5 / dt)] / dt
        k_bil = markov(lti_ops.discretize(sys, dt, "s4_bilinear"), L)[..., 1::round(0.5 / dt)] / dt
        errors.append(np.max(np.abs(k_zoh - k_bil)))
    slopes = np.diff(np.log(errors)) / np.diff(np.log([0.1, 0.05, 0.025]))
    assert np.all((slopes > 1.8) & (slopes < 2.2)), slopes


@pytest.mark.parametrize("kind", ["dense", "diagonal", "dplr"])
@pytest.mark.parametrize("method", D2C_METHODS)
@given(data=st.data(), dt=STEPS)
def test_d2c_inverts_discretize(xp, dtype, kind, method, data, dt):
    sys = data.draw(systems(kind, xp, dtype))
    alpha = data.draw(st.floats(0.1, 1)) if method == "gbt" else None
    back = lti_ops.d2c(lti_ops.discretize(sys, dt, method, alpha=alpha), method, alpha=alpha)
    densified = kind == "dplr" and method == "zoh"
    assert type(back) is (lti_ops.StateSpace if densified else type(sys))
    assert back.dt is None and back.dtype == (sys.to_dense() if densified else sys).dtype
    # recovering A from Abar ~ I + dt A loses digits like 1/dt: the bound says so
    rtol = tolerance(dtype, n=sys.n_states, cond=10) / dt
    for got, want in zip(dense_numpy(back), dense_numpy(sys)):
        np.testing.assert_allclose(got, want, rtol=0, atol=rtol * np.abs(want).max())


@pytest.mark.parametrize("method", ["zoh", "foh", "bilinear", "tustin", "s4_bilinear"])
@given(data=st.data())
def test_batch_equals_loop(xp, method, data):
    sys = data.draw(lst.stable_state_spaces(xp=xp, batch_shape=(3,)))
    dts = np.array([0.05, 0.1, 0.4])
    batched = lti_ops.discretize(sys, as_xp(xp, dts), method)
    A, B, C, D = dense_numpy(sys)
    for i, dt in enumerate(dts):
        single = lti_ops.StateSpace(*(as_xp(xp, x[i]) for x in (A, B, C, D)))
        one = lti_ops.discretize(single, float(dt), method)
        for got, want in zip(dense_numpy(batched), dense_numpy(one)):
            np.testing.assert_allclose(got[i], want, rtol=1e-12, atol=1e-13)


@pytest.mark.jit
@given(data=st.data(), dt=STEPS)
def test_diagonal_dt_per_channel(xp, data, dt):
    sys = data.draw(lst.stable_diagonals(xp=xp, batch_shape=(4,), conj_sym=True))
    dts = dt * np.array([1.0, 0.5, 2.0, 0.1])
    disc = lti_ops.discretize(sys, as_xp(xp, dts), "zoh")
    assert disc.batch_shape == (4,)
    assert_close(disc.lam, np.exp(dts[:, None] * to_numpy(sys.lam)), rtol=1e-12)


@pytest.mark.parametrize("method", ["zoh", "foh", "bilinear", "tustin"])
@given(data=st.data(), dt=STEPS)
def test_float32_accuracy_bound(xp, method, data, dt):
    sys64 = data.draw(lst.stable_state_spaces(xp=xp))
    sys32 = lti_ops.StateSpace(*(xp.astype(x, xp.float32) for x in (sys64.A, sys64.B, sys64.C, sys64.D)))
    d32, d64 = lti_ops.discretize(sys32, dt, method), lti_ops.discretize(sys64, dt, method)
    assert d32.dtype == xp.float32
    for got, want in zip((d32.A, d32.B, d32.C, d32.D), (d64.A, d64.B, d64.C, d64.D)):
        assert_close(got, to_numpy(want), rtol=tolerance("float32", n=sys64.n_states, cond=COND))


def test_diagonal_zero_mode_limit(xp):
    lam = as_xp(xp, [0.0 + 0j, -1e-9 + 0j, -1.0 + 2j])
    ones = as_xp(xp, [1.0 + 0j, 1.0, 1.0])
    sys = lti_ops.Diagonal.siso(lam, ones, ones)
    for method in ("zoh", "foh"):
        diag = lti_ops.discretize(sys, 0.5, method)
        dense = lti_ops.discretize(sys.to_dense(), 0.5, method)
        np.testing.assert_allclose(markov(diag, 5), markov(dense, 5), rtol=1e-13, atol=1e-14)
    assert_close(lti_ops.discretize(sys, 0.5).B[0, 0], np.asarray(0.5 + 0j), rtol=1e-15)


def test_dense_zoh_with_singular_a(xp):
    A = as_xp(xp, [[0.0, 1.0], [0.0, 0.0]])  # double integrator
    sys = lti_ops.StateSpace(A, as_xp(xp, [[0.0], [1.0]]), as_xp(xp, [[1.0, 0.0]]))
    disc = lti_ops.discretize(sys, 0.1)
    assert_close(disc.A, np.array([[1.0, 0.1], [0.0, 1.0]]), rtol=1e-15)
    assert_close(disc.B, np.array([[0.005], [0.1]]), rtol=1e-14)


def test_dt_array_promotes_dtype(xp):
    sys = lti_ops.Diagonal.siso(*(as_xp(xp, [-1.0 + 1j], "complex64") for _ in range(3)))
    disc = lti_ops.discretize(sys, as_xp(xp, [0.1, 0.2], "float64"))
    assert disc.dtype == xp.complex128
    assert lti_ops.discretize(sys, 0.1).dtype == xp.complex64


# --------------------------------------------------------------------------- errors


def _simple(xp, dt=None):
    return lti_ops.StateSpace(as_xp(xp, [[-1.0]]), as_xp(xp, [[1.0]]), as_xp(xp, [[1.0]]), dt=dt)


@pytest.mark.parametrize(
    "kwargs,exc,match",
    [
        ({"method": "magic"}, ValueError, r"`method` must be one of .*'zoh'.*got 'magic'"),
        ({"method": "gbt"}, ValueError, r"method='gbt' needs `alpha`"),
        ({"method": "gbt", "alpha": 1.5}, ValueError, r"`alpha` must be in \[0, 1\]; got 1.5"),
        ({"method": "gbt", "alpha": True}, TypeError, r"`alpha` must be a real number"),
        ({"method": "zoh", "alpha": 0.5}, ValueError, r"`alpha` applies to method='gbt' only"),
        ({"dt": 0.0}, ValueError, r"`dt` must be positive and finite; got 0.0"),
        ({"dt": -1}, ValueError, r"`dt` must be positive and finite; got -1"),
        ({"dt": float("nan")}, ValueError, r"`dt` must be positive and finite; got nan"),
        ({"dt": float("inf")}, ValueError, r"`dt` must be positive and finite; got inf"),
        ({"dt": True}, TypeError, r"`dt` must be a positive finite number or array; got True"),
        ({"dt": "0.1"}, TypeError, r"`dt` must be a positive finite number or array; got '0.1'"),
        ({"dt": 0.1j}, TypeError, r"`dt` must be real; got 0.1j"),
        ({"dt": None}, ValueError, r"`dt` must be a positive finite number or array; got None"),
    ],
)
def test_discretize_argument_errors(xp, kwargs, exc, match):
    kwargs = {"dt": 0.1, **kwargs}
    with pytest.raises(exc, match=match):
        lti_ops.discretize(_simple(xp), **kwargs)


def test_discretize_rejects_bad_dt_arrays(xp):
    batched = lti_ops.StateSpace(as_xp(xp, -np.ones((3, 1, 1))), as_xp(xp, [[1.0]]), as_xp(xp, [[1.0]]))
    with pytest.raises(ValueError, match=r"batch shapes do not broadcast: `sys` .*\(3,\).*`dt` .*\(2,\)"):
        lti_ops.discretize(batched, as_xp(xp, [0.1, 0.2]))
    if checks_values(xp):
        with pytest.raises(ValueError, match=r"`dt` must be positive and finite everywhere"):
            lti_ops.discretize(batched, as_xp(xp, [0.1, -0.2, 0.3]))
    with pytest.raises(TypeError, match=r"`dt` must have a real dtype; got .*bool"):
        lti_ops.discretize(batched, as_xp(xp, [True, True, True]))
    with pytest.raises(TypeError, match=r"`dt` must be an array \(or a number\); got list"):
        lti_ops.discretize(batched, [0.1, 0.2, 0.3])


def test_discretize_rejects_discrete_and_non_systems(xp):
    with pytest.raises(ValueError, match=r"`sys` must be a continuous-time system \(dt=None\); got dt=0.1"):
        lti_ops.discretize(_simple(xp, dt=0.1), 0.1)
    with pytest.raises(TypeError, match=r"`sys` must be a StateSpace, Diagonal or DPLR system; got tuple"):
        lti_ops.discretize((1, 2, 3, 4), 0.1)


def test_impulse_needs_strictly_proper(xp):
    sys = lti_ops.StateSpace(as_xp(xp, [[-1.0]]), as_xp(xp, [[1.0]]), as_xp(xp, [[1.0]]), as_xp(xp, [[2.0]]))
    with pytest.raises(ValueError, match=r"method='impulse' needs a strictly proper system"):
        lti_ops.discretize(sys, 0.1, "impulse")
    with pytest.raises(ValueError, match=r"method='impulse' needs a strictly proper system"):
        lti_ops.discretize(lti_ops.diagonalize(sys), 0.1, "impulse")


def test_d2c_errors(xp):
    with pytest.raises(ValueError, match=r"`sys` must be a discrete-time system \(a positive dt\); got dt=None"):
        lti_ops.d2c(_simple(xp))
    disc = _simple(xp, dt=0.1)
    for method in ("foh", "impulse"):
        with pytest.raises(NotImplementedError, match=rf"d2c has no inverse for method='{method}'"):
            lti_ops.d2c(disc, method)
    with pytest.raises(ValueError, match=r"`method` must be one of"):
        lti_ops.d2c(disc, "magic")
    neg = lti_ops.Diagonal.siso(as_xp(xp, [-0.5]), as_xp(xp, [1.0]), as_xp(xp, [1.0]), dt=0.1)
    with pytest.raises(ValueError, match=r"no real continuous-time ZOH equivalent"):
        lti_ops.d2c(neg)
    with pytest.raises(ValueError, match=r"closed negative real axis"):
        lti_ops.d2c(neg.to_dense())


@pytest.mark.parametrize("kind", ["dense", "diagonal", "dplr"])
def test_d2c_rejects_poles_no_continuous_system_maps_to(xp, kind):
    if not checks_values(xp):
        pytest.skip(SKIPS_VALUE_CHECKS)
    one = as_xp(xp, [1.0])
    at_minus_one = _of_kind(kind, as_xp(xp, [-1.0]), one, dt=0.1)
    with pytest.raises(ValueError, match=r"pole at z = -1, which no continuous system maps to under the GBT with alpha=0.5"):
        lti_ops.d2c(at_minus_one, "bilinear")
    at_zero = _of_kind(kind, as_xp(xp, [0.0]), one, dt=0.1)
    with pytest.raises(ValueError, match=r"pole at z = 0 \(its A is singular\), which no continuous system maps to under ZOH"):
        lti_ops.d2c(at_zero, "zoh")


@pytest.mark.parametrize("kind", ["dense", "diagonal", "dplr"])
def test_discretize_rejects_a_pole_where_the_gbt_is_singular(xp, kind):
    if not checks_values(xp):
        pytest.skip(SKIPS_VALUE_CHECKS)
    sys = _of_kind(kind, as_xp(xp, [10.0]), as_xp(xp, [1.0]))
    with pytest.raises(ValueError, match=r"pole at s = 1/\(alpha\*dt\) \(alpha=1\), where the GBT is singular"):
        lti_ops.discretize(sys, 0.1, "backward_euler")


def _of_kind(kind, pole, one, dt=None):
    """A one-state system with the given pole as dense, Diagonal, or DPLR (pole split in two)."""
    if kind == "dense":
        return lti_ops.StateSpace.siso(pole[:, None], one, one, dt=dt)
    if kind == "diagonal":
        return lti_ops.Diagonal.siso(pole, one, one, dt=dt)
    half = pole / 2  # lam - P Q^H with lam = pole/2, P = Q = sqrt(-pole/2) would need a sign
    return lti_ops.DPLR.siso(half, -half[:, None], one[:, None], one, one, dt=dt)


def test_complex_zoh_d2c_takes_principal_log(xp):
    neg = lti_ops.Diagonal.siso(as_xp(xp, [-0.5 + 0j]), as_xp(xp, [1.0 + 0j]), as_xp(xp, [1.0 + 0j]), dt=0.1)
    back = lti_ops.d2c(neg)
    assert_close(back.lam, np.array([(np.log(0.5) + 1j * np.pi) / 0.1]), rtol=1e-14)


@given(data=st.data(), dt=STEPS)
def test_tustin_keeps_gramians_and_both_keep_hankel_singular_values(xp, data, dt):
    sys = data.draw(lst.stable_state_spaces(xp=xp))
    A, B, C, _ = dense_numpy(sys)
    Pc = scipy.linalg.solve_continuous_lyapunov(A, -B @ B.T)
    Qc = scipy.linalg.solve_continuous_lyapunov(A.T, -C.T @ C)
    hsv_c = np.sqrt(np.sort(np.abs(np.linalg.eigvals(Pc @ Qc))))
    for method in ("tustin", "bilinear"):
        Ad, Bd, Cd, _ = dense_numpy(lti_ops.discretize(sys, dt, method))
        Pd = scipy.linalg.solve_discrete_lyapunov(Ad, Bd @ Bd.T)
        Qd = scipy.linalg.solve_discrete_lyapunov(Ad.T, Cd.T @ Cd)
        if method == "tustin":
            np.testing.assert_allclose(Pd, Pc, atol=1e-9 * np.abs(Pc).max())
            np.testing.assert_allclose(Qd, Qc, atol=1e-9 * np.abs(Qc).max())
        hsv_d = np.sqrt(np.sort(np.abs(np.linalg.eigvals(Pd @ Qd))))
        big = hsv_c > 1e-4 * hsv_c[-1]  # small HSVs from eig(PQ) carry eps*(s1/si)^2 error
        np.testing.assert_allclose(hsv_d[big], hsv_c[big], rtol=1e-6)


def test_integer_dt_array_keeps_single_precision(xp):
    sys = lti_ops.Diagonal.siso(*(as_xp(xp, [-1.0 + 1j], "complex64") for _ in range(3)))
    disc = lti_ops.discretize(sys, as_xp(xp, [1, 2]))
    assert disc.dtype == xp.complex64 and disc.dt.dtype == xp.float32
    assert lti_ops.d2c(disc).dtype == xp.complex64


@pytest.mark.parametrize("kind", ["diagonal", "dplr"])
@pytest.mark.parametrize("method", METHODS)
@given(data=st.data())
def test_structured_dt_per_channel_equals_loop(xp, kind, method, data):
    sys = data.draw(systems(kind, xp, "float64", batch_shape=(3,)))
    if method == "impulse":
        sys = type(sys)(**{**_fields(sys), "D": 0 * sys.D})
    alpha = _alpha(method, data)
    dts = np.array([0.05, 0.1, 0.4])
    batched = lti_ops.discretize(sys, as_xp(xp, dts), method, alpha=alpha)
    for i, dt in enumerate(dts):
        single = _channel(sys, i)
        one = lti_ops.discretize(single.to_dense(), float(dt), method, alpha=alpha)
        np.testing.assert_allclose(markov(batched, 6)[i], markov(one, 6), rtol=1e-11, atol=1e-12)


def _channel(sys, i):
    fields = _fields(sys)
    return type(sys)(**{k: (v[i, ...] if hasattr(v, "shape") and v.ndim > (1 if k == "lam" else 2) else v)
                        for k, v in fields.items()})


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("N,M", [(0, 1), (2, 0), (0, 0)])
def test_degenerate_sizes(xp, method, N, M):
    sys = lti_ops.StateSpace(as_xp(xp, -np.eye(N)), as_xp(xp, np.ones((N, M))), as_xp(xp, np.ones((1, N))))
    alpha = 0.3 if method == "gbt" else None
    disc = lti_ops.discretize(sys, 0.1, method, alpha=alpha)
    assert (disc.n_states, disc.n_inputs, disc.n_outputs) == (N, M, 1)
    if method in D2C_METHODS:
        back = lti_ops.d2c(disc, method, alpha=alpha)
        assert (back.n_states, back.n_inputs) == (N, M)


# --------------------------------------------------------------------------- rounded poles, huge steps (issue 17)


@pytest.mark.parametrize("kind", ["dense", "dplr", "dplr-conj"])
@pytest.mark.parametrize("method,alpha", [("backward_euler", None), ("gbt", 0.7)])
def test_gbt_at_a_rounded_pole_raises_as_the_exact_one(xp, kind, method, alpha):
    if not checks_values(xp):
        pytest.skip(SKIPS_VALUE_CHECKS)
    lam, P = np.array([1.0, 3.0]) + 0j, np.ones((2, 1)) + 0j
    A = np.diag(lam) - P @ P.conj().T  # poles 2 -+ sqrt(2): 1/(alpha dt) is rounded
    pole = np.linalg.eigvals(A).real.max()
    cs = kind == "dplr-conj"
    dplr = lti_ops.DPLR.siso(*(as_xp(xp, v) for v in (lam, P, P, np.ones(2) + 0j, np.ones(2) + 0j)), conj_sym=cs)
    if cs:  # the full system couples the halves: find its pole
        pole = np.linalg.eigvals(to_numpy(dplr.to_dense().A)).real.max()
    sys = dplr.to_dense() if kind == "dense" else dplr
    dt = 1 / ((alpha or 1.0) * pole)
    with pytest.raises(ValueError, match=r"pole at s = 1/\(alpha\*dt\) .*where the GBT is singular"):
        lti_ops.discretize(sys, dt, method, alpha=alpha)
    ok = lti_ops.discretize(sys, 0.9 * dt, method, alpha=alpha)  # away from it: finite
    assert np.isfinite(to_numpy(ok.to_dense().A)).all()


def test_zoh_of_a_stable_system_with_a_huge_step_stays_stable(xp, dtype):
    rng = np.random.default_rng(4)
    M = rng.standard_normal((6, 6))
    A = M - (np.abs(np.linalg.eigvals(M).real).max() + 0.5) * np.eye(6)  # stable, non-normal
    sys = lti_ops.StateSpace(*(as_xp(xp, v, dtype) for v in (A, np.ones((6, 1)), np.ones((1, 6)))))
    for norm in (1e3, 1.5e7, 1e9):
        disc = lti_ops.discretize(sys, norm / np.abs(A).sum(axis=0).max())
        Abar, Bbar = to_numpy(disc.A), to_numpy(disc.B)
        assert disc.A.dtype == getattr(xp, dtype)
        assert np.isfinite(Abar).all() and np.isfinite(Bbar).all()
        assert np.abs(np.linalg.eigvals(Abar.astype(np.float64))).max() <= 1
        # the step response settles at -A^{-1} B
        assert_close(Bbar, -np.linalg.solve(A, np.ones((6, 1))), rtol=tolerance(dtype, n=6, cond=1e3), atol=0)
