"""Interconnection (issue 18, item 3): series, parallel, feedback, append, lft, and the
container operators, checked through transfer functions at random points and against
python-control 0.10.2."""

import os

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import lti_ops
from lti_ops.testing import assert_close, to_numpy, tolerance
from lti_ops.testing import strategies as lst

from _helpers import as_xp, checks_values, systems, transfer

# the ci profile draws few examples (the file must run in under 40 s); thorough draws its own count
FEW = settings(max_examples=10) if os.environ.get("HYPOTHESIS_PROFILE", "ci") == "ci" else settings()
SOME = settings(max_examples=8) if os.environ.get("HYPOTHESIS_PROFILE", "ci") == "ci" else settings()
POINTS = np.array([0.3 + 1j, 2.0 + 0j, -0.05 + 3j, 1.5 - 2j])
KINDS = ["dense", "diagonal", "dplr"]


def _strict(xp):
    return "array_api_strict" in getattr(xp, "__name__", "")


def _G(sys):
    """G at POINTS as NumPy, shape (..., K, P, M) (frequency before the matrix axes)."""
    return np.moveaxis(transfer(sys, POINTS), -1, -3)


def _ours(sys, xp):
    return np.moveaxis(to_numpy(lti_ops.transfer_function(sys, as_xp(xp, POINTS))), -1, -3)


def _draw(data, xp, dtype, m, p, batch=()):
    kind = data.draw(st.sampled_from(KINDS))
    kw = {"n_states" if kind == "dense" else "n_modes": st.integers(1, 3)}
    if kind == "dplr":
        kw["stable"] = True
    return data.draw(systems(kind, xp, dtype, n_inputs=m, n_outputs=p, batch_shape=batch, **kw))


def _check(got, want, dtype, cond=10.0):
    scale = 1 + np.abs(want).max()
    assert_close(got, want, atol=tolerance(dtype, n=12, cond=cond, c=100) * scale, rtol=0)


def _blockdiag(X, Y):
    batch = np.broadcast_shapes(X.shape[:-2], Y.shape[:-2])
    X, Y = np.broadcast_to(X, batch + X.shape[-2:]), np.broadcast_to(Y, batch + Y.shape[-2:])
    out = np.zeros(batch + (X.shape[-2] + Y.shape[-2], X.shape[-1] + Y.shape[-1]), complex)
    out[..., : X.shape[-2], : X.shape[-1]] = X
    out[..., X.shape[-2]:, X.shape[-1]:] = Y
    return out


# --------------------------------------------------------------------------- identities


@FEW
@pytest.mark.parametrize("op", ["series", "parallel", "feedback", "append", "lft"])
@given(data=st.data())
def test_identities_at_random_points(xp, dtype, op, data):
    m, p, q = (data.draw(st.integers(1, 3)) for _ in range(3))
    sizes = {"series": ((m, p), (p, q)), "parallel": ((m, p), (m, p)), "feedback": ((m, p), (p, m)),
             "append": ((m, p), (q, m)), "lft": ((m + 1, p + 1), (p, m))}[op]
    sys1 = _draw(data, xp, dtype, *sizes[0], batch=data.draw(st.sampled_from([(), (2,)])))
    sys2 = _draw(data, xp, dtype, *sizes[1], batch=data.draw(st.sampled_from([(), (1,), (2,)])))
    G1, G2 = _G(sys1), _G(sys2)
    cond = 10.0
    if op == "series":
        got, want = lti_ops.series(sys1, sys2), G2 @ G1
    elif op == "parallel":
        got, want = lti_ops.parallel(sys1, sys2), G1 + G2
    elif op == "append":
        got, want = lti_ops.append(sys1, sys2), _blockdiag(G1, G2)
    elif op == "feedback":
        sign = data.draw(st.sampled_from([-1, 1]))
        loop = np.eye(p) - sign * G1 @ G2
        cond = float(np.linalg.cond(loop).max())
        D1, D2 = to_numpy(sys1.D), to_numpy(sys2.D)
        assume(cond < 1e3 and np.linalg.cond(np.eye(p) - sign * D1 @ D2).max() < 1e3)
        got, want = lti_ops.feedback(sys1, sys2, sign=sign), np.linalg.solve(loop, G1)
    else:  # lower LFT: F_l = G11 + G12 K (I - G22 K)^{-1} G21, u the last m, y the last p channels
        G11, G12, G21, G22 = G1[..., :1, :1], G1[..., :1, 1:], G1[..., 1:, :1], G1[..., 1:, 1:]
        loop = np.eye(p) - G22 @ G2
        cond = float(np.linalg.cond(loop).max())
        D22, Dk = to_numpy(sys1.D)[..., 1:, 1:], to_numpy(sys2.D)
        assume(cond < 1e3 and np.linalg.cond(np.eye(p) - D22 @ Dk).max() < 1e3)
        got, want = lti_ops.lft(sys1, sys2), G11 + G12 @ G2 @ np.linalg.solve(loop, G21)
    assert got.dtype == sys1.dtype or got.dtype == xp.result_type(sys1.dtype, sys2.dtype)
    assert got.batch_shape == np.broadcast_shapes(sys1.batch_shape, sys2.batch_shape)
    _check(_ours(got, xp), want, dtype, max(cond, _resolvent_cond(got)))


