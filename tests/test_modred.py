"""modred (issue 18 item 7): state elimination by truncation and by singular perturbation
matching the DC gain, against python-control's ``modred`` and the identities
G_r(0) = G(0) (continuous), G_r(1) = G(1) (discrete); containers, batches, gradients and
bad arguments."""

import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lti_ops
from lti_ops.testing import to_numpy, tolerance

control = pytest.importorskip("control")
# the ci profile draws few examples; HYPOTHESIS_PROFILE=thorough sweeps 20x more
SCALE = 1 if os.environ.get("HYPOTHESIS_PROFILE", "ci") == "ci" else 20


def _matrices(sys):
    dense = sys.to_dense()
    return tuple(to_numpy(x) for x in (dense.A, dense.B, dense.C, dense.D))


def _dc_gain(A, B, C, D, z0):
    """G(z0) = D + C (z0 I - A)^{-1} B in float64 NumPy."""
    A, B, C, D = (np.asarray(x, dtype=np.float64) for x in (A, B, C, D))
    return D + C @ np.linalg.solve(z0 * np.eye(A.shape[-1]) - A, B)


def _sensitivity(A, B, C, D, z0):
    """cond(z0 I - A) (|D| + |C| |(z0 I - A)^{-1}| |B|): the rounding error of G(z0) over eps."""
    R = np.linalg.inv(z0 * np.eye(A.shape[-1]) - A.astype(np.float64))
    scale = np.max(np.abs(D)) + np.linalg.norm(C, 2) * np.linalg.norm(R, 2) * np.linalg.norm(B, 2)
    return np.linalg.cond(R) * scale


def _split(n, data):
    """A non-empty, unsorted list of distinct states to eliminate, fewer than n."""
    elim = data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=n - 1, unique=True))
    return elim, [i for i in range(n) if i not in elim]


def _control_modred(A, B, C, D, elim, method, dt=None):
    sys = control.ss(A, B, C, D) if dt is None else control.ss(A, B, C, D, dt)
    red = control.modred(sys, elim, method=method)
    return tuple(np.asarray(x) for x in (red.A, red.B, red.C, red.D))


@settings(max_examples=20 * SCALE)
@given(n=st.integers(2, 6), io=st.tuples(st.integers(1, 3), st.integers(1, 3)),
       method=st.sampled_from(["matchdc", "truncate"]), seed=st.integers(0, 2**32 - 1), data=st.data())
def test_continuous_modred_equals_python_control(n, io, method, seed, data):
    sys = lti_ops.random_state_space(n, *io, rng=seed)
    elim, _ = _split(n, data)
    got = _matrices(lti_ops.modred(sys, elim, method=method))
    want = _control_modred(*_matrices(sys), elim, method)
    cond = np.linalg.cond(to_numpy(sys.A)[np.ix_(elim, elim)])
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=0, atol=tolerance("float64", n=n, cond=cond, c=100) * max(1, np.max(np.abs(w))))


@settings(max_examples=10 * SCALE)
@given(n=st.integers(2, 5), seed=st.integers(0, 2**32 - 1), data=st.data())
def test_discrete_modred_is_python_controls_continuous_one_shifted_by_one(n, seed, data):
    """python-control refuses discrete matchdc; E22 = I - A22 is its -A22 for A - I, so the
    discrete result is its continuous one on A - I, plus I. Truncation it does in discrete time."""
    sys = lti_ops.random_state_space(n, 2, 2, dt=0.5, rng=seed)
    elim, keep = _split(n, data)
    A, B, C, D = _matrices(sys)
    Ar, Br, Cr, Dr = _matrices(lti_ops.modred(sys, elim))
    Ac, Bc, Cc, Dc = _control_modred(A - np.eye(n), B, C, D, elim, "matchdc")
    tol = tolerance("float64", n=n, cond=np.linalg.cond(np.eye(len(elim)) - A[np.ix_(elim, elim)]), c=100)
    for g, w in ((Ar, Ac + np.eye(len(keep))), (Br, Bc), (Cr, Cc), (Dr, Dc)):
        np.testing.assert_allclose(g, w, rtol=0, atol=tol * max(1, np.max(np.abs(w))))
    truncated = _matrices(lti_ops.modred(sys, elim, method="truncate"))
    for g, w in zip(truncated, _control_modred(A, B, C, D, elim, "truncate", dt=0.5)):
        np.testing.assert_array_equal(g, w)


