"""Bode data (issue 18, item 5): magnitude and unwrapped phase on a default grid from the poles.

Identities: mag * exp(i phase) = G; the phase moves by less than pi between neighbouring
frequencies and starts in (-pi, pi]; agreement with scipy.signal.bode / dbode (dB, degrees)
and python-control's frequency_response; the default grid follows python-control's rule on
the poles.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lti_ops
from lti_ops.testing import to_numpy, tolerance

from _helpers import as_xp

control = pytest.importorskip("control")
signal = pytest.importorskip("scipy.signal")

DT = 0.1


def _random(seed, n, p=1, m=1, batch=()):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal(batch + (n, n)) * 2
    return A, rng.standard_normal(batch + (n, m)), rng.standard_normal(batch + (p, n)), rng.standard_normal(batch + (p, m))


def _sys(arrays, dt=None, xp=None, dtype=None):
    conv = (lambda x: as_xp(xp, x, dtype)) if xp is not None else (lambda x: x)
    return lti_ops.StateSpace(*(conv(x) for x in arrays), dt=dt)


# --------------------------------------------------------------------------- identities


@settings(max_examples=4)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 4), discrete=st.booleans())
def test_magnitude_and_phase_rebuild_g_and_the_phase_is_unwrapped(xp, dtype, seed, n, discrete):
    arrays = _random(seed, n, 2, 1, batch=(2,))
    sys = _sys(arrays, DT if discrete else None, xp, dtype)
    w, mag, phase = lti_ops.bode(sys, n=200)
    assert w.shape == (200,) and mag.shape == phase.shape == (2, 2, 1, 200)
    assert w.dtype == mag.dtype == phase.dtype == sys.A.dtype
    G = to_numpy(lti_ops.frequency_response(sys, w))
    mag, phase = to_numpy(mag), to_numpy(phase)
    rtol = tolerance(dtype, n=n, cond=1e3)
    np.testing.assert_allclose(mag * np.exp(1j * phase), G, rtol=rtol, atol=rtol * np.abs(G).max())
    np.testing.assert_allclose(phase, np.unwrap(np.angle(G), axis=-1), rtol=0, atol=100 * rtol)
    assert np.all(np.abs(np.diff(phase, axis=-1)) <= np.pi) and np.all(np.abs(phase[..., 0]) <= np.pi)
    w = to_numpy(w)
    assert np.all(np.diff(w) > 0)
    if discrete:
        np.testing.assert_allclose(w[-1], np.pi / DT, rtol=rtol)


@pytest.mark.parametrize("discrete", [False, True])
def test_against_scipy_bode_and_dbode_in_db_and_degrees(discrete):
    for seed in range(3):
        A, B, C, D = _random(seed, 3)
        A = A / 6 if discrete else A
        sys = _sys((A, B, C, D), DT if discrete else None)
        w, mag_db, phase_deg = lti_ops.bode(sys, db=True, deg=True)
        if discrete:  # scipy's dbode takes radians per sample
            _, ref_mag, ref_phase = signal.dbode(signal.StateSpace(A, B, C, D, dt=DT), w=w * DT)
        else:
            _, ref_mag, ref_phase = signal.bode(signal.StateSpace(A, B, C, D), w=w)
        np.testing.assert_allclose(mag_db[0, 0], ref_mag, rtol=0, atol=1e-9)
        np.testing.assert_allclose(phase_deg[0, 0], ref_phase, rtol=0, atol=1e-9)


@pytest.mark.parametrize("discrete", [False, True])
def test_against_python_control_mimo(discrete):
    A, B, C, D = _random(5, 4, 2, 3)
    A = A / 8 if discrete else A
    w, mag, phase = lti_ops.bode(_sys((A, B, C, D), DT if discrete else None))
    ref = control.frequency_response(control.ss(A, B, C, D, DT if discrete else 0), w)
    np.testing.assert_allclose(mag, ref.magnitude, rtol=1e-12)
    np.testing.assert_allclose(phase, np.unwrap(ref.phase, axis=-1), rtol=0, atol=1e-12)
    with pytest.warns(FutureWarning, match="bode_plot"):  # control 0.10: the old return value
        mag_c, phase_c, _ = control.bode(control.ss(A, B, C, D, DT if discrete else 0)[0, 0], w, plot=False)
    np.testing.assert_allclose(mag[0, 0], mag_c, rtol=1e-12)
    np.testing.assert_allclose(np.cos(phase[0, 0] - phase_c), 1.0, atol=1e-12)  # control may shift by 2 pi


def test_gradient_of_the_magnitude_matches_a_finite_difference():
    torch = pytest.importorskip("torch")
    A, B, C, D = (torch.tensor(x) for x in _random(3, 3))
    w = torch.tensor([0.3, 1.0, 4.0], dtype=torch.float64)

    def f(a):
        return lti_ops.bode(lti_ops.StateSpace(a, B, C, D), w)[1].sum()

    a = A.clone().requires_grad_(True)
    f(a).backward()
    h = 1e-6
    e = torch.zeros_like(A)
    e[0, 1] = h
    fd = (float(f(A + e)) - float(f(A - e))) / (2 * h)
    np.testing.assert_allclose(float(a.grad[0, 1]), fd, rtol=1e-6)


# --------------------------------------------------------------------------- the default grid


def _control_grid(poles, dt=None, zeros=()):
    """python-control's default range for a system with these poles and zeros."""
    tf = control.tf(control.zpk(list(zeros), poles, 1, dt if dt else 0))
    return control.freqplot._default_frequency_range(tf)


