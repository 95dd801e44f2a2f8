"""Parity of the CUDA kernels (backends/lti_ops_cupy) with the reference ``kernel="xp"``.

The file picks its mode itself:

* under numba-cuda's simulator (``NUMBA_ENABLE_CUDASIM=1 python -m pytest tests/test_cupy.py``,
  no GPU needed; CI runs it) the kernels run as Python threads on NumPy arrays, through the
  ``kernel="cupy"`` engine made to serve NumPy for the test;
* with CuPy and a CUDA device, on CuPy arrays, through the real engine;
* otherwise every test is skipped, saying why.

Every kernel must give the reference's dtype and values on hypothesis-drawn inputs: float32
and float64, conj_sym, batch broadcasting, degenerate sizes (N = 1, L = 1, empty batch).
Both sides compute the same formula in the same precision, so tolerances are dtype-aware
rounding bounds. The simulator is slow (a thread per CUDA thread): sizes are small and
examples few (a sixth of the profile's).
"""

import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st


def _mode():
    """("simulator" | "gpu", namespace), or skip the module with the reason."""
    numba = pytest.importorskip("numba", reason="numba is not installed")
    try:
        from numba import cuda
    except ImportError as exc:  # pragma: no cover - numba-cuda absent
        pytest.skip(f"numba-cuda is not installed: {exc}", allow_module_level=True)
    import array_api_compat

    if numba.config.ENABLE_CUDASIM:
        return "simulator", array_api_compat.array_namespace(np.asarray([0.0]))
    try:
        import cupy

        cupy.cuda.runtime.getDeviceCount()
        if not cuda.is_available():
            raise RuntimeError("numba-cuda sees no device")
    except Exception as exc:  # ImportError, CUDA runtime errors: no common base class
        pytest.skip(f"no GPU for the CUDA kernels ({exc}); run under NUMBA_ENABLE_CUDASIM=1 to check them "
                    "with numba-cuda's simulator", allow_module_level=True)
    return "gpu", array_api_compat.array_namespace(cupy.asarray([0.0]))


MODE, XP = _mode()

import lti_ops  # noqa: E402
from lti_ops import _dispatch  # noqa: E402
from lti_ops.testing import assert_close, to_numpy, tolerance  # noqa: E402
from lti_ops.testing import strategies as lst  # noqa: E402

PRIMITIVES = ["ssm_kernel_diagonal", "ssm_kernel_dplr", "transfer_diagonal", "transfer_dplr", "scan", "fftconv",
              "hope_transfer"]
