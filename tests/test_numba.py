"""Parity of the Numba kernels (backends/lti_ops_numba) with the reference ``kernel="xp"``.

Every registered kernel must give the reference's dtype and values on hypothesis-drawn
systems: batch broadcasting, conj_sym, degenerate sizes (N = 1, L = 1, empty batch),
float32 and float64 (papers.md §4 items 44-45). Tolerances are dtype-aware: both sides
compute the same formula in the same precision, so they differ by rounding only.
"""

import importlib
import pathlib
import re
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

pytest.importorskip("numba")

import array_api_compat.numpy as anp  # noqa: E402

import lti_ops  # noqa: E402
from lti_ops import _dispatch  # noqa: E402
from lti_ops.testing import assert_close, tolerance  # noqa: E402
from lti_ops.testing import strategies as lst  # noqa: E402

PRIMITIVES = ["ssm_kernel_diagonal", "ssm_kernel_dplr", "transfer_diagonal", "transfer_dplr", "scan", "fftconv",
              "hope_transfer", "solve", "solve_both", "diagonal_gramians", "factor", "svdvals", "hsv"]
BATCHES = st.sampled_from([(), (1,), (3,), (2, 2)])
CALM = dict(margin=0.5, max_rate=3.0, max_freq=3.0)  # Gramians of moderate condition
STEPS = st.floats(0.01, 0.3)


def _same(fast, ref, *, n=1, cond=100.0):
    """Same type, dtype and shape; values within c * n * eps * cond of max|ref|."""
    assert type(fast) is type(ref) is np.ndarray
    assert fast.dtype == ref.dtype, f"dtype {fast.dtype} != reference {ref.dtype}"
    assert_close(fast, ref, rtol=tolerance(ref.dtype, n=n, cond=cond), check_dtype=True)


def _both(func, *args, **kw):
    return func(*args, kernel="numba", **kw), func(*args, kernel="xp", **kw)


def _diagonals(dtype, **kw):
    return lst.stable_diagonals(dtype=dtype, conj_sym=st.booleans(), batch_shape=BATCHES, **kw)


def _dplrs(dtype, **kw):
    return lst.dplr_systems(dtype=dtype, conj_sym=st.booleans(), batch_shape=BATCHES, rank=st.integers(1, 3), **kw)


# --------------------------------------------------------------------------- dispatch


def test_auto_picks_numba_for_numpy_and_xp_forces_the_reference():
    import lti_ops_numba  # noqa: F401

    def generic():
        return None

    for name in PRIMITIVES:
        fast = _dispatch.REGISTRY.kernels[(name, "numba")]
        assert _dispatch.resolve(name, "auto", anp, generic) is fast
        assert _dispatch.resolve(name, "numba", anp, generic) is fast
        assert _dispatch.resolve(name, "xp", anp, generic) is generic


