"""Tests of the StateSpace, Diagonal and DPLR containers."""

import dataclasses

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import lti_ops
from lti_ops.testing import assert_close, to_numpy
from lti_ops.testing import strategies as lst

from _helpers import SKIPS_VALUE_CHECKS, as_xp, checks_values, markov


def _ss(xp, n=2, m=1, p=1, batch=(), dtype="float64", **kw):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(batch + s) for s in ((n, n), (n, m), (p, n), (p, m))]
    return lti_ops.StateSpace(*(as_xp(xp, a, dtype) for a in arrays), **kw)


# --------------------------------------------------------------------------- construction


def test_dtype_promotion(xp):
    A = as_xp(xp, [[-1.0]], "float32")
    B = as_xp(xp, [[1]], "int64")
    sys = lti_ops.StateSpace(A, B, as_xp(xp, [[1.0]], "float32"))
    assert sys.dtype == xp.float32 and sys.B.dtype == xp.float32 and sys.D.dtype == xp.float32
    ints = lti_ops.StateSpace(*(as_xp(xp, [[1]], "int64") for _ in range(3)))
    assert ints.dtype == xp.__array_namespace_info__().default_dtypes()["real floating"]
    mixed = lti_ops.StateSpace(A, B, as_xp(xp, [[1.0 + 1j]], "complex64"))
    assert mixed.dtype == xp.complex64
    wide = lti_ops.StateSpace(A, B, as_xp(xp, [[1.0]], "float64"))
    assert wide.dtype == xp.float64


def test_fields_and_properties(xp):
    sys = _ss(xp, n=3, m=2, p=4, batch=(5,))
    assert (sys.n_states, sys.n_inputs, sys.n_outputs, sys.batch_shape) == (3, 2, 4, (5,))
    assert not sys.is_discrete and sys.to_dense() is sys
    assert "StateSpace(n_states=3, n_inputs=2, n_outputs=4, batch_shape=(5,)" in repr(sys)
    with pytest.raises(dataclasses.FrozenInstanceError):
        sys.A = sys.B


def test_batch_shapes_broadcast(xp):
    A = as_xp(xp, -np.ones((4, 1, 2, 2)))
    C = as_xp(xp, np.ones((3, 1, 2)))
    sys = lti_ops.StateSpace(A, as_xp(xp, np.ones((2, 1))), C)
    assert sys.batch_shape == (4, 3)
    disc = lti_ops.StateSpace(as_xp(xp, [[0.5]]), as_xp(xp, [[1.0]]), as_xp(xp, [[1.0]]), dt=as_xp(xp, [0.1, 0.2]))
    assert disc.batch_shape == (2,) and disc.is_discrete


def test_siso_constructors(xp):
    H, N = 3, 4
    lam = as_xp(xp, -np.ones((H, N)) + 1j)
    b, c = as_xp(xp, np.ones((H, N)) + 0j), as_xp(xp, np.ones((H, N)) + 0j)
    diag = lti_ops.Diagonal.siso(lam, b, c, 0.5, conj_sym=True)
    assert tuple(diag.B.shape) == (H, N, 1) and tuple(diag.C.shape) == (H, 1, N)
    assert tuple(diag.D.shape) == (1, 1) and diag.D.dtype == xp.float64
    assert diag.n_modes == N and diag.n_states == 2 * N and diag.batch_shape == (H,)
    ss = lti_ops.StateSpace.siso(as_xp(xp, -np.eye(N)), as_xp(xp, np.ones(N)), as_xp(xp, np.ones(N)), as_xp(xp, [2.0]))
    assert tuple(ss.D.shape) == (1, 1, 1) and ss.batch_shape == (1,)
    P = as_xp(xp, np.ones((N, 2)) + 0j)
    dplr = lti_ops.DPLR.siso(lam, P, P, b, c)
    assert dplr.rank == 2 and dplr.n_states == N and tuple(dplr.D.shape) == (1, 1)


def test_siso_scalar_feedthrough_keeps_precision(xp):
    v = as_xp(xp, [-1.0], "float32")
    assert lti_ops.Diagonal.siso(v, v, v, 1.0).dtype == xp.float32
    assert lti_ops.Diagonal.siso(v, v, v, 1.0 + 1j).D.dtype == xp.complex64


# --------------------------------------------------------------------------- conversions


