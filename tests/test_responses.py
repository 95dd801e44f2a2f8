"""Continuous-time simulation on a time grid, step and impulse responses (issue 18, item 4).

Checked against scipy.signal (lsim with interp False/True, step, impulse, dstep, dimpulse)
and python-control 0.10 (forced_response, step_response, impulse_response), and by the
identities: the step response is the running integral (continuous) or cumulative sum
(discrete) of the impulse response, it tends to G(0) (continuous) or G(1) (discrete), a run
continues exactly from its final state, and the step response is the simulation of a step.
"""

import os
import warnings

import numpy as np
import pytest
import scipy.signal
from hypothesis import given, settings
from hypothesis import strategies as st

import lti_ops
from lti_ops.testing import assert_close, to_numpy, tolerance
from lti_ops.testing import strategies as lst

from _helpers import as_xp, dense_numpy, markov, systems, transfer

KINDS = ["dense", "diagonal", "dplr"]
CI = os.environ.get("HYPOTHESIS_PROFILE", "ci") == "ci"
FEW = settings(max_examples=4) if CI else settings()  # thorough: the profile's count
SMALL = dict(n_inputs=st.integers(1, 2), n_outputs=st.integers(1, 2))


def _system(data, kind, xp, dtype, **kw):
    """A stable continuous system (DPLR: stable as a whole) of at most 4 states."""
    extra = dict(stable=True) if kind == "dplr" else {}
    size = dict(n_states=st.integers(1, 4)) if kind == "dense" else dict(n_modes=st.integers(1, 3))
    return data.draw(systems(kind, xp, dtype, **size, **extra, **dict(SMALL, **kw)))


def _lsim(sys, u, t, x0=None, interp=False):
    """scipy.signal.lsim of the dense form: y (P, L) and x(t[-1])."""
    A, B, C, D = dense_numpy(sys)
    _, y, x = scipy.signal.lsim((A, B, C, D), u.T, t, X0=x0, interp=interp)
    y = np.asarray(y).reshape(len(t), -1).T
    return y, np.asarray(x).reshape(len(t), -1)[-1]


def _tol(dtype, L, scale, cond=10.0):
    return tolerance(dtype, n=4 * L, cond=cond) * scale


def _signal(sys, L, seed):
    rng = np.random.default_rng(seed)
    shape = (L,) if sys.n_inputs == 1 and sys.n_outputs == 1 else (sys.n_inputs, L)
    return rng.standard_normal(shape)


# --------------------------------------------------------------------------- simulate(t)


@FEW
@given(data=st.data(), kind=st.sampled_from(KINDS), L=st.integers(2, 40), T=st.floats(0.5, 6.0), interpolation=st.sampled_from(["zoh", "foh"]))
def test_simulate_matches_scipy_lsim(xp, dtype, kind, data, L, T, interpolation):
    sys = _system(data, kind, xp, dtype)
    u, t = _signal(sys, L, L), np.linspace(0.0, T, L)
    # x0 in the system's own coordinates: dense ones only (lsim's state is the dense form's)
    x0 = np.random.default_rng(L + 1).standard_normal(sys.n_states) if kind == "dense" else None
    y, x = lti_ops.simulate(sys, as_xp(xp, u, dtype), None if x0 is None else as_xp(xp, x0, dtype),
                            t=as_xp(xp, t), interpolation=interpolation)
    want, x_want = _lsim(sys, np.reshape(u, (sys.n_inputs, L)), t, x0, interp=interpolation == "foh")
    want = want.reshape(np.shape(to_numpy(y)))
    scale = 1 + np.abs(want).max() + np.abs(u).max() * 10
    assert np.finfo(to_numpy(y).dtype).eps == np.finfo(dtype).eps  # float32 in, float32 out
    assert_close(y, want, atol=_tol(dtype, L, scale), rtol=0)
    if kind == "dense":
        assert_close(x, x_want, atol=_tol(dtype, L, scale), rtol=0)


