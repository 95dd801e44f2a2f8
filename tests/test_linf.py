"""L-infinity norm of any system and the peak frequency of the H-infinity norm (issue 18, item 5).

Identities: linf_norm = hinf_norm on stable systems; sigma_max(G(i w*)) is the norm at the
returned frequency; a dense frequency sweep is a lower bound; python-control's ``linfnorm``
(SLICOT AB13DD through slycot) agrees on unstable random systems; a pole on the boundary
gives inf.
"""

import math
import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lti_ops
from lti_ops.testing import to_numpy, tolerance

from _helpers import as_xp, systems

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")  # as tests/conftest.py reads it

control = pytest.importorskip("control")

DOMAINS = ["continuous", "discrete"]
METHODS = ["hamiltonian", "grid"]
DT = 0.5


# --------------------------------------------------------------------------- systems


def _unstable(seed, n, p, m, domain, margin=0.2, batch=()):
    """A real (A, B, C, D) with eigenvalues at least `margin` off the boundary on both sides
    (continuous: |Re| >= margin; discrete: ||z| - 1| >= margin / 2), some unstable, in a
    basis of condition <= 10."""
    rng = np.random.default_rng(seed)
    shape = batch + (n, n)
    re = rng.uniform(margin, 2.0, batch + (n,)) * rng.choice([-1.0, 1.0], batch + (n,))
    re[..., 0] = abs(re[..., 0])  # at least one unstable pole
    im = rng.uniform(0.0, 3.0, batch + (n // 2,))
    A = np.zeros(shape)
    for k in range(n):
        A[..., k, k] = re[..., k]
    for k in range(n // 2):  # complex pairs in 2x2 blocks
        A[..., 2 * k, 2 * k + 1], A[..., 2 * k + 1, 2 * k] = im[..., k], -im[..., k]
        A[..., 2 * k + 1, 2 * k + 1] = A[..., 2 * k, 2 * k]
    Q, _ = np.linalg.qr(rng.standard_normal(shape))
    V = Q * np.logspace(0, -1, n)
    A = V @ A @ np.linalg.inv(V)
    if domain == "discrete":  # s -> z = (1 + s dt / 2) / (1 - s dt / 2) keeps the half planes apart
        eye = np.eye(n)
        A = np.linalg.solve(eye - A * DT / 2 * 0.3, eye + A * DT / 2 * 0.3)
    B, C = rng.standard_normal(batch + (n, m)), rng.standard_normal(batch + (p, n))
    D = rng.standard_normal(batch + (p, m)) * rng.choice([0.0, 1.0])
    return A, B, C, D


def _sys(arrays, domain, xp=None, dtype=None):
    conv = (lambda x: as_xp(xp, x, dtype)) if xp is not None else (lambda x: x)
    return lti_ops.StateSpace(*(conv(x) for x in arrays), dt=DT if domain == "discrete" else None)


def _gain(sys, w):
    """sigma_max(G) at the real frequencies `w` (1-D), NumPy."""
    G = to_numpy(lti_ops.frequency_response(sys, np.asarray(w, dtype=float)))
    return np.linalg.svd(np.moveaxis(G, -1, -3), compute_uv=False)[..., 0]


def _sweep(sys):
    w = np.concatenate([np.linspace(-30, 30, 20001), np.geomspace(30, 1e5, 1000), -np.geomspace(30, 1e5, 1000)])
    if sys.is_discrete:
        w = np.linspace(-np.pi, np.pi, 20001) / DT
    return _gain(sys, w).max(axis=-1)


def _sigma_at(sys, omega):
    """sigma_max at each batch element's own frequency (||D|| at omega = inf)."""
    A, B, C, D = (to_numpy(getattr(sys.to_dense(), f)) for f in "ABCD")
    omega = np.asarray(omega, dtype=float)
    out = np.empty(omega.shape)
    for idx in np.ndindex(omega.shape):
        pick = lambda x: x[idx] if x.ndim > 2 else x  # noqa: E731
        if np.isinf(omega[idx]):
            out[idx] = np.linalg.norm(pick(D), 2)
            continue
        z = np.exp(1j * omega[idx] * DT) if sys.is_discrete else 1j * omega[idx]
        G = pick(C) @ np.linalg.solve(z * np.eye(A.shape[-1]) - pick(A), pick(B)) + pick(D)
        out[idx] = np.linalg.norm(G, 2)
    return out


# --------------------------------------------------------------------------- against python-control


@pytest.mark.parametrize("domain", DOMAINS)
@settings(max_examples=12)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 5), p=st.integers(1, 2), m=st.integers(1, 2))
def test_linf_of_unstable_systems_matches_python_control_and_a_sweep(domain, seed, n, p, m):
    arrays = _unstable(seed, n, p, m, domain)
    sys = _sys(arrays, domain)
    ref, fpeak = control.linfnorm(control.ss(*arrays, DT if domain == "discrete" else 0))
    sweep = _sweep(sys)
    for method in METHODS:
        norm, omega = (float(x) for x in lti_ops.linf_norm(sys, method=method, rtol=1e-12, return_frequency=True))
        assert sweep <= norm * (1 + 1e-10) and norm <= sweep * (1 + 1e-3)
        np.testing.assert_allclose(_sigma_at(sys, omega), norm, rtol=1e-9)
        if ref >= sweep * (1 - 1e-9):  # AB13DD found the peak (it once missed one: tests/test_hankel.py)
            np.testing.assert_allclose(norm, ref, rtol=1e-8)
            _same_peak(sys, omega, float(fpeak), norm)


def _same_peak(sys, omega, fpeak, norm):
    """omega = fpeak, unless AB13DD's frequency is another, separate peak of the same height."""
    if math.isinf(omega) or math.isinf(fpeak):
        assert math.isinf(omega) and math.isinf(fpeak)
        return
    if abs(omega - fpeak) <= 1e-4 * (1 + abs(fpeak)):
        return
    mid = _sigma_at(sys, np.array((omega + fpeak) / 2))
    assert _sigma_at(sys, np.array(fpeak)) >= norm * (1 - 1e-8) and mid < norm * (1 - 1e-6), (omega, fpeak)


def test_linf_of_a_batch_equals_each_system():
    arrays = _unstable(7, 3, 2, 1, "continuous", batch=(2, 2))
    norm, omega = lti_ops.linf_norm(_sys(arrays, "continuous"), return_frequency=True)
    assert norm.shape == omega.shape == (2, 2)
    for idx in np.ndindex(2, 2):
        one = lti_ops.linf_norm(_sys([x[idx] for x in arrays], "continuous"), return_frequency=True)
        np.testing.assert_allclose([norm[idx], omega[idx]], [float(one[0]), float(one[1])], rtol=1e-12)


# --------------------------------------------------------------------------- every backend

# JAX compiles every operation anew for each new shape (10-15 s for the first call of a norm
# method in a process). Under the default profile it runs the boundary test here (the poles)
# and the engine through hinf_norm in tests/test_hankel.py and tests/test_norms.py (the same
# code: lti_ops._peak); HYPOTHESIS_PROFILE=thorough runs test_linf_on_every_backend_and_dtype too.
JAX_ONCE = "JAX pays 10-15 s of compilation per norm method: its engine runs in test_hankel/test_norms (hinf_norm)"


def _is_jax(xp):
    return "jax" in xp.__name__



@pytest.mark.parametrize("domain", DOMAINS)
@settings(max_examples=3)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 3))
def test_linf_on_every_backend_and_dtype(xp, dtype, domain, seed, n):
    if _is_jax(xp) and (domain == "discrete" or PROFILE == "ci"):
        pytest.skip(JAX_ONCE)
    arrays = _unstable(seed, n, 1, 2, domain, margin=0.5)
    want = float(lti_ops.linf_norm(_sys(arrays, domain), rtol=1e-10))
    sys = _sys(arrays, domain, xp, dtype)
    rtol = 1e-8 if dtype == "float64" else tolerance(dtype, n=n, cond=1e3)
    for method in ["auto"] if _is_jax(xp) else METHODS:
        norm, omega = lti_ops.linf_norm(sys, method=method, return_frequency=True)
        assert norm.dtype == omega.dtype == sys.A.dtype
        assert abs(float(norm) - want) <= 4 * rtol * want
        np.testing.assert_allclose(_sigma_at(_sys(arrays, domain), to_numpy(omega)), want, rtol=8 * rtol)