@given(data=st.data())
def test_conj_sym_diagonal_real_form_equals_full_complex_system(xp, data):
    sys = data.draw(lst.stable_diagonals(xp=xp, conj_sym=True))
    dense = sys.to_dense()
    assert dense.dtype == xp.float64 and dense.n_states == 2 * sys.n_modes
    full = lti_ops.Diagonal(
        xp.concat([sys.lam, xp.conj(sys.lam)], axis=-1),
        xp.concat([sys.B, xp.conj(sys.B)], axis=-2),
        xp.concat([sys.C, xp.conj(sys.C)], axis=-1),
        xp.astype(sys.D, xp.complex128),
    )
    assert_close(markov(dense, 6), markov(full, 6), rtol=1e-12)


@given(data=st.data())
def test_conj_sym_dplr_real_form_equals_full_complex_system(xp, data):
    sys = data.draw(lst.dplr_systems(xp=xp, conj_sym=True))
    dense = sys.to_dense()
    assert dense.dtype == xp.float64
    cat = lambda x, axis: xp.concat([x, xp.conj(x)], axis=axis)  # noqa: E731
    full = lti_ops.DPLR(
        cat(sys.lam, -1), cat(sys.P, -2), cat(sys.Q, -2), cat(sys.B, -2), cat(sys.C, -1),
        xp.astype(sys.D, xp.complex128),
    )
    assert_close(markov(dense, 6), markov(full, 6), rtol=1e-12)


@given(data=st.data())
def test_dplr_to_dense(xp, data):
    sys = data.draw(lst.dplr_systems(xp=xp))
    lam, P, Q = (to_numpy(x) for x in (sys.lam, sys.P, sys.Q))
    assert_close(sys.to_dense().A, np.diag(lam) - P @ Q.conj().T, rtol=1e-15)


@given(data=st.data())
def test_diagonalize_preserves_markov_parameters(xp, data):
    sys = data.draw(lst.stable_state_spaces(xp=xp, batch_shape=st.sampled_from([(), (2,)])))
    diag = lti_ops.diagonalize(sys)
    assert isinstance(diag, lti_ops.Diagonal) and diag.dtype == xp.complex128
    assert_close(markov(diag, 6), markov(sys, 6), rtol=1e-10)
    assert_close(sys.diagonalize().lam, to_numpy(diag.lam))


def test_diagonalize_refuses_ill_conditioned(xp):
    n = np.arange(20)
    legs = -np.where(n[:, None] > n[None, :], np.sqrt(2 * n[:, None] + 1) * np.sqrt(2 * n[None, :] + 1), 0) - np.diag(n + 1)
    sys = lti_ops.StateSpace.siso(as_xp(xp, legs), as_xp(xp, np.sqrt(2 * n + 1.0)), as_xp(xp, np.ones(20)))
    with pytest.raises(ValueError, match=r"`sys.A` is not safely diagonalizable: .*condition number .* above max_cond"):
        lti_ops.diagonalize(sys)
    with pytest.raises(TypeError, match=r"`sys` must be a StateSpace; got Diagonal"):
        lti_ops.diagonalize(lti_ops.Diagonal.siso(*(as_xp(xp, [-1.0]) for _ in range(3))))


# --------------------------------------------------------------------------- poles, stability


@given(data=st.data())
def test_poles_and_stability(xp, data):
    sys = data.draw(lst.stable_state_spaces(xp=xp, batch_shape=(2,)))
    poles = to_numpy(sys.poles())
    assert poles.shape == (2, sys.n_states) and np.all(poles.real < 0)
    assert bool(xp.all(sys.is_stable()))
    unstable = lti_ops.StateSpace(-sys.A, sys.B, sys.C, sys.D)
    assert not bool(xp.any(unstable.is_stable()))


def test_diagonal_poles_include_conjugates(xp):
    lam = as_xp(xp, [-1.0 + 2j, -0.5 + 0j])
    sys = lti_ops.Diagonal.siso(lam, lam, lam, conj_sym=True)
    assert_close(sys.poles(), np.array([-1 + 2j, -0.5, -1 - 2j, -0.5]))
    disc = lti_ops.Diagonal.siso(as_xp(xp, [0.5 + 0.5j, 1.1 + 0j]), lam, lam, dt=0.1)
    assert not bool(disc.is_stable())
    assert bool(lti_ops.Diagonal.siso(as_xp(xp, [0.5 + 0.5j]), lam[:1], lam[:1], dt=0.1).is_stable())