@settings(max_examples=10 * SCALE)
@given(n=st.integers(2, 6), discrete=st.booleans(), seed=st.integers(0, 2**32 - 1), data=st.data())
def test_matchdc_keeps_the_dc_gain_and_truncate_keeps_the_blocks(xp, dtype, n, discrete, seed, data):
    """G_r(z0) = G(z0) at z0 = 0 (continuous) or 1 (discrete), to c n eps cond; truncation
    returns exactly the kept blocks and D; both in the input's namespace and dtype."""
    sys = lti_ops.random_state_space(n, 2, 3, dt=0.5 if discrete else None, rng=seed, dtype=dtype, xp=xp)
    elim, keep = _split(n, data)
    z0 = 1.0 if discrete else 0.0
    A, B, C, D = _matrices(sys)
    red = lti_ops.modred(sys, elim)
    assert type(red.A) is type(sys.A) and red.dtype == sys.dtype and red.dt == sys.dt
    Ar, Br, Cr, Dr = (x.astype(np.float64) for x in _matrices(red))
    k22 = np.linalg.cond(z0 * np.eye(len(elim)) - A[np.ix_(elim, elim)])
    reduced, full = _sensitivity(Ar, Br, Cr, Dr, z0), _sensitivity(A, B, C, D, z0)
    tol = tolerance(dtype, n=n, c=10) * (k22 * reduced + full)  # the reduction's, and the reference's, rounding
    np.testing.assert_allclose(_dc_gain(Ar, Br, Cr, Dr, z0), _dc_gain(A, B, C, D, z0), rtol=0, atol=tol)
    truncated = _matrices(lti_ops.modred(sys, elim, method="truncate"))
    for got, want in zip(truncated, (A[np.ix_(keep, keep)], B[keep], C[:, keep], D)):
        np.testing.assert_array_equal(got, want)


def test_batched_systems_reduce_element_by_element_with_a_shared_d():
    sys = lti_ops.random_state_space(4, 2, 2, batch_shape=3, rng=4)
    shared = lti_ops.StateSpace(sys.A, sys.B, sys.C, sys.D[0])  # D of shape (P, M), broadcast
    for method in ("matchdc", "truncate"):
        red = lti_ops.modred(shared, [3, 1], method=method)
        assert red.A.shape == (3, 2, 2) and red.batch_shape == (3,)
        for k in range(3):
            one = lti_ops.modred(lti_ops.StateSpace(sys.A[k], sys.B[k], sys.C[k], sys.D[0]), [1, 3], method=method)
            for got, want in zip(_matrices(red), _matrices(one)):
                np.testing.assert_allclose(np.broadcast_to(got, (3,) + want.shape)[k], want, rtol=1e-14, atol=1e-14)


@pytest.mark.parametrize("method", ["matchdc", "truncate"])
@pytest.mark.parametrize("dt", [None, 0.5])
def test_a_diagonal_stays_diagonal_and_others_reduce_their_dense_form(method, dt):
    rng = np.random.default_rng(0)
    lam = -rng.uniform(0.5, 2, 4) + 1j * rng.uniform(-2, 2, 4)
    lam = np.exp(0.5 * lam) if dt else lam
    B, C = rng.standard_normal((4, 2)) + 1j, rng.standard_normal((3, 4)) - 1j
    diag = lti_ops.Diagonal(lam, B, C, dt=dt)
    red = lti_ops.modred(diag, [2, 0], method=method)
    assert isinstance(red, lti_ops.Diagonal) and red.n_states == 2
    for got, want in zip(_matrices(red), _matrices(lti_ops.modred(diag.to_dense(), [0, 2], method=method))):
        np.testing.assert_allclose(got, want, rtol=1e-14, atol=1e-14)
    half = lti_ops.Diagonal(lam, B, C, dt=dt, conj_sym=True)
    dplr = lti_ops.DPLR(lam, 0.1 * B[:, :1], 0.1 * B[:, 1:], B, C, dt=dt)
    for sys in (half, dplr):
        red = lti_ops.modred(sys, [1, 5] if sys is half else [1], method=method)
        want = lti_ops.modred(sys.to_dense(), [1, 5] if sys is half else [1], method=method)
        assert type(red) is lti_ops.StateSpace
        for got, w in zip(_matrices(red), _matrices(want)):
            np.testing.assert_array_equal(got, w)


def test_eliminating_every_state_leaves_the_static_gain():
    sys = lti_ops.random_state_space(3, 2, 2, dt=0.5, rng=1)
    A, B, C, D = _matrices(sys)
    gain = lti_ops.modred(sys, [0, 1, 2])
    assert gain.n_states == 0
    np.testing.assert_allclose(gain.D, _dc_gain(A, B, C, D, 1.0), rtol=1e-13)
    np.testing.assert_array_equal(lti_ops.modred(sys, range(3), method="truncate").D, D)
    diag = lti_ops.Diagonal(np.array([-1.0, -2.0]), np.ones((2, 1)), np.ones((1, 2)))
    np.testing.assert_allclose(lti_ops.modred(diag, [0, 1]).D, [[1.5]])


def test_an_empty_elim_returns_the_system_itself():
    sys = lti_ops.random_state_space(3, rng=0)
    assert lti_ops.modred(sys, []) is sys
    assert lti_ops.modred(sys, np.array([], dtype=np.int64), method="truncate") is sys


