"""random_state_space (rss / drss, issue 18 item 6): stability of every draw in its own
precision, shapes and batch order, reproducibility, the distribution of poles and
feed-throughs (against python-control's ``rss``), namespaces and dtypes, and bad arguments."""

import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lti_ops
from lti_ops.testing import to_numpy

# the ci profile draws few examples; HYPOTHESIS_PROFILE=thorough sweeps 20x more
SCALE = 1 if os.environ.get("HYPOTHESIS_PROFILE", "ci") == "ci" else 20


def _poles(sys):
    """Eigenvalues of the stored A, computed in float64 NumPy, shape (..., n)."""
    return np.linalg.eigvals(to_numpy(sys.A).astype(np.float64))


def _assert_stable(sys):
    lam = _poles(sys)
    if sys.dt is None:
        assert np.all(lam.real < 0), np.max(lam.real)
    else:
        assert np.all(np.abs(lam) < 1), np.max(np.abs(lam))


@settings(max_examples=10 * SCALE)
@given(n=st.integers(1, 6), inputs=st.integers(1, 3), outputs=st.integers(1, 3),
       dt=st.sampled_from([None, 0.25]), seed=st.integers(0, 2**32 - 1))
def test_every_draw_is_stable_with_the_asked_shapes_dtype_and_namespace(xp, dtype, n, inputs, outputs, dt, seed):
    sys = lti_ops.random_state_space(n, inputs, outputs, dt=dt, batch_shape=(2, 3), rng=seed, dtype=dtype, xp=xp)
    assert tuple(sys.A.shape) == (2, 3, n, n) and tuple(sys.B.shape) == (2, 3, n, inputs)
    assert tuple(sys.C.shape) == (2, 3, outputs, n) and tuple(sys.D.shape) == (2, 3, outputs, inputs)
    assert sys.dt == dt and sys.dtype == getattr(xp, dtype)
    assert all(type(x) is type(xp.asarray([0.0])) for x in (sys.A, sys.B, sys.C, sys.D))
    _assert_stable(sys)


@pytest.mark.parametrize("dt", [None, 0.1])
def test_every_draw_of_a_large_float32_batch_is_stable_in_float32(dt):
    """The margin covers float32 rounding of A: no draw of 400 crosses the boundary, and the
    backend's own float32 eigenvalues agree (is_stable)."""
    sys = lti_ops.random_state_space(6, batch_shape=400, dt=dt, rng=11, dtype="float32")
    _assert_stable(sys)
    assert bool(np.all(sys.is_stable()))


def test_a_seed_reproduces_the_draws_and_the_batch_is_drawn_in_order():
    a = lti_ops.random_state_space(4, 2, 3, batch_shape=(3, 2), rng=5)
    b = lti_ops.random_state_space(4, 2, 3, batch_shape=(3, 2), rng=np.random.default_rng(5))
    one = lti_ops.random_state_space(4, 2, 3, rng=5)
    other = lti_ops.random_state_space(4, 2, 3, batch_shape=(3, 2), rng=6)
    for field in "ABCD":
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
        np.testing.assert_array_equal(getattr(a, field)[0, 0], getattr(one, field))
    assert not np.array_equal(a.A, other.A)
    single = lti_ops.random_state_space(4, 2, 3, rng=5, dtype="float32")
    np.testing.assert_array_equal(single.A, one.A.astype(np.float32))  # same draw, rounded


def test_strictly_proper_zeroes_d_and_keeps_a_b_c():
    full = lti_ops.random_state_space(3, 2, 2, batch_shape=20, rng=3)
    proper = lti_ops.random_state_space(3, 2, 2, batch_shape=20, rng=3, strictly_proper=True)
    for field in "ABC":
        np.testing.assert_array_equal(getattr(full, field), getattr(proper, field))
    assert np.any(full.D != 0) and np.all(proper.D == 0)


def test_a_generator_continues_its_stream():
    gen = np.random.default_rng(0)
    first, second = (lti_ops.random_state_space(3, rng=gen) for _ in range(2))
    assert not np.array_equal(first.A, second.A)
    pair = lti_ops.random_state_space(3, batch_shape=2, rng=0)
    np.testing.assert_array_equal(pair.A[1], second.A)


def test_empty_batches_give_empty_systems():
    sys = lti_ops.random_state_space(3, 2, 1, batch_shape=(0, 4), rng=0)
    assert sys.A.shape == (0, 4, 3, 3) and sys.D.shape == (0, 4, 1, 2)