@pytest.mark.parametrize("kind", ["dense", "diagonal", "dplr"])
@pytest.mark.parametrize("domain", DOMAINS)
@settings(max_examples=3)
@given(data=st.data())
def test_linf_equals_hinf_on_stable_systems(xp, kind, domain, data):
    if _is_jax(xp):
        pytest.skip(JAX_ONCE)
    sys = data.draw(systems(kind, xp, "float64", n_inputs=st.integers(1, 2), n_outputs=st.integers(1, 2),
                            margin=0.3, max_rate=3.0, max_freq=3.0, **({"stable": True} if kind == "dplr" else {})))
    if domain == "discrete":
        sys = lti_ops.discretize(sys, DT, "zoh")
    hinf, w_hinf = (to_numpy(x) for x in lti_ops.hinf_norm(sys, return_frequency=True))
    linf, w_linf = (to_numpy(x) for x in lti_ops.linf_norm(sys, return_frequency=True))
    np.testing.assert_array_equal(linf, hinf)
    np.testing.assert_array_equal(w_linf, w_hinf)
    np.testing.assert_allclose(_sigma_at(sys, w_hinf), hinf, rtol=1e-7)
    if not np.iscomplexobj(to_numpy(sys.to_dense().A)):  # a real system: the non-negative one of +-omega
        assert np.all(w_hinf >= 0)
    if sys.is_discrete:
        assert np.all(np.abs(w_hinf) <= np.pi / DT * (1 + 1e-12))