def test_simulate_matches_control_forced_response():
    """python-control holds a continuous input piecewise-linear: our foh."""
    control = pytest.importorskip("control")
    rng = np.random.default_rng(3)
    for _ in range(3):
        A = rng.standard_normal((3, 3))
        A -= (np.linalg.eigvals(A).real.max() + 0.5) * np.eye(3)
        B, C, D = rng.standard_normal((3, 2)), rng.standard_normal((2, 3)), rng.standard_normal((2, 2))
        t, u, x0 = np.linspace(0, 4, 50), rng.standard_normal((2, 50)), rng.standard_normal(3)
        ours = lti_ops.StateSpace(A, B, C, D)
        got = control.forced_response(control.ss(A, B, C, D), t, u, x0, return_states=True, squeeze=False)
        outputs, states = np.asarray(got.outputs), np.asarray(got.states)
        y, x = lti_ops.simulate(ours, u, x0, t=t, interpolation="foh")
        assert_close(y, outputs, atol=1e-12 * (1 + np.abs(outputs).max()), rtol=0)
        assert_close(x, states[:, -1], atol=1e-12 * (1 + np.abs(states).max()), rtol=0)
        d = lti_ops.discretize(ours, 0.25)
        got = control.forced_response(control.ss(*dense_numpy(d), 0.25), 0.25 * np.arange(20), u[:, :20], x0,
                                      squeeze=False)
        outputs = np.asarray(got.outputs)
        y, _ = lti_ops.simulate(d, u[:, :20], x0, t=0.25 * np.arange(20))
        assert_close(y, outputs, atol=1e-12 * (1 + np.abs(outputs).max()), rtol=0)


@FEW
@given(data=st.data(), m=st.integers(1, 14), interpolation=st.sampled_from(["zoh", "foh"]))
def test_simulate_continues_from_its_final_state(xp, data, m, interpolation):
    """x_final is x(t[-1]): a second run on t[k:] from the first run's state on t[:k+1]
    gives the whole run (the sample t[k] shared); halves of one length (JAX compiles less)."""
    L, k = 2 * m + 1, m
    sys = _system(data, "diagonal", xp, "float64")
    u, t = _signal(sys, L, k), np.linspace(0.0, 3.0, L)
    y, x = lti_ops.simulate(sys, as_xp(xp, u), t=as_xp(xp, t), interpolation=interpolation)
    y1, x1 = lti_ops.simulate(sys, as_xp(xp, u[..., : k + 1]), t=as_xp(xp, t[: k + 1]), interpolation=interpolation)
    y2, x2 = lti_ops.simulate(sys, as_xp(xp, u[..., k:]), x1, t=as_xp(xp, t[k:]), interpolation=interpolation)
    scale = 1 + np.abs(to_numpy(y)).max()
    assert_close(xp.concat([y1[..., :k], y2], axis=-1), to_numpy(y), atol=1e-12 * L * scale, rtol=0)
    assert_close(x2, to_numpy(x), atol=1e-12 * L * scale, rtol=0)


def test_complex_input_to_conj_sym_is_real_and_imaginary_runs():
    rng = np.random.default_rng(5)
    lam = np.array([-0.5 + 2.0j, -1.0 + 0.5j])
    sys = lti_ops.Diagonal(lam, rng.standard_normal((2, 1)) + 1j, rng.standard_normal((1, 2)) + 0j,
                           np.array([[0.3]]), conj_sym=True)
    t, u = np.linspace(0, 2, 25), rng.standard_normal(25) + 1j * rng.standard_normal(25)
    for interpolation in ("zoh", "foh"):
        y, x = lti_ops.simulate(sys, u, t=t, interpolation=interpolation)
        re, _ = lti_ops.simulate(sys, u.real, t=t, interpolation=interpolation)
        im, _ = lti_ops.simulate(sys, u.imag, t=t, interpolation=interpolation)
        assert_close(y, re + 1j * im, atol=1e-13, rtol=0)
        assert x.shape == (4,)  # the full state of the 2N modes, as for discrete systems


@pytest.mark.parametrize("structure", ["diagonal", "dplr"])
def test_conj_sym_states_against_the_dense_form(structure):
    """x0 of a conj_sym Diagonal is the half state x (dense form: [Re x; Im x]); a DPLR
    system runs as its dense form, in the coordinates of to_dense()."""
    rng = np.random.default_rng(2)
    lam = np.array([-0.5 + 2j, -1 + 0.3j])
    B, C = rng.standard_normal((2, 2)) + 1j * rng.standard_normal((2, 2)), rng.standard_normal((2, 2)) + 0.5j
    D, P = rng.standard_normal((2, 2)), rng.standard_normal((2, 1)) * 0.2 + 0j
    sys = (lti_ops.Diagonal(lam, B, C, D, conj_sym=True) if structure == "diagonal"
           else lti_ops.DPLR(lam, P, P, B, C, D, conj_sym=True))
    t, u = np.linspace(0, 3, 30), rng.standard_normal((2, 30))
    x0 = rng.standard_normal(2) + 1j * rng.standard_normal(2)
    z0 = np.concatenate([x0.real, x0.imag])
    for interpolation in ("zoh", "foh"):
        y, x = lti_ops.simulate(sys, u, x0 if structure == "diagonal" else z0, t=t, interpolation=interpolation)
        want, x_want = _lsim(sys, u, t, z0, interp=interpolation == "foh")
        assert_close(y, want, atol=1e-13, rtol=0)
        x = np.concatenate([x.real, x.imag]) if structure == "diagonal" else x
        assert_close(x, x_want, atol=1e-13, rtol=0)