def _resolvent_cond(sys):
    """Largest condition number of sI - A over POINTS (a closed loop may put a pole near one)."""
    A = to_numpy(sys.to_dense().A)
    eye = np.eye(A.shape[-1])
    return max([1.0] + [float(np.linalg.cond(s * eye - A).max()) for s in POINTS if A.shape[-1]])


@SOME
@given(data=st.data())
def test_operators_equal_the_functions(xp, data):
    sys1 = _draw(data, xp, "float64", 2, 2)
    sys2 = _draw(data, xp, "float64", 2, 2)
    G1, G2 = _G(sys1), _G(sys2)
    K = np.array([[1.0, -2.0], [0.5, 3.0]])
    cases = [
        (sys1 * sys2, G1 @ G2), (lti_ops.series(sys2, sys1), G1 @ G2),
        (sys1 + sys2, G1 + G2), (sys1 - sys2, G1 - G2), (-sys1, -G1),
        (2 * sys1, 2 * G1), (sys1 * 2.5, 2.5 * G1), (sys1 + 1, G1 + 1), (1 - sys1, 1 - G1),
        (np.float64(2) * sys1, 2 * G1), (sys1 - as_xp(xp, K), G1 - K), (sys1 + as_xp(xp, 2.0), G1 + 2),
        (sys1 * as_xp(xp, K), G1 @ K), (1j * sys1, 1j * G1),
        (sys1[1, :], G1[..., 1:2, :]), (sys1[[1, 0], 0], G1[..., [1, 0], :][..., :1]),
        (sys1[-1, ::-1], G1[..., -1:, ::-1]), (sys1[np.array([0, 0]), 1:], G1[..., [0, 0], 1:]),
    ]
    if not _strict(xp):  # array_api_strict arrays raise TypeError instead of deferring to our operators
        cases += [(as_xp(xp, np.array(2.0)) + sys1, G1 + 2), (as_xp(xp, K) * sys1, K @ G1), (as_xp(xp, 2.0) - sys1, 2 - G1)]
    for got, want in cases:
        assert isinstance(got, (lti_ops.StateSpace, lti_ops.Diagonal, lti_ops.DPLR)), type(got)
        _check(_ours(got, xp), want, "float64")


@SOME
@given(data=st.data())
def test_siso_and_number_promotion_as_python_control(data):
    control = pytest.importorskip("control")
    siso = data.draw(lst.stable_state_spaces(n_inputs=1, n_outputs=1))
    mimo = data.draw(lst.stable_state_spaces(n_inputs=2, n_outputs=3))
    ours_c = [control.ss(*(to_numpy(x) for x in (s.A, s.B, s.C, s.D))) for s in (siso, mimo)]
    Gs = _G(siso)
    cases = [(siso * mimo, ours_c[0] * ours_c[1], Gs * _G(mimo)), (mimo * siso, ours_c[1] * ours_c[0], None),
             (siso + mimo, ours_c[0] + ours_c[1], Gs + _G(mimo)), (mimo + 2.0, ours_c[1] + 2.0, _G(mimo) + 2)]
    for got, theirs, want in cases:
        resp = np.moveaxis(np.asarray(theirs(POINTS, squeeze=False)), -1, -3)
        _check(_ours(got, np), resp, "float64")
        if want is not None:
            _check(_ours(got, np), want, "float64")