# --------------------------------------------------------------------------- the boundary


MARGINAL = {  # (A, frequency of the boundary pole)
    "continuous": [(np.array([[0.0, 2.0], [-2.0, 0.0]]), 2.0), (np.array([[0.0, 0.0], [0.0, -1.0]]), 0.0)],
    "discrete": [(np.array([[-1.0, 0.0], [0.0, 0.5]]), np.pi / DT),
                 (np.array([[math.cos(0.7), math.sin(0.7)], [-math.sin(0.7), math.cos(0.7)]]), 0.7 / DT)],
}


@pytest.mark.parametrize("domain", DOMAINS)
def test_a_pole_on_the_boundary_gives_inf_beside_finite_systems(xp, domain):
    finite = np.array([[1.5, 0.0], [0.0, -0.5]]) if domain == "continuous" else np.array([[1.5, 0.0], [0.0, 0.5]])
    (A1, w1), (A2, w2) = MARGINAL[domain]
    A = np.stack([A1, finite, A2])
    B, C, D = np.ones((2, 1)), np.array([[1.0, 2.0]]), np.array([[0.5]])
    if _is_jax(xp):  # every system on the boundary: no norm to compute, only the poles
        A, w2 = A[[0, 2]], w2
        norm, omega = (to_numpy(x) for x in lti_ops.linf_norm(_sys((A, B, C, D), domain, xp), return_frequency=True))
        assert np.all(np.isinf(norm))
        np.testing.assert_allclose(omega, [w1, w2], rtol=1e-12)
        return
    sys = _sys((A, B, C, D), domain, xp)
    for method in METHODS:
        norm, omega = (to_numpy(x) for x in lti_ops.linf_norm(sys, method=method, return_frequency=True))
        assert np.isinf(norm[0]) and np.isinf(norm[2]) and np.isfinite(norm[1])
        np.testing.assert_allclose(omega[[0, 2]], [w1, w2], rtol=1e-12)
    ref = control.linfnorm(control.ss(finite, B, C, D, DT if domain == "discrete" else 0))[0]
    np.testing.assert_allclose(norm[1], ref, rtol=1e-7)
    for A_on in (A1, A2):
        assert math.isinf(control.linfnorm(control.ss(A_on, B, C, D, DT if domain == "discrete" else 0))[0])