def _pole_statistics(A, discrete):
    lam = np.linalg.eigvals(A)
    real = np.abs(lam.imag) <= 1e-9 * np.maximum(np.abs(lam), 1)
    gaps = np.abs(lam[..., :, None] - lam[..., None, :]) + np.eye(lam.shape[-1])
    repeated = np.any(gaps <= 1e-6 * np.maximum(np.abs(lam[..., :, None]), 1e-3), axis=(-2, -1))
    return real.mean(), repeated.mean(), np.median(np.abs(lam[real]))


@pytest.fixture
def numpy_global_state():
    """python-control's rss draws from the global NumPy state: seed it, then restore it."""
    state = np.random.get_state()
    np.random.seed(1234)
    yield
    np.random.set_state(state)


@pytest.mark.parametrize("discrete", [False, True])
def test_the_pole_mix_matches_python_control(discrete, numpy_global_state):
    """Real poles, complex pairs and (rarely) repeated poles in python-control's proportions:
    real fraction about 0.6/1.4 plus the forced last slots; repeats a few percent; D zero
    about half the time, B and C about 20 % zeros."""
    control = pytest.importorskip("control")
    n, count = 5, 300
    ours = lti_ops.random_state_space(n, 2, 2, dt=0.5 if discrete else None, batch_shape=count, rng=2)
    theirs = [(control.drss if discrete else control.rss)(n, 2, 2) for _ in range(count)]
    real, rep, mag = _pole_statistics(ours.A, discrete)
    real_c, rep_c, mag_c = _pole_statistics(np.stack([s.A for s in theirs]), discrete)
    assert 0.3 < real < 0.8 and abs(real - real_c) < 0.08, (real, real_c)
    assert 0 < rep < 0.3 and abs(rep - rep_c) < 0.08, (rep, rep_c)
    assert abs(mag - mag_c) < 0.3 * mag_c, (mag, mag_c)
    d_zero = np.mean(np.all(ours.D == 0, axis=(-2, -1)))
    d_zero_c = np.mean([np.all(s.D == 0) for s in theirs])
    assert abs(d_zero - d_zero_c) < 0.12 and 0.3 < d_zero < 0.8, (d_zero, d_zero_c)
    assert 0.1 < np.mean(ours.B == 0) < 0.3 and 0.1 < np.mean(ours.C == 0) < 0.3
    if discrete:
        lam = _poles(ours)
        assert np.any(lam.real < -0.5) and np.max(np.abs(lam)) > 0.9  # the whole disk is used


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n": 0}, ValueError, "`n` must be a positive integer"),
        ({"n": 2.0}, ValueError, "`n` must be a positive integer"),
        ({"n": True}, ValueError, "`n` must be a positive integer"),
        ({"inputs": 0}, ValueError, "`inputs` must be a positive integer"),
        ({"outputs": -1}, ValueError, "`outputs` must be a positive integer"),
        ({"dt": 0.0}, ValueError, "`dt` must be positive and finite"),
        ({"dt": float("nan")}, ValueError, "`dt` must be positive and finite"),
        ({"dt": 1j}, TypeError, "`dt` must be real"),
        ({"dt": "0.1"}, TypeError, "`dt` must be a positive finite number"),
        ({"dt": np.array([0.1, 0.2])}, TypeError, "`dt` must be None or a positive finite number"),
        ({"batch_shape": (2, -1)}, ValueError, "`batch_shape` must have non-negative entries"),
        ({"batch_shape": (2.0,)}, TypeError, "`batch_shape` must be an int or a tuple of ints"),
        ({"batch_shape": "3"}, TypeError, "`batch_shape` must be an int or a tuple of ints"),
        ({"strictly_proper": "yes"}, TypeError, "`strictly_proper` must be True or False"),
        ({"rng": -1}, TypeError, "`rng` must be None, a non-negative int seed"),
        ({"rng": 1.5}, TypeError, "`rng` must be None, a non-negative int seed"),
        ({"dtype": "int64"}, ValueError, "`dtype` must be float32 or float64"),
        ({"dtype": "complex128"}, ValueError, "`dtype` must be float32 or float64"),
        ({"xp": "numpy"}, TypeError, "`xp` must be an array namespace"),
    ],
)
def test_bad_arguments_are_refused_by_name(kwargs, error, match):
    args = {"n": 3, **kwargs}
    with pytest.raises(error, match=match):
        lti_ops.random_state_space(args.pop("n"), **args)
