"""Identity tests of the Hankel operator, Gramians, HSVs, norms and realizations
(papers.md §1.4-1.6 and §4 items 5, 9, 17-23)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import lti_ops
from lti_ops.testing import assert_close, to_numpy, tolerance
from lti_ops.testing import strategies as lst

from _helpers import as_xp, dense_numpy, markov, systems

KINDS = ["dense", "diagonal", "dplr"]
DOMAINS = ["continuous", "discrete"]
SMALL = dict(n_inputs=st.integers(1, 2), n_outputs=st.integers(1, 2))
# well separated from the stability boundary, so Markov sequences decay in a few hundred steps
CALM = dict(margin=0.5, max_rate=3.0, max_freq=3.0)


def _system(data, kind, xp, dtype="float64", domain="continuous", dt=0.5, **kw):
    if kind == "dplr":
        kw["stable"] = True
    sys = data.draw(systems(kind, xp, dtype, **{**SMALL, **CALM, **kw}))
    return lti_ops.discretize(sys, dt, "zoh") if domain == "discrete" else sys


def _hsv_tol(dtype, n):
    return tolerance(dtype, n=n, cond=1e3)


# --------------------------------------------------------------------------- Hankel matrices


def _block_hankel(h, rows, cols):
    """NumPy reference: block (i, j) of the result is h[..., i + j + 1], h (..., P, M, L)."""
    P, M = h.shape[-3:-1]
    H = h[..., np.add.outer(np.arange(rows), np.arange(cols)) + 1]  # (..., P, M, rows, cols)
    H = np.moveaxis(H, (-4, -3), (-3, -1))  # (..., rows, P, cols, M)
    return H.reshape(h.shape[:-3] + (rows * P, cols * M))


@given(L=st.integers(2, 30), P=st.integers(1, 3), M=st.integers(1, 3), data=st.data())
def test_hankel_matrix_matvec_and_adjoint_agree_with_dense(xp, L, P, M, data):
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    rows = data.draw(st.integers(1, L - 1))
    cols = L - rows
    h = rng.standard_normal((2, P, M, L)) + 1j * rng.standard_normal((2, P, M, L))
    H = _block_hankel(h, rows, cols)
    assert_close(lti_ops.hankel_matrix(as_xp(xp, h), rows, cols, mimo=True), H)
    x = rng.standard_normal((2, cols * M)) + 1j * rng.standard_normal((2, cols * M))
    y = rng.standard_normal((2, rows * P))
    got = lti_ops.hankel_matvec(as_xp(xp, h), as_xp(xp, x), rows=rows, mimo=True)
    assert_close(got, np.einsum("bij,bj->bi", H, x), rtol=1e-12)
    back = lti_ops.hankel_rmatvec(as_xp(xp, h), as_xp(xp, y + 0j), cols=cols, mimo=True)
    assert_close(back, np.einsum("bij,bi->bj", H.conj(), y), rtol=1e-12)
    siso = to_numpy(lti_ops.hankel_matrix(as_xp(xp, h[:, 0, 0]), rows, cols))
    np.testing.assert_array_equal(siso, H[:, ::P, ::M])  # channel (0, 0) of the block reference
    # adjoint identity <H x, v> = <x, H^H v> for complex v, from the two fast products alone
    v = rng.standard_normal((2, rows * P)) + 1j * rng.standard_normal((2, rows * P))
    Hx = to_numpy(got)
    HHv = to_numpy(lti_ops.hankel_rmatvec(as_xp(xp, h), as_xp(xp, v), cols=cols, mimo=True))
    lhs, rhs = np.sum(v.conj() * Hx, axis=-1), np.sum(HHv.conj() * x, axis=-1)
    scale = np.linalg.norm(v, axis=-1) * np.linalg.norm(H, axis=(-2, -1)) * np.linalg.norm(x, axis=-1)
    np.testing.assert_array_less(np.abs(lhs - rhs), 1e-12 * scale)


def test_hankel_matrix_float32_and_default_shape(xp):
    h = as_xp(xp, np.arange(7.0), "float32")
    H = lti_ops.hankel_matrix(h)
    assert tuple(H.shape) == (3, 4) and H.dtype == xp.float32
    assert_close(lti_ops.hankel_matvec(h, xp.ones(4, dtype=xp.float32)), np.array([10.0, 14, 18]))


# --------------------------------------------------------------------------- Gramians


def _lyapunov_residuals(sys, P, Q):
    A, B, C, _ = dense_numpy(sys)
    P, Q = to_numpy(P), to_numpy(Q)
    AH = np.swapaxes(A, -1, -2).conj()
    if sys.is_discrete:
        rp = A @ P @ AH - P + B @ np.swapaxes(B, -1, -2).conj()
        rq = AH @ Q @ A - Q + np.swapaxes(C, -1, -2).conj() @ C
    else:
        rp = A @ P + P @ AH + B @ np.swapaxes(B, -1, -2).conj()
        rq = AH @ Q + Q @ A + np.swapaxes(C, -1, -2).conj() @ C
    return np.abs(rp).max() / (1 + np.abs(P).max()), np.abs(rq).max() / (1 + np.abs(Q).max())


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("domain", DOMAINS)
@given(data=st.data())
def test_gramians_solve_their_lyapunov_equations(xp, dtype, kind, domain, data):
    sys = _system(data, kind, xp, dtype, domain, batch_shape=st.sampled_from([(), (2,)]))
    P, Q = lti_ops.gramians(sys)
    n = sys.n_states
    assert tuple(P.shape) == sys.batch_shape + (n, n) and P.dtype == Q.dtype
    rp, rq = _lyapunov_residuals(sys, P, Q)
    tol = tolerance(dtype, n=n, cond=1e3)
    assert rp < tol and rq < tol
    for X in (P, Q):  # Hermitian positive semidefinite
        X = to_numpy(X)
        np.testing.assert_allclose(X, np.swapaxes(X, -1, -2).conj(), atol=tol * np.abs(X).max())
        assert np.linalg.eigvalsh(X).min() > -tol * np.abs(X).max()


@pytest.mark.parametrize("domain", DOMAINS)
@given(data=st.data())
def test_smith_iteration_equals_scipy(domain, data):
    from lti_ops import _lyapunov

    sys = _system(data, "dense", None, "float64", domain)
    W, V = sys.B @ sys.B.T, sys.C.T @ sys.C
    want = _lyapunov._scipy_lyapunov(np, sys.A, W, sys.is_discrete)  # Bartels-Stewart, one by one
    got = _lyapunov.smith(sys.A, W, discrete=sys.is_discrete)
    assert_close(got, want, rtol=1e-10)
    if sys.is_discrete:  # the two Gramian equations in one iteration
        P, Q = _lyapunov.stein_pair(sys.A, sys.B, sys.C)  # from the factors W = B B^T, V = C^T C
        assert_close(P, want, rtol=1e-10)
        assert_close(Q, _lyapunov._scipy_lyapunov(np, np.swapaxes(sys.A, -1, -2), V, True), rtol=1e-10)


# --------------------------------------------------------------------------- HSVs


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("domain", DOMAINS)
@settings(max_examples=10)
@given(data=st.data())
def test_gramian_hsvs_equal_singular_values_of_a_long_hankel_matrix(xp, dtype, kind, domain, data):
    sys = _system(data, kind, xp, dtype, domain)
    sv = lti_ops.hankel_singular_values(sys)
    assert tuple(sv.shape) == sys.batch_shape + (sys.n_states,)
    assert sv.dtype == (xp.float32 if dtype == "float32" else xp.float64)
    disc = sys if sys.is_discrete else lti_ops.discretize(sys, 0.4, "tustin")
    h = markov(disc, 400)  # rho <= exp(-0.25): rho^200 is far below eps
    H = _block_hankel(h, 200, 200)
    want = np.linalg.svd(H, compute_uv=False)[..., : sys.n_states]
    assert_close(sv, want, atol=_hsv_tol(dtype, sys.n_states) * float(want.max()), rtol=0)
    markov_sv = lti_ops.hankel_singular_values(sys, method="markov", n_markov=400)
    assert_close(markov_sv, want, atol=_hsv_tol(dtype, sys.n_states) * float(want.max()), rtol=0)


def test_markov_route_uses_the_randomized_range_finder_for_slow_systems():
    lam = np.array([0.9995, -0.999, 0.998 * np.exp(0.3j), 0.5])
    sys = lti_ops.Diagonal.siso(lam, np.ones(4) + 0j, np.array([1.0, 2, 1j, 1]), dt=1.0)
    sv = lti_ops.hankel_singular_values(sys, method="markov")  # picks ~70k parameters
    want = lti_ops.hankel_singular_values(sys)
    np.testing.assert_allclose(sv, want, rtol=1e-7)


@pytest.mark.parametrize("kind", KINDS)
@given(data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_hsvs_are_similarity_invariant(xp, kind, data, seed):
    sys = _system(data, kind, xp, domain="discrete")
    A, B, C, D = dense_numpy(sys)
    rng = np.random.default_rng(seed)
    n = A.shape[-1]
    q1, _ = np.linalg.qr(rng.standard_normal((n, n)))
    q2, _ = np.linalg.qr(rng.standard_normal((n, n)))
    T = q1 @ np.diag(np.geomspace(1, 10, n)) @ q2  # cond(T) = 10
    Ti = np.linalg.inv(T)
    other = lti_ops.StateSpace(*(as_xp(xp, x) for x in (T @ A @ Ti, T @ B, C @ Ti, D)), dt=0.5)
    want = to_numpy(lti_ops.hankel_singular_values(sys))
    got = lti_ops.hankel_singular_values(other)
    assert_close(got, want, atol=1e-12 * np.linalg.cond(T) ** 2 * float(want.max()), rtol=0)


@pytest.mark.parametrize("kind", KINDS)
@given(data=st.data(), dt=st.floats(0.05, 2.0))
def test_hsvs_are_preserved_by_tustin_and_bilinear_not_by_zoh_or_s4_bilinear(xp, kind, data, dt):
    sys = _system(data, kind, xp)
    want = to_numpy(lti_ops.hankel_singular_values(sys))
    for method in ("tustin", "bilinear"):
        got = lti_ops.hankel_singular_values(lti_ops.discretize(sys, dt, method))
        assert_close(got, want, atol=1e-10 * float(want.max()), rtol=0)
    for method in ("zoh", "s4_bilinear"):
        got = to_numpy(lti_ops.hankel_singular_values(lti_ops.discretize(sys, dt, method)))
        assert np.max(np.abs(got - want)) > 1e-4 * want[..., 0].max()


@given(data=st.data())
def test_batch_equals_loop(xp, data):
    sys = data.draw(lst.stable_diagonals(xp=xp, batch_shape=(3,), conj_sym=st.booleans(), **CALM))
    sys = lti_ops.discretize(sys, 0.3, "zoh")
    sv = to_numpy(lti_ops.hankel_singular_values(sys))
    norms = to_numpy(lti_ops.hinf_norm(sys))
    for b in range(3):
        one = lti_ops.Diagonal(sys.lam[b, ...], sys.B[b, ...], sys.C[b, ...], sys.D[b, ...], dt=0.3, conj_sym=sys.conj_sym)
        np.testing.assert_allclose(sv[b], to_numpy(lti_ops.hankel_singular_values(one)), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(norms[b], to_numpy(lti_ops.hinf_norm(one)), rtol=1e-8)


# --------------------------------------------------------------------------- Kronecker


@pytest.mark.parametrize("domain", DOMAINS)
@given(data=st.data())
def test_kronecker_rank_is_the_order_of_a_minimal_system_and_drops_otherwise(domain, data):
    sys = data.draw(lst.stable_diagonals(n_modes=st.integers(2, 6), n_inputs=1, n_outputs=1, **CALM))
    if domain == "discrete":
        sys = lti_ops.discretize(sys, 0.5, "zoh")
    N = sys.n_modes
    assert int(lti_ops.mcmillan_degree(sys)) == N
    C = sys.C.copy()
    C[..., 0] = 0  # an unobservable mode
    assert int(lti_ops.mcmillan_degree(lti_ops.Diagonal(sys.lam, sys.B, C, sys.D, dt=sys.dt))) == N - 1
    lam = sys.lam.copy()
    lam[..., 1] = lam[..., 0]  # a repeated mode of a SISO system: one state is redundant
    assert int(lti_ops.mcmillan_degree(lti_ops.Diagonal(lam, sys.B, sys.C, sys.D, dt=sys.dt))) == N - 1
    disc = lti_ops.discretize(sys, 0.5, "tustin") if domain == "continuous" else sys
    h = lti_ops.markov_parameters(disc, 300)[..., 0, 0, :]
    assert int(lti_ops.mcmillan_degree(h)) == N


def test_epsilon_rank_counts_relative_to_the_largest(xp):
    hsv = as_xp(xp, np.array([[2.0, 1.0, 1e-3, 1e-9], [0.0, 0.0, 0.0, 0.0]]))
    np.testing.assert_array_equal(to_numpy(lti_ops.epsilon_rank(hsv, 1e-4)), [3, 0])
    np.testing.assert_array_equal(to_numpy(lti_ops.epsilon_rank(hsv, 1.0)), [0, 0])
    assert int(lti_ops.epsilon_rank(as_xp(xp, np.zeros(0)), 0.5)) == 0


# --------------------------------------------------------------------------- norms


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("domain", DOMAINS)
@given(data=st.data())
def test_hankel_norm_is_at_most_hinf_which_is_at_most_twice_the_hsv_sum(xp, dtype, kind, domain, data):
    sys = _system(data, kind, xp, dtype, domain)
    sv = to_numpy(lti_ops.hankel_singular_values(sys))
    hinf = to_numpy(lti_ops.hinf_norm(sys))
    D = to_numpy(sys.D)
    d_norm = np.linalg.norm(D, 2, axis=(-2, -1)) if D.size else 0.0
    slack = 1 + tolerance(dtype, n=sys.n_states, cond=1e3)
    np.testing.assert_allclose(to_numpy(lti_ops.hankel_norm(sys)), sv[..., 0], rtol=1e-6)
    assert np.all(sv[..., 0] <= hinf * slack)
    assert np.all(hinf <= (d_norm + 2 * sv.sum(axis=-1)) * slack)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("domain", DOMAINS)
@settings(max_examples=10)
@given(data=st.data())
def test_hinf_grid_and_hamiltonian_agree_and_bound_a_dense_sweep(kind, domain, data):
    # python-control's linfnorm (slycot ab13dd) is not the reference: it returned the
    # value at infinity, 2.096, for a system whose peak is 2.176 (control 0.10.2).
    sys = _system(data, kind, None, "float64", domain)
    grid = float(lti_ops.hinf_norm(sys, method="grid"))
    ham = float(lti_ops.hinf_norm(sys.to_dense(), method="hamiltonian"))
    np.testing.assert_allclose(grid, ham, rtol=1e-7)
    w = np.concatenate([np.linspace(-60, 60, 48001), np.geomspace(60, 1e6, 2000), -np.geomspace(60, 1e6, 2000)])
    if sys.is_discrete:
        w = np.linspace(-np.pi, np.pi, 96001) / sys.dt
    G = to_numpy(lti_ops.frequency_response(sys, w))
    sweep = np.linalg.svd(np.moveaxis(G, -1, 0), compute_uv=False)[:, 0].max()
    assert sweep <= min(grid, ham) * (1 + 2e-8) and max(grid, ham) <= sweep * (1 + 1e-3)  # rtol = 1e-8


def test_hinf_grid_finds_a_sharp_resonance():
    lam = np.array([-1e-4 + 50j, -1.0 + 0.5j])  # peak of width 1e-4 at omega = 50
    sys = lti_ops.Diagonal.siso(lam, np.array([1e-3, 1.0]) + 0j, np.ones(2) + 0j, conj_sym=True)
    ham = float(lti_ops.hinf_norm(sys.to_dense(), method="hamiltonian"))
    assert ham > 9.0  # |1e-3 / 1e-4| from the resonance
    np.testing.assert_allclose(float(lti_ops.hinf_norm(sys)), ham, rtol=1e-7)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("domain", DOMAINS)
@settings(max_examples=10)
@given(data=st.data())
def test_h2_three_ways(xp, dtype, kind, domain, data):
    sys = _system(data, kind, xp, dtype, domain)
    if not sys.is_discrete:  # D != 0 makes the continuous H2 norm infinite
        assert np.all(np.isinf(to_numpy(lti_ops.h2_norm(sys)))) or not np.any(to_numpy(sys.D))
        sys = type(sys)(**{**{k: getattr(sys, k) for k in sys._CORE}, "D": sys.D * 0, "dt": None,
                           **({"conj_sym": sys.conj_sym} if hasattr(sys, "conj_sym") else {})})
    gram = to_numpy(lti_ops.h2_norm(sys))
    parseval = lti_ops.h2_norm(sys, method="parseval")
    rtol = tolerance(dtype, n=sys.n_states, cond=1e4) if dtype == "float64" else 1e-3
    assert_close(parseval, gram, rtol=rtol)
    A, B, C, D = dense_numpy(sys)
    _, Q = lti_ops.gramians(sys)
    BQB = np.swapaxes(B, -1, -2).conj() @ to_numpy(Q) @ B
    via_q = np.trace(BQB, axis1=-2, axis2=-1).real + (np.sum(np.abs(D) ** 2, axis=(-2, -1)) if sys.is_discrete else 0)
    np.testing.assert_allclose(gram, np.sqrt(via_q), rtol=rtol)
    if sys.is_discrete:  # Parseval in time: sum of squared Markov parameters
        np.testing.assert_allclose(gram, np.sqrt(np.sum(np.abs(markov(sys, 600)) ** 2, axis=(-3, -2, -1))), rtol=rtol)


# --------------------------------------------------------------------------- balancing


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("domain", DOMAINS)
@given(data=st.data())
def test_balanced_realization_has_equal_diagonal_gramians(xp, kind, domain, data):
    sys = _system(data, kind, xp, domain=domain)
    bal, hsv = lti_ops.balanced_realization(sys)
    P, Q = lti_ops.gramians(bal)
    want = np.zeros(tuple(P.shape))
    idx = np.arange(P.shape[-1])
    want[..., idx, idx] = to_numpy(hsv)
    scale = float(np.max(to_numpy(hsv)))
    cond = float(np.max(to_numpy(hsv)[..., 0] / to_numpy(hsv)[..., -1]))
    assert_close(P, want, atol=1e-11 * scale * cond, rtol=0)
    assert_close(Q, want, atol=1e-11 * scale * cond, rtol=0)
    if domain == "discrete":
        np.testing.assert_allclose(markov(bal, 40), markov(sys, 40), atol=1e-10 * cond * (1 + np.abs(markov(sys, 40)).max()))


@pytest.mark.parametrize("domain", DOMAINS)
@given(data=st.data(), k=st.integers(0, 5))
def test_balanced_truncation_error_lies_between_the_bounds(domain, data, k):
    sys = _system(data, "dense", None, domain=domain, n_states=6)
    red, hsv, bound = lti_ops.balanced_truncation(sys, k)
    assert red.n_states == k
    if k and domain == "continuous":  # truncation keeps balance only in continuous time
        for X in lti_ops.gramians(red):
            np.testing.assert_allclose(X, np.diag(hsv[:k]), atol=1e-10 * hsv[0] ** 2 / hsv[k - 1])
    if k:
        assert bool(red.is_stable())
    A, B, C, D = (to_numpy(x) for x in (sys.A, sys.B, sys.C, sys.D))
    Ar, Br, Cr, _ = (to_numpy(x) for x in (red.A, red.B, red.C, red.D))
    n = A.shape[0]
    err = lti_ops.StateSpace(
        np.block([[A, np.zeros((n, k))], [np.zeros((k, n)), Ar]]),
        np.concatenate([B, Br]), np.concatenate([C, -Cr], axis=1), dt=sys.dt,
    )
    e = float(lti_ops.hinf_norm(err))
    # G - G_k is formed in floating point: its norm carries an absolute error of a few
    # eps * sigma_1 (the size of G), which dominates when sigma_{k+1} is ~1e-10 sigma_1
    slack = 1e3 * np.finfo(np.float64).eps * hsv[0]
    assert hsv[k] * (1 - 1e-6) - slack <= e <= bound * (1 + 1e-6) + slack
    np.testing.assert_allclose(bound, 2 * hsv[k:].sum())


# --------------------------------------------------------------------------- realization


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=10)
@given(data=st.data())
def test_realize_reproduces_the_markov_parameters(xp, kind, data):
    sys = _system(data, kind, xp, domain="discrete")
    h = lti_ops.markov_parameters(sys, 200)
    real = lti_ops.realize(h, mimo=True, dt=0.5)
    assert real.n_states == sys.n_states and real.dt == 0.5
    assert_close(lti_ops.markov_parameters(real, 200), to_numpy(h), atol=1e-9 * np.abs(to_numpy(h)).max(), rtol=0)
    P, Q = lti_ops.gramians(real)
    assert_close(P, to_numpy(Q), atol=1e-8 * np.abs(to_numpy(P)).max(), rtol=0)
    siso = lti_ops.realize(h[..., 0, 0, :], order=sys.n_states)
    assert_close(lti_ops.markov_parameters(siso, 200)[..., 0, 0, :], to_numpy(h[..., 0, 0, :]),
                 atol=1e-8 * np.abs(to_numpy(h)).max(), rtol=0)


# --------------------------------------------------------------------------- differential


@given(data=st.data())
def test_hsvs_match_python_control_hsvd_in_continuous_time(data):
    control = pytest.importorskip("control")
    sys = _system(data, "dense", None)
    got = lti_ops.hankel_singular_values(sys)
    want = control.hsvd(control.ss(*dense_numpy(sys)))
    # hsvd takes sqrt(eig(P Q)): relative error eps (s_1 / s_i)^2, so compare where that is small
    big = want > 1e-3 * want[0]
    np.testing.assert_allclose(got[big], want[big], rtol=1e-7)
    slycot = pytest.importorskip("slycot")  # square-root method: every value to high relative accuracy
    A, B, C, _ = dense_numpy(sys)
    *_, tight = slycot.ab09ad("C", "B", "N", A.shape[0], B.shape[1], C.shape[0], A.copy(), B.copy(), C.copy(), nr=A.shape[0])
    np.testing.assert_allclose(got, tight, rtol=1e-6, atol=1e-14 * tight[0])


@given(data=st.data())
def test_hsvs_match_slycot_ab09ad_in_discrete_time(data):
    slycot = pytest.importorskip("slycot")
    sys = _system(data, "dense", None, domain="discrete")
    A, B, C, _ = dense_numpy(sys)
    n, m, p = A.shape[0], B.shape[1], C.shape[0]
    *_, want = slycot.ab09ad("D", "B", "N", n, m, p, A.copy(), B.copy(), C.copy(), nr=n)
    np.testing.assert_allclose(lti_ops.hankel_singular_values(sys), want, rtol=1e-8, atol=1e-12 * want[0])


# --------------------------------------------------------------------------- errors


def _unstable(dt=None):
    return lti_ops.Diagonal.siso(np.array([1.5 if dt else 0.5]) + 0j, np.ones(1) + 0j, np.ones(1) + 0j, dt=dt)


def test_unstable_systems_raise():
    for dt in (None, 1.0):
        sys = _unstable(dt)
        for call in (lti_ops.gramians, lti_ops.hankel_singular_values, lti_ops.hinf_norm, lti_ops.h2_norm,
                     lti_ops.balanced_realization, lambda s: lti_ops.h2_norm(s, method="parseval"),
                     lambda s: lti_ops.hankel_singular_values(s, method="markov"),
                     lambda s: lti_ops.hankel_singular_values(s.to_dense())):
            with pytest.raises(ValueError, match="asymptotically stable"):
                call(sys)
    # a NumPy batch of discrete dense systems takes the Smith iteration without an eigvals
    # pre-check: its divergence still reports the worst pole
    A = np.stack([np.diag([0.5, 0.2]), np.diag([1.2, 0.1])])
    batch = lti_ops.StateSpace(A, np.ones((2, 2, 1)), np.ones((2, 1, 2)), dt=1.0)
    for call in (lti_ops.gramians, lti_ops.hankel_singular_values):
        with pytest.raises(ValueError, match="asymptotically stable.*poles up to \\|p\\| = 1.2"):
            call(batch)
    A = np.array([[0.5, 1.0], [0.0, 1.01]])
    with pytest.raises(ValueError, match="asymptotically stable.*diverged"):
        from lti_ops import _lyapunov

        _lyapunov.smith(A, np.eye(2), discrete=True)


def test_bad_arguments_raise():
    h = np.arange(6.0)
    sys = lti_ops.Diagonal.siso(np.array([0.5]) + 0j, np.ones(1) + 0j, np.ones(1) + 0j, dt=1.0)
    with pytest.raises(ValueError, match="`rows` \\+ `cols` must be at most L = 6"):
        lti_ops.hankel_matrix(h, 4, 3)
    with pytest.raises(ValueError, match="at least 2 Markov parameters"):
        lti_ops.hankel_matrix(np.ones(1))
    with pytest.raises(ValueError, match="shape \\(..., P, M, L\\) with mimo=True"):
        lti_ops.hankel_matrix(h, mimo=True)
    with pytest.raises(TypeError, match="`mimo` must be True or False"):
        lti_ops.hankel_matrix(h, mimo=1)
    with pytest.raises(TypeError, match="`h`"):
        lti_ops.hankel_matrix(np.ones(4, bool))
    with pytest.raises(ValueError, match="`x`'s last axis must be a positive multiple of 2"):
        lti_ops.hankel_matvec(np.ones((1, 2, 6)), np.ones(3), mimo=True)
    with pytest.raises(ValueError, match="`rows`"):
        lti_ops.hankel_matvec(h, np.ones(2), rows=0)
    with pytest.raises(ValueError, match="`method` must be one of"):
        lti_ops.hankel_singular_values(sys, method="svd")
    with pytest.raises(TypeError, match="`sys` must be a StateSpace, Diagonal or DPLR"):
        lti_ops.hankel_singular_values(np.eye(2))
    with pytest.raises(ValueError, match="`eps` must be in \\(0, 1\\]"):
        lti_ops.epsilon_rank(np.ones(3), 2.0)
    with pytest.raises(ValueError, match="`eps`"):
        lti_ops.epsilon_rank(np.ones(3), 0.0)
    with pytest.raises(ValueError, match="`hsv` must be non-negative"):
        lti_ops.epsilon_rank(np.array([1.0, -1.0]), 0.5)
    with pytest.raises(ValueError, match="`tol` must be in \\(0, 1\\)"):
        lti_ops.mcmillan_degree(h, tol=1.0)
    with pytest.raises(ValueError, match="`n_markov`"):
        lti_ops.hankel_singular_values(sys, method="markov", n_markov=0)
    with pytest.raises(ValueError, match="`rtol` must be in \\(0, 0.1\\]"):
        lti_ops.hinf_norm(sys, rtol=0.5)
    with pytest.raises(ValueError, match="`method` must be one of"):
        lti_ops.hinf_norm(sys, method="bisect")
    with pytest.raises(ValueError, match="`method` must be one of"):
        lti_ops.h2_norm(sys, method="trapz")
    with pytest.raises(ValueError, match="did not converge"):
        lti_ops.h2_norm(lti_ops.Diagonal.siso(np.array([0.999]) + 0j, np.ones(1) + 0j, np.ones(1) + 0j, dt=1.0),
                        method="parseval", rtol=1e-300)
    with pytest.raises(ValueError, match="`order` must be an int in \\[0, n_states = 1\\]"):
        lti_ops.balanced_truncation(sys, 2)
    twin = lti_ops.Diagonal.siso(np.array([0.5, 0.5]) + 0j, np.ones(2) + 0j, np.ones(2) + 0j, dt=1.0)
    with pytest.raises(ValueError, match="not minimal to working precision"):
        lti_ops.balanced_realization(twin)
    with pytest.raises(ValueError, match="at least 3 Markov parameters"):
        lti_ops.realize(np.ones(2))
    with pytest.raises(ValueError, match="`order` must be an int in \\[0, 2\\]"):
        lti_ops.realize(h, order=3)
    with pytest.raises(ValueError, match="`order` = 2 exceeds the numerical rank 1"):
        lti_ops.realize(np.array([0.0, 1.0, 0.0, 0.0, 0.0, 0.0]), order=2)
    with pytest.raises(ValueError, match="varies over the batch"):
        lti_ops.realize(np.array([[0.0, 1.0, 0.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.5, 0.3, 0.1, 0.2]]))


def test_hamiltonian_needs_an_eigensolver():
    xps = pytest.importorskip("array_api_strict")
    with xps.ArrayAPIStrictFlags(api_version="2024.12"):  # before linalg.eig(vals) existed
        sys = lti_ops.StateSpace(xps.asarray([[-1.0]]), xps.asarray([[1.0]]), xps.asarray([[1.0]]))
        with pytest.raises(NotImplementedError, match="linalg.eigvals"):
            lti_ops.hinf_norm(sys, method="hamiltonian")
        assert abs(float(lti_ops.hinf_norm(sys)) - 1.0) < 1e-8  # "auto" falls back to the grid
        assert abs(float(lti_ops.hankel_singular_values(sys)[0]) - 0.5) < 1e-12  # Smith, no eig