@pytest.mark.parametrize("domain", DOMAINS)
def test_structured_systems_with_a_pole_on_the_boundary(domain):
    lam = np.array([[2j, -1.0], [0.5, 1.5]]) if domain == "continuous" else np.array([[1j, 0.5], [0.5, 1.5]])
    dt = DT if domain == "discrete" else None
    B, C = np.ones((2, 1)) + 0j, np.ones((1, 2)) + 0j
    diag = lti_ops.Diagonal(lam, B, C, np.zeros((1, 1)), dt=dt)
    P, Q = np.array([[0.3], [0.0]]) + 0j, np.array([[0.0], [0.3]]) + 0j  # P Q^H strictly upper: same poles
    dplr = lti_ops.DPLR(lam, P, Q, B, C, np.zeros((1, 1)), dt=dt)
    for sys in (diag, dplr):
        norm, omega = (to_numpy(x) for x in lti_ops.linf_norm(sys, method="grid", return_frequency=True))
        assert np.isinf(norm[0]) and np.isfinite(norm[1])
        dense = sys.to_dense()
        second = (np.broadcast_to(to_numpy(getattr(dense, f)), (2,) + getattr(dense, f).shape[-2:])[1] for f in "ABCD")
        want = float(lti_ops.linf_norm(lti_ops.StateSpace(*second, dt=dt)))
        np.testing.assert_allclose(norm[1], want, rtol=1e-7)
    np.testing.assert_allclose(omega[0], 2.0 if domain == "continuous" else (np.pi / 2) / DT, rtol=1e-12)


def test_boundary_tolerance_is_relative_and_dtype_aware():
    """1000 eps of the precision: 1e-10 off the axis is finite in float64, inf in float32."""
    for re, dtype, finite in [(-1e-10, "float64", True), (-1e-14, "float64", False), (-1e-5, "float32", False),
                              (-1e-3, "float32", True)]:
        sys = lti_ops.Diagonal.siso(np.array([re + 1j], dtype="complex128" if dtype == "float64" else "complex64"),
                                    np.ones(1, dtype=dtype), np.ones(1, dtype=dtype))
        assert bool(np.isfinite(lti_ops.linf_norm(sys, method="grid"))) is finite, (re, dtype)


# --------------------------------------------------------------------------- the peak frequency


@pytest.mark.parametrize("method", ["auto", "hamiltonian", "grid"])
def test_peak_frequency_conventions(method):
    cont = dict(B=np.ones((1, 1)), C=np.ones((1, 1)))
    high_pass = lti_ops.StateSpace(np.array([[-1.0]]), C=-np.ones((1, 1)), B=np.ones((1, 1)), D=np.ones((1, 1)))
    assert [float(x) for x in lti_ops.hinf_norm(high_pass, method=method, return_frequency=True)] == [1.0, math.inf]
    assert math.isinf(control.linfnorm(control.ss(-1, 1, -1, 1))[1])
    static = lti_ops.StateSpace(np.zeros((0, 0)), np.zeros((0, 1)), np.zeros((1, 0)), np.array([[2.0]]), dt=DT)
    assert [float(x) for x in lti_ops.hinf_norm(static, method=method, return_frequency=True)] == [2.0, 0.0]
    nyquist = lti_ops.StateSpace(np.array([[-0.5]]), **cont, D=np.zeros((1, 1)), dt=DT)  # peak at z = -1
    norm, omega = lti_ops.hinf_norm(nyquist, method=method, return_frequency=True)
    np.testing.assert_allclose([float(norm), float(omega)], [2.0, np.pi / DT], rtol=1e-8)
    np.testing.assert_allclose(control.linfnorm(control.ss(-0.5, 1, 1, 0, DT)), [2.0, np.pi / DT], rtol=1e-8)
    resonant = lti_ops.Diagonal.siso(np.array([-0.01 + 3j]), np.ones(1) + 0j, np.ones(1) + 0j)  # complex: signed
    norm, omega = lti_ops.hinf_norm(resonant, method=method, return_frequency=True)
    np.testing.assert_allclose([float(norm), float(omega)], [100.0, 3.0], rtol=1e-6)
    mirrored = lti_ops.Diagonal.siso(np.array([-0.01 - 3j]), np.ones(1) + 0j, np.ones(1) + 0j)
    np.testing.assert_allclose(float(lti_ops.hinf_norm(mirrored, method=method, return_frequency=True)[1]), -3.0, rtol=1e-6)