def test_dplr_poles_match_dense(xp):
    rng = np.random.default_rng(4)
    lam = as_xp(xp, -rng.uniform(1, 2, 3) + 1j * rng.standard_normal(3))
    P = as_xp(xp, 0.3 * rng.standard_normal((3, 1)) + 0j)
    sys = lti_ops.DPLR.siso(lam, P, P, lam, lam)
    got = np.sort_complex(to_numpy(sys.poles()))
    want = np.sort_complex(np.linalg.eigvals(to_numpy(sys.to_dense().A)))
    np.testing.assert_allclose(got, want, rtol=1e-12)


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "shapes,match",
    [
        (((2,), (2, 1), (1, 2), (1, 1)), r"`A` must have shape \(\.\.\., N, N\); got \(2,\)"),
        (((2, 3), (2, 1), (1, 2), (1, 1)), r"`A` must be square with shape \(\.\.\., N, N\); got \(2, 3\)"),
        (((2, 2), (3, 1), (1, 2), (1, 1)), r"`B` has shape \(3, 1\); its axis -2 must match the state dimension N = 2"),
        (((2, 2), (2,), (1, 2), (1, 1)), r"`B` must have shape \(\.\.\., N, M\); got \(2,\)"),
        (((2, 2), (2, 1), (1, 3), (1, 1)), r"`C` has shape \(1, 3\); its axis -1 must match the state dimension N = 2"),
        (((2, 2), (2, 1), (1, 2), (2, 1)), r"`D` has shape \(2, 1\); its axis -2 must match P = C.shape\[-2\] = 1"),
        (((2, 2), (2, 1), (1, 2), (1, 3)), r"`D` has shape \(1, 3\); its axis -1 must match M = B.shape\[-1\] = 1"),
        (((3, 2, 2), (4, 2, 1), (1, 2), (1, 1)), r"batch shapes do not broadcast: `A` has batch shape \(3,\) and `B` has batch shape \(4,\)"),
    ],
)
def test_state_space_shape_errors(xp, shapes, match):
    arrays = [as_xp(xp, np.ones(s)) for s in shapes]
    with pytest.raises(ValueError, match=match):
        lti_ops.StateSpace(*arrays)


@pytest.mark.parametrize(
    "dt,exc,match",
    [
        (0.0, ValueError, r"`dt` must be positive and finite; got 0.0"),
        (-0.1, ValueError, r"`dt` must be positive and finite; got -0.1"),
        (float("inf"), ValueError, r"`dt` must be positive and finite; got inf"),
        (False, TypeError, r"`dt` must be a positive finite number or array; got False"),
    ],
)
def test_bad_sampling_time(xp, dt, exc, match):
    with pytest.raises(exc, match=match):
        _ss(xp, dt=dt)


def test_dt_array_must_broadcast_with_batch(xp):
    with pytest.raises(ValueError, match=r"batch shapes do not broadcast: .*\(5,\).*`dt` has batch shape \(2,\)"):
        _ss(xp, batch=(5,), dt=as_xp(xp, [0.1, 0.2]))


def test_bad_dtypes(xp):
    good = as_xp(xp, [[1.0]])
    with pytest.raises(TypeError, match=r"`B` has dtype .*bool.*; expected a real or complex floating dtype"):
        lti_ops.StateSpace(good, as_xp(xp, [[True]]), good)
    with pytest.raises(TypeError, match=r"`lam` has dtype .*bool"):
        lti_ops.Diagonal(as_xp(xp, [True]), good, good)


def test_object_dtype_is_rejected():
    good = np.array([[1.0]])
    with pytest.raises(TypeError, match=r"`A` has dtype object; expected a real or complex floating dtype"):
        lti_ops.StateSpace(np.array([[1.0]], dtype=object), good, good)


def test_mixed_namespaces_and_devices():
    torch = pytest.importorskip("torch")
    strict = pytest.importorskip("array_api_strict")
    with pytest.raises(TypeError, match=r"`A` and `B` are from different namespaces: numpy and torch"):
        lti_ops.StateSpace(np.ones((1, 1)), torch.ones((1, 1)), np.ones((1, 1)))
    other = strict.Device("device1")
    a = strict.ones((1, 1))
    b = strict.ones((1, 1), device=other)
    with pytest.raises(ValueError, match=r"arrays on different devices: .*CPU_DEVICE.* and .*device1"):
        lti_ops.StateSpace(a, b, a)