def _partial_fraction_zeros(poles):
    """The zeros of sum_i 1 / (s - p_i): the roots of sum_i prod_{j != i} (s - p_j)."""
    num = sum(np.poly(np.delete(poles, i)) for i in range(len(poles)))
    return np.roots(num)


@pytest.mark.parametrize("poles", [[-1.0, -30.0], [-0.02 + 3j, -0.02 - 3j, -400.0], [0.0, -5.0], [2.0, -0.003]])
def test_the_default_grid_is_python_controls_on_the_poles_and_zeros(poles):
    poles = np.asarray(poles, dtype=complex)
    sys = lti_ops.Diagonal.siso(poles, np.ones(len(poles)) + 0j, np.ones(len(poles)) + 0j)
    w, _, _ = lti_ops.bode(sys)
    np.testing.assert_allclose(w, _control_grid(poles, zeros=_partial_fraction_zeros(poles)), rtol=1e-12)


@pytest.mark.parametrize("zeros, poles", [([-0.01], [-1.0, -30.0]), ([-2000.0, 3.0], [-1.0 + 1j, -1.0 - 1j, -5.0]),
                                          ([0.0], [-2.0, -40.0])])
def test_the_default_grid_counts_the_zeros_as_python_control_does(zeros, poles):
    """Zeros outside the poles' range widen the grid (a zero at the origin does not)."""
    num, den = signal.zpk2tf(zeros, poles, 1.0)
    sys = lti_ops.from_transfer_function(num, den)
    w, _, _ = lti_ops.bode(sys, n=50)
    expected = control.freqplot._default_frequency_range(control.tf(num, den))
    np.testing.assert_allclose([w[0], w[-1]], [expected[0], expected[-1]], rtol=1e-12)


def test_the_discrete_grid_ends_at_nyquist_and_a_batch_shares_one_grid():
    poles = np.array([[0.5 * np.exp(0.3j), 0.5 * np.exp(-0.3j)], [0.99, 0.9]])
    sys = lti_ops.Diagonal(poles, np.ones((2, 1)) + 0j, np.ones((1, 2)) + 0j, np.zeros((1, 1)), dt=DT)
    w, mag, _ = lti_ops.bode(sys, n=50)
    assert w.shape == (50,) and mag.shape == (2, 1, 1, 50)
    assert w[-1] == np.pi / DT
    f = np.abs(np.log(poles)) / DT  # python-control's features, over the whole batch
    np.testing.assert_allclose(w[0], 10.0 ** np.rint(np.log10(f.min()) - 1), rtol=1e-12)
    np.testing.assert_allclose(w[0], _control_grid(poles.ravel(), DT)[0], rtol=1e-12)
    np.testing.assert_allclose(np.diff(np.log(w)), np.log(w[1] / w[0]), rtol=1e-9)  # log-spaced
    static = lti_ops.StateSpace(np.zeros((0, 0)), np.zeros((0, 1)), np.zeros((1, 0)), np.ones((1, 1)))
    w, mag, phase = lti_ops.bode(static, n=3)
    np.testing.assert_allclose(w, [0.1, 1.0, 10.0], rtol=1e-12)  # no features: 10^-1 .. 10^1
    np.testing.assert_array_equal(mag, np.ones((1, 1, 3)))