def test_discrete_system_with_its_sample_times():
    sys = lti_ops.discretize(lti_ops.StateSpace(np.array([[-1.0]]), np.ones((1, 1)), np.ones((1, 1))), 0.5)
    u = np.arange(6.0)
    want = lti_ops.simulate(sys, u)
    got = lti_ops.simulate(sys, u, t=2.0 + 0.5 * np.arange(6))
    assert_close(got[0], want[0], rtol=0, atol=0)
    assert_close(got[1], want[1], rtol=0, atol=0)
    t, y, _ = scipy.signal.dlsim((*dense_numpy(sys), 0.5), u, t=0.5 * np.arange(6))
    assert_close(got[0], y[:, 0], atol=1e-14, rtol=0)


# --------------------------------------------------------------------------- step and impulse


def _per_input(fn, A, B, C, D, **kw):
    """scipy's SISO-in responses stacked to (P, M, L)."""
    outs = []
    for j in range(B.shape[1]):
        t, y = fn((A, B[:, j : j + 1], C, D[:, j : j + 1]), **kw)
        outs.append(np.asarray(y).reshape(len(t), -1).T)
    return t, np.stack(outs, axis=1)


@FEW
@given(data=st.data(), kind=st.sampled_from(KINDS))
def test_step_and_impulse_match_scipy(xp, dtype, kind, data):
    sys = _system(data, kind, xp, dtype)
    A, B, C, D = dense_numpy(sys)
    for ours, theirs in ((lti_ops.step_response, scipy.signal.step), (lti_ops.impulse_response, scipy.signal.impulse)):
        t, y = ours(sys)
        t_want, want = _per_input(theirs, A, B, C, D)
        assert_close(t, t_want, atol=_tol(dtype, 1, t_want[-1]), rtol=0)
        assert y.shape == sys.batch_shape + (sys.n_outputs, sys.n_inputs, 100)
        assert_close(y, want, atol=_tol(dtype, 100, 1 + np.abs(want).max()), rtol=0)


@FEW
@given(data=st.data(), kind=st.sampled_from(KINDS), dt=st.sampled_from([0.05, 0.3]))
def test_discrete_step_and_impulse_match_scipy(xp, dtype, kind, data, dt):
    sys = lti_ops.discretize(_system(data, kind, xp, dtype), dt)
    A, B, C, D = dense_numpy(sys)
    for ours, theirs in ((lti_ops.step_response, scipy.signal.dstep), (lti_ops.impulse_response, scipy.signal.dimpulse)):
        t, y = ours(sys, n=30)
        t_want, want = theirs((A.real, B.real, C.real, D.real, dt), n=30)
        want = np.stack([np.asarray(w).T for w in want], axis=1)
        if np.iscomplexobj(A):  # scipy drops imaginary parts: the NumPy recurrence instead
            want = markov(sys, 30)
            want = np.cumsum(want, axis=-1) if ours is lti_ops.step_response else want
        assert_close(t, t_want, atol=_tol(dtype, 1, t_want[-1]), rtol=0)
        assert_close(y, want, atol=_tol(dtype, 30, 1 + np.abs(want).max()), rtol=0)


def test_step_and_impulse_match_python_control():
    control = pytest.importorskip("control")
    rng = np.random.default_rng(7)
    A = rng.standard_normal((4, 4))
    A -= (np.linalg.eigvals(A).real.max() + 0.3) * np.eye(4)
    B, C, D = rng.standard_normal((4, 2)), rng.standard_normal((3, 4)), rng.standard_normal((3, 2))
    t = np.linspace(0, 6, 80)
    for sys, theirs, scale in (
        (lti_ops.StateSpace(A, B, C, D), control.ss(A, B, C, D), 1.0),
        (lti_ops.discretize(lti_ops.StateSpace(A, B, C, D), 0.2), None, 0.2),
    ):
        if theirs is None:
            theirs, t = control.ss(*dense_numpy(sys), 0.2), 0.2 * np.arange(40)
        step = np.asarray(control.step_response(theirs, t, squeeze=False).outputs)
        with warnings.catch_warnings():  # "D != 0: the infinite impulse at t=0 is dropped", as ours
            warnings.simplefilter("ignore", UserWarning)
            impulse = np.asarray(control.impulse_response(theirs, t, squeeze=False).outputs)
        assert_close(lti_ops.step_response(sys, t)[1], step, atol=1e-11, rtol=0)
        # python-control's discrete impulse is unit-area: ours (unit height) divided by dt
        assert_close(lti_ops.impulse_response(sys, t)[1] / scale, impulse, atol=1e-11 / scale, rtol=0)