# --------------------------------------------------------------------------- python-control


def _random_ss(rng, n, m, p, dt=None):
    A = rng.standard_normal((n, n)) / np.sqrt(n) - (1.5 * np.eye(n) if dt is None else 0)
    if dt is not None:
        A = 0.8 * A / max(1.0, np.abs(np.linalg.eigvals(A)).max())
    return A, rng.standard_normal((n, m)), rng.standard_normal((p, n)), rng.standard_normal((p, m))


@pytest.mark.parametrize("dt", [None, 0.1])
@pytest.mark.parametrize("seed", range(3))
def test_against_python_control(seed, dt):
    control = pytest.importorskip("control")
    rng = np.random.default_rng(seed)
    mats = [_random_ss(rng, n, m, p, dt) for n, m, p in ((3, 2, 2), (2, 2, 2), (4, 3, 3), (2, 1, 2))]
    ours = [lti_ops.StateSpace(*x, dt=dt) for x in mats]
    theirs = [control.ss(*x, dt) if dt else control.ss(*x) for x in mats]
    pts = POINTS if dt is None else np.exp(1j * np.array([0.3, 1.0, 2.0, 3.0]))
    s1, s2, s3, s4 = ours
    c1, c2, c3, c4 = theirs
    cases = [
        (lti_ops.series(s1, s2), control.series(c1, c2)), (lti_ops.parallel(s1, s2), control.parallel(c1, c2)),
        (lti_ops.feedback(s1, s2), control.feedback(c1, c2)),
        (lti_ops.feedback(s1, s2, sign=1), control.feedback(c1, c2, sign=1)),
        (lti_ops.feedback(s1), control.feedback(c1, np.eye(2))),
        (lti_ops.append(s1, s3, s4), control.append(c1, c3, c4)),
        (lti_ops.lft(s3, s2), c3.lft(c2)), (lti_ops.lft(s3, s4, nu=2, ny=1), c3.lft(c4, nu=2, ny=1)),
        (lti_ops.lft(s3, s2, nu=1, ny=1), c3.lft(c2, nu=1, ny=1)),
        (s1 * s2, c1 * c2), (s1 - 2 * s2, c1 - 2 * c2), (s3[1:, [0, 2]], c3[1:, [0, 2]]),
    ]
    for got, want in cases:
        assert got.dt == dt
        ours_g = np.asarray(lti_ops.transfer_function(got, pts))
        theirs_g = np.asarray(want(pts, squeeze=False))
        np.testing.assert_allclose(ours_g, theirs_g, rtol=1e-9, atol=1e-9 * np.abs(theirs_g).max())


# --------------------------------------------------------------------------- structure


