"""Identity tests of the HiPPO matrices, their NPLR forms, S4D initializations and Δ."""

import math

import numpy as np
import pytest
import scipy.special
from hypothesis import given
from hypothesis import strategies as st

import lti_ops
from lti_ops import _xp
from lti_ops.hippo import S4D_KINDS
from lti_ops.testing import assert_close, to_numpy, tolerance

from _helpers import as_xp, dense_numpy, transfer

NPLR_MEASURES = ["legs", "legt", "legt_window1", "lagt", "tlagt", "glagt", "fout", "fout_window1",
                 "foud", "fourier_decay", "legsd"]
ALL_MEASURES = NPLR_MEASURES + ["lmu"]
EVEN = {"fout", "fout_window1", "foud", "fourier_decay"}


def basis(sys, t):
    """e^{tA}B for each t, shape (len(t), N), computed on the system's namespace."""
    xp = sys.xp
    ts = as_xp(xp, np.asarray(t, dtype=np.float64), "float64" if sys.dtype == xp.float64 else "float32")
    K = xp.matmul(_xp.expm(ts[:, None, None] * sys.A), sys.B)
    return to_numpy(K)[..., 0]


# --------------------------------------------------------------------------- the formulas


def _reference(measure, N):
    """papers.md §2.1 written entry by entry (independent of lti_ops._measures)."""
    A, B = np.zeros((N, N)), np.zeros(N)
    for n in range(N):
        for k in range(N):
            rn, rk = math.sqrt(2 * n + 1), math.sqrt(2 * k + 1)
            if measure == "legs":
                A[n, k] = -rn * rk if n > k else (-(n + 1) if n == k else 0.0)
            elif measure == "legt":
                A[n, k] = -0.5 * rn * rk * (1 if n >= k else (-1) ** (n - k))
            elif measure == "lmu":
                A[n, k] = (2 * n + 1) * (-1 if n < k else (-1) ** (n - k + 1))
            elif measure == "lagt":
                A[n, k] = -1.0 if n > k else (-0.5 if n == k else 0.0)
        B[n] = {"legs": math.sqrt(2 * n + 1), "legt": 0.5 * math.sqrt(2 * n + 1),
                "lmu": (2 * n + 1) * (-1) ** n, "lagt": 1.0}[measure]
    return A, B


@pytest.mark.parametrize("measure", ["legs", "legt", "lmu", "lagt"])
@pytest.mark.parametrize("N", [1, 2, 7, 64, 256])
def test_matrices_match_the_paper_formulas(measure, N):
    sys = lti_ops.hippo(measure, N)
    A, B = _reference(measure, N)
    np.testing.assert_allclose(sys.A, A, rtol=1e-12, atol=0)
    np.testing.assert_allclose(sys.B[:, 0], B, rtol=1e-12, atol=0)
    assert np.all(sys.C == 0) and np.all(sys.D == 0) and sys.dt is None