@FEW
@given(data=st.data())
def test_step_is_the_running_integral_of_the_impulse(data):
    """Continuous: step(t) - D = int_0^t impulse, to the trapezoid rule's error dt^2 T |h''| / 12."""
    sys = _system(data, "dense", np, "float64")
    t = np.linspace(0.0, 3.0, 1501)
    _, h = lti_ops.impulse_response(sys, t)
    _, s = lti_ops.step_response(sys, t)
    h, s = to_numpy(h), to_numpy(s)
    integral = np.concatenate([np.zeros(h.shape[:-1] + (1,)), np.cumsum((h[..., 1:] + h[..., :-1]) / 2, -1) * t[1]], -1)
    A = dense_numpy(sys)[0]
    bound = (t[1] ** 2) * 3.0 / 12 * np.linalg.norm(A, 2) ** 2 * 10 * (1 + np.abs(h).max())
    assert_close(s - to_numpy(sys.D)[..., None], integral, atol=bound, rtol=0)


def _step_on_first_input(sys, L):
    siso = sys.n_inputs == 1 and sys.n_outputs == 1
    return np.ones(L) if siso else np.ones((sys.n_inputs, L)) * (np.arange(sys.n_inputs) == 0)[:, None]


@FEW
@given(data=st.data(), kind=st.sampled_from(KINDS), continuous=st.booleans())
def test_step_is_cumulative_sum_of_impulse_and_a_simulated_step(xp, dtype, kind, data, continuous):
    """Discrete: step = cumsum(impulse). Both: step = simulate(unit step on input 0), the
    recurrence (an independent path from the Markov parameters)."""
    sys = _system(data, kind, xp, dtype)
    sys = sys if continuous else lti_ops.discretize(sys, 0.1)
    t = as_xp(xp, 0.1 * np.arange(40))
    _, s = lti_ops.step_response(sys, t)
    scale = 1 + np.abs(to_numpy(s)).max()
    if not continuous:
        _, h = lti_ops.impulse_response(sys, t)
        assert_close(s, np.cumsum(to_numpy(h), axis=-1), atol=_tol(dtype, 40, scale), rtol=0)
    y, _ = lti_ops.simulate(sys, as_xp(xp, _step_on_first_input(sys, 40), dtype), t=t)
    assert_close(y, to_numpy(s)[..., :, 0, :].reshape(to_numpy(y).shape), atol=_tol(dtype, 40, scale), rtol=0)


@FEW
@given(data=st.data())
def test_step_tends_to_the_dc_gain(data):
    sys = data.draw(lst.stable_state_spaces(n_states=st.integers(1, 4), margin=0.5, **SMALL))
    _, s = lti_ops.step_response(sys, np.linspace(0.0, 80.0, 200))
    g0 = transfer(sys, [0.0])[..., 0]
    assert_close(s[..., -1], g0, atol=1e-9 * (1 + np.abs(g0).max()), rtol=0)
    d = lti_ops.discretize(sys, 0.1)
    _, s = lti_ops.step_response(d, 0.1 * np.arange(900))
    g1 = transfer(d, [1.0])[..., 0]
    assert_close(s[..., -1], g1, atol=1e-9 * (1 + np.abs(g1).max()), rtol=0)


def test_batch_shares_one_default_grid():
    lam = np.array([[-1.0 + 1j], [-0.25 + 3j]])
    sys = lti_ops.Diagonal(lam, np.ones((2, 1, 1)), np.ones((2, 1, 1)))
    t, y = lti_ops.impulse_response(sys, n=50)
    assert_close(t, np.linspace(0, 7 / 0.25, 50), rtol=1e-15)
    assert y.shape == (2, 1, 1, 50)
    assert_close(y[1, 0, 0], np.exp(lam[1, 0] * to_numpy(t)), atol=1e-13, rtol=0)
    integrator = lti_ops.StateSpace(np.zeros((1, 1)), np.ones((1, 1)), np.ones((1, 1)))
    t, y = lti_ops.step_response(integrator)  # a pole at 0: scipy's rule takes r = 1
    assert_close(t, np.linspace(0, 7, 100), rtol=1e-15)
    assert_close(y[0, 0], t, atol=1e-13, rtol=0)


