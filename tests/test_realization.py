"""Realization and balancing edge cases of issue 17: orders above the numerical rank,
non-minimal systems, and bad arguments."""

import numpy as np
import pytest

import lti_ops

H = np.concatenate([[0.0], 0.5 ** np.arange(20) + (-0.3) ** np.arange(20)])  # McMillan degree 2


def test_realize_refuses_an_order_above_the_numerical_rank():
    """Issue 17: order=5 on a degree-2 sequence gave poles near 5.8e48."""
    assert lti_ops.realize(H, 2).n_states == 2
    with pytest.raises(ValueError, match=r"`order` = 5 exceeds the numerical rank 2"):
        lti_ops.realize(H, 5)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"order": 2.0}, TypeError, "`order` must be an int"),
        ({"order": True}, TypeError, "`order` must be an int"),
        ({"order": -1}, ValueError, r"`order` must be an int in \[0, 10\]"),
        ({"order": 11}, ValueError, r"`order` must be an int in \[0, 10\]"),
        ({"tol": 2.0}, ValueError, r"`tol` must be in \(0, 1\)"),
        ({"tol": -1.0}, ValueError, "`tol` must be finite and > 0"),
        ({"tol": "x"}, TypeError, "`tol` must be a real number"),
        ({"dt": 0.0}, ValueError, "`dt` must be positive and finite"),
        ({"dt": None}, ValueError, "`dt` must be a positive finite number"),
        ({"dt": "1"}, TypeError, "`dt` must be a positive finite number"),
        ({"mimo": 1}, TypeError, "`mimo` must be True or False"),
    ],
)
def test_realize_refuses_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        lti_ops.realize(H, **kwargs)


@pytest.mark.parametrize(
    ("h", "error", "match"),
    [
        (np.array([0.0, 1.0]), ValueError, "at least 3 Markov parameters"),
        (np.array(1.0), ValueError, r"`h` must have shape \(\.\.\., L\)"),
        (np.ones((2, 5)), ValueError, r"`h` must have shape \(\.\.\., P, M, L\)"),
        (np.array(["a", "b", "c"]), TypeError, "`h`"),
        ([0.0, 1.0, 0.5], TypeError, "`h`"),
    ],
)
def test_realize_refuses_bad_markov_sequences(h, error, match):
    with pytest.raises(error, match=match):
        lti_ops.realize(h, mimo=np.ndim(h) == 2)


def _uncontrollable():
    """Mode -3 is not driven by B: McMillan degree 2 of 3 states, HSV 3 at 1e-9 sigma_1."""
    rng = np.random.default_rng(0)
    T = rng.standard_normal((3, 3))
    A, B, C = np.diag([-1.0, -2.0, -3.0]), np.array([[1.0], [1.0], [0.0]]), np.ones((1, 3))
    return lti_ops.StateSpace(T @ A @ np.linalg.inv(T), T @ B, C @ np.linalg.inv(T))


def test_balanced_realization_refuses_a_non_minimal_system():
    """Issue 17: it balanced the uncontrollable state with a 1/sqrt(1e-9) transform."""
    with pytest.raises(ValueError, match=r"`sys` is not minimal to working precision .*McMillan degree\) is 2"):
        lti_ops.balanced_realization(_uncontrollable())


def test_balanced_truncation_of_a_non_minimal_system_up_to_its_rank():
    """Truncating to at most the McMillan degree is well defined and exact at that degree;
    above it the order is refused."""
    sys = _uncontrollable()
    red, hsv, bound = lti_ops.balanced_truncation(sys, 2)
    assert red.n_states == 2 and float(bound) < 1e-8 * float(hsv[0])
    s = 1j * np.linspace(0.0, 10.0, 7)
    np.testing.assert_allclose(lti_ops.transfer_function(red, s), lti_ops.transfer_function(sys, s), atol=1e-8)
    with pytest.raises(ValueError, match=r"`order` = 3 exceeds the system's numerical rank"):
        lti_ops.balanced_truncation(sys, 3)


def test_a_minimal_system_with_tiny_hsvs_is_still_balanced():
    """HSVs near sqrt(eps) sigma_1 alone do not mean non-minimal: the Markov rank decides."""
    sys = lti_ops.Diagonal.siso(-np.array([1.0, 30.0, 1000.0]), np.ones(3), np.array([1.0, 1e-3, 1e-5]))
    bal, hsv = lti_ops.balanced_realization(sys)
    assert bal.n_states == 3 and float(hsv[2] / hsv[0]) < 1e-7


@pytest.mark.parametrize(
    ("order", "error", "match"),
    [
        (1.5, TypeError, "`order` must be an int"),
        (None, TypeError, "`order` must be an int"),
        (-1, ValueError, r"`order` must be an int in \[0, n_states = 3\]"),
        (4, ValueError, r"`order` must be an int in \[0, n_states = 3\]"),
    ],
)
def test_balanced_truncation_refuses_bad_orders(order, error, match):
    sys = lti_ops.Diagonal.siso(-np.array([1.0, 2.0, 50.0]), np.ones(3), np.ones(3))
    with pytest.raises(error, match=match):
        lti_ops.balanced_truncation(sys, order)


def test_balancing_accepts_numpy_integer_orders():
    sys = lti_ops.Diagonal.siso(-np.array([1.0, 2.0, 50.0]), np.ones(3), np.ones(3))
    assert lti_ops.balanced_truncation(sys, np.int64(2)).system.n_states == 2
    assert lti_ops.realize(H, np.int32(2)).n_states == 2


@pytest.mark.parametrize("call", [lti_ops.balanced_realization, lambda s: lti_ops.balanced_truncation(s, 1)])
def test_balancing_refuses_unstable_systems_and_non_systems(call):
    unstable = lti_ops.StateSpace(np.array([[1.5]]), np.ones((1, 1)), np.ones((1, 1)), np.zeros((1, 1)), dt=1.0)
    with pytest.raises(ValueError, match="asymptotically stable"):
        call(unstable)
    with pytest.raises(TypeError, match="`sys` must be a StateSpace, Diagonal or DPLR system"):
        call(np.eye(2))