@pytest.mark.parametrize("N", [2, 8, 256])
def test_fourier_family_formulas(N):
    m = np.arange(N // 2)
    b = np.zeros(N)
    b[0::2], b[0] = math.sqrt(2), 1.0
    S = np.zeros((N, N))
    S[2 * m, 2 * m + 1], S[2 * m + 1, 2 * m] = -math.pi * m, math.pi * m
    expected = {
        "fout": (S - np.outer(b, b), b),
        "fout_window1": (2 * S - 2 * np.outer(b, b), 2 * b),
        "foud": (2 * S - 0.5 * np.eye(N), b),
        "fourier_decay": (S - 0.5 * np.outer(b, b), b / 2),
    }
    for measure, (A, B) in expected.items():
        sys = lti_ops.hippo(measure, N)
        np.testing.assert_allclose(sys.A, A, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(sys.B[:, 0], B, rtol=1e-12)
    assert_close(lti_ops.hippo("fourier", N).A, lti_ops.hippo("fout", N).A, rtol=0)


def test_legsd_is_the_legs_normal_part():
    legs, legsd = lti_ops.hippo("legs", 16), lti_ops.hippo("legsd", 16)
    P = lti_ops.rank_correction("legs", 16)
    np.testing.assert_allclose(legsd.A, legs.A + P @ P.T, rtol=1e-14)
    np.testing.assert_allclose(legsd.B, legs.B / 2, rtol=1e-14)


def test_hippo_on_every_namespace_and_dtype(xp, dtype):
    for measure in ALL_MEASURES:
        sys = lti_ops.hippo(measure, 6, xp=xp, dtype=dtype)
        assert sys.A.dtype == getattr(xp, dtype)
        assert_close(sys.A, lti_ops.hippo(measure, 6).A, rtol=tolerance(dtype))


# --------------------------------------------------------------------------- bases


@given(N=st.integers(1, 20), t=st.lists(st.floats(0, 5), min_size=1, max_size=4))
def test_legs_basis_is_warped_legendre(xp, dtype, N, t):
    if dtype == "float32":
        N = min(N, 8)
    K = basis(lti_ops.hippo("legs", N, xp=xp, dtype=dtype), t)
    n, tt = np.arange(N)[None, :], np.asarray(t)[:, None]
    want = np.sqrt(2 * n + 1) * scipy.special.eval_legendre(n, 2 * np.exp(-tt) - 1) * np.exp(-tt)
    # measured max error: 2.8 (NumPy/scipy expm) and 0.04 (Pade) times tolerance(n=N) * scale
    scale = np.sqrt(2 * N + 1)
    np.testing.assert_allclose(K, want, atol=tolerance(dtype, n=N, cond=10) * scale, rtol=0)


@pytest.mark.parametrize("N", [1, 5, 12])
def test_legs_tilted_orthonormality(xp, N):
    # x = e^{-t}: int_0^inf K_n K_m e^t dt = int_0^1 L_n(x) L_m(x) dx, exact with N Gauss nodes
    x, w = np.polynomial.legendre.leggauss(N + 1)
    x, w = (x + 1) / 2, w / 2
    K = basis(lti_ops.hippo("legs", N, xp=xp), -np.log(x))
    gram = (K / x[:, None]).T @ (w[:, None] * K / x[:, None])
    np.testing.assert_allclose(gram, np.eye(N), atol=1e-11)


@pytest.mark.parametrize("N", [4, 10])
def test_legs_state_is_the_projection_integral(xp, N):
    # piecewise-constant u: the ZOH state is the exact ODE state; the projection integral
    # sum_k u_k int L_n(x) dx over the warped pieces uses Legendre antiderivatives.
    dt, u = 0.25, np.array([1.0, -0.5, 2.0, 0.3, -1.0, 0.7])
    disc = lti_ops.discretize(lti_ops.hippo("legs", N, xp=xp), dt, "zoh")
    A, B, _, _ = dense_numpy(disc)
    x = np.zeros(N)
    for uk in u:
        x = A @ x + B[:, 0] * uk
    T = dt * len(u)
    proj = np.zeros(N)
    for n in range(N):
        antideriv = np.polynomial.legendre.Legendre.basis(n).integ()  # in y = 2x - 1
        for k, uk in enumerate(u):  # u(T - s) = u_k for s in (T - (k+1) dt, T - k dt]
            xa, xb = np.exp(-(T - k * dt)), np.exp(-(T - (k + 1) * dt))
            proj[n] += uk * math.sqrt(2 * n + 1) * (antideriv(2 * xb - 1) - antideriv(2 * xa - 1)) / 2
    np.testing.assert_allclose(x, proj, atol=1e-12 * np.sqrt(2 * N + 1))


@given(N=st.integers(1, 16), t=st.lists(st.floats(0, 6), min_size=1, max_size=4))
def test_lagt_basis_is_laguerre(xp, dtype, N, t):
    K = basis(lti_ops.hippo("lagt", N, xp=xp, dtype=dtype), t)
    n, tt = np.arange(N)[None, :], np.asarray(t)[:, None]
    want = np.exp(-tt / 2) * scipy.special.eval_laguerre(n, tt)
    np.testing.assert_allclose(K, want, atol=tolerance(dtype, n=N, cond=30), rtol=0)  # measured <= 6


@given(half=st.integers(1, 8), t=st.lists(st.floats(0, 3), min_size=1, max_size=4))
def test_foud_basis(xp, dtype, half, t):
    N = 2 * half
    K = basis(lti_ops.hippo("foud", N, xp=xp, dtype=dtype), t)
    want = np.zeros((len(t), N))
    tt, m = np.asarray(t), np.arange(half)
    want[:, 0] = 1.0
    want[:, 2::2] = math.sqrt(2) * np.cos(2 * math.pi * m[1:] * tt[:, None])
    want[:, 3::2] = math.sqrt(2) * np.sin(2 * math.pi * m[1:] * tt[:, None])
    want *= np.exp(-tt / 2)[:, None]
    np.testing.assert_allclose(K, want, atol=tolerance(dtype, n=N, cond=100), rtol=0)  # measured <= 20


def _fout_error(xp, N, t):
    K = basis(lti_ops.hippo("fout", N, xp=xp), t)[:, :4]
    tt = np.asarray(t)
    want = 0.5 * np.stack([np.ones_like(tt), 0 * tt, math.sqrt(2) * np.cos(math.pi * tt),
                           math.sqrt(2) * np.sin(math.pi * tt)], axis=-1)
    return np.max(np.abs(K - want)), np.max(np.abs(K))


def test_fout_is_an_approximately_truncated_fourier_basis(xp):
    inside = np.linspace(0.3, 1.7, 8)
    err64, _ = _fout_error(xp, 64, inside)
    err256, _ = _fout_error(xp, 256, inside)
    assert err64 < 2e-2, err64  # measured 1.3e-2 (papers.md item 31)
    assert err256 < err64 / 2, (err64, err256)  # shrinks roughly like 1/N
    _, after = _fout_error(xp, 64, np.linspace(2.2, 3.8, 8))
    assert after < 2e-2, after  # truncated after the window of length 2


@pytest.mark.parametrize("measure", ["legt", "fout"])
def test_window1_variants_are_the_time_rescaled_s4_forms(xp, measure):
    N, t = 8, np.array([0.1, 0.4, 0.9])
    unit = basis(lti_ops.hippo(f"{measure}_window1", N, xp=xp), t)
    s4 = basis(lti_ops.hippo(measure, N, xp=xp), 2 * t)
    np.testing.assert_allclose(unit, 2 * s4, rtol=1e-12, atol=1e-12)


def test_delay_identities_peak_at_the_window_end():
    t = np.linspace(0.5, 3.5, 301)
    legt = lti_ops.hippo("legt", 64, C="endpoint")
    fout = lti_ops.hippo("fout_window1", 64, C="endpoint")
    for sys, end in ((legt, 2.0), (fout, 1.0)):
        k = (basis(sys, t) * sys.C[0]).sum(axis=-1)
        assert abs(t[np.argmax(np.abs(k))] - end) < 0.02


# --------------------------------------------------------------------------- NPLR


@pytest.mark.parametrize("N", [1, 5, 10])
def test_legs_spectrum(xp, N):
    sys = lti_ops.hippo("legs", N, xp=xp)
    poles = np.sort(to_numpy(sys.poles()).real)
    np.testing.assert_allclose(poles, -np.arange(N, 0, -1), rtol=1e-7)


@pytest.mark.parametrize("measure", NPLR_MEASURES)
@given(half=st.integers(1, 32))
def test_corrections_make_a_shifted_skew_matrix(xp, measure, half):
    N = 2 * half
    sys = lti_ops.hippo(measure, N, xp=xp)
    P = lti_ops.rank_correction(measure, N, xp=xp)
    AP = to_numpy(sys.A + P @ xp.matrix_transpose(P))
    c = {"legs": -0.5, "tlagt": -0.5, "glagt": -0.005, "foud": -0.5, "legsd": -0.5}.get(measure, 0.0)
    skew = AP - c * np.eye(N)
    np.testing.assert_allclose(skew, -skew.T, atol=1e-12 * max(1, np.abs(AP).max()))
    if measure == "legs":
        np.testing.assert_allclose(to_numpy(sys.B)[:, 0], math.sqrt(2) * to_numpy(P)[:, 0], rtol=1e-14)


@pytest.mark.parametrize("measure", NPLR_MEASURES)
@pytest.mark.parametrize("N", [2, 8, 64, 256])
def test_nplr_reconstructs_a(xp, measure, N):
    params = PARAMETERS.get(measure, {})
    d, V = lti_ops.nplr(measure, N, xp=xp, return_basis=True, **params)
    assert d.conj_sym and d.n_modes == N // 2 and d.lam.dtype == xp.complex128
    V, W, P = to_numpy(V), to_numpy(d.lam), to_numpy(d.P)
    Vf = np.concatenate([V, V.conj()], axis=1)
    np.testing.assert_allclose(Vf.conj().T @ Vf, np.eye(N), atol=1e-13 * N)
    Wf, Pf = np.concatenate([W, W.conj()]), np.concatenate([P, P.conj()])
    A = to_numpy(lti_ops.hippo(measure, N, **params).A)
    rebuilt = Vf @ (np.diag(Wf) - Pf @ Pf.conj().T) @ Vf.conj().T
    np.testing.assert_allclose(rebuilt, A, atol=1e-12 * N * max(1, np.abs(A).max()))
    assert np.all(np.diff(W.imag) >= 0) and np.all(W.imag <= 1e-12)
    if measure == "legs":
        np.testing.assert_allclose(W.real, -0.5, atol=1e-12)


PARAMETERS = {"lagt": {"beta": 2.0}, "tlagt": {"beta": 0.3}, "glagt": {"beta": 0.5}}


@pytest.mark.parametrize("measure", NPLR_MEASURES)
def test_nplr_has_the_hippo_transfer_function(xp, dtype, measure):
    N, params = 16, PARAMETERS.get(measure, {})
    C = "endpoint" if measure in ("legt", "fout", "legt_window1", "fout_window1") else np.linspace(1, 2, N)
    d = lti_ops.nplr(measure, N, C=C, xp=xp, dtype=dtype, **params)
    assert d.lam.dtype == _xp.complex_dtype(xp, getattr(xp, dtype))
    s = np.array([0.5 + 2j, 3.0, -0.2 + 7j])
    want = transfer(lti_ops.hippo(measure, N, C=C, **params), s)
    assert_close(transfer(d, s), want, rtol=tolerance(dtype, n=N, cond=10))


def test_fout_double_zero_is_paired(xp):
    d, V = lti_ops.nplr("fout", 8, return_basis=True, xp=xp)
    lam, V = to_numpy(d.lam), to_numpy(V)
    assert abs(lam[-1]) < 1e-12 and abs(lam[-2]) > 1
    v = V[:, -1]
    assert abs(v @ v) < 1e-12  # v is orthogonal to its conjugate
    assert np.allclose(np.abs(v[:2]), 1 / math.sqrt(2)) and np.allclose(v[2:], 0)


def test_nplr_options(xp):
    plain = lti_ops.nplr("legs", 8, xp=xp)
    padded = lti_ops.nplr("legs", 8, rank=3, xp=xp)
    P = to_numpy(padded.P)
    assert padded.rank == 3 and np.all(P[:, 1:] == 0)
    assert_close(padded.P[:, :1], to_numpy(plain.P))
    clipped = to_numpy(lti_ops.nplr("legs", 8, clip_imag_b=0.1, xp=xp).B)
    assert np.all(np.abs(clipped.imag) <= 0.1) and np.any(np.abs(to_numpy(plain.B).imag) > 0.1)
    np.testing.assert_allclose(clipped.real, to_numpy(plain.B).real)


# --------------------------------------------------------------------------- S4D


@given(N=st.integers(1, 24), s=st.complex_numbers(max_magnitude=30).filter(lambda z: z.real > 0.05))
def test_s4d_legs_sherman_morrison(xp, N, s):
    sys = lti_ops.hippo("legs", N, xp=xp)
    P = lti_ops.rank_correction("legs", N, xp=xp)
    A, B, P = (to_numpy(x) for x in (sys.A, sys.B, P))
    eye = np.eye(N)
    f = (P.T @ np.linalg.solve(s * eye - A, P))[0, 0]
    lhs = np.linalg.solve(s * eye - A - P @ P.T, B / 2)
    rhs = np.linalg.solve(s * eye - A, B) / (2 * (1 - f))
    np.testing.assert_allclose(lhs, rhs, rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("N", [1, 8, 64])
def test_f_is_one_half_at_the_integers(N):
    A, P = lti_ops.hippo("legs", N).A, lti_ops.rank_correction("legs", N)
    for s in range(N):
        f = (P.T @ np.linalg.solve(s * np.eye(N) - A, P))[0, 0]
        assert abs(f - 0.5) < 1e-12 * N


def test_s4d_inv_tracks_the_legs_normal_spectrum():
    legs = np.sort(-lti_ops.s4d_init("legs", 64, rng=0).lam.imag)
    inv = np.sort(-lti_ops.s4d_init("inv", 64, rng=0).lam.imag)
    # papers.md §2.7 (N = 64): LegS 0.264, 0.906, 1.703, ..., 1303.3; Inv 0.323, 1.002, 1.726, ..., 1283.4
    np.testing.assert_allclose(legs[[0, 1, 2, -1]], [0.264, 0.906, 1.703, 1303.3], rtol=2e-3)
    np.testing.assert_allclose(inv[[0, 1, 2, -1]], [0.323, 1.002, 1.726, 1283.4], rtol=2e-3)
    ratio = inv / legs
    assert np.all((ratio > 0.75) & (ratio < 1.25)), ratio  # measured 0.778 ... 1.226
    assert abs(ratio[-1] - 1) < 0.02  # 0.985 at the top


def test_s4d_legs_is_nplr_legs():
    d = lti_ops.nplr("legs", 16)
    s = lti_ops.s4d_init("legs", 16, H=2, rng=0)
    np.testing.assert_allclose(s.lam, np.broadcast_to(d.lam, (2, 8)), rtol=1e-14)
    np.testing.assert_allclose(s.B[..., 0], np.broadcast_to(d.B[:, 0], (2, 8)), rtol=1e-14)


@pytest.mark.parametrize("kind", S4D_KINDS)
def test_s4d_init_shapes_and_values(xp, dtype, kind):
    N, H = 8, 3
    ssm = lti_ops.s4d_init(kind, N, H=H, rng=1, xp=xp, dtype=dtype)
    assert ssm.conj_sym and tuple(ssm.lam.shape) == (H, N // 2) and ssm.D.dtype == getattr(xp, dtype)
    lam = to_numpy(ssm.lam)
    assert np.all(lam.real < 0) and np.all(lam.imag <= 0)
    n = np.arange(N // 2)
    expected_imag = {"lin": math.pi * n, "inv": N / math.pi * (N / (2 * n + 1) - 1),
                     "inv2": N / math.pi * (N / (n + 1) - 1), "quad": (1 + 2 * n) ** 2 / math.pi,
                     "real": 0 * n}
    if kind in expected_imag:
        np.testing.assert_allclose(-lam.imag, np.broadcast_to(expected_imag[kind], (H, N // 2)),
                                   rtol=tolerance(dtype, c=100))
    expected_real = n + 1.0 if kind == "real" else 0.5 + 0 * n
    np.testing.assert_allclose(-lam.real, np.broadcast_to(expected_real, (H, N // 2)), rtol=tolerance(dtype))


@pytest.mark.parametrize("b_init", ["constant", "random", "alternating", "unit-cw", "unit-ccw", "legs"])
def test_s4d_b_inits(xp, b_init):
    ssm = lti_ops.s4d_init("lin", 8, b_init=b_init, rng=3, xp=xp)
    b = to_numpy(ssm.B)[:, 0]
    n = np.arange(4)
    expected = {"constant": np.ones(4), "alternating": (-1.0) ** n,
                "unit-cw": np.exp(-2j * np.pi * n / 8), "unit-ccw": np.exp(2j * np.pi * n / 8),
                "legs": lti_ops.nplr("legs", 8).B[:, 0]}
    if b_init in expected:
        np.testing.assert_allclose(b, expected[b_init], rtol=1e-14)
    normalized = lti_ops.s4d_init("inv", 8, b_init=b_init, normalize=True, rng=3, xp=xp)
    lam, bn = to_numpy(normalized.lam), to_numpy(normalized.B)[:, 0]
    np.testing.assert_allclose(2 * np.sum(np.abs(bn / lam) ** 2), 1.0, rtol=1e-12)


def test_random_inits_are_reproducible_and_leave_global_state_alone():
    state = np.random.get_state()[1].copy()
    a = lti_ops.s4d_init("rand", 8, H=2, b_init="random", real_random=True, rng=7)
    b = lti_ops.s4d_init("rand", 8, H=2, b_init="random", real_random=True, rng=7)
    c = lti_ops.s4d_init("rand", 8, H=2, b_init="random", real_random=True, rng=8)
    np.testing.assert_array_equal(a.lam, b.lam)
    np.testing.assert_array_equal(a.C, b.C)
    assert not np.allclose(a.lam, c.lam)
    np.testing.assert_array_equal(lti_ops.init_dt(4, rng=np.random.default_rng(5)), lti_ops.init_dt(4, rng=5))
    assert np.array_equal(np.random.get_state()[1], state)


def test_s4d_c_inits_and_random_variance(xp):
    assert np.all(to_numpy(lti_ops.s4d_init("lin", 4, c_init="zeros", xp=xp).C) == 0)
    assert np.all(to_numpy(lti_ops.s4d_init("lin", 4, c_init="ones", xp=xp).C) == 1)
    ssm = lti_ops.s4d_init("lin", 4000, c_init="random", b_init="random", rng=0, xp=xp)
    for x in (ssm.B, ssm.C):  # complex normal with E|z|^2 = 1, as torch.randn(cfloat)
        assert abs(np.mean(np.abs(to_numpy(x)) ** 2) - 1) < 0.05


def test_s4d_aliases():
    for alias, kind in (("linear", "lin"), ("s4d_inv", "inv"), ("hippo", "legs"), ("s4d_real", "real")):
        np.testing.assert_array_equal(lti_ops.s4d_init(alias, 8, rng=0).lam, lti_ops.s4d_init(kind, 8, rng=0).lam)
    np.testing.assert_array_equal(lti_ops.s4d_init("lin", 8, b_init="hippo").B, lti_ops.s4d_init("lin", 8, b_init="legs").B)


# --------------------------------------------------------------------------- Δ


def test_init_dt(xp, dtype):
    dt = to_numpy(lti_ops.init_dt(1000, 1e-3, 1e-1, rng=0, xp=xp, dtype=dtype))
    assert dt.shape == (1000,) and dt.dtype == np.dtype(dtype)
    assert np.all((dt >= 1e-3 * (1 - 1e-6)) & (dt <= 1e-1 * (1 + 1e-6)))
    logs = np.log10(dt)
    assert abs(np.mean(logs) + 2) < 0.05  # log-uniform on [-3, -1]
    fixed = to_numpy(lti_ops.init_dt(5, 1e-4, 1e-0, deterministic=True, xp=xp, dtype=dtype))
    np.testing.assert_allclose(fixed, [1e-4, 1e-3, 1e-2, 1e-1, 1.0], rtol=tolerance(dtype, c=100))
    from_length = lti_ops.init_dt(2, seq_len=16384, deterministic=True)
    np.testing.assert_allclose(from_length, [1 / 16384, 0.1], rtol=1e-12)


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "call,exc,match",
    [
        (lambda: lti_ops.hippo("legx", 4), ValueError, r"`measure` must be one of the HiPPO measures \[.*'legs'.*'fourier2'.*; got 'legx'"),
        (lambda: lti_ops.hippo("legs", 0), ValueError, r"`N` must be a positive integer; got 0"),
        (lambda: lti_ops.hippo("legs", 2.5), ValueError, r"`N` must be a positive integer; got 2.5"),
        (lambda: lti_ops.hippo("legs", True), ValueError, r"`N` must be a positive integer; got True"),
        (lambda: lti_ops.hippo("fout", 5), ValueError, r"measure 'fout' needs an even `N` \(states come in pairs\); got N=5"),
        (lambda: lti_ops.hippo("legs", 4, beta=2.0), TypeError, r"`beta` is not a parameter of measure 'legs', which takes none; got \['beta'\]"),
        (lambda: lti_ops.hippo("glagt", 4, alpha=1.5), ValueError, r"glagt needs -1 < `alpha` < 1; got alpha=1.5"),
        (lambda: lti_ops.hippo("tlagt", 4, beta=-3.0), ValueError, r"`beta` must be finite and > 0; got -3.0"),
        (lambda: lti_ops.hippo("lagt", 4, beta=float("nan")), ValueError, r"`beta` must be finite and > 0; got nan"),
        (lambda: lti_ops.hippo("lagt", 4, beta="x"), TypeError, r"`beta` must be a real number; got 'x'"),
        (lambda: lti_ops.hippo(["legs"], 4), ValueError, r"`measure` must be one of the HiPPO measures .*; got \['legs'\]"),
        (lambda: lti_ops.hippo("legs", 2, C=np.array([1j, 1.0])), ValueError, r"`C` must be None, 'endpoint' or a finite real array of shape \(2,\); got shape \(2,\), dtype complex128"),
        (lambda: lti_ops.hippo("legs", 2, C=np.array([np.nan, 1.0])), ValueError, r"finite real array"),
        (lambda: lti_ops.nplr("legs", 4, clip_imag_b=-1.0), ValueError, r"`clip_imag_b` must be finite and > 0; got -1.0"),
        (lambda: lti_ops.s4d_init("lin", 8, real_scale=-1.0), ValueError, r"`real_scale` must be finite and > 0; got -1.0"),
        (lambda: lti_ops.s4d_init("lin", 8, imag_scale=-1.0), ValueError, r"`imag_scale` must be finite and >= 0; got -1.0"),
        (lambda: lti_ops.s4d_init("lin", 8, real_scale="a"), TypeError, r"`real_scale` must be a real number; got 'a'"),
        (lambda: lti_ops.s4d_init("rand", 8, rng="x"), TypeError, r"`rng` must be None, a non-negative int seed or a numpy.random.Generator; got 'x'"),
        (lambda: lti_ops.init_dt(4, 1e-3, seq_len=100), ValueError, r"pass `dt_min` or `seq_len` \(which sets dt_min = 1/seq_len\), not both"),
        (lambda: lti_ops.init_dt(4, seq_len=5), ValueError, r"`dt_min` must not exceed `dt_max`; got dt_min = 1/seq_len = 0.2 > dt_max=0.1"),
        (lambda: lti_ops.init_dt(4, np.array([1e-3])), TypeError, r"`dt_min` must be a real number"),
        (lambda: lti_ops.hippo("legs", 4, C="endpoint"), ValueError, r"C='endpoint' is not available for 'legs'; C='endpoint' exists for \["),
        (lambda: lti_ops.hippo("legs", 4, C=np.ones(3)), ValueError, r"`C` must be None, 'endpoint' or a finite real array of shape \(4,\); got shape \(3,\)"),
        (lambda: lti_ops.hippo("legs", 4, dtype="int32"), ValueError, r"`dtype` must be float32 or float64"),
        (lambda: lti_ops.hippo("legs", 4, xp="numpy"), TypeError, r"`xp` must be an array namespace"),
        (lambda: lti_ops.rank_correction("lmu", 4), ValueError, r"measure 'lmu' has no normal-plus-low-rank form"),
        (lambda: lti_ops.rank_correction("legt", 4, rank=1), ValueError, r"`rank` for 'legt' must be an integer >= 2; got 1"),
        (lambda: lti_ops.rank_correction("glagt", 4, alpha=0.5), ValueError, r"glagt with alpha=0.5 has no normal-plus-low-rank form"),
        (lambda: lti_ops.nplr("legs", 5), ValueError, r"nplr needs an even `N` \(modes are kept in conjugate pairs\); got N=5"),
        (lambda: lti_ops.s4d_init("fast", 8), ValueError, r"`kind` must be one of \['lin', 'inv'"),
        (lambda: lti_ops.s4d_init("lin", 7), ValueError, r"`N` must be a positive even integer \(the full state size\); got 7"),
        (lambda: lti_ops.s4d_init("lin", 8, H=0), ValueError, r"`H` must be a positive integer; got 0"),
        (lambda: lti_ops.s4d_init("lin", 8, b_init="unit"), ValueError, r"`b_init` must be one of \['constant'"),
        (lambda: lti_ops.s4d_init("lin", 8, c_init="normal"), ValueError, r"`c_init` must be one of \['random'"),
        (lambda: lti_ops.init_dt(4, 0.2, 0.1), ValueError, r"`dt_min` must not exceed `dt_max`; got dt_min=0.2 > dt_max=0.1"),
        (lambda: lti_ops.init_dt(4, -1.0), ValueError, r"`dt_min` must be finite and > 0; got -1.0"),
        (lambda: lti_ops.init_dt(None), ValueError, r"`H` must be a positive integer; got None"),
        (lambda: lti_ops.init_dt(4, seq_len=0), ValueError, r"`seq_len` must be a positive integer; got 0"),
        # issue 17: every argument refused by name
        (lambda: lti_ops.hippo(3, 4), ValueError, r"`measure` must be one of the HiPPO measures .*; got 3"),
        (lambda: lti_ops.nplr("legq", 4), ValueError, r"`measure` must be one of the HiPPO measures .*; got 'legq'"),
        (lambda: lti_ops.rank_correction("legx", 4), ValueError, r"`measure` must be one of"),
        (lambda: lti_ops.hippo("lagt", 4, gamma=1.0), TypeError, r"`gamma` is not a parameter of measure 'lagt', which takes \['beta'\]"),
        (lambda: lti_ops.hippo("legs", -2), ValueError, r"`N` must be a positive integer; got -2"),
        (lambda: lti_ops.hippo("legs", "4"), ValueError, r"`N` must be a positive integer; got '4'"),
        (lambda: lti_ops.hippo("legs", 4, dtype=np.bool_), ValueError, r"`dtype` must be float32 or float64"),
        (lambda: lti_ops.hippo("legs", 4, dtype=np.float16), ValueError, r"`dtype` must be float32 or float64"),
        (lambda: lti_ops.hippo("legs", 4, dtype=object), ValueError, r"`dtype` must be float32 or float64"),
        (lambda: lti_ops.rank_correction("legs", 0), ValueError, r"`N` must be a positive integer; got 0"),
        (lambda: lti_ops.nplr("legs", 4, return_basis="yes"), TypeError, r"`return_basis` must be True or False; got 'yes'"),
        (lambda: lti_ops.nplr("legs", 4, clip_imag_b=float("nan")), ValueError, r"`clip_imag_b` must be finite"),
        (lambda: lti_ops.s4d_init("lin", 8, real_random=1), TypeError, r"`real_random` must be True or False; got 1"),
        (lambda: lti_ops.s4d_init("lin", 0), ValueError, r"`N` must be a positive"),
        (lambda: lti_ops.s4d_init("lin", 8, dtype=np.float16), ValueError, r"`dtype` must be float32 or float64"),
        (lambda: lti_ops.init_dt(4, deterministic="no"), TypeError, r"`deterministic` must be True or False; got 'no'"),
        (lambda: lti_ops.init_dt(4, float("nan")), ValueError, r"`dt_min` must be finite and > 0; got nan"),
        (lambda: lti_ops.init_dt(4, dtype=np.bool_), ValueError, r"`dtype` must be float32 or float64"),
    ],
)
def test_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


@pytest.mark.parametrize("beta", [0.3, 1.0, 2.0])
def test_laguerre_variants_formulas(beta):
    N = 6
    tril, eye = np.tril(np.ones((N, N))), np.eye(N)
    tl = lti_ops.hippo("tlagt", N, beta=beta)
    np.testing.assert_allclose(tl.A, (1 - beta) / 2 * eye - tril, rtol=1e-15)
    np.testing.assert_allclose(tl.B[:, 0], beta * np.ones(N), rtol=1e-15)
    g = lti_ops.hippo("glagt", N, alpha=0.0, beta=beta)  # alpha = 0: no gamma rescaling
    np.testing.assert_allclose(g.A, -(1 + beta) / 2 * eye - np.tril(np.ones((N, N)), -1), rtol=1e-14)
    np.testing.assert_allclose(g.B[:, 0], math.sqrt(beta) * np.ones(N), rtol=1e-14)
    # alpha != 0 is the diagonal similarity L^{-1} A0 L with L_n = sqrt(Gamma(n+alpha+1)/n!)
    a = 0.5
    L = np.array([math.exp(0.5 * (math.lgamma(n + a + 1) - math.lgamma(n + 1))) for n in range(N)])
    ga = lti_ops.hippo("glagt", N, alpha=a, beta=beta)
    np.testing.assert_allclose(ga.A, (g.A * L[None, :]) / L[:, None], rtol=1e-14)
    binom = np.array([scipy.special.binom(a + n, n) for n in range(N)])
    B = binom / L * math.exp(-0.5 * math.lgamma(1 - a)) * beta ** ((1 - a) / 2)
    np.testing.assert_allclose(ga.B[:, 0], B, rtol=1e-13)