def test_importing_the_backend_compiles_nothing():
    code = (
        "import lti_ops_numba\n"
        "from lti_ops_numba._jit import ALL\n"
        "assert ALL and all(k.compiled() == [] for k in ALL), ALL\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --------------------------------------------------------------------------- kernels


@pytest.mark.parametrize("method", ["zoh", "bilinear", "s4_bilinear", "dss"])
@given(data=st.data(), dt=STEPS, L=st.integers(1, 80))
def test_diagonal_kernel(dtype, method, data, dt, L):
    sys = data.draw(_diagonals(dtype))
    fast, ref = _both(lti_ops.ssm_kernel, sys, L, dt=dt, method=method)
    _same(fast, ref, n=L * sys.n_modes)


@given(data=st.data(), L=st.integers(1, 80))
def test_diagonal_kernel_of_discrete_systems_with_zero_and_real_modes(dtype, data, L):
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    complex_ = data.draw(st.booleans())
    lam = rng.uniform(-0.95, 0.95, 5) + (1j * rng.uniform(-0.3, 0.3, 5) if complex_ else 0)
    lam[rng.integers(0, 5)] = 0  # 0^0 = 1, 0^l = 0
    B, C = rng.standard_normal((5, 2)), rng.standard_normal((3, 5))
    sys = lti_ops.Diagonal(lam.astype(np.result_type(dtype, lam.dtype)), B.astype(dtype), C.astype(dtype), dt=1.0)
    fast, ref = _both(lti_ops.ssm_kernel, sys, L)
    _same(fast, ref, n=L * 5)


def test_diagonal_kernel_broadcasts_and_degenerate_sizes(dtype):
    rng = np.random.default_rng(0)
    c = np.complex64 if dtype == "float32" else np.complex128
    lam = (-rng.uniform(0.1, 1, (2, 1, 4)) + 1j * rng.uniform(-3, 3, (2, 1, 4))).astype(c)
    B, C = rng.standard_normal((3, 4, 1)).astype(c), rng.standard_normal((1, 4)).astype(c)
    dt = np.array([0.05, 0.1, 0.2], dtype=dtype)  # per channel: batch (2, 3)
    for conj_sym in (False, True):
        sys = lti_ops.Diagonal(lam, B, C, conj_sym=conj_sym)
        for L in (1, 2, 300):
            fast, ref = _both(lti_ops.ssm_kernel, sys, L, dt=dt, method="zoh")
            assert fast.shape == (2, 3, 1, 1, L)
            _same(fast, ref, n=4 * L)
    one = lti_ops.Diagonal.siso(lam[0, 0, :1], B[0, :1, 0], C[0, :1], conj_sym=True)  # N = 1
    _same(*_both(lti_ops.ssm_kernel, one, 7, dt=0.1, method="zoh"), n=7)
    empty = lti_ops.Diagonal(np.ones((0, 4), c) * -0.5, B[0], C)
    fast, ref = _both(lti_ops.ssm_kernel, empty, 5, dt=0.1, method="zoh")
    assert fast.shape == ref.shape == (0, 1, 1, 5) and fast.dtype == ref.dtype


@pytest.mark.parametrize("method", ["s4_bilinear", "zoh"])
@given(data=st.data(), dt=STEPS, L=st.integers(1, 80))
def test_dplr_kernel(dtype, method, data, dt, L):
    sys = data.draw(_dplrs(dtype))
    fast, ref = _both(lti_ops.ssm_kernel, sys, L, dt=dt, method=method)
    _same(fast, ref, n=L * sys.n_modes, cond=1e3)
    disc = lti_ops.c_tilde(lti_ops.discretize(sys, dt, method), L)
    fast, ref = _both(lti_ops.ssm_kernel, disc, L, c_is_tilde=True)
    _same(fast, ref, n=L * sys.n_modes, cond=1e3)


@pytest.mark.parametrize("offset", [-2, 0, 1, 2])
def test_dplr_kernel_across_node_blocks(dtype, offset):
    """The rank-1 conj_sym S4 path accumulates in one flat array of NODE_BLOCK rows: node
    counts L/2 + 1 on both sides of one and two block boundaries, and a partial last block."""
    from lti_ops_numba import _cauchy

    sys = lti_ops.nplr("legs", 8, C=np.ones(8, dtype))  # conj_sym, rank 1, SISO
    assert sys.conj_sym and sys.P.shape[-1] == 1
    for blocks in (1, 2):
        L = 2 * (blocks * _cauchy.NODE_BLOCK - 1 + offset)
        fast, ref = _both(lti_ops.ssm_kernel, sys, L, dt=np.array([0.01, 0.05, 0.2], dtype), method="s4_bilinear")
        _same(fast, ref, n=L * sys.n_modes, cond=1e3)


def test_dplr_kernel_with_a_mode_on_a_root_of_unity_falls_back_like_the_reference():
    lam = np.array([1.0 + 0j, 0.5])  # 1 is the node omega_0
    P = Q = np.array([[0.1 + 0j], [0.2]])
    sys = lti_ops.DPLR.siso(lam, P, Q, np.ones(2, complex), np.ones(2, complex), dt=1.0)
    _same(*_both(lti_ops.ssm_kernel, sys, 8), n=16)
    with pytest.raises(ValueError, match="C cannot be recovered"):
        lti_ops.ssm_kernel(sys, 8, c_is_tilde=True, kernel="numba")


# float64 arithmetic in LLVM IR: an op on doubles (scalar or vector), a float -> double
# extension, or a double-precision LLVM intrinsic (fma, sqrt, ...)
_DOUBLE_OPS = re.compile(r"= (?:fadd|fsub|fmul|fdiv|fneg|frem|fpext)\b[^\n]*\bdouble\b|@llvm\.\w+\.(?:v\d+)?f64\b")


@pytest.mark.parametrize("module, name", [("_cauchy", "_cauchy_kernel"), ("_hope", "_horner"), ("_hope", "_mobius_horner")])
def test_float32_kernel_computes_in_single_precision(module, name):
    """The float32 specialization does no float64 arithmetic anywhere (its hot loops
    included): an int literal (``2 * x``, ``1 / x``) or a ``1j`` promotes float32 and
    complex64 to float64 / complex128 in Numba, which halves the SIMD width and, for the
    complex64 DPLR kernel, cost most of its speed-up over complex128."""
    kernel = getattr(importlib.import_module(f"lti_ops_numba.{module}"), name)
    ir = kernel.llvm_ir(np.float32)
    if name == "_cauchy_kernel":  # issue 17: float32 terms, float64 sums (extend, add, subtract)
        ir = re.sub(r"= (?:fpext|fadd|fsub)\b[^\n]*\bdouble\b", "", ir)
    found = _DOUBLE_OPS.findall(ir)
    assert not found, f"{module}.{name} (float32) does float64 arithmetic: {found[:3]}"


# --------------------------------------------------------------------------- transfer


def _points(data, dtype, batch):
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    K = data.draw(st.integers(1, 300))
    shape = data.draw(st.sampled_from([(K,), batch + (K,)]))
    z = rng.uniform(-6, 6, shape) + 1j * rng.uniform(-6, 6, shape)
    return z.astype(np.complex64 if dtype == "float32" else np.complex128)


@pytest.mark.parametrize("kind", ["diagonal", "dplr"])
@given(data=st.data())
def test_transfer_function(dtype, kind, data):
    sys = data.draw(_diagonals(dtype) if kind == "diagonal" else _dplrs(dtype))
    z = _points(data, dtype, sys.batch_shape)
    fast, ref = _both(lti_ops.transfer_function, sys, z)
    # near a pole both lose the same digits: compare on the scale of each point's value
    _same(fast, ref, n=sys.n_modes, cond=1e3 if kind == "dplr" else 10)


@pytest.mark.parametrize("lam_scale", [1.0, 1e12])
@pytest.mark.parametrize("magnitude", [1e-30, 1.0, 1e15, 1e30])
def test_transfer_conjugate_pairs_at_extreme_points(dtype, magnitude, lam_scale):
    """The pair form divides once by (z - lam)(z - conj lam), about max(|z|, |lam|)^4 in
    size: scaled where nodes or modes are large, it neither overflows at |z| or |lam| = 1e30
    in float32 nor loses small |z|, and points near a pole lose only the digits the
    subtraction z - lam loses."""
    rng = np.random.default_rng(0)
    lam = lam_scale * (-rng.uniform(1e-3, 1, 6) + 1j * rng.uniform(-1e3, 1e3, 6))
    lam = lam.astype(np.result_type(dtype, 1j))
    b, c = (rng.standard_normal((2, 6)) + 1j * rng.standard_normal((2, 6))).astype(lam.dtype)
    sys = lti_ops.Diagonal.siso(lam, b, c, conj_sym=True)
    z = magnitude * np.exp(1j * rng.uniform(-np.pi, np.pi, 50))
    z = np.concatenate([z, lam + 1e-3 * np.abs(lam) * np.exp(1j * rng.uniform(0, 6, 6))]).astype(lam.dtype)
    fast, ref = _both(lti_ops.transfer_function, sys, z)
    assert np.all(np.isfinite(fast))
    distance = np.min(np.abs(z[:, None] - np.concatenate([lam, lam.conj()])), axis=1)
    bound = 100 * np.finfo(dtype).eps * (1 + np.max(np.abs(lam)) / distance)
    assert np.all(np.abs(fast - ref)[0, 0] <= bound * np.abs(ref)[0, 0])


def test_transfer_poles_behave_like_the_reference():
    lam = np.array([-1.0 + 0j, -2.0])
    with pytest.raises(ValueError, match="a point coincides with a pole"):
        lti_ops.transfer_function(lti_ops.Diagonal.siso(lam, lam, lam), np.array([0j, -2.0]), kernel="numba")
    half = lti_ops.Diagonal.siso(np.array([-1.0 + 2j]), np.array([1.0 + 0j]), np.array([1.0 + 0j]), conj_sym=True)
    with pytest.raises(ValueError, match="a point coincides with a pole"):
        lti_ops.transfer_function(half, np.array([-1.0 - 2j]), kernel="numba")
    sys = lti_ops.DPLR.siso(np.array([0.0 + 0j, -1.0]), np.array([[1.0 + 0j], [0.0]]), np.array([[1.0 + 0j], [0.0]]),
                            np.array([1.0 + 0j, 1.0]), np.array([1.0 + 0j, 1.0]))
    _same(*_both(lti_ops.transfer_function, sys, np.array([0j, 1.0])), n=2)


# --------------------------------------------------------------------------- scan


@pytest.mark.parametrize("func", [lti_ops.scan, lti_ops.simulate], ids=["scan", "simulate"])
@given(data=st.data(), L=st.integers(1, 60))
def test_scan(dtype, func, data, L):
    kind = data.draw(st.sampled_from(["diagonal", "diagonal", "dplr", "dense"]))
    if kind == "dense":
        sys = data.draw(lst.stable_state_spaces(dtype=dtype, batch_shape=BATCHES))
    else:
        sys = data.draw(_diagonals(dtype) if kind == "diagonal" else _dplrs(dtype))
    disc = lti_ops.discretize(sys, data.draw(STEPS), "s4_bilinear" if kind == "dplr" else "zoh")
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    siso = disc.n_inputs == 1 and disc.n_outputs == 1
    shape = data.draw(st.sampled_from([(), (2,) + disc.batch_shape])) + (() if siso else (disc.n_inputs,)) + (L,)
    u = rng.standard_normal(shape).astype(dtype)
    if data.draw(st.booleans()) and not getattr(disc, "conj_sym", False):
        u = u + 1j * rng.standard_normal(shape).astype(dtype)  # complex input
    n = disc.n_states if isinstance(disc, lti_ops.StateSpace) else disc.n_modes
    x0 = rng.standard_normal(n).astype(dtype) if data.draw(st.booleans()) else None
    (yf, xf), (yr, xr) = _both(func, disc, u, x0)
    _same(yf, yr, n=L * n, cond=1e3)
    _same(xf, xr, n=L * n, cond=1e3)


def test_scan_degenerate_sizes():
    lam = np.array([[0.5 + 0.1j]])  # N = 1
    sys = lti_ops.Diagonal(lam, np.ones((1, 1, 1), complex), np.ones((1, 1, 1), complex), dt=1.0, conj_sym=True)
    for u in (np.ones((1, 1)), np.ones((0, 1, 4)), np.ones((3, 1, 9))):
        (yf, xf), (yr, xr) = _both(lti_ops.scan, sys, u)
        assert yf.shape == yr.shape and xf.shape == xr.shape
        _same(yf, yr, n=10)
        _same(xf, xr, n=10)


@pytest.mark.parametrize("func", [lti_ops.scan, lti_ops.simulate], ids=["scan", "simulate"])
@given(data=st.data())
def test_scan_lane_blocks(dtype, func, data):
    """The SISO kernel runs LANES channels per block and TILE steps per tile: channel
    counts and lengths on both sides of those sizes, with and without x0."""
    from lti_ops_numba import _scan

    H = data.draw(st.sampled_from([1, _scan.LANES - 1, _scan.LANES + 1, 2 * _scan.LANES + 5]))
    L = data.draw(st.sampled_from([1, _scan.BLOCK + 1, _scan.TILE, _scan.TILE + _scan.BLOCK + 3]))
    sys = data.draw(lst.stable_diagonals(dtype=dtype, conj_sym=st.booleans(), batch_shape=(H,), n_inputs=1,
                                         n_outputs=1))
    disc = lti_ops.discretize(sys, data.draw(STEPS), "zoh")
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    u = rng.standard_normal((2, H, L)).astype(dtype)
    x0 = (rng.standard_normal((H, disc.n_modes)) * 10.0 ** rng.uniform(-3, 3, (H, 1))).astype(dtype)
    x0 = x0 if data.draw(st.booleans()) else None
    (yf, xf), (yr, xr) = _both(func, disc, u, x0)
    _same(yf, yr, n=L * disc.n_modes, cond=1e3)
    _same(xf, xr, n=L * disc.n_modes, cond=1e3)


def test_scan_zero_input_column_with_initial_state():
    """b_n = 0 with x0_n != 0: the input-scaled state w = x0 / b does not exist, so the
    kernel takes the per-channel loop; the state still decays as lam^L x0."""
    lam = np.array([[0.5 + 0.5j, 0.9 - 0.1j]] * 3)
    B = np.array([[[0.0], [1.0]]] * 3, complex)
    C = np.ones((3, 1, 2), complex)
    sys = lti_ops.Diagonal(lam, B, C, dt=1.0, conj_sym=True)
    u, x0 = np.random.default_rng(0).standard_normal((3, 40)), np.ones(2, complex)
    (yf, xf), (yr, xr) = _both(lti_ops.scan, sys, u, x0)
    _same(yf, yr, n=80)
    _same(xf, xr, n=80)
    assert_close(xf[:, 0], np.full(3, (0.5 + 0.5j) ** 40), rtol=1e-12)


# --------------------------------------------------------------------------- dense solves


@given(data=st.data())
def test_solve_both(dtype, data):
    """One LU per matrix for both sides equals NumPy's two solves: broadcasting batches,
    real and complex, sizes on both sides of MAX_N, and the vector right-hand side."""
    from lti_ops._xp import _native_solve_both
    from lti_ops_numba import _linalg

    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    n = data.draw(st.sampled_from([1, 2, 5, 17, _linalg.MAX_N + 1]))
    batch_a, batch_b = data.draw(st.sampled_from([((3, 1), (4,)), ((2,), (2,)), ((), (3,)), ((5,), ())]))
    ctype = data.draw(st.sampled_from([dtype, np.result_type(dtype, 1j)]))

    def draw(shape):
        x = rng.standard_normal(shape) + (1j * rng.standard_normal(shape) if np.dtype(ctype).kind == "c" else 0)
        return x.astype(ctype)

    a = draw(batch_a + (n, n)) + 2 * n * np.eye(n, dtype=ctype)  # well conditioned: compare values
    b, c = draw(batch_b + (n, 3)), draw(batch_b + (2, n))
    (x, y), (xr, yr) = _linalg.solve_both(anp, a, b, c), _native_solve_both(np, a, b, c)
    for fast, ref in ((x, xr), (y, yr)):
        _same(fast, ref, n=n, cond=10)
    _same(_linalg.solve(anp, a, b), np.linalg.solve(a, b), n=n, cond=10)
    _same(_linalg.solve(anp, a[(0,) * len(batch_a)], b[(0,) * len(batch_b)][:, 0]),
          np.linalg.solve(a[(0,) * len(batch_a)], b[(0,) * len(batch_b)][:, 0]), n=n, cond=10)


def test_solve_singular_and_integer_inputs():
    from lti_ops import _xp
    from lti_ops_numba import _linalg

    a = np.tile(np.eye(3), (4, 1, 1))
    a[2] = [[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.0, 1.0, 1.0]]  # rank 2: an exact zero pivot
    with pytest.raises(np.linalg.LinAlgError, match="Singular matrix"):
        _linalg.solve(anp, a, np.ones((4, 3, 1)))
    with pytest.raises(ValueError, match="E is singular"):
        _xp.solve_both(a, np.ones((4, 3, 1)), np.ones((4, 1, 3)), singular_msg="E is singular")
    ints = np.tile(np.array([[2, 1], [1, 3]]), (3, 1, 1))
    _same(_linalg.solve(anp, ints, np.ones((3, 2, 1), int)), np.linalg.solve(ints, np.ones((3, 2, 1), int)))
    with pytest.raises(TypeError, match="float16 is unsupported"):
        _linalg.solve(anp, ints.astype(np.float16), np.ones((3, 2, 1), np.float16))


# --------------------------------------------------------------------------- Gramians, factors, singular values


@given(data=st.data(), discrete=st.booleans())
def test_diagonal_gramians(dtype, data, discrete):
    """The one-pass closed form equals the reference's matmuls, Cauchy division and
    real_block: complex and real 2N forms, MIMO, broadcasting batches, both time domains."""
    from lti_ops import _lyapunov
    from lti_ops_numba import _gramians

    sys = data.draw(_diagonals(dtype, n_inputs=st.integers(1, 3), n_outputs=st.integers(1, 3)))
    if discrete:
        sys = lti_ops.discretize(sys, 0.2, "zoh")
    for fast, ref in zip(_gramians.diagonal_gramians(anp, sys), _lyapunov._closed_form_gramians(anp, sys)):
        _same(fast, ref, n=sys.n_inputs + sys.n_outputs)


@pytest.mark.parametrize("scale", [1.0, 1e25])
def test_continuous_gramians_of_huge_poles_do_not_overflow(scale):
    """|lam_i + conj lam_j|^2 overflows float32 at |lam| ~ 2e19: the denominator is scaled
    by its largest component first, so P ~ 1/|lam| stays finite and accurate."""
    from lti_ops import _lyapunov
    from lti_ops_numba import _gramians

    rng = np.random.default_rng(1)
    lam = (scale * (-rng.uniform(0.1, 1, 5) + 1j * rng.uniform(-3, 3, 5))).astype(np.complex64)
    b, c = (rng.standard_normal((2, 5)) + 1j * rng.standard_normal((2, 5))).astype(np.complex64)
    for conj_sym in (False, True):
        sys = lti_ops.Diagonal.siso(lam, b, c, conj_sym=conj_sym)
        for fast, ref in zip(_gramians.diagonal_gramians(anp, sys), _lyapunov._closed_form_gramians(anp, sys)):
            assert np.all(np.isfinite(fast)) and np.max(np.abs(fast)) > 0
            _same(fast, ref, n=5)


def _hermitian_batch(rng, batch, n, dtype, rank=None):
    """X = V V^H with V of n x rank (rank n: positive definite), a stack of shape batch."""
    rank = n if rank is None else rank
    V = rng.standard_normal(batch + (n, rank))
    if np.dtype(dtype).kind == "c":
        V = V + 1j * rng.standard_normal(batch + (n, rank))
    V = V.astype(dtype)
    return V @ np.conj(np.swapaxes(V, -1, -2)) + (n * np.eye(n, dtype=dtype) if rank == n else 0)


@given(data=st.data())
def test_factor_of_definite_matrices_is_their_cholesky_factor(dtype, data):
    from lti_ops_numba import _linalg

    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    n = data.draw(st.sampled_from([1, 2, 7, 33, _linalg.MAX_N + 1]))
    batch = data.draw(st.sampled_from([(), (1,), (4,), (2, 3), (0,)]))
    ctype = data.draw(st.sampled_from([dtype, np.result_type(dtype, 1j)]))
    X = _hermitian_batch(rng, batch, n, ctype)
    R = _linalg.factor(anp, X)
    _same(R, np.linalg.cholesky(X), n=n, cond=10)


@pytest.mark.parametrize("ctype", ["float64", "complex64"])
def test_factor_of_semidefinite_and_indefinite_matrices(ctype):
    """Rank-deficient matrices fail plain Cholesky and take the shifted one, each on its own;
    an indefinite one takes the eigen-factor. Every factor reproduces its matrix to the
    rounding the shift stands for, as the reference's does."""
    from lti_ops import _lyapunov
    from lti_ops_numba import _linalg

    rng = np.random.default_rng(2)
    n = 12
    X = np.concatenate([_hermitian_batch(rng, (2,), n, ctype), _hermitian_batch(rng, (3,), n, ctype, rank=n - 3)])
    X[-1] -= 0.5 * np.trace(X[-1]).real / n * np.eye(n, dtype=ctype)  # indefinite
    fast, ref = _linalg.factor(anp, X), _lyapunov._factor(anp, X)
    assert fast.dtype == ref.dtype == X.dtype
    _same(fast[:2], np.linalg.cholesky(X[:2]), n=n, cond=10)  # definite: no shift
    assert np.all(np.triu(fast[:4], 1) == 0)  # Cholesky factors are lower triangular
    eps = np.finfo(fast.real.dtype).eps
    for R in (fast, ref):
        gram = R @ np.conj(np.swapaxes(R, -1, -2))
        err = np.abs(gram[:4] - X[:4]).max(axis=(-2, -1)) / np.abs(X[:4]).max(axis=(-2, -1))
        assert np.all(err <= 10 * n * eps), err
    clipped = _lyapunov._eigen_factor(np, X[-1])  # U sqrt(max(s, 0)): the PSD part of X
    _same(fast[-1] @ np.conj(fast[-1].T), clipped @ np.conj(clipped.T), n=n)


@given(data=st.data(), discrete=st.booleans())
def test_fused_hankel_singular_values(dtype, data, discrete):
    """One pass per system (Gramians, Cholesky, S^T R, gesdd in scratch) equals the batched
    reference stages: conj_sym and not (the reference's route), MIMO, broadcasting, both
    time domains, N = 1 and an empty batch."""
    from lti_ops import hankel
    from lti_ops_numba import _hsv

    batches = st.sampled_from([(), (1,), (3,), (2, 2), (0,)])
    sys = data.draw(lst.stable_diagonals(dtype=dtype, conj_sym=st.booleans(), batch_shape=batches,
                                         n_inputs=st.integers(1, 3), n_outputs=st.integers(1, 3), **CALM))
    if discrete:
        sys = lti_ops.discretize(sys, 0.2, "zoh")
    fast, ref = _hsv.hsv(anp, sys), hankel._square_root_hsv(anp, sys)
    # HSVs are accurate to rounding relative to the largest one (perturbations of P, Q)
    _same(fast, ref, n=4 * sys.n_modes, cond=1e3)
    assert fast.shape == ref.shape == sys.batch_shape + (sys.n_states,)


def test_fused_hankel_singular_values_fall_back_like_the_reference():
    """An unstable system raises naming its worst pole; a system whose Cholesky fails even
    shifted (here a NaN Gramian) sends the batch to the reference, which raises its error."""
    from lti_ops import hankel
    from lti_ops_numba import _hsv

    lam = np.array([[0.5 + 0.1j, 0.3 - 0.2j], [0.5 + 0.1j, 1.5 - 0.2j]])
    one = np.ones((2, 2), complex)
    with pytest.raises(ValueError, match=r"asymptotically stable.*\|p\| = 1.513"):
        _hsv.hsv(anp, lti_ops.Diagonal.siso(lam, one, one, dt=1.0, conj_sym=True))
    sys = lti_ops.Diagonal.siso(np.abs(lam) * 0.5, one, one, dt=1.0, conj_sym=True)
    sys.B[1, 0, 0] = np.nan  # behind the constructor's back (it refuses NaN): a NaN Gramian
    for func in (_hsv.hsv, hankel._square_root_hsv):
        with pytest.raises(np.linalg.LinAlgError, match="did not converge"):
            func(anp, sys)


@given(data=st.data())
def test_fused_hankel_singular_values_of_dense_systems(dtype, data):
    """Per system, the squared Smith iteration on factors then matrices, Cholesky, S^T R
    and gesdd in scratch equal the batched reference: MIMO (factor phase skipped when the
    factors are wider than n/2), broadcasting batches, N = 1, float32 and float64. A single
    system takes the reference's route (SciPy), not the kernel's."""
    from lti_ops import hankel
    from lti_ops_numba import _hsv

    batches = st.sampled_from([(3,), (2, 2), (2, 1)])  # a single system stays on SciPy
    sys = data.draw(lst.stable_state_spaces(dtype=dtype, batch_shape=batches, n_states=st.integers(1, 9),
                                            n_inputs=st.integers(1, 6), n_outputs=st.integers(1, 3), **CALM))
    sys = lti_ops.discretize(sys, 0.2, "zoh")
    if data.draw(st.booleans()):  # one A for a batch of (B, C)
        sys = lti_ops.StateSpace(sys.A[(0,) * len(sys.batch_shape)], sys.B, sys.C, sys.D, dt=sys.dt)
    fast, ref = _hsv.hsv(anp, sys), hankel._square_root_hsv(anp, sys)
    _same(fast, ref, n=4 * sys.n_states, cond=1e3)
    assert fast.shape == ref.shape == sys.batch_shape + (sys.n_states,)
    def first(x):
        return np.broadcast_to(x, sys.batch_shape + x.shape[-2:]).reshape((-1,) + x.shape[-2:])[0]

    one = lti_ops.StateSpace(first(sys.A), first(sys.B), first(sys.C), dt=sys.dt)
    np.testing.assert_array_equal(_hsv.hsv(anp, one), hankel._square_root_hsv(anp, one))


def test_fused_dense_hankel_singular_values_raise_like_the_reference():
    from lti_ops import hankel
    from lti_ops_numba import _hsv

    A = np.stack([np.diag([0.5, 0.2, -0.3]), np.diag([0.5, 1.25, -0.3])]) + 0.01
    B, C = np.ones((3, 1)), np.ones((1, 3))
    sys = lti_ops.StateSpace(A, B, C, dt=1.0)
    for func in (_hsv.hsv, hankel._square_root_hsv):
        with pytest.raises(ValueError, match=r"asymptotically stable.*\|p\| = 1.2"):
            func(anp, sys)


@pytest.mark.parametrize("shape", [(6, 5, 3), (2, 3, 4, 4), (5, 1, 7), (0, 3, 3), (4, 4)])
def test_svdvals_threads_equal_one_call(shape, monkeypatch):
    """The batch cut into thread slices gives NumPy's singular values, shape and dtype."""
    from lti_ops_numba import _linalg

    monkeypatch.setattr(_linalg, "MIN_THREAD_WORK", 0)
    monkeypatch.setattr(_linalg.numba, "get_num_threads", lambda: 3)
    rng = np.random.default_rng(3)
    for dtype in ("float32", "complex128"):
        x = (rng.standard_normal(shape) + (1j * rng.standard_normal(shape) if dtype == "complex128" else 0)).astype(dtype)
        _same(_linalg.svdvals(anp, x), np.linalg.svd(x, compute_uv=False), n=max(shape[-2:]))


# --------------------------------------------------------------------------- fftconv


@pytest.mark.parametrize("mode", ["causal", "full", "circular"])
@given(data=st.data())
def test_fftconv(dtype, mode, data):
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    Lu, Lk = data.draw(st.integers(1, 70)), data.draw(st.integers(1, 70))
    mimo = data.draw(st.booleans())
    batch = data.draw(st.sampled_from([(), (3,), (0,), (2, 3)]))
    if mimo:
        u, k = rng.standard_normal(batch + (2, Lu)), rng.standard_normal((3, 2, Lk))
    else:
        u, k = rng.standard_normal(batch + (Lu,)), rng.standard_normal(batch[-1:] + (Lk,))
    u, k = u.astype(dtype), k.astype(dtype)
    if data.draw(st.booleans()):
        u = u + 1j * u[..., ::-1]
    fast, ref = _both(lti_ops.fftconv, u, k, mode=mode, mimo=mimo)
    _same(fast, ref, n=Lu + Lk, cond=10)


@st.composite
def _fftconv_operands(draw, dtype):
    """(u, k, k_backward or None, mimo): batch axes that broadcast (u or k repeated over the
    other's axes), real or complex."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    Lu, Lk, mimo = draw(st.integers(1, 40)), draw(st.integers(1, 50)), draw(st.booleans())
    B, H = draw(st.integers(1, 4)), draw(st.integers(1, 5))
    u_batch, k_batch = draw(st.sampled_from([((B, H), (H,)), ((B, 1), (H,)), ((H,), (B, H)), ((B, H), (B, H)),
                                             ((1,), ())]))
    io = (draw(st.integers(1, 3)), draw(st.integers(1, 3))) if mimo else ()
    u = rng.standard_normal(u_batch + io[1:] + (Lu,)).astype(dtype)
    k = rng.standard_normal(k_batch + io + (Lk,)).astype(dtype)
    if draw(st.booleans()):
        u = u + 1j * u[..., ::-1]
    kb = k[..., ::-1] if draw(st.booleans()) else None
    return u, k, kb, mimo


@pytest.mark.parametrize("mode", ["causal", "full", "circular"])
@given(data=st.data())
def test_fftconv_in_blocks_on_threads(dtype, mode, data):
    """Tiny blocks on two threads: blocks cross kernel rows and batch axes; with pocketfft's
    out= and with the scipy.fft fallback."""
    from unittest import mock

    from lti_ops_numba import _fft

    u, k, kb, mimo = data.draw(_fftconv_operands(dtype))
    patches = dict(BLOCK_BYTES=1, BLOCK_TRANSFORMS=data.draw(st.integers(1, 5)), SERIAL_SAMPLES=0, WORKERS=2)
    if data.draw(st.booleans()):
        patches["_pocketfft"] = None
    with mock.patch.multiple(_fft, **patches):
        fast, ref = _both(lti_ops.fftconv, u, k, mode=mode, k_backward=kb, mimo=mimo)
    _same(fast, ref, n=u.shape[-1] + k.shape[-1], cond=10 * (1 + (kb is not None)) * (k.shape[-2] if mimo else 1))


@pytest.mark.parametrize("mode", ["causal", "full", "circular"])
@pytest.mark.parametrize("mimo", [False, True])
def test_fftconv_result_owns_exactly_its_memory(dtype, mode, mimo):
    """No view into the length-n inverse transform (it would keep a buffer ~2x the result alive)."""
    rng = np.random.default_rng(5)
    u = rng.standard_normal((3, 4, 2, 300) if mimo else (3, 4, 300)).astype(dtype)
    k = rng.standard_normal((4, 3, 2, 200) if mimo else (4, 200)).astype(dtype)
    y = lti_ops.fftconv(u, k, mode=mode, mimo=mimo, kernel="numba")
    assert y.dtype == np.dtype(dtype) and y.flags.c_contiguous
    assert y.base is None or y.base.nbytes == y.nbytes


def test_fftconv_concurrent_calls_share_the_pool():
    """Calls from several threads at once (a threaded Dask scheduler, say) share the worker
    pool without blocking each other, and each gives exactly its serial result (a block's
    arithmetic does not depend on the thread that does it)."""
    from concurrent.futures import ThreadPoolExecutor
    from unittest import mock

    from lti_ops_numba import _fft

    rng = np.random.default_rng(7)
    u = rng.standard_normal((6, 8, 16, 300)).astype(np.float32)
    k = rng.standard_normal((16, 200)).astype(np.float32)
    with mock.patch.multiple(_fft, BLOCK_BYTES=1, BLOCK_TRANSFORMS=3, SERIAL_SAMPLES=0, WORKERS=2):
        serial = [lti_ops.fftconv(x, k) for x in u]
        with ThreadPoolExecutor(6) as callers:
            concurrent = list(callers.map(lambda x: lti_ops.fftconv(x, k), list(u) * 4))
    for i, y in enumerate(concurrent):
        np.testing.assert_array_equal(y, serial[i % len(u)])


def test_fftconv_float32_is_neither_copied_nor_upcast():
    """Peak traced memory of a float32 call: the result, the kernel spectrum and the block
    buffers (made small here), well under two results; a copy of `u` adds one result, an
    upcast to float64 three."""
    import gc
    import tracemalloc
    from unittest import mock

    from lti_ops_numba import _fft

    rng = np.random.default_rng(6)
    u = rng.standard_normal((8, 32, 2048)).astype(np.float32)  # result 2 MiB, kernel spectrum 0.5 MiB
    k = rng.standard_normal((32, 2048)).astype(np.float32)
    with mock.patch.multiple(_fft, BLOCK_BYTES=1, BLOCK_TRANSFORMS=8):  # 0.5 MiB of buffers per thread
        lti_ops.fftconv(u, k)  # compiled, pool started
        gc.collect()
        tracemalloc.start()
        try:
            base = tracemalloc.get_traced_memory()[0]
            y = lti_ops.fftconv(u, k)
            peak = tracemalloc.get_traced_memory()[1] - base
        finally:
            tracemalloc.stop()
    assert y.dtype == np.float32
    assert peak < 2 * y.nbytes, f"peak {peak / y.nbytes:.2f} x the result"


# --------------------------------------------------------------------------- HOPE


def _complex(dtype):
    return np.complex64 if dtype == "float32" else np.complex128


@given(data=st.data(), n=st.integers(1, 40), K=st.integers(1, 200))
def test_hope_transfer_at(dtype, data, n, K):
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    hb, wb = data.draw(BATCHES), data.draw(BATCHES)
    try:
        np.broadcast_shapes(hb, wb)
    except ValueError:  # e.g. (3,) with (2, 2): one set of nodes for every channel
        wb = ()
    h = rng.standard_normal(hb + (n,)).astype(dtype)
    if data.draw(st.booleans()):
        h = h + 1j * rng.standard_normal(hb + (n,)).astype(dtype)
    radius = rng.uniform(0.8, 1.5, wb + (K,))
    w = (radius * np.exp(1j * rng.uniform(-np.pi, np.pi, wb + (K,)))).astype(_complex(dtype))
    fast, ref = _both(lti_ops.hope_transfer_at, h, w)
    assert fast.shape == np.broadcast_shapes(hb, wb) + (K,)
    assert fast.dtype == _complex(dtype)
    _same(fast, ref, n=n, cond=1.25**n)  # |1/w| <= 1.25: Horner's terms grow like |x|^n


@given(data=st.data(), n=st.integers(1, 64), L=st.integers(1, 300))
def test_hope_transfer(dtype, data, n, L):
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    H = data.draw(st.sampled_from([(), (1,), (3,)]))
    h = rng.standard_normal(H + (n,)).astype(dtype)
    dt = data.draw(st.sampled_from([1.0, 0.5, 2.0, rng.uniform(0.3, 3.0, H).astype(dtype)]))
    fast, ref = _both(lti_ops.hope_transfer, h, dt, L)
    assert fast.shape == ref.shape == H + (L,) and fast.dtype == ref.dtype == _complex(dtype)
    _same(fast, ref, n=n, cond=10)  # Mobius nodes lie on the unit circle: |x| = 1


def test_hope_transfer_degenerate_sizes(dtype):
    c = _complex(dtype)
    w = np.array([1.0, 2.0, -1.0, 0.5j], dtype=c)
    for h in (np.array([2.0], dtype), np.array([1.0, 2.0], dtype)):  # n = 1, 2
        fast, ref = _both(lti_ops.hope_transfer_at, h, w)
        _same(fast, ref, n=4)
    fast, ref = _both(lti_ops.hope_transfer, np.ones((4, 3), dtype), 0.5, 1)  # L = 1
    assert fast.shape == (4, 1)
    _same(fast, ref, n=3)
    for h, ww in ((np.ones((0, 3), dtype), w), (np.ones(3, dtype), np.ones((0, 2, 4), c)),
                  (np.ones((0, 1, 3), dtype), np.ones((5, 4), c))):  # empty batches
        fast, ref = _both(lti_ops.hope_transfer_at, h, ww)
        assert fast.shape == ref.shape and fast.dtype == ref.dtype == c and fast.size == 0
    # broadcast of h (channels) against one node vector, and of one h against many node sets
    rng = np.random.default_rng(1)
    h = rng.standard_normal((3, 1, 5)).astype(dtype)
    ww = np.exp(1j * rng.uniform(-3, 3, (2, 7))).astype(c)
    fast, ref = _both(lti_ops.hope_transfer_at, h, ww)
    assert fast.shape == (3, 2, 7)
    _same(fast, ref, n=5)


# --------------------------------------------------------------------------- the disk cache
# (last in the file: run after the kernel tests, which fill the cache the first process finds)


def test_a_second_process_loads_every_kernel_from_the_disk_cache():
    """benchmarks/first_call.py calls every Numba-served primitive in a fresh interpreter;
    after one such process has filled the cache, the next compiles nothing at all."""
    root = pathlib.Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(root))
    try:
        from benchmarks import first_call
    finally:
        sys.path.remove(str(root))
    first_call.fresh_process()
    again = first_call.fresh_process()
    assert again["compile_events"] == 0, again
    assert all(not c["compiled"] for c in again["calls"].values()), again


def test_the_cache_stamp_covers_every_source_file_of_the_package(tmp_path):
    """A kernel compiled in a helper's module is recompiled when that module changes:
    the stamp digests all sources, not only the file defining the kernel."""
    from lti_ops_numba import _cache

    package = pathlib.Path(_cache.__file__).parent
    for path in package.glob("*.py"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    assert _cache.source_stamp(tmp_path) == _cache.package_stamp()
    helper = tmp_path / "_linalg.py"
    helper.write_text(helper.read_text() + "\n# an edit\n")
    assert _cache.source_stamp(tmp_path) != _cache.package_stamp()