def test_diagonal_errors(xp):
    one = as_xp(xp, [[1.0]])
    lam = as_xp(xp, [-1.0 + 1j])
    with pytest.raises(ValueError, match=r"`lam` must have shape \(\.\.\., N\); got \(\)"):
        lti_ops.Diagonal(as_xp(xp, -1.0), one, one)
    with pytest.raises(TypeError, match=r"`conj_sym` must be True or False; got 1"):
        lti_ops.Diagonal(lam, one, one, conj_sym=1)
    with pytest.raises(TypeError, match=r"`D` must be real when conj_sym=True \(the system is real\)"):
        lti_ops.Diagonal(lam, one, one, as_xp(xp, [[1.0 + 1j]]), conj_sym=True)
    with pytest.raises(ValueError, match=r"`C` has shape \(1, 2\); its axis -1 must match the state dimension N = 1"):
        lti_ops.Diagonal(lam, one, as_xp(xp, [[1.0, 2.0]]))


def test_dplr_errors(xp):
    one = as_xp(xp, [[1.0]])
    lam = as_xp(xp, [-1.0])
    with pytest.raises(ValueError, match=r"`P` has shape \(2, 1\); its axis -2 must match N = lam.shape\[-1\] = 1"):
        lti_ops.DPLR(lam, as_xp(xp, np.ones((2, 1))), one, one, one)
    with pytest.raises(ValueError, match=r"`Q` has shape \(1, 2\); its axis -1 must match the rank r = P.shape\[-1\] = 1"):
        lti_ops.DPLR(lam, one, as_xp(xp, np.ones((1, 2))), one, one)
    with pytest.raises(ValueError, match=r"`P` must have shape \(\.\.\., N, r\); got \(1,\)"):
        lti_ops.DPLR(lam, lam, one, one, one)


def test_integer_dt_array_is_cast_to_the_system_precision(xp):
    sys = _ss(xp, batch=(2,), dtype="float32", dt=as_xp(xp, [1, 2]))
    assert sys.dt.dtype == xp.float32


def test_dt_array_from_another_namespace_is_rejected():
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError, match=r"`A` and `dt` are from different namespaces: torch and numpy"):
        lti_ops.StateSpace(torch.ones((1, 1)), torch.ones((1, 1)), torch.ones((1, 1)), dt=np.array([0.1]))


# --------------------------------------------------------------------------- ownership, NaN/inf (issue 17)


def _mutable(xp):
    from array_api_compat import is_jax_namespace

    return not is_jax_namespace(xp)


@pytest.mark.parametrize("kind", ["dense", "diagonal", "dplr"])
def test_containers_own_their_arrays(xp, kind):
    if not _mutable(xp):
        pytest.skip("immutable arrays: nothing to own")
    rng = np.random.default_rng(5)
    lam = as_xp(xp, -1.0 - rng.random(3) + 1j * rng.random(3))
    P, B, C = (as_xp(xp, rng.standard_normal(s) + 0j) for s in ((3, 1), (3, 1), (1, 3)))
    dt = as_xp(xp, [0.1])
    if kind == "dense":
        fields = {"A": as_xp(xp, -np.eye(3) + 0j), "B": B, "C": C}
        sys = lti_ops.StateSpace(fields["A"], B, C, dt=dt)
    elif kind == "diagonal":
        fields = {"lam": lam, "B": B, "C": C}
        sys = lti_ops.Diagonal(lam, B, C, dt=dt)
    else:
        fields = {"lam": lam, "P": P, "Q": P, "B": B, "C": C}
        sys = lti_ops.DPLR(lam, P, P, B, C, dt=dt)
    before = {name: to_numpy(getattr(sys, name)).copy() for name in fields}
    for x in list(fields.values()) + [dt]:
        x[...] = 7.0
    for name, want in before.items():
        np.testing.assert_array_equal(to_numpy(getattr(sys, name)), want)
    assert float(to_numpy(sys.dt)[0]) == 0.1


