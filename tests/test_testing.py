"""Tests of the public helpers in lti_ops.testing."""

import numpy as np
import pytest
from hypothesis import find, given
from hypothesis import strategies as st

import lti_ops
from lti_ops.testing import assert_close, to_numpy, tolerance
from lti_ops.testing import strategies as lst

from _helpers import as_xp


def test_assert_close_accepts_and_rejects(xp, dtype):
    a = as_xp(xp, [1.0, 2.0], dtype)
    assert_close(a, a)
    assert_close(a, np.array([1.0, 2.0]))
    with pytest.raises(AssertionError, match=r"not close: max abs error"):
        assert_close(a, np.array([1.0, 2.1]))
    with pytest.raises(AssertionError, match=r"shapes differ"):
        assert_close(a, np.array([1.0]))
    other = as_xp(xp, [1.0, 2.0], "float32" if dtype == "float64" else "float64")
    with pytest.raises(AssertionError, match=r"dtypes differ"):
        assert_close(a, other, check_dtype=True)
    assert_close(a, np.array([1.0, 2.0], dtype="float32" if dtype == "float64" else "float64"))


def test_assert_close_checks_namespaces():
    torch = pytest.importorskip("torch")
    strict = pytest.importorskip("array_api_strict")
    with pytest.raises(AssertionError, match=r"namespaces differ"):
        assert_close(torch.ones(2, dtype=torch.float64), strict.ones(2))


def test_tolerance_scales_with_dtype_size_and_condition():
    assert tolerance("float32") > 1e8 * tolerance("float64")
    assert tolerance("complex128", n=4, cond=10) == pytest.approx(40 * tolerance("float64"))


# --------------------------------------------------------------------------- strategies for ML parameters


@given(data=st.data())
def test_timescales_are_log_uniform_in_range_per_channel(xp, dtype, data):
    H = data.draw(st.integers(1, 5))
    dt = data.draw(lst.timescales(H, dt_min=1e-4, dt_max=1e-2, xp=xp, dtype=dtype))
    assert tuple(dt.shape) == (H,) and str(dt.dtype).endswith(dtype)
    d = to_numpy(dt)
    assert np.all((d >= 1e-4 * (1 - 1e-6)) & (d <= 1e-2 * (1 + 1e-6)))


def test_timescales_shrink_to_dt_min():
    np.testing.assert_allclose(find(lst.timescales(3), lambda dt: True), [1e-3] * 3, rtol=1e-12)


@pytest.mark.parametrize("source", lst.S4D_SOURCES)
@given(data=st.data())
def test_s4d_parameters_are_stable_s4d_modes(source, data):
    lam, B, C = data.draw(lst.s4d_parameters(H=2, N=st.integers(1, 6), sources=[source]))
    assert lam.shape == B.shape == C.shape and lam.shape[0] == 2 and lam.dtype == np.complex128
    assert np.all(lam.real < 0) and np.all(np.isfinite(B)) and np.all(np.isfinite(C))


def test_s4d_parameters_are_the_initializations_at_their_frequencies(xp, dtype):
    lam, B, _ = find(lst.s4d_parameters(H=1, N=4, sources=["lin"], xp=xp, dtype=dtype), lambda p: True)
    want = lti_ops.s4d_init("lin", 8, H=1, rng=0)
    assert_close(lam, to_numpy(want.lam), rtol=tolerance(dtype))  # -1/2 - i pi n, unperturbed
    assert_close(B, np.ones((1, 4)), rtol=0)


@given(params=lst.s4d_parameters(sources=["inv", "random"], perturb=0.5))
def test_s4d_parameters_perturbed_stay_stable(params):
    assert np.all(params[0].real < 0)


@pytest.mark.parametrize(("source", "rank"), [("legs", 1), ("legt", 2), ("fout", 1)])
def test_dplr_parameters_are_the_exact_nplr_forms(source, rank):
    lam, P, B, C = find(lst.dplr_parameters(H=2, N=3, sources=[source]), lambda p: True)
    assert lam.shape == B.shape == C.shape == (2, 3) and P.shape == (2, rank, 3)
    Pm = np.swapaxes(P, -1, -2)
    sys = lti_ops.DPLR.siso(lam, Pm, Pm, B, C, conj_sym=True)
    hippo = lti_ops.hippo(source, 6)
    assert_close(np.sort(sys.poles().real), np.sort(np.linalg.eigvals(hippo.A).real[None] * np.ones((2, 1))),
                 rtol=1e-10)


@given(params=lst.dplr_parameters(sources=["random"]))
def test_dplr_parameters_random_have_a_stable_diagonal(params):
    lam, P, _, _ = params
    assert np.all(lam.real < 0) and P.shape[1] in (1, 2)


@given(data=st.data())
def test_input_sequences_are_bounded(xp, data):
    u = data.draw(lst.input_sequences((2, st.integers(1, 3), 16), max_abs=0.5, xp=xp))
    assert tuple(u.shape)[::2] == (2, 16) and float(np.max(np.abs(to_numpy(u)))) <= 0.5


def test_input_sequences_shrink_to_a_unit_impulse():
    u = find(lst.input_sequences((1, 5)), lambda u: True)
    assert u.tolist() == [[1.0, 0.0, 0.0, 0.0, 0.0]]


@pytest.mark.parametrize(("make", "match"), [
    (lambda: lst.timescales(2, dt_min=0.0), r"`dt_min` must be a positive finite number; got 0.0"),
    (lambda: lst.timescales(2, dt_min=1.0, dt_max=0.1), r"`dt_min` must not exceed `dt_max`; got 1.0 > 0.1"),
    (lambda: lst.s4d_parameters(sources=["lin", "hippo"]), r"`sources` must be a non-empty selection of \['lin'"),
    (lambda: lst.s4d_parameters(sources=[]), r"`sources` must be a non-empty selection"),
    (lambda: lst.s4d_parameters(perturb=-0.1), r"`perturb` must be a non-negative finite number; got -0.1"),
    (lambda: lst.dplr_parameters(sources="lin"), r"`sources` must be a non-empty selection of \['legs'"),
    (lambda: lst.dplr_parameters(perturb=float("inf")), r"`perturb` must be a non-negative finite number"),
    (lambda: lst.input_sequences((3,), max_abs=0), r"`max_abs` must be a positive finite number; got 0"),
])
def test_strategies_validate_their_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()