def test_diagonal_and_dplr_keep_their_structure(xp):
    rng = np.random.default_rng(1)
    lam = as_xp(xp, -rng.uniform(0.5, 2, 3) + 1j * rng.uniform(-2, 2, 3))
    Bc = as_xp(xp, rng.standard_normal((3, 2)) + 1j * rng.standard_normal((3, 2)))
    Cc = as_xp(xp, rng.standard_normal((2, 3)) + 0j)
    D = as_xp(xp, np.eye(2))
    d, h = lti_ops.Diagonal(lam, Bc, Cc, D), lti_ops.Diagonal(lam, Bc, Cc, D, conj_sym=True)
    PQ = as_xp(xp, 0.2 * rng.standard_normal((3, 1)) + 0j)
    r = lti_ops.DPLR(lam, PQ, PQ, Bc, Cc, D)
    K = as_xp(xp, np.array([[1.0, 2.0], [0.0, 1.0]]))
    same = [(d + d, d), (d - d, d), (lti_ops.append(d, d), d), (-d, d), (d[0, 1], d), (2 * d, d),
            (d * K, d), (lti_ops.series(d, K), d), (d + 1, d), (h + h, h), (h * 2.0, h), (h + K, h), (-h, h), (h[:, 0], h),
            (r + r, r), (r + d, r), (lti_ops.append(d, r), r), (2 * r, r), (-r, r), (r[0, 0], r)]
    for got, like in same:
        assert type(got) is type(like) and got.conj_sym == like.conj_sym
    assert (r + r).rank == 2 and (r + d).rank == 1
    if "jax" in xp.__name__:  # JAX compiles every op for each new shape (seconds here); the rest is namespace-free
        return
    dense = [d + h, h * 1j, 1j + h, d * d, lti_ops.feedback(d), d + d.to_dense(), lti_ops.lft(d, 0.5)]
    assert all(type(x) is lti_ops.StateSpace for x in dense)
    values = [(h + K, _G(h) + to_numpy(K)), (d + h, _G(d) + _G(h)), (h * 1j, 1j * _G(h)), (r + d, _G(r) + _G(d)),
              (lti_ops.append(d, r), _blockdiag(_G(d), _G(r)))]
    for got, want in values:
        _check(_ours(got, xp), want, "float64")


def test_dtypes_promote_and_float32_stays(xp):
    if "jax" in xp.__name__:
        pytest.skip("JAX in single precision runs in tests/test_jax.py (x64 off), as conftest.py says")
    f32 = lti_ops.StateSpace(*(as_xp(xp, x, "float32") for x in _random_ss(np.random.default_rng(0), 2, 1, 1)))
    f64 = lti_ops.StateSpace(*(as_xp(xp, x) for x in _random_ss(np.random.default_rng(1), 2, 1, 1)))
    assert lti_ops.series(f32, f32).dtype == xp.float32
    assert (f32 + f32).dtype == (2.0 * f32).dtype == (f32 + 1).dtype == (-f32).dtype == xp.float32
    assert lti_ops.feedback(f32, f32).dtype == lti_ops.lft(f32, 0.5).dtype == xp.float32
    assert (f32 * 1j).dtype == xp.complex64
    assert (f32 + f64).dtype == lti_ops.append(f32, f64).dtype == xp.float64


def test_discrete_and_array_dt(xp):
    rng = np.random.default_rng(2)
    dt = as_xp(xp, np.array([0.1, 0.1]))
    mats = [np.stack([x, x]) for x in _random_ss(rng, 2, 1, 1, dt=0.1)]
    arr = lti_ops.StateSpace(*(as_xp(xp, x) for x in mats), dt=dt)
    one = lti_ops.StateSpace(*(as_xp(xp, x[0]) for x in mats), dt=0.1)
    both = lti_ops.series(one, arr)
    assert tuple(both.dt.shape) == (2,) and both.batch_shape == (2,)
    assert lti_ops.parallel(one, one).dt == 0.1
    z = np.exp(1j * np.array([0.5, 2.0]))
    want = np.moveaxis(transfer(arr, z), -1, -3) @ np.moveaxis(transfer(one, z), -1, -3)
    got = np.moveaxis(to_numpy(lti_ops.transfer_function(both, as_xp(xp, z))), -1, -3)
    _check(got, want, "float64")


# --------------------------------------------------------------------------- gradients


def _feedback_gain(xp, a):
    """|G_cl|^2 summed over two points, with the forward path's A = a[:2] (2 x 2) and D = a[2:, :1]."""
    B, C = as_xp(xp, np.array([[1.0], [0.5]])), as_xp(xp, np.array([[1.0, -1.0]]))
    plant = lti_ops.StateSpace(a[:2, :], B, C, a[2:, :1])
    ctrl = lti_ops.StateSpace(as_xp(xp, [[-3.0]]), as_xp(xp, [[1.0]]), as_xp(xp, [[2.0]]), as_xp(xp, [[0.5]]))
    G = lti_ops.transfer_function(lti_ops.feedback(plant, ctrl), as_xp(xp, np.array([0.5j, 2.0 + 0j])))
    return xp.sum(xp.real(G) ** 2 + xp.imag(G) ** 2)