BATCHES = st.sampled_from([(), (1,), (3,), (2, 1)])
IO = st.integers(1, 2)  # inputs and outputs: MIMO, but few threads for the simulator
STEPS = st.floats(0.01, 0.3)
FEW = settings(max_examples=max(2, settings.default.max_examples // 6))


@pytest.fixture(autouse=True)
def engine(monkeypatch):
    """The "cupy" engine, serving NumPy arrays under the simulator."""
    if MODE == "simulator":
        import lti_ops_cupy._register  # noqa: F401  (imports without CuPy)

        spec = _dispatch.Engine("cupy", "lti_ops_cupy", "numpy", "cupy", entry="lti_ops_cupy._register")
        monkeypatch.setitem(_dispatch.ENGINES, "cupy", spec)
        monkeypatch.setitem(_dispatch.REGISTRY._loaded, "cupy", None)


def _on(x):
    """NumPy array `x` in the mode's namespace."""
    return XP.asarray(x)


def _moved(sys):
    """System `sys` (NumPy arrays) with its arrays in the mode's namespace."""
    import dataclasses

    return dataclasses.replace(sys, **{name: _on(getattr(sys, name)) for name in sys._CORE})


def _same(fast, ref, *, n=1, cond=100.0):
    """Same array type, dtype and shape; values within c * n * eps * cond of max|ref|."""
    assert type(fast) is type(ref), f"{type(fast)} != {type(ref)}"
    assert fast.dtype == ref.dtype, f"dtype {fast.dtype} != reference {ref.dtype}"
    assert_close(fast, ref, rtol=tolerance(ref.dtype, n=n, cond=cond), check_dtype=True)


def _both(func, *args, **kw):
    return func(*args, kernel="cupy", **kw), func(*args, kernel="xp", **kw)


def _diagonals(dtype, **kw):
    return lst.stable_diagonals(xp=XP, dtype=dtype, conj_sym=st.booleans(), batch_shape=BATCHES, n_inputs=IO,
                                n_outputs=IO, **kw)


def _dplrs(dtype, **kw):
    return lst.dplr_systems(xp=XP, dtype=dtype, conj_sym=st.booleans(), batch_shape=BATCHES,
                            rank=st.integers(1, 3), n_inputs=IO, n_outputs=IO, **kw)


def _complex(dtype):
    return np.complex64 if dtype == "float32" else np.complex128


# --------------------------------------------------------------------------- engine


def test_every_primitive_has_a_cuda_kernel_that_the_engine_resolves():
    def generic():
        return None

    assert _dispatch.REGISTRY.load("cupy") is None  # registers the kernels, as a first call would
    for name in PRIMITIVES:
        fast = _dispatch.REGISTRY.kernels.get((name, "cupy"))
        assert fast is not None, name
        assert _dispatch.resolve(name, "cupy", XP, generic) is fast
        assert _dispatch.resolve(name, "xp", XP, generic) is generic
        if MODE == "gpu":
            assert _dispatch.resolve(name, "auto", XP, generic) is fast


def test_kernel_modules_import_without_cupy_and_build_nothing():
    """The kernels and their launch code import with CuPy hidden, and build no kernel at
    import; the engine entry does not import."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "sys.modules['cupy'] = None  # import cupy now raises ImportError\n"
        "import lti_ops_cupy._register\n"
        "from lti_ops_cupy import _cauchy, _hope, _scan, _vandermonde\n"
        "builds = [_cauchy._cauchy, _hope._horner, _scan._ends, _scan._carry, _scan._outputs, _vandermonde._vandermonde]\n"
        "assert all(b.cache_info().currsize == 0 for b in builds)\n"
        "from lti_ops import _dispatch\n"
        "error = _dispatch.Registry().load('cupy')\n"
        "assert error is not None and 'cupy' in error, error\n"
    )
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1")
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


def test_launch_keeps_numba_performance_warnings_to_itself():
    """numba-cuda warns at every launch of fewer than 128 blocks (a small problem); with
    warnings as errors (this suite's setting) that would fail the call."""
    import warnings

    from lti_ops_cupy import _launch

    class Kernel:
        def __getitem__(self, config):
            for category in _launch._numba_warnings():
                warnings.warn(category("Grid size 1 will likely result in GPU under-utilization"))
            return lambda *args: None

    assert len(_launch._numba_warnings()) >= 1
    _launch.launch(XP, Kernel(), 1, 32)


# --------------------------------------------------------------------------- Vandermonde


@pytest.mark.parametrize("method", ["zoh", "bilinear", "s4_bilinear", "dss"])
@FEW
@given(data=st.data(), dt=STEPS, L=st.integers(1, 48))
def test_diagonal_kernel(dtype, method, data, dt, L):
    sys = data.draw(_diagonals(dtype))
    fast, ref = _both(lti_ops.ssm_kernel, sys, L, dt=dt, method=method)
    _same(fast, ref, n=L * sys.n_modes)


@FEW
@given(data=st.data(), L=st.integers(1, 80))
def test_diagonal_kernel_of_discrete_systems_with_zero_and_real_modes(dtype, data, L):
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    complex_ = data.draw(st.booleans())
    lam = rng.uniform(-0.95, 0.95, 5) + (1j * rng.uniform(-0.3, 0.3, 5) if complex_ else 0)
    lam[rng.integers(0, 5)] = 0  # 0^0 = 1, 0^l = 0
    B, C = rng.standard_normal((5, 2)), rng.standard_normal((3, 5))
    sys = lti_ops.Diagonal(_on(lam.astype(np.result_type(dtype, lam.dtype))), _on(B.astype(dtype)),
                           _on(C.astype(dtype)), dt=1.0)
    fast, ref = _both(lti_ops.ssm_kernel, sys, L)
    _same(fast, ref, n=L * 5)


def test_diagonal_kernel_broadcasts_and_degenerate_sizes(dtype):
    rng = np.random.default_rng(0)
    c = _complex(dtype)
    lam = _on((-rng.uniform(0.1, 1, (2, 1, 4)) + 1j * rng.uniform(-3, 3, (2, 1, 4))).astype(c))
    B, C = rng.standard_normal((3, 4, 1)).astype(c), rng.standard_normal((1, 4)).astype(c)
    dt = _on(np.array([0.05, 0.1, 0.2], dtype=dtype))  # per channel: batch (2, 3)
    for conj_sym in (False, True):
        sys = lti_ops.Diagonal(lam, _on(B), _on(C), conj_sym=conj_sym)
        for L in (1, 2, 37):
            fast, ref = _both(lti_ops.ssm_kernel, sys, L, dt=dt, method="zoh")
            assert fast.shape == (2, 3, 1, 1, L)
            _same(fast, ref, n=4 * L)
    one = lti_ops.Diagonal.siso(lam[0, 0, :1], _on(B[0, :1, 0]), _on(C[0, :1]), conj_sym=True)  # N = 1
    _same(*_both(lti_ops.ssm_kernel, one, 7, dt=0.1, method="zoh"), n=7)
    empty = lti_ops.Diagonal(_on(np.ones((0, 4), c) * -0.5), _on(B[0]), _on(C))
    fast, ref = _both(lti_ops.ssm_kernel, empty, 5, dt=0.1, method="zoh")
    assert fast.shape == ref.shape == (0, 1, 1, 5) and fast.dtype == ref.dtype


@pytest.mark.parametrize("method", ["zoh", "dss"])
def test_diagonal_kernel_across_mode_tiles_and_time_spans(dtype, method):
    """More modes than one shared-memory tile, two warps' spans of time steps, and modes
    that flush (decay below the smallest normal number) or, with DSS, grow: the growing one
    reaches normal numbers in the middle of a thread's steps (l >= L + log(tiny) / Re x) and
    ends at O(1) on the last step, so a walk started from an underflowed anchor shows."""
    from lti_ops_cupy import _vandermonde

    rng = np.random.default_rng(3)
    N, L, dt = _vandermonde.MODE_TILE + 3, 2 * _vandermonde.STEPS * 32, 0.5
    tiny = np.log(np.finfo(dtype).smallest_normal)
    grow = -tiny / 87.0 / dt if method == "dss" else -0.5  # DSS normalizes growing modes; ZOH would overflow
    rate = np.concatenate([-rng.uniform(0.01, 0.1, N - 3), [-40.0, -200.0, grow]])  # fast decay, flush, growth
    lam = (rate + 1j * rng.uniform(-3, 3, N)).astype(_complex(dtype))
    sys = lti_ops.Diagonal.siso(_on(lam), _on(rng.standard_normal(N).astype(dtype)),
                                _on(rng.standard_normal(N).astype(dtype)), conj_sym=True)
    fast, ref = _both(lti_ops.ssm_kernel, sys, L, dt=dt, method=method)
    # both round exp((l - s) x) to about |l x| eps, and sum N terms: no N L factor here
    _same(fast, ref, n=N + L, cond=1)


# --------------------------------------------------------------------------- DPLR


@pytest.mark.parametrize("method", ["s4_bilinear", "zoh"])
@FEW
@given(data=st.data(), dt=STEPS, L=st.integers(1, 64))
def test_dplr_kernel(dtype, method, data, dt, L):
    sys = data.draw(_dplrs(dtype))
    fast, ref = _both(lti_ops.ssm_kernel, sys, L, dt=dt, method=method)
    _same(fast, ref, n=L * sys.n_modes, cond=1e3)
    disc = lti_ops.c_tilde(lti_ops.discretize(sys, dt, method), L)
    fast, ref = _both(lti_ops.ssm_kernel, disc, L, c_is_tilde=True)
    _same(fast, ref, n=L * sys.n_modes, cond=1e3)


def test_dplr_kernel_of_an_s4_layer(dtype):
    """S4-LegS: conj_sym, rank 1, SISO (the fused 4-sum Woodbury kernel), per-channel steps."""
    sys = _moved(lti_ops.nplr("legs", 8, C=np.ones(8, dtype), dtype=dtype))
    dt = _on(np.array([0.01, 0.05, 0.2], dtype))
    for L in (1, 2, 130):
        fast, ref = _both(lti_ops.ssm_kernel, sys, L, dt=dt, method="s4_bilinear")
        _same(fast, ref, n=L * sys.n_modes, cond=1e3)


def test_dplr_kernel_with_a_mode_on_a_root_of_unity_falls_back_like_the_reference():
    """The node test reads one boolean back from the device and follows the reference."""
    lam = np.array([1.0 + 0j, 0.5])  # 1 is the node omega_0
    P = Q = np.array([[0.1 + 0j], [0.2]])
    sys = lti_ops.DPLR.siso(*(_on(x) for x in (lam, P, Q, np.ones(2, complex), np.ones(2, complex))), dt=1.0)
    _same(*_both(lti_ops.ssm_kernel, sys, 8), n=16)
    with pytest.raises(ValueError, match="C cannot be recovered"):
        lti_ops.ssm_kernel(sys, 8, c_is_tilde=True, kernel="cupy")


# --------------------------------------------------------------------------- transfer


def _points(data, dtype, batch, K_max=64):
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    K = data.draw(st.integers(1, K_max))
    shape = data.draw(st.sampled_from([(K,), batch + (K,)]))
    z = rng.uniform(-6, 6, shape) + 1j * rng.uniform(-6, 6, shape)
    return _on(z.astype(_complex(dtype)))


@pytest.mark.parametrize("kind", ["diagonal", "dplr"])
@FEW
@given(data=st.data())
def test_transfer_function(dtype, kind, data):
    sys = data.draw(_diagonals(dtype) if kind == "diagonal" else _dplrs(dtype))
    z = _points(data, dtype, sys.batch_shape)
    fast, ref = _both(lti_ops.transfer_function, sys, z)
    _same(fast, ref, n=sys.n_modes, cond=1e3 if kind == "dplr" else 10)


def test_transfer_function_beyond_the_fused_kernel(dtype):
    """Rank 3, and more than MAX_SUMS Cauchy sums per node (MIMO): plain sums in groups,
    then the reference's combination."""
    from lti_ops_cupy import _cauchy

    rng = np.random.default_rng(5)
    c = _complex(dtype)
    z = _on((rng.uniform(-6, 6, 33) + 1j * rng.uniform(-6, 6, 33)).astype(c))
    for conj_sym, (n, r, p, m) in ((False, (5, 3, 1, 1)), (True, (4, 1, 4, 4)), (True, (3, 0, 5, 4))):
        assert r > 2 or (p + r) * (m + r) > _cauchy.MAX_SUMS
        lam = _on((-rng.uniform(0.1, 2, (2, n)) + 1j * rng.uniform(-3, 3, (2, n))).astype(c))
        B, C = (_on((rng.standard_normal(s) + 1j * rng.standard_normal(s)).astype(c)) for s in ((2, n, m), (2, p, n)))
        if r == 0:
            sys = lti_ops.Diagonal(lam, B, C, conj_sym=conj_sym)
        else:
            P, Q = (_on((0.3 * rng.standard_normal((2, n, r)) + 0.3j * rng.standard_normal((2, n, r))).astype(c))
                    for _ in range(2))
            sys = lti_ops.DPLR(lam, P, Q, B, C, conj_sym=conj_sym)
        fast, ref = _both(lti_ops.transfer_function, sys, z)
        _same(fast, ref, n=n, cond=1e3)


@pytest.mark.parametrize("magnitude", [1e-30, 1.0, 1e30])
def test_transfer_conjugate_pairs_at_extreme_points(dtype, magnitude):
    """The pair form divides once by (z - lam)(z - conj lam), about max(|z|, |lam|)^4 in
    size: scaled by a power of two first, it neither overflows at |z| = 1e30 in float32
    nor loses small |z|."""
    rng = np.random.default_rng(0)
    lam = (1e12 * (-rng.uniform(1e-3, 1, 6) + 1j * rng.uniform(-1e3, 1e3, 6))).astype(_complex(dtype))
    b, c = (rng.standard_normal((2, 6)) + 1j * rng.standard_normal((2, 6))).astype(lam.dtype)
    sys = lti_ops.Diagonal.siso(_on(lam), _on(b), _on(c), conj_sym=True)
    z = (magnitude * np.exp(1j * rng.uniform(-np.pi, np.pi, 20))).astype(lam.dtype)
    fast, ref = _both(lti_ops.transfer_function, sys, _on(z))
    assert np.all(np.isfinite(to_numpy(fast)))
    _same(fast, ref, n=12, cond=10)


def test_transfer_poles_behave_like_the_reference():
    lam = _on(np.array([-1.0 + 0j, -2.0]))
    with pytest.raises(ValueError, match="a point coincides with a pole"):
        lti_ops.transfer_function(lti_ops.Diagonal.siso(lam, lam, lam), _on(np.array([0j, -2.0])), kernel="cupy")
    sys = lti_ops.DPLR.siso(*(_on(x) for x in (np.array([0.0 + 0j, -1.0]), np.array([[1.0 + 0j], [0.0]]),
                                               np.array([[1.0 + 0j], [0.0]]), np.array([1.0 + 0j, 1.0]),
                                               np.array([1.0 + 0j, 1.0]))))
    _same(*_both(lti_ops.transfer_function, sys, _on(np.array([0j, 1.0]))), n=2)


# --------------------------------------------------------------------------- scan


@pytest.mark.parametrize("func", [lti_ops.scan, lti_ops.simulate], ids=["scan", "simulate"])
@FEW
@given(data=st.data(), L=st.integers(1, 40))
def test_scan(dtype, func, data, L):
    sys = data.draw(_diagonals(dtype))
    disc = lti_ops.discretize(sys, data.draw(STEPS), "zoh")
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    siso = disc.n_inputs == 1 and disc.n_outputs == 1
    shape = data.draw(st.sampled_from([(), (2,) + disc.batch_shape])) + (() if siso else (disc.n_inputs,)) + (L,)
    u = rng.standard_normal(shape).astype(dtype)
    if data.draw(st.booleans()) and not disc.conj_sym:
        u = u + 1j * rng.standard_normal(shape).astype(dtype)  # complex input
    x0 = _on(rng.standard_normal(disc.n_modes).astype(dtype)) if data.draw(st.booleans()) else None
    (yf, xf), (yr, xr) = _both(func, disc, _on(u), x0)
    _same(yf, yr, n=L * disc.n_modes, cond=1e3)
    _same(xf, xr, n=L * disc.n_modes, cond=1e3)


def test_scan_across_chunks_and_tiles(dtype):
    """Lengths on both sides of the CHUNK and TILE boundaries, a real system (real states),
    an x0 and the control convention."""
    from lti_ops_cupy import _scan

    rng = np.random.default_rng(7)
    lam = (rng.uniform(0.5, 0.99, (2, 3)) * np.exp(1j * rng.uniform(-1, 1, (2, 3)))).astype(_complex(dtype))
    real = lti_ops.Diagonal.siso(_on(np.real(lam)), _on(np.ones((2, 3), dtype)), _on(np.ones((2, 3), dtype)), dt=1.0)
    cplx = lti_ops.Diagonal.siso(_on(lam), _on(np.ones((2, 3), lam.dtype)), _on(np.ones((2, 3), lam.dtype)), dt=1.0,
                                 conj_sym=True)
    for L in (_scan.TILE + 1, _scan.CHUNK, 2 * _scan.CHUNK + 3):
        u = _on(rng.standard_normal((2, L)).astype(dtype))
        for sys in (real, cplx):
            for func in (lti_ops.scan, lti_ops.simulate):
                (yf, xf), (yr, xr) = _both(func, sys, u, _on(np.ones(3, dtype)))
                _same(yf, yr, n=L * 3, cond=1e3)
                _same(xf, xr, n=L * 3, cond=1e3)


def test_scan_degenerate_sizes():
    lam = np.array([[0.5 + 0.1j]])  # N = 1
    sys = lti_ops.Diagonal(_on(lam), _on(np.ones((1, 1, 1), complex)), _on(np.ones((1, 1, 1), complex)), dt=1.0,
                           conj_sym=True)
    for u in (np.ones((1, 1)), np.ones((0, 1, 4)), np.ones((3, 1, 9))):
        (yf, xf), (yr, xr) = _both(lti_ops.scan, sys, _on(u))
        assert yf.shape == yr.shape and xf.shape == xr.shape
        _same(yf, yr, n=10)
        _same(xf, xr, n=10)


# --------------------------------------------------------------------------- HOPE


@FEW
@given(data=st.data(), n=st.integers(1, 24), K=st.integers(1, 64))
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
    fast, ref = _both(lti_ops.hope_transfer_at, _on(h), _on(w))
    assert fast.shape == np.broadcast_shapes(hb, wb) + (K,)
    _same(fast, ref, n=n, cond=1.25**n)  # |1/w| <= 1.25: Horner's terms grow like |x|^n


def test_hope_transfer_at_mobius_nodes_and_degenerate_sizes(dtype):
    from lti_ops_cupy import _hope

    rng = np.random.default_rng(2)
    for n, L in ((1, 1), (2, 9), (_hope.TILE + 5, 40)):  # Markov parameters past one shared tile
        h = _on(rng.standard_normal((3, n)).astype(dtype))
        dt = _on(rng.uniform(0.3, 3.0, 3).astype(dtype))
        fast, ref = _both(lti_ops.hope_transfer, h, dt, L)
        assert fast.shape == ref.shape == (3, L) and fast.dtype == _complex(dtype)
        _same(fast, ref, n=n, cond=10)
    fast, ref = _both(lti_ops.hope_transfer_at, _on(np.ones((0, 3), dtype)), _on(np.ones(4, _complex(dtype))))
    assert fast.shape == ref.shape == (0, 4) and fast.dtype == ref.dtype


# --------------------------------------------------------------------------- fftconv


@pytest.mark.parametrize("mode", ["causal", "full", "circular"])
@FEW
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
    fast, ref = _both(lti_ops.fftconv, _on(u), _on(k), mode=mode, mimo=mimo)
    _same(fast, ref, n=Lu + Lk, cond=10)


# --------------------------------------------------------------------------- benchmark script


@pytest.mark.skipif(MODE == "gpu", reason="on a GPU the real `python -m benchmarks --gpu` is the check")
def test_gpu_benchmark_runs_end_to_end_under_the_simulator(tmp_path):
    """`python -m benchmarks --gpu --quick` under the simulator: every case, every contender
    (torch on the CPU), each peer agreeing with lti_ops, and the report written."""
    import pathlib
    import subprocess
    import sys

    root = pathlib.Path(__file__).resolve().parents[1]
    out = tmp_path / "benchmarks-gpu.md"
    env = dict(os.environ, NUMBA_ENABLE_CUDASIM="1",
               PYTHONPATH=os.pathsep.join([str(root), str(root / "backends"), os.environ.get("PYTHONPATH", "")]))
    subprocess.run([sys.executable, "-m", "benchmarks", "--gpu", "--quick", "--out", str(out)], cwd=root, env=env,
                   check=True, capture_output=True, timeout=300)
    text = out.read_text()
    assert "numba-cuda simulator" in text and "Error" not in text
    for case in ("S4D kernel", "S4 DPLR kernel", "causal FFT convolution", "S4D scan", "HOPE samples"):
        assert f"| {case}" in text, case
    for line in text.splitlines():
        if "max diff" in line:
            assert float(line.split("max diff ")[1].split()[0].rstrip("|")) < 1e-4, line