def test_torch_copies_keep_the_graph():
    torch = pytest.importorskip("torch")
    lam = torch.tensor([-1.0, -2.0], dtype=torch.float64, requires_grad=True)
    ones = torch.ones((2, 1), dtype=torch.float64)
    sys = lti_ops.Diagonal(lam, ones, ones.T, dt=0.1)
    sys.lam.sum().backward()
    assert lam.grad is not None and lam.grad.tolist() == [1.0, 1.0]


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_containers_refuse_non_finite_fields_by_name(xp, bad):
    if not checks_values(xp):
        pytest.skip(SKIPS_VALUE_CHECKS)
    good = np.array([[-1.0]])
    ones = as_xp(xp, np.ones((1, 1)))
    worse = as_xp(xp, np.array([[bad]]))
    for name in "ABCD":
        args = [as_xp(xp, good), ones, ones, ones]
        args["ABCD".index(name)] = worse
        with pytest.raises(ValueError, match=rf"`{name}` must be finite; got 1 non-finite entry"):
            lti_ops.StateSpace(*args)
    with pytest.raises(ValueError, match=r"`lam` must be finite"):
        lti_ops.Diagonal(as_xp(xp, [bad]), ones, ones)
    for name in "PQ":
        args = {"P": ones, "Q": ones, name: worse}
        with pytest.raises(ValueError, match=rf"`{name}` must be finite"):
            lti_ops.DPLR(as_xp(xp, [-1.0]), args["P"], args["Q"], ones, ones)
    with pytest.raises(ValueError, match=r"`dt` must be positive and finite"):
        lti_ops.StateSpace(as_xp(xp, good), ones, ones, dt=bad)


def test_pytree_unflatten_skips_validation():
    jax = pytest.importorskip("jax")
    ones = jax.numpy.ones((1, 1))
    sys = lti_ops.StateSpace(-ones, ones, ones)
    leaves, tree = jax.tree_util.tree_flatten(sys)
    rebuilt = jax.tree_util.tree_unflatten(tree, [jax.numpy.full((1, 1), np.nan)] * len(leaves))
    assert bool(jax.numpy.isnan(rebuilt.A).all())


def test_constructor_and_method_argument_errors(xp):
    one = as_xp(xp, [[1.0]])
    vec = as_xp(xp, [1.0])
    if hasattr(xp, "float16"):
        half = xp.astype(one, xp.float16)
        with pytest.raises(TypeError, match=r"`A` has dtype .*float16.*half precision is not supported"):
            lti_ops.StateSpace(half, one, one)
        with pytest.raises(TypeError, match=r"`P` has dtype .*float16"):
            lti_ops.DPLR(vec, half, one, one, one)
    with pytest.raises(TypeError, match=r"`B` has dtype .*bool"):
        lti_ops.StateSpace(one, xp.astype(one, xp.bool), one)
    with pytest.raises(TypeError, match=r"`d` must be None, a number or an array of shape \(\.\.\.\); got '1'"):
        lti_ops.Diagonal.siso(vec, vec, vec, "1")
    with pytest.raises(TypeError, match=r"`b` .*got list|got list.*`b`"):
        lti_ops.Diagonal.siso(vec, [1.0], vec)
    with pytest.raises(TypeError, match=r"`dt` must be a positive finite number or array; got '1'"):
        lti_ops.StateSpace(one, one, one, dt="1")
    with pytest.raises(TypeError, match=r"`conj_sym` must be True or False; got 'yes'"):
        lti_ops.Diagonal(vec, one, one, conj_sym="yes")
    sys = lti_ops.StateSpace(-one, one, one)
    with pytest.raises(TypeError, match=r"`max_cond` must be a real number; got 'x'"):
        lti_ops.diagonalize(sys, max_cond="x")
    with pytest.raises(ValueError, match=r"`max_cond` must be finite and >= 1; got 0.5"):
        sys.diagonalize(max_cond=0.5)
    with pytest.raises(TypeError, match=r"`sys` must be a StateSpace; got Diagonal"):
        lti_ops.diagonalize(lti_ops.Diagonal(vec, one, one))
    if checks_values(xp):
        with pytest.raises(ValueError, match=r"`d` must be finite; got nan"):
            lti_ops.Diagonal.siso(vec, vec, vec, float("nan"))


def test_mixed_namespaces_are_refused_by_name():
    torch = pytest.importorskip("torch")
    one = np.ones((1, 1))
    with pytest.raises(TypeError, match=r"`A` and `B` are from different namespaces"):
        lti_ops.StateSpace(torch.ones((1, 1), dtype=torch.float64), one, one)
    with pytest.raises(TypeError, match=r"`lam` and `P` are from different namespaces|different namespaces"):
        lti_ops.DPLR(np.ones(1), torch.ones((1, 1), dtype=torch.float64), one, one, one)
