"""Tests of lti_ops._xp: namespaces, dtypes and the linear algebra routed per backend."""

import numpy as np
import pytest
import scipy.linalg
from hypothesis import given
from hypothesis import strategies as st

from lti_ops import _xp
from lti_ops.testing import assert_close, to_numpy, tolerance

from _helpers import as_xp


def _matrix(seed, n, norm, complex_, batch=()):
    rng = np.random.default_rng(seed)
    m = rng.standard_normal(batch + (n, n))
    if complex_:
        m = m + 1j * rng.standard_normal(batch + (n, n))
    return m * (norm / np.max(np.abs(m).sum(axis=-2)))


@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 6), norm=st.floats(1e-4, 50),
       complex_=st.booleans(), batch=st.sampled_from([(), (3,), (2, 2)]))
def test_expm_pade_matches_scipy(xp, dtype, seed, n, norm, complex_, batch):
    m = _matrix(seed, n, norm, complex_, batch)
    name = ("complex64" if dtype == "float32" else "complex128") if complex_ else dtype
    got = _xp.expm_pade(as_xp(xp, m, name))
    want = scipy.linalg.expm(m)
    assert got.dtype == getattr(xp, name)
    scale = np.max(np.abs(want), axis=(-2, -1), keepdims=True)
    err = np.abs(to_numpy(got) - want) / scale
    assert np.max(err) <= tolerance(dtype, n=n, cond=(1 + norm) ** 2), np.max(err)


def test_expm_is_accurate_where_torch_matrix_exp_is_not():
    torch = pytest.importorskip("torch")
    m = _matrix(0, 5, 0.04, False)
    assert_close(_xp.expm(torch.asarray(m)), scipy.linalg.expm(m), rtol=1e-15)


def test_expm_keeps_namespace_and_dtype(xp, dtype):
    a = as_xp(xp, [[-1.0, 2.0], [0.0, -3.0]], dtype)
    out = _xp.expm(a)
    assert _xp.array_namespace(out) is _xp.array_namespace(a) and out.dtype == a.dtype
    assert_close(out, scipy.linalg.expm(np.array([[-1.0, 2.0], [0.0, -3.0]])), rtol=tolerance(dtype, n=2, cond=10))


@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 5), norm=st.floats(1e-3, 3.0),
       complex_=st.booleans(), batch=st.sampled_from([(), (3,)]))
def test_logm_inverts_expm(xp, seed, n, norm, complex_, batch):
    m = _matrix(seed, n, norm, complex_, batch)  # |Im eig| <= norm < pi: principal branch
    e = scipy.linalg.expm(m)
    for func in (_xp.logm, _xp.logm_iss):
        got = func(as_xp(xp, e))
        assert got.dtype == as_xp(xp, e).dtype
        assert_close(got, m, atol=tolerance("float64", n=n, cond=1e3), rtol=0)