# --------------------------------------------------------------------------- gradients


def test_simulate_gradient_matches_finite_differences():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(11)
    A = np.array([[-1.0, 0.5], [-0.3, -0.7]])
    B, C = rng.standard_normal((2, 1)), rng.standard_normal((1, 2))
    t, u, w = np.linspace(0, 3, 20), rng.standard_normal(20), rng.standard_normal(20)

    def loss(A_, B_, lib):
        sys = lti_ops.StateSpace(A_, B_, lib.asarray(C), lib.asarray(np.zeros((1, 1))))
        y, _ = lti_ops.simulate(sys, lib.asarray(u), t=lib.asarray(t), interpolation="foh")
        return (y * lib.asarray(w)).sum()

    At, Bt = torch.tensor(A, requires_grad=True), torch.tensor(B, requires_grad=True)
    loss(At, Bt, torch).backward()
    h = 1e-6
    for X, grad in ((A, At.grad.numpy()), (B, Bt.grad.numpy())):
        fd = np.zeros_like(X)
        for idx in np.ndindex(*X.shape):
            E = np.zeros_like(X)
            E[idx] = h
            plus = loss(A + E, B, np) if X is A else loss(A, B + E, np)
            minus = loss(A - E, B, np) if X is A else loss(A, B - E, np)
            fd[idx] = (plus - minus) / (2 * h)
        assert_close(grad, fd, atol=1e-7, rtol=0)


# --------------------------------------------------------------------------- errors


def test_errors_name_the_argument():
    sys = lti_ops.StateSpace(np.array([[-1.0]]), np.ones((1, 1)), np.ones((1, 1)))
    disc = lti_ops.discretize(sys, 0.5)
    u, t = np.ones(5), np.arange(5.0)
    with pytest.raises(ValueError, match="`sys` is continuous-time: .*`t`"):
        lti_ops.simulate(sys, u)
    with pytest.raises(ValueError, match="`t` must be evenly spaced"):
        lti_ops.simulate(sys, u, t=np.array([0.0, 1.0, 2.0, 3.5, 4.0]))
    with pytest.raises(ValueError, match="`t` must have one time point per sample of `u`"):
        lti_ops.simulate(sys, u, t=np.arange(6.0))
    with pytest.raises(ValueError, match="`interpolation` must be one of"):
        lti_ops.simulate(sys, u, t=t, interpolation="linear")
    with pytest.raises(ValueError, match="`interpolation` applies to continuous systems"):
        lti_ops.simulate(disc, u, interpolation="foh")
    with pytest.raises(ValueError, match="`t` must step by the discrete system's dt"):
        lti_ops.simulate(disc, u, t=t)
    with pytest.raises(ValueError, match="`t` must be finite"):
        lti_ops.simulate(sys, u, t=np.array([0.0, 1.0, np.nan, 3.0, 4.0]))
    with pytest.raises(ValueError, match="`t` must be strictly increasing"):
        lti_ops.simulate(sys, u, t=t[::-1].copy())
    with pytest.raises(ValueError, match="`t` must be 1-d"):
        lti_ops.step_response(sys, t[None])
    with pytest.raises(ValueError, match="`t` must be one time grid"):
        lti_ops.simulate(sys, u, t=np.stack([t, 2 * t]))
    with pytest.raises(ValueError, match="`t` must have at least 2 time points"):
        lti_ops.simulate(sys, u[:1], t=t[:1])
    with pytest.raises(TypeError, match="`t` must be real"):
        lti_ops.simulate(sys, u, t=t + 1j)
    with pytest.raises(TypeError, match="`t` must be an array"):
        lti_ops.simulate(sys, u, t=list(t))
    with pytest.raises(ValueError, match="`x0` must have shape"):
        lti_ops.simulate(sys, u, np.ones(2), t=t, interpolation="foh")
    with pytest.raises(ValueError, match="give `t` or `n`"):
        lti_ops.step_response(sys, t, n=5)
    with pytest.raises(ValueError, match="`n` must be at least 2"):
        lti_ops.impulse_response(sys, n=1)
    with pytest.raises(ValueError, match="`t` must step by the discrete system's dt"):
        lti_ops.impulse_response(disc, t)
    with pytest.raises(TypeError, match="`sys` must be a StateSpace"):
        lti_ops.step_response((1, 2, 3, 4))
    batch = lti_ops.discretize(sys, np.array([0.1, 0.2]))
    with pytest.raises(ValueError, match="`sys` has 2 different dt"):
        lti_ops.step_response(batch)