def test_frequency_of_a_batch_with_array_steps():
    lam = np.array([[0.9 * np.exp(1j)], [0.5 * np.exp(-2j)]])
    sys = lti_ops.Diagonal(lam, np.ones((1, 1)) + 0j, np.ones((1, 1)) + 0j, np.zeros((1, 1)), dt=np.array([0.5, 2.0]))
    for method in METHODS:
        dense = sys.to_dense() if method == "hamiltonian" else sys
        norm, omega = lti_ops.hinf_norm(dense, method=method, rtol=1e-12, return_frequency=True)
        np.testing.assert_allclose(omega, [1.0 / 0.5, -2.0 / 2.0], rtol=1e-5)  # a peak's position: ~sqrt(rtol)
        np.testing.assert_allclose(norm, [10.0, 2.0], rtol=1e-8)


def test_gradient_of_linf_norm_matches_a_finite_difference():
    torch = pytest.importorskip("torch")
    lam = torch.tensor([1.0 + 2.0j, -0.5 + 0.7j], dtype=torch.complex128)
    b = torch.tensor([1.0, 0.2], dtype=torch.float64, requires_grad=True)  # one dominant peak: smooth

    def f(bb):
        sys = lti_ops.Diagonal.siso(lam, bb.to(torch.complex128), torch.ones(2, dtype=torch.complex128))
        return lti_ops.linf_norm(sys, method="grid", rtol=1e-12)

    f(b).backward()
    h = 1e-6
    for k in range(2):
        e = torch.zeros(2, dtype=torch.float64)
        e[k] = h
        fd = (float(f(b.detach() + e)) - float(f(b.detach() - e))) / (2 * h)
        np.testing.assert_allclose(float(b.grad[k]), fd, rtol=1e-5)


# --------------------------------------------------------------------------- errors


UNSTABLE = lti_ops.StateSpace(np.array([[1.5]]), np.ones((1, 1)), np.ones((1, 1)), np.zeros((1, 1)))
BAD_CALLS = {
    "method": (lambda: lti_ops.linf_norm(UNSTABLE, method="svd"), ValueError, r"`method` must be one of \['auto'"),
    "rtol-range": (lambda: lti_ops.linf_norm(UNSTABLE, rtol=0.2), ValueError, r"`rtol` must be in \(0, 0\.1\]"),
    "rtol-zero": (lambda: lti_ops.linf_norm(UNSTABLE, rtol=0.0), ValueError, "`rtol` must be finite and > 0"),
    "rtol-type": (lambda: lti_ops.linf_norm(UNSTABLE, rtol="a"), TypeError, "`rtol` must be a real number"),
    "return_frequency": (lambda: lti_ops.linf_norm(UNSTABLE, return_frequency="yes"), TypeError,
                         "`return_frequency` must be True or False"),
    "hinf-return_frequency": (lambda: lti_ops.hinf_norm(UNSTABLE, return_frequency=1), TypeError,
                              "`return_frequency` must be True or False"),
    "hinf-unstable": (lambda: lti_ops.hinf_norm(UNSTABLE, return_frequency=True), ValueError, "asymptotically stable"),
    "sys": (lambda: lti_ops.linf_norm(np.eye(2)), TypeError, "`sys` must be a StateSpace"),
    "sys-nan": (lambda: lti_ops.linf_norm(_nan_system()), ValueError, r"`sys\.B` must be finite"),
}


def _nan_system():
    sys = lti_ops.StateSpace(np.array([[1.5]]), np.ones((1, 1)), np.ones((1, 1)), np.zeros((1, 1)))
    sys.B[...] = np.nan
    return sys


@pytest.mark.parametrize(("call", "error", "match"), BAD_CALLS.values(), ids=BAD_CALLS.keys())
def test_bad_arguments_are_refused_by_name(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_linf_needs_an_eigensolver():
    aas = pytest.importorskip("array_api_strict")
    with aas.ArrayAPIStrictFlags(api_version="2024.12"):
        sys = lti_ops.StateSpace(*(aas.asarray(x) for x in (np.array([[1.5]]), np.ones((1, 1)), np.ones((1, 1)), np.zeros((1, 1)))))
        with pytest.raises(NotImplementedError, match="linf_norm needs the poles.*linalg.eigvals"):
            lti_ops.linf_norm(sys)