def test_logm_of_real_matrix_without_real_log_raises(xp):
    a = as_xp(xp, [[-2.0, 0.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match=r"closed negative real axis"):
        _xp.logm(a)
    with pytest.raises(ValueError, match=r"closed negative real axis"):
        _xp.logm_iss(a)


def test_square_matrices_required(xp):
    a = as_xp(xp, np.ones((2, 3)))
    for func in (_xp.expm, _xp.expm_pade, _xp.logm, _xp.eig, _xp.eigvals):
        with pytest.raises(ValueError, match=r"needs square matrices of shape \(\.\.\., n, n\); got shape \(2, 3\)"):
            func(a)


def test_eig_is_complex_and_correct(xp, dtype):
    a = as_xp(xp, [[2.0, 0.0], [0.0, 3.0]], dtype)
    w, v = _xp.eig(a)
    assert w.dtype == _xp.complex_dtype(xp, a.dtype) and v.dtype == w.dtype
    assert_close(xp.sort(xp.real(w)), np.array([2.0, 3.0], dtype=dtype))


def test_eig_without_a_route_raises_not_implemented():
    strict = pytest.importorskip("array_api_strict")
    a = strict.eye(2)
    with strict.ArrayAPIStrictFlags(api_version="2024.12"):
        with pytest.raises(NotImplementedError, match=r"has no linalg.eig .*api_version='2025.12'"):
            _xp.eig(a)
        with pytest.raises(NotImplementedError, match=r"has no linalg.eigvals"):
            _xp.eigvals(a)


def test_array_namespace_errors():
    with pytest.raises(TypeError, match=r"expected at least one array argument; got only None or Python scalars"):
        _xp.array_namespace(None, 1.0)
    with pytest.raises(TypeError, match=r"`h` or `x` must be an array; got NoneType"):
        _xp.array_namespace(None, 1.0, names=["h", "x"])
    with pytest.raises(TypeError, match=r"an argument must be an array \(or a number\); got list"):
        _xp.array_namespace([1.0, 2.0])


def test_dtype_helpers(xp):
    assert _xp.real_dtype(xp, xp.complex64) == xp.float32
    assert _xp.complex_dtype(xp, xp.float64) == xp.complex128
    assert _xp.eps(xp, xp.complex64) == float(np.finfo(np.float32).eps)
    assert _xp.floating_dtype(xp, as_xp(xp, [1], "int32"), as_xp(xp, [1.0], "float32")) == xp.float32


def test_single_precision_logm_near_the_origin(xp):
    # poles of exp(L) near 0.007: the square-root phase needs more than float32 offers
    rng = np.random.default_rng(7)
    n = 8
    V = np.linalg.qr(rng.standard_normal((n, n)))[0] @ np.diag(np.linspace(1, 10, n))
    core = np.kron(np.eye(n // 2), np.array([[-5.0, 2.0], [-2.0, -5.0]]))
    L = V @ core @ np.linalg.inv(V)
    out = _xp.logm(as_xp(xp, scipy.linalg.expm(L), "float32"))
    assert out.dtype == xp.float32
    assert_close(out, L, rtol=tolerance("float32", n=n, cond=100))


def test_array_namespace_names_the_arguments():
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError, match=r"`A` and `dt` are from different namespaces: numpy and torch"):
        _xp.array_namespace(np.ones(1), None, torch.ones(1), names=["A", "B", "dt"])
    with pytest.raises(TypeError, match=r"`dt` must be an array \(or a number\); got list"):
        _xp.array_namespace([0.1], names=["dt"])


@pytest.mark.parametrize("shape", [(0, 0), (3, 0, 0), (0, 2, 2)])
def test_empty_inputs(xp, shape):
    a = as_xp(xp, np.zeros(shape))
    for func in (_xp.expm, _xp.expm_pade, _xp.logm, _xp.logm_iss):
        assert tuple(func(a).shape) == shape


def test_namespace_without_linalg_raises_not_implemented():
    import types

    fake = types.SimpleNamespace(__name__="fakearrays")
    with pytest.raises(NotImplementedError, match=r"the fakearrays namespace has no linalg.eig "):
        _xp._call_linalg(fake, "eig", None)


def test_eig_that_cannot_run_on_the_device_raises_not_implemented():
    """CuPy's linalg.eig raises RuntimeError('geev is not available') without cuSOLVER's
    geev: that becomes a NotImplementedError naming the routine, not a host round trip."""
    import types

    def eig(a):
        raise RuntimeError("geev is not available")

    fake = types.SimpleNamespace(__name__="array_api_compat.cupy", linalg=types.SimpleNamespace(eig=eig))
    with pytest.raises(NotImplementedError, match=r"the cupy namespace's linalg.eig cannot run here .*geev.*CUDA 12.6"):
        _xp._call_linalg(fake, "eig", None)

    def broken(a):
        raise RuntimeError("something else")

    fake.linalg.eig = broken
    with pytest.raises(RuntimeError, match="something else"):
        _xp._call_linalg(fake, "eig", None)


@pytest.mark.parametrize("norm", [1e3, 1.5e7, 1e9])
def test_single_precision_expm_of_a_huge_stable_matrix_is_finite_and_stable(xp, norm):
    rng = np.random.default_rng(7)
    m = rng.standard_normal((5, 5))
    a = m - (np.abs(np.linalg.eigvals(m).real).max() + 0.5) * np.eye(5)  # stable, non-normal
    a = a * (norm / np.abs(a).sum(axis=0).max())
    out = _xp.expm(as_xp(xp, a, "float32"))
    assert out.dtype == xp.float32
    got = to_numpy(out).astype(np.float64)
    assert np.isfinite(got).all() and np.abs(np.linalg.eigvals(got)).max() <= 1


def test_half_precision_is_refused_by_name(xp):
    for name in ("float16", "bfloat16"):
        if not hasattr(xp, name):
            continue
        x = xp.astype(as_xp(xp, [1.0]), getattr(xp, name))
        with pytest.raises(TypeError, match=rf"`u` has dtype .*{name}.*; half precision is not supported"):
            _xp.floating_dtype(xp, as_xp(xp, [1.0]), x, names=["k", "u"])


def test_is_singular_measures_a_cancelled_denominator_against_its_terms():
    terms = np.array([[1.0 - 2.0**-52]])
    K = np.eye(1) - terms  # I - T cancelled to rounding level: singular
    assert not bool(_xp.is_singular(K)) and bool(_xp.is_singular(K, scale=terms))
    assert not bool(_xp.is_singular(np.eye(1) - 0.5 * terms, scale=terms))