A0 = np.array([[-1.0, 0.4], [-0.3, -2.0], [0.2, 0.0]])  # A, then D in the last row


def _finite_difference(h=1e-6):
    grad = np.zeros_like(A0)
    for idx in np.ndindex(*A0.shape):
        e = np.zeros_like(A0)
        e[idx] = h
        grad[idx] = (float(_feedback_gain(np, A0 + e)) - float(_feedback_gain(np, A0 - e))) / (2 * h)
    return grad


def test_gradient_through_feedback_torch():
    torch = pytest.importorskip("torch")
    import array_api_compat

    xp = array_api_compat.array_namespace(torch.zeros(1))
    a = torch.tensor(A0, requires_grad=True)
    _feedback_gain(xp, a).backward()
    np.testing.assert_allclose(a.grad.numpy(), _finite_difference(), rtol=1e-6, atol=1e-8)


def test_gradient_through_feedback_jax():
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    grad = jax.grad(lambda a: _feedback_gain(jnp, a))(jnp.asarray(A0))
    np.testing.assert_allclose(np.asarray(grad), _finite_difference(), rtol=1e-6, atol=1e-8)


# --------------------------------------------------------------------------- errors


def _ss(xp, n=1, m=1, p=1, dt=None, batch=(), D=None, seed=0):
    A, B, C, D0 = _random_ss(np.random.default_rng(seed), n, m, p)
    fields = [np.array(np.broadcast_to(x, batch + x.shape)) for x in (A, B, C, D0 if D is None else D)]
    return lti_ops.StateSpace(*(as_xp(xp, x) for x in fields), dt=dt)


def test_errors(xp):
    s, s22, s23 = _ss(xp), _ss(xp, 2, 2, 2), _ss(xp, 2, 3, 2)
    with pytest.raises(TypeError, match=r"`sys1` must be a StateSpace, Diagonal or DPLR system, a number or an array"):
        lti_ops.series("a", s)
    with pytest.raises(TypeError, match=r"at least one of `sys1` and `sys2` must be a .* system; got two gains"):
        lti_ops.parallel(1.0, 2.0)
    with pytest.raises(ValueError, match=r"`sys2` must be a number, a 0-d array or a gain of shape \(\.\.\., P, M\); got shape \(2,\)"):
        lti_ops.series(s, as_xp(xp, [1.0, 2.0]))
    with pytest.raises(ValueError, match=r"`sys2` must be finite"):
        lti_ops.series(s, float("nan"))
    with pytest.raises(ValueError, match=r"`sys1` must be finite"):
        lti_ops.parallel(as_xp(xp, [[np.inf]]), s)
    with pytest.raises(TypeError, match=r"`sys2` has dtype .*bool"):
        lti_ops.series(s, as_xp(xp, [[True]]))
    with pytest.raises(ValueError, match=r"`sys1` and `sys2` must have the same time domain: `sys1` has dt=None \(continuous time\) and `sys2` has dt=0.1"):
        lti_ops.series(s, _ss(xp, dt=0.1))
    with pytest.raises(ValueError, match=r"`sys1` has dt=0.2 and `sys2` has dt=0.1"):
        lti_ops.parallel(_ss(xp, dt=0.2), _ss(xp, dt=0.1))
    if checks_values(xp):
        with pytest.raises(ValueError, match=r"`sys1` has an array dt of shape \(2,\) and `sys2` has dt=0.1"):
            lti_ops.parallel(_ss(xp, dt=as_xp(xp, [0.1, 0.2]), batch=(2,)), _ss(xp, dt=0.1))
    with pytest.raises(ValueError, match=r"batch shapes do not broadcast: `sys1` has batch shape \(2,\) and `sys2` has batch shape \(3,\)"):
        lti_ops.series(_ss(xp, batch=(2,)), _ss(xp, batch=(3,)))
    with pytest.raises(ValueError, match=r"`sys1` has 2 outputs but `sys2` has 3 inputs"):
        lti_ops.series(s22, s23)
    with pytest.raises(ValueError, match=r"`sys1` has 2 x 2 outputs x inputs but `sys2` has 2 x 3"):
        lti_ops.parallel(s22, s23)
    with pytest.raises(ValueError, match=r"`sys2` has 2 x 3 outputs x inputs but `sys1` has 2 x 2 .*feedback path"):
        lti_ops.feedback(s22, s23)
    with pytest.raises(ValueError, match=r"unity feedback \(`sys2` None\) needs a square `sys1`; got 2 outputs and 3 inputs"):
        lti_ops.feedback(s23)
    with pytest.raises(TypeError, match=r"`sys1` must be a StateSpace, Diagonal or DPLR system when `sys2` is None"):
        lti_ops.feedback(2.0)
    with pytest.raises(TypeError, match=r"`sign` must be -1 \(negative feedback\) or 1"):
        lti_ops.feedback(s, s, sign="-")
    with pytest.raises(ValueError, match=r"`sign` must be -1 \(negative feedback\) or 1 \(positive feedback\); got 2"):
        lti_ops.feedback(s, s, sign=2)
    with pytest.raises(TypeError, match=r"`nu` must be None or a non-negative integer; got 1.0"):
        lti_ops.lft(s22, s, nu=1.0)
    with pytest.raises(ValueError, match=r"`ny` must be between 0 and 1 \(the fewer of the outputs of `sys1` and inputs of `sys2`\); got 2"):
        lti_ops.lft(s22, s, ny=2)
    with pytest.raises(TypeError, match=r"`systems` must contain at least one StateSpace, Diagonal or DPLR system; got 1 gains"):
        lti_ops.append(1.0)
    with pytest.raises(TypeError, match=r"`systems\[1\]` must be a StateSpace"):
        lti_ops.append(s, "x")
    with pytest.raises(TypeError, match=r"must be|unsupported operand"):
        s + "x"  # noqa: B018