def test_given_frequencies_are_returned_in_the_systems_precision():
    sys = lti_ops.Diagonal.siso(np.array([-1.0], dtype=np.float32), np.ones(1, dtype=np.float32), np.ones(1, dtype=np.float32))
    w, mag, phase = lti_ops.bode(sys, np.array([0, 1, 2], dtype=np.float32))
    assert w.dtype == mag.dtype == phase.dtype == np.float32
    np.testing.assert_array_equal(w, [0.0, 1.0, 2.0])
    w, mag, phase = lti_ops.bode(sys, np.array([0, 1, 2]))  # integers promote to the default float
    assert w.dtype == mag.dtype == phase.dtype == np.float64
    np.testing.assert_allclose(phase, -np.arctan([[[0.0, 1.0, 2.0]]]), rtol=1e-6)


# --------------------------------------------------------------------------- errors


SYS = lti_ops.Diagonal.siso(np.array([-1.0]), np.ones(1), np.ones(1))
MARGINAL = lti_ops.StateSpace(np.array([[0.0, 1.0], [-1.0, 0.0]]), np.ones((2, 1)), np.ones((1, 2)), np.zeros((1, 1)))
BAD_CALLS = {
    "sys": (lambda: lti_ops.bode(np.eye(2)), TypeError, "`sys` must be a StateSpace"),
    "n": (lambda: lti_ops.bode(SYS, n=0), ValueError, "`n` must be a positive integer"),
    "n-float": (lambda: lti_ops.bode(SYS, n=10.0), ValueError, "`n` must be a positive integer"),
    "db": (lambda: lti_ops.bode(SYS, db="yes"), TypeError, "`db` must be True or False"),
    "deg": (lambda: lti_ops.bode(SYS, deg=1), TypeError, "`deg` must be True or False"),
    "w-complex": (lambda: lti_ops.bode(SYS, np.array([1.0j])), TypeError, "`w` must be real angular frequencies"),
    "w-list": (lambda: lti_ops.bode(SYS, [1.0]), TypeError, "`w`"),
    "w-nan": (lambda: lti_ops.bode(SYS, np.array([np.nan])), ValueError, "`w` must be finite"),
    "w-on-pole": (lambda: lti_ops.bode(MARGINAL, np.array([0.5, 1.0])), ValueError, "`w`: a frequency falls on a pole"),
    "kernel": (lambda: lti_ops.bode(SYS, kernel="fast"), ValueError, "`kernel` must be one of"),
}


@pytest.mark.parametrize(("call", "error", "match"), BAD_CALLS.values(), ids=BAD_CALLS.keys())
def test_bad_arguments_are_refused_by_name(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_the_default_grid_needs_an_eigensolver():
    aas = pytest.importorskip("array_api_strict")
    with aas.ArrayAPIStrictFlags(api_version="2024.12"):
        sys = lti_ops.StateSpace(*(aas.asarray(x) for x in (np.array([[-1.0]]), np.ones((1, 1)), np.ones((1, 1)), np.zeros((1, 1)))))
        with pytest.raises(NotImplementedError, match="linalg.eigvals"):
            lti_ops.bode(sys)
        assert lti_ops.bode(sys, aas.asarray([1.0]))[1].shape == (1, 1, 1)  # a given grid needs none


def test_dask_needs_the_grid():
    da = pytest.importorskip("dask.array")
    sys = lti_ops.StateSpace(*(da.from_array(x) for x in _random(0, 2, batch=(2,))))
    with pytest.raises(ValueError, match="`w`"):
        lti_ops.bode(sys)
    w = da.from_array(np.array([0.5, 1.0]))
    _, mag, _ = lti_ops.bode(sys, w)
    ref = lti_ops.bode(lti_ops.StateSpace(*_random(0, 2, batch=(2,))), np.array([0.5, 1.0]))[1]
    np.testing.assert_allclose(mag.compute(scheduler="sync"), ref, rtol=1e-12)
    assert not math.isnan(float(ref[0, 0, 0, 0]))
