"""Identity tests of Markov parameters and SSM kernels (papers.md §4 items 6-16, 44-45)."""

import importlib.util
import math

import numpy as np
import pytest
import scipy.signal
from hypothesis import given
from hypothesis import strategies as st

import lti_ops
from lti_ops.testing import assert_close, to_numpy, tolerance
from lti_ops.testing import strategies as lst

from _helpers import as_xp, checks_values, dense_numpy, markov, systems

STEPS = st.floats(0.01, 0.3)
KINDS = ["dense", "diagonal", "dplr"]


def _scale(h):
    return 1 + np.max(np.abs(h))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("method", ["zoh", "s4_bilinear", "bilinear", "tustin"])
@given(data=st.data(), dt=STEPS, L=st.integers(1, 70))
def test_markov_parameters_match_powering(xp, dtype, kind, method, data, dt, L):
    sys = data.draw(systems(kind, xp, dtype))
    h = lti_ops.markov_parameters(sys, L, dt=dt, method=method)
    want = markov(lti_ops.discretize(sys, dt, method), L)
    assert tuple(h.shape) == want.shape
    assert_close(h, want, atol=tolerance(dtype, n=L, cond=100) * _scale(want), rtol=0)


@pytest.mark.jit
@pytest.mark.parametrize("kind", KINDS)
@given(data=st.data(), L=st.integers(1, 40))
def test_kernel_is_shifted_markov_and_has_the_prefix_property(xp, kind, data, L):
    disc = lti_ops.discretize(data.draw(systems(kind, xp, "float64")), 0.1, "zoh")
    K = to_numpy(lti_ops.ssm_kernel(disc, L))
    h = to_numpy(lti_ops.markov_parameters(disc, L + 1))
    np.testing.assert_allclose(K, h[..., 1:], atol=1e-12 * _scale(h))
    short = to_numpy(lti_ops.ssm_kernel(disc, max(1, L // 2)))
    np.testing.assert_allclose(K[..., : short.shape[-1]], short, atol=1e-12 * _scale(h))


@pytest.mark.jit
@given(data=st.data(), dt=STEPS)
def test_dense_diagonal_and_dplr_kernels_agree(xp, data, dt):
    sys = data.draw(lst.dplr_systems(xp=xp, conj_sym=st.booleans(), n_inputs=2, n_outputs=2))
    L = 64
    structured = lti_ops.ssm_kernel(sys, L, dt=dt, method="s4_bilinear")
    dense = lti_ops.ssm_kernel(sys.to_dense(), L, dt=dt, method="s4_bilinear")
    assert_close(structured, to_numpy(dense), atol=1e-11 * _scale(to_numpy(dense)), rtol=0)
    diag = data.draw(lst.stable_diagonals(xp=xp, conj_sym=st.booleans()))
    assert_close(lti_ops.ssm_kernel(diag, L, dt=dt, method="zoh"),
                 to_numpy(lti_ops.ssm_kernel(diag.to_dense(), L, dt=dt, method="zoh")), rtol=1e-11)


@pytest.mark.parametrize("measure", ["legs", "legt", "fout", "foud"])
def test_hippo_dplr_kernels_equal_dense(xp, measure):
    C = "endpoint" if measure in ("legt", "fout") else np.linspace(1, 2, 32)
    d = lti_ops.nplr(measure, 32, C=C, xp=xp)
    K = lti_ops.ssm_kernel(d, 256, dt=0.02, method="s4_bilinear")
    ref = markov(lti_ops.discretize(lti_ops.hippo(measure, 32, C=C), 0.02, "s4_bilinear"), 257)[..., 1:]
    assert_close(K, ref, atol=1e-11 * _scale(ref), rtol=0)


@pytest.mark.jit
@given(data=st.data(), L=st.integers(2, 64))
def test_generating_function_is_the_dft_of_the_kernel(xp, data, L):
    disc = lti_ops.discretize(data.draw(lst.dplr_systems(xp=xp)), 0.1, "s4_bilinear")
    K = to_numpy(lti_ops.ssm_kernel(disc, L))
    A, B, C, _ = dense_numpy(disc)
    Ct = C @ (np.eye(A.shape[-1]) - np.linalg.matrix_power(A, L))
    np.testing.assert_allclose(to_numpy(lti_ops.c_tilde(disc, L).C), Ct, atol=1e-12 * _scale(Ct))
    omega = np.exp(-2j * np.pi * np.arange(L) / L)
    G = np.stack([Ct @ np.linalg.solve(np.eye(A.shape[-1]) - A * w, B) for w in omega], axis=-1)
    np.testing.assert_allclose(np.fft.fft(K, axis=-1), G, atol=1e-11 * _scale(G))


@given(data=st.data(), L=st.integers(1, 48))
def test_c_tilde_round_trip_and_length_doubling(xp, data, L):
    disc = lti_ops.discretize(data.draw(systems("dplr", xp, "float64")), 0.1, "s4_bilinear")
    Ct = lti_ops.c_tilde(disc, L)
    assert_close(lti_ops.ssm_kernel(Ct, L, c_is_tilde=True), to_numpy(lti_ops.ssm_kernel(disc, L)), rtol=1e-10)
    assert_close(lti_ops.c_from_c_tilde(Ct, L).C, to_numpy(disc.C), rtol=1e-9)
    doubled = lti_ops.double_c_tilde(Ct, L)
    assert_close(doubled.C, to_numpy(lti_ops.c_tilde(disc, 2 * L).C), rtol=1e-10)
    diag = lti_ops.discretize(data.draw(systems("diagonal", xp, "float64")), 0.1, "zoh")
    assert_close(lti_ops.ssm_kernel(lti_ops.c_tilde(diag, L), L, c_is_tilde=True),
                 to_numpy(lti_ops.ssm_kernel(diag, L)), rtol=1e-10)


@pytest.mark.jit
@pytest.mark.parametrize("rank", [1, 2, 3])
def test_woodbury_ranks(xp, rank):
    rng = np.random.default_rng(rank)
    sys = lti_ops.DPLR(*(as_xp(xp, x) for x in (
        -rng.uniform(0.5, 1, 5) + 1j * rng.standard_normal(5),
        0.3 * rng.standard_normal((5, rank)) + 0j, 0.3 * rng.standard_normal((5, rank)) + 0j,
        rng.standard_normal((5, 2)) + 0j, rng.standard_normal((3, 5)) + 1j)))
    K = lti_ops.ssm_kernel(sys, 50, dt=0.1, method="bilinear")
    ref = markov(lti_ops.discretize(sys.to_dense(), 0.1, "bilinear"), 51)[..., 1:]
    assert K.dtype == xp.complex128
    assert_close(K, ref, atol=1e-12 * _scale(ref), rtol=0)


@pytest.mark.jit
@given(data=st.data(), L=st.integers(1, 200))
def test_vandermonde_equals_powering(xp, data, L):
    sys = lti_ops.discretize(data.draw(lst.stable_diagonals(xp=xp, conj_sym=st.booleans())), 0.05, "zoh")
    lam, B, C = (to_numpy(x) for x in (sys.lam, sys.B, sys.C))
    powers = lam[..., :, None] ** np.arange(L)
    want = np.einsum("pn,nm,nl->pml", C, B, powers)
    want = 2 * want.real if sys.conj_sym else want
    K = lti_ops.ssm_kernel(sys, L)
    assert K.dtype == (xp.float64 if sys.conj_sym else xp.complex128)
    assert_close(K, want, atol=1e-12 * _scale(want) * max(1, L / 10), rtol=0)


@pytest.mark.jit
def test_conj_sym_kernel_is_real_and_equals_the_full_sum(xp):
    rng = np.random.default_rng(0)
    lam = as_xp(xp, -rng.uniform(0.1, 1, 4) + 1j * rng.uniform(-5, 5, 4))
    b, c = as_xp(xp, rng.standard_normal(4) + 1j), as_xp(xp, rng.standard_normal(4) - 1j)
    half = lti_ops.Diagonal.siso(lam, b, c, conj_sym=True)
    full = lti_ops.Diagonal.siso(*(xp.concat([v, xp.conj(v)]) for v in (lam, b, c)))
    Kh = lti_ops.ssm_kernel(half, 100, dt=0.1, method="zoh")
    Kf = lti_ops.ssm_kernel(full, 100, dt=0.1, method="zoh")
    assert Kh.dtype == xp.float64
    assert_close(Kh, np.real(to_numpy(Kf)), rtol=1e-13)
    assert np.max(np.abs(np.imag(to_numpy(Kf)))) < 1e-12


@pytest.mark.jit
def test_dss_kernel_formula(xp):
    rng = np.random.default_rng(1)
    lam = -rng.uniform(0.1, 1, 5) + 1j * rng.uniform(-3, 3, 5)
    lam[0] = 0.3 + 1j  # a growing mode: the shifted form avoids overflow
    c = rng.standard_normal(5) + 1j * rng.standard_normal(5)
    sys = lti_ops.Diagonal.siso(as_xp(xp, lam), as_xp(xp, np.ones(5) + 0j), as_xp(xp, c), conj_sym=True)
    L, dt = 3000, 0.1
    K = lti_ops.ssm_kernel(sys, L, dt=dt, method="dss")
    x, l = dt * lam, np.arange(L)
    weights = c * np.expm1(x) / lam
    with np.errstate(over="ignore", invalid="ignore"):
        direct = np.exp(np.outer(x, l)) / (np.exp(L * x) - 1)[:, None]
    shifted = np.exp(np.outer(x, l - L)) / (1 - np.exp(-L * x))[:, None]
    want = np.real(weights @ np.where((x.real > 0)[:, None], shifted, direct))  # Re, as S4's DSS
    assert_close(K[0, 0, ...], want, rtol=1e-12)
    assert np.all(np.isfinite(to_numpy(K)))


def test_zoh_diagonal_kernel_matches_s4d_formula(xp):
    # S4D: K_l = 2 Re sum_n C_n B_n (e^{dt lam} - 1)/lam e^{l dt lam}
    rng = np.random.default_rng(2)
    ssm = lti_ops.s4d_init("lin", 16, H=3, c_init="random", rng=0, xp=xp)
    dt = as_xp(xp, [0.01, 0.05, 0.1])
    K = to_numpy(lti_ops.ssm_kernel(ssm, 128, dt=dt, method="zoh"))[:, 0, 0]
    lam, b, c = (to_numpy(x) for x in (ssm.lam, ssm.B[..., 0], ssm.C[..., 0, :]))
    x = np.array([0.01, 0.05, 0.1])[:, None] * lam
    want = 2 * np.real(np.einsum("hn,hnl->hl", c * b * np.expm1(x) / lam, np.exp(x[..., None] * np.arange(128))))
    np.testing.assert_allclose(K, want, atol=1e-13 * np.abs(want).max())
    del rng


def test_batch_equals_loop(xp):
    ssm = lti_ops.s4d_init("inv", 16, H=4, rng=0, xp=xp)
    dts = np.array([0.01, 0.02, 0.05, 0.1])
    K = to_numpy(lti_ops.ssm_kernel(ssm, 64, dt=as_xp(xp, dts), method="zoh"))
    for h in range(4):
        one = lti_ops.Diagonal(ssm.lam[h, ...], ssm.B[h, ...], ssm.C[h, ...], ssm.D, conj_sym=True)
        np.testing.assert_array_equal(K[h], to_numpy(lti_ops.ssm_kernel(one, 64, dt=float(dts[h]), method="zoh")))


def test_float32_vandermonde_error_bound_at_long_l(xp):
    # papers.md §2.10: exp(l x) in float32 carries a phase error ~ |x| l eps on each mode, so
    # |K32_l - K64_l| <= c eps32 sum_n |w_n| |e^{l x_n}| (1 + l |x_n|), w_n = 2 c_n b_n (e^{x_n} - 1)/lam_n,
    # plus tiny32/eps32 where the modes underflow (XLA's float32 exp flushes near the underflow
    # threshold, ~1e-37, to zero). S4D-Lin, dt = 0.1, L = 16384.
    ssm64 = lti_ops.s4d_init("lin", 64, rng=0, c_init="ones", xp=xp)
    ssm32 = lti_ops.s4d_init("lin", 64, rng=0, c_init="ones", xp=xp, dtype="float32")
    L = 16384
    K64 = to_numpy(lti_ops.ssm_kernel(ssm64, L, dt=0.1, method="zoh"))[0, 0]
    K32 = lti_ops.ssm_kernel(ssm32, L, dt=0.1, method="zoh")
    assert K32.dtype == xp.float32
    lam, b, c = (to_numpy(v) for v in (ssm64.lam, ssm64.B[:, 0], ssm64.C[0, :]))
    x, l = 0.1 * lam, np.arange(L)
    w = 2 * np.abs(c * b * np.expm1(x) / lam)
    envelope = np.exp(np.outer(x.real, l)) * (1 + np.outer(np.abs(x), l))
    eps32, tiny32 = np.finfo(np.float32).eps, np.finfo(np.float32).tiny
    bound = 4 * float(eps32) * (w @ envelope) + tiny32 / eps32  # measured <= 0.25 eps32 (w @ envelope)
    err = np.abs(to_numpy(K32)[0, 0].astype(np.float64) - K64)
    assert np.all(err <= bound), (np.max(err / bound), int(np.argmax(err / bound)))


def test_markov_parameters_match_scipy_dimpulse():
    rng = np.random.default_rng(5)
    A = rng.standard_normal((4, 4)) * 0.3
    B, C, D = rng.standard_normal((4, 2)), rng.standard_normal((3, 4)), rng.standard_normal((3, 2))
    h = lti_ops.markov_parameters(lti_ops.StateSpace(A, B, C, D, dt=0.1), 30)
    _, outs = scipy.signal.dimpulse((A, B, C, D, 0.1), n=30)
    want = np.stack([o.T for o in outs], axis=1)  # (P, M, L)
    np.testing.assert_allclose(h, want, atol=1e-13)


def _s4_sized(structure):
    """(callable, expected output shape) at the sizes of issue 4: H=1024, N=64, L=16384."""
    H, L = 1024, 16384
    dt = lti_ops.init_dt(H, rng=0)
    if structure == "diagonal":
        ssm = lti_ops.s4d_init("lin", 128, H=H, rng=0)  # 64 listed modes per channel
        return lambda: lti_ops.ssm_kernel(ssm, L, dt=dt, method="zoh"), (H, 1, 1, L)
    if structure == "dplr":
        ssm = lti_ops.nplr("legs", 64, C=np.ones(64))
        return lambda: lti_ops.ssm_kernel(ssm, L, dt=dt, method="s4_bilinear"), (H, 1, 1, L)
    if structure == "dense":
        legs = lti_ops.hippo("legs", 64, C=np.ones(64))
        return lambda: lti_ops.ssm_kernel(legs, L, dt=dt, method="s4_bilinear"), (H, 1, 1, L)
    disc = lti_ops.discretize(lti_ops.s4d_init("lin", 128, H=H, rng=0), dt, "zoh")
    u = np.ones(L)
    return lambda: lti_ops.scan(disc, u)[0], (H, L)


@pytest.mark.parametrize("structure", ["diagonal", "dplr", "dense", "scan"])
def test_memory_stays_bounded_at_s4_sizes(structure):
    import tracemalloc

    run, shape = _s4_sized(structure)
    tracemalloc.start()
    out = run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert tuple(out.shape) == shape
    assert peak < 2**30, f"peak {peak / 2**20:.0f} MiB (output {out.nbytes / 2**20:.0f} MiB)"


# --------------------------------------------------------------------------- errors


def test_errors(xp):
    sys = lti_ops.Diagonal.siso(*(as_xp(xp, [-1.0]) for _ in range(3)))
    disc = lti_ops.discretize(sys, 0.1)
    cases = [
        (lambda: lti_ops.ssm_kernel(sys, 4), ValueError, r"a continuous `sys` needs `dt` and `method`"),
        (lambda: lti_ops.ssm_kernel(disc, 4, dt=0.1), ValueError, r"`sys` is discrete \(dt=0.1\); `dt` and `method` are only for continuous"),
        (lambda: lti_ops.ssm_kernel(disc, 0), ValueError, r"`L` must be a positive integer; got 0"),
        (lambda: lti_ops.ssm_kernel(sys, 4, dt=0.1, method="magic"), ValueError, r"`method` must be one of .*'dss'"),
        (lambda: lti_ops.ssm_kernel(sys.to_dense(), 4, dt=0.1, method="dss"), ValueError, r"method='dss' needs a Diagonal system; got StateSpace"),
        (lambda: lti_ops.ssm_kernel(lti_ops.Diagonal.siso(*(as_xp(xp, [0.0]) for _ in range(3))), 4, dt=0.1, method="dss"), ValueError, r"method='dss' needs nonzero modes"),
    ][: None if checks_values(xp) else -1] + [
        (lambda: lti_ops.markov_parameters(sys, 4, dt=0.1, method="dss"), ValueError, r"`method` 'dss' has no markov_parameters form"),
        (lambda: lti_ops.ssm_kernel((1, 2), 4), TypeError, r"`sys` must be a StateSpace, Diagonal or DPLR system; got tuple"),
        (lambda: lti_ops.ssm_kernel(disc, 4, kernel="fast"), ValueError, r"`kernel` must be one of .*; got 'fast'"),
    ]
    for call, exc, match in cases:
        with pytest.raises(exc, match=match):
            call()


@pytest.mark.parametrize("kernel", ["xp", pytest.param("numba", marks=pytest.mark.skipif(
    importlib.util.find_spec("numba") is None, reason="numba is not installed"))])
def test_float32_s4d_kernel_phase_error_stays_at_the_exponents_rounding(kernel):
    """An S4D-Lin layer in float32 at L = 4096, steps 1e-3..1e-1: the kernel is within
    64 eps of max|K| of the float64 kernel of the same parameters. The exponents Δλ are
    rounded once (phase error l|Δλ|ε); raising the rounded λ̄ = e^{Δλ} through its log
    instead gave lε, about 40 eps at the small steps' long tails."""
    H, N, L = 16, 64, 4096
    ssm = lti_ops.s4d_init("lin", N, H=H, rng=0, dtype="float32")
    dt = np.exp(np.linspace(np.log(1e-3), np.log(1e-1), H)).astype(np.float32)
    K = lti_ops.ssm_kernel(ssm, L, dt=dt, method="zoh", kernel=kernel)
    up = lti_ops.Diagonal(*(np.asarray(a, np.complex128) for a in (ssm.lam, ssm.B, ssm.C)), conj_sym=True)
    exact = lti_ops.ssm_kernel(up, L, dt=dt.astype(np.float64), method="zoh", kernel="xp")
    assert K.dtype == np.float32
    error = np.max(np.abs(K - exact), axis=-1) / np.max(np.abs(exact), axis=-1)
    assert np.max(error) <= 64 * np.finfo(np.float32).eps


# --------------------------------------------------------------------------- issue 17

NUMBA = pytest.param("numba", marks=pytest.mark.skipif(importlib.util.find_spec("numba") is None,
                                                      reason="numba is not installed"))


def _eig_one_dplr(rank=1, complex_=False):
    """A discrete DPLR with diag(lam) = (0.5, 0) far from the unit circle whose A = diag(lam)
    - P Q^H has the eigenvalue 1 exactly (1 + Q^H (I - diag lam)^{-1} P = 0 in floating point):
    z = 1 is a root of unity of every L, so I - Abar^L is singular there."""
    P = np.array([[1.0], [1.0]]) if rank == 1 else np.array([[1.0, 0.0], [1.0, 0.0]])
    Q = np.array([[-0.25], [-0.5]]) if rank == 1 else np.array([[-0.25, 0.0], [-0.5, 0.0]])
    arrays = [np.array([0.5, 0.0]), P, Q, np.array([[1.0], [2.0]]), np.array([[1.0, -1.0]]), np.zeros((1, 1))]
    return lti_ops.DPLR(*(a.astype(complex) if complex_ else a for a in arrays), dt=1.0)


@pytest.mark.parametrize("kernel", ["xp", NUMBA])
@pytest.mark.parametrize("rank, complex_", [(1, False), (1, True), (2, True)])
def test_dplr_kernel_with_an_eigenvalue_at_a_root_of_unity_is_exact(kernel, rank, complex_):
    """Issue 17: the generating function is singular at z = 1 (NaN or a Numba error before);
    the kernel K_k = C A^k B is well defined and comes from the doubling form."""
    sys = _eig_one_dplr(rank, complex_)
    assert abs(np.linalg.det(np.eye(2) - sys.to_dense().A)) < 1e-15
    want = lti_ops.ssm_kernel(sys.to_dense(), 8)
    got = lti_ops.ssm_kernel(sys, 8, kernel=kernel)
    np.testing.assert_allclose(got, want, atol=1e-13)
    with pytest.raises(ValueError, match=r"C cannot be recovered from C~ \(`c_is_tilde=True`\)"):
        lti_ops.ssm_kernel(lti_ops.c_tilde(sys, 8), 8, c_is_tilde=True, kernel=kernel)


@pytest.mark.parametrize("kernel", ["xp", NUMBA])
@pytest.mark.parametrize("lam0", [1e-100, -1e-100, 1e-100j, 1e-300 + 1e-300j])
def test_dss_kernel_of_a_tiny_mode_keeps_its_limit(kernel, lam0):
    """Issue 17: e^{Lx} - 1 rounded to 0 for |x| < eps and gave NaN; expm1 keeps the DSS
    weight (e^x - 1)/(lam (e^{Lx} - 1)) at its limit 1/(L lam) (1 + O(x))."""
    L, dt = 4, 0.1
    sys = lti_ops.Diagonal.siso(np.array([lam0]), np.ones(1, complex), np.ones(1, complex))
    K = lti_ops.ssm_kernel(sys, L, dt=dt, method="dss", kernel=kernel)[0, 0]
    assert np.all(np.isfinite(K))
    np.testing.assert_allclose(K, np.full(L, 1 / (L * lam0)), rtol=1e-14)


@pytest.mark.parametrize("kernel", ["xp", NUMBA])
def test_non_finite_systems_are_refused_by_every_engine(kernel):
    """Issue 17: a NaN mode was dropped by the Numba Vandermonde kernel (a finite, plausible
    kernel) while kernel="xp" gave NaN: now every public entry refuses it by name."""
    with pytest.raises(ValueError, match=r"`lam` must be finite; got 1 non-finite entry"):  # the containers refuse
        lti_ops.Diagonal.siso(np.array([np.nan, 0.2]), np.ones(2), np.ones(2), dt=1.0)
    sys = lti_ops.Diagonal.siso(np.array([0.1, 0.2]), np.ones(2), np.ones(2), dt=1.0)
    sys.lam[0] = np.nan  # the container's own copy changed behind its back: the functions refuse too
    inf_b = lti_ops.DPLR.siso(*(np.array(v) for v in ([0.5, 0.2], [[0.1], [0.1]], [[0.1], [0.1]], [0.5, 1.0], [1.0, 1.0])), dt=1.0)
    inf_b.B[0, 0] = np.inf
    for call, match in [
        (lambda: lti_ops.ssm_kernel(sys, 4, kernel=kernel), r"`sys.lam` must be finite; got 1 non-finite entry"),
        (lambda: lti_ops.markov_parameters(sys, 4, kernel=kernel), r"`sys.lam` must be finite"),
        (lambda: lti_ops.ssm_kernel(inf_b, 4, kernel=kernel), r"`sys.B` must be finite"),
        (lambda: lti_ops.c_tilde(sys, 4), r"`sys.lam` must be finite"),
        (lambda: lti_ops.c_from_c_tilde(inf_b, 4), r"`sys.B` must be finite"),
        (lambda: lti_ops.double_c_tilde(sys.to_dense(), 4), r"`(sys\.)?A` must be finite"),
    ]:
        with pytest.raises(ValueError, match=match):
            call()


@pytest.mark.parametrize("fn", [lti_ops.c_tilde, lti_ops.c_from_c_tilde, lti_ops.double_c_tilde])
def test_c_tilde_helpers_check_their_arguments(fn):
    """Issue 17: L = -1 never returned (-1 >> 1 == -1); continuous systems were accepted."""
    disc = lti_ops.Diagonal.siso(np.array([0.5]), np.ones(1), np.ones(1), dt=1.0)
    cont = lti_ops.Diagonal.siso(np.array([-0.5]), np.ones(1), np.ones(1))
    for L in (0, 2.0, "4", True, -1):
        with pytest.raises(ValueError, match=r"`L` must be a positive integer; got"):
            fn(disc, L)
    with pytest.raises(ValueError, match=r"`sys` must be a discrete-time system \(a positive dt\); got dt=None"):
        fn(cont, 4)
    with pytest.raises(TypeError, match=r"`sys` must be a StateSpace, Diagonal or DPLR system; got list"):
        fn([1.0], 4)


def test_kernel_argument_audit():
    """Issue 17 audit of ssm_kernel / markov_parameters arguments."""
    sys = lti_ops.Diagonal.siso(np.array([-0.5]), np.ones(1), np.ones(1))
    disc = lti_ops.discretize(sys, 0.1)
    cases = [
        (lambda: lti_ops.ssm_kernel(disc, 2.5), ValueError, r"`L` must be a positive integer; got 2.5"),
        (lambda: lti_ops.ssm_kernel(disc, -3), ValueError, r"`L` must be a positive integer; got -3"),
        (lambda: lti_ops.markov_parameters(disc, None), ValueError, r"`L` must be a positive integer; got None"),
        (lambda: lti_ops.ssm_kernel(disc, 4, c_is_tilde="yes"), TypeError, r"`c_is_tilde` must be True or False; got 'yes'"),
        (lambda: lti_ops.ssm_kernel(sys, 4, dt=float("nan"), method="zoh"), ValueError, r"`dt` must be positive and finite; got nan"),
        (lambda: lti_ops.ssm_kernel(sys, 4, dt=0.0, method="dss"), ValueError, r"`dt` must be positive and finite; got 0.0"),
        (lambda: lti_ops.ssm_kernel(sys, 4, dt=np.array([0.1, -1.0]), method="zoh"), ValueError, r"`dt` must be positive and finite everywhere"),
        (lambda: lti_ops.ssm_kernel(sys, 4, dt="0.1", method="zoh"), TypeError, r"`dt` must be a positive finite number or array; got '0.1'"),
        (lambda: lti_ops.ssm_kernel(sys, 4, dt=0.1, method=3), ValueError, r"`method` must be one of"),
        (lambda: lti_ops.markov_parameters(disc, 4, kernel=None), ValueError, r"`kernel` must be one of .*; got None"),
        (lambda: lti_ops.markov_parameters("sys", 4), TypeError, r"`sys` must be a StateSpace, Diagonal or DPLR system; got str"),
    ]
    for call, exc, match in cases:
        with pytest.raises(exc, match=match):
            call()