def test_ill_posed_loops_raise(xp):
    one = _ss(xp, D=np.array([[1.0]]))
    if checks_values(xp):
        with pytest.raises(ValueError, match=r"the feedback loop of `sys1` and `sys2` is ill-posed: I - sign \* sys1.D @ sys2.D is singular"):
            lti_ops.feedback(one, one, sign=1)
        with pytest.raises(ValueError, match=r"the LFT of `sys1` and `sys2` is ill-posed: I - D22 @ Dk11 is singular"):
            lti_ops.lft(one, 1.0)
        # singular to rounding only: 1 - (1 + eps) is not 0, and no solver refuses it
        with pytest.raises(ValueError, match=r"the feedback loop of `sys1` and `sys2` is ill-posed"):
            lti_ops.feedback(one, _ss(xp, D=np.array([[np.nextafter(1.0, 2.0)]])), sign=1)
    assert lti_ops.feedback(one, one).n_states == 2  # negative feedback: I + D1 D2 = 2


def test_mixed_namespaces_raise(xp):
    import array_api_strict

    if xp is array_api_strict or getattr(xp, "__name__", "") == "array_api_strict":
        pytest.skip("needs a second namespace")
    s = _ss(xp)
    other = _ss(array_api_strict)
    with pytest.raises(TypeError, match=r"`sys1.A`|`sys2.A`"):
        lti_ops.series(s, other)
    with pytest.raises(TypeError, match=r"`right`"):
        s + array_api_strict.asarray([[1.0]])  # noqa: B018


def test_indexing_errors(xp):
    s = _ss(xp, 2, 2, 3)
    with pytest.raises(TypeError, match=r"`key` of `sys\[outputs, inputs\]` must be a pair \(outputs, inputs\); got 0"):
        s[0]  # noqa: B018
    with pytest.raises(TypeError, match=r"`outputs` must be an int, a slice or a sequence of ints; got 'a'"):
        s["a", 0]  # noqa: B018
    with pytest.raises(TypeError, match=r"`inputs` must hold integers; got 0.5"):
        s[0, [0.5]]  # noqa: B018
    with pytest.raises(IndexError, match=r"`outputs` index 3 is out of range for 3 outputs"):
        s[3, 0]  # noqa: B018
    with pytest.raises(ValueError, match=r"`inputs` index -3 is out of range for 2 inputs"):
        s[0, -3]  # noqa: B018