def test_elim_accepts_numpy_integers_and_arrays():
    sys = lti_ops.random_state_space(4, rng=0)
    want = _matrices(lti_ops.modred(sys, [1, 2]))
    for elim in (np.array([2, 1]), (np.int32(1), np.int64(2)), range(1, 3)):
        for got, w in zip(_matrices(lti_ops.modred(sys, elim)), want):
            np.testing.assert_array_equal(got, w)
    assert lti_ops.modred(sys, np.int64(3)).n_states == 3


def test_gradients_match_finite_differences():
    """torch autograd through the matchdc formula (take, solve, matmul) against central
    differences, in float64."""
    torch = pytest.importorskip("torch")
    sys = lti_ops.random_state_space(4, 2, 2, rng=2)
    fields = [torch.tensor(np.asarray(x), requires_grad=True) for x in (sys.A, sys.B, sys.C, sys.D)]

    def reduced(A, B, C, D):
        red = lti_ops.modred(lti_ops.StateSpace(A, B, C, D), [0, 3])
        return torch.cat([red.A.reshape(-1), red.B.reshape(-1), red.C.reshape(-1), red.D.reshape(-1)])

    assert torch.autograd.gradcheck(reduced, fields, eps=1e-6, atol=1e-6, rtol=1e-5)


SYS = lti_ops.StateSpace(np.array([[-1.0, 1.0, 0.0], [0.0, -2.0, 1.0], [0.0, 0.0, -3.0]]), np.ones((3, 1)), np.ones((1, 3)))


@pytest.mark.parametrize(
    ("elim", "error", "match"),
    [
        (3, ValueError, r"`elim` must hold state indices in \[0, n_states = 3\); got 3"),
        (-1, ValueError, r"`elim` must hold state indices in \[0, n_states = 3\); got -1"),
        ([0, 5], ValueError, r"got 5 in \[0, 5\]"),
        ([1, 1], ValueError, r"`elim` must not repeat a state; got \[1, 1\]"),
        (1.0, TypeError, "`elim` must be an int or a sequence of ints"),
        ([0, 1.5], TypeError, "`elim` must be an int or a sequence of ints"),
        (True, TypeError, "`elim` must be an int or a sequence of ints"),
        ("1", TypeError, "`elim` must be an int or a sequence of ints"),
        (None, TypeError, "`elim` must be an int or a sequence of ints"),
        (np.array([[0, 1]]), TypeError, "`elim` must be an int or a sequence of ints"),
        (np.array([0.0]), TypeError, "`elim` must be an int or a sequence of ints"),
    ],
)
def test_bad_elim_is_refused_by_name(elim, error, match):
    with pytest.raises(error, match=match):
        lti_ops.modred(SYS, elim)


def test_bad_methods_and_non_systems_are_refused():
    with pytest.raises(ValueError, match=r"`method` must be one of \['matchdc', 'truncate'\]; got 'balance'"):
        lti_ops.modred(SYS, [1], method="balance")
    with pytest.raises(ValueError, match="`method` must be one of"):
        lti_ops.modred(SYS, [1], method=None)
    with pytest.raises(TypeError, match="`sys` must be a StateSpace, Diagonal or DPLR system"):
        lti_ops.modred(np.eye(3), [1])


@pytest.mark.parametrize(
    ("sys", "elim", "match"),
    [
        (lti_ops.StateSpace(np.array([[-1.0, 1.0], [1.0, 0.0]]), np.ones((2, 1)), np.ones((1, 2))), [1],
         r"`sys` has eliminated states `elim` = \[1\] whose block A22 is singular \(a pole at s = 0"),
        (lti_ops.StateSpace(np.array([[-1.0, 1.0, 0], [1.0, 1.0, 1.0], [0, 1.0, 1.0]]), np.ones((3, 1)),
                            np.ones((1, 3))), [1, 2], r"`elim` = \[1, 2\] whose block A22 is singular"),
        (lti_ops.StateSpace(np.array([[0.5, 0.0], [0.3, 1.0]]), np.ones((2, 1)), np.ones((1, 2)), dt=1.0), [1],
         r"whose block I - A22 is singular \(a pole at z = 1"),
        (lti_ops.Diagonal(np.array([-1.0, 0.0]), np.ones((2, 1)), np.ones((1, 2))), [1], "a pole at s = 0"),
        (lti_ops.Diagonal(np.array([1.0, 0.5]), np.ones((2, 1)), np.ones((1, 2)), dt=0.1), [0], "a pole at z = 1"),
    ],
    ids=["continuous", "rank-deficient-block", "discrete", "diagonal", "diagonal-discrete"],
)
def test_matchdc_refuses_a_singular_eliminated_block(sys, elim, match):
    with pytest.raises(ValueError, match=match):
        lti_ops.modred(sys, elim)
    assert lti_ops.modred(sys, elim, method="truncate").n_states == sys.n_states - len(elim)
