"""Dask scale-out (lti_ops._blockwise): every batched primitive runs blockwise on Dask arrays
chunked along batch axes, on a 2-worker dask.distributed LocalCluster, lazily, and gives
NumPy's numbers."""

import pickle
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("dask.distributed")
import dask  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import lti_ops  # noqa: E402
from lti_ops import _blockwise  # noqa: E402
from lti_ops.testing import strategies as lst  # noqa: E402

H, CHUNK = 6, 2  # batch size and chunk: three blocks
EXACT = 0.0


@pytest.fixture(scope="module")
def client():
    """Two single-threaded workers in this process (Numba compiles each kernel once here)."""
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
    ) as cluster, distributed.Client(cluster) as c:
        yield c


# --------------------------------------------------------------------------- helpers


class Shared:
    """An input without batch axes (kept in one chunk on the Dask side)."""

    def __init__(self, x):
        self.x = x


def _chunked(x):
    x = np.asarray(x)
    if x.ndim and x.shape[0] == H:
        return da.from_array(x, chunks=(CHUNK,) + x.shape[1:])
    return da.from_array(x, chunks=x.shape)


def to_dask(x):
    """Dask version of a case input: batched axis 0 in blocks of CHUNK, the rest whole."""
    if isinstance(x, Shared):
        return da.from_array(np.asarray(x.x), chunks=np.shape(x.x))
    if hasattr(x, "_CORE"):
        fields = {f: _chunked(getattr(x, f)) for f in x._CORE}
        if hasattr(x.dt, "shape"):
            fields["dt"] = _chunked(x.dt)
        return replace(x, **fields)
    if hasattr(x, "shape"):
        return _chunked(x)
    return x


def to_numpy(x):
    return x.x if isinstance(x, Shared) else x


def arrays_of(out):
    """The arrays of a result (arrays, containers, tuples of them), in a fixed order."""
    if hasattr(out, "_CORE"):
        names = [*out._CORE, *(["dt"] if hasattr(out.dt, "shape") else [])]
        return [getattr(out, f) for f in names]
    if isinstance(out, tuple):
        return [a for item in out for a in arrays_of(item)]
    return [out]


def _refuse(*args, **kwargs):
    raise AssertionError("a Dask graph was computed at call time")


def lazily(fn, *args, **kwargs):
    """`fn(*args, **kwargs)` under a scheduler that fails if anything is computed."""
    with dask.config.set(scheduler=_refuse):
        return fn(*args, **kwargs)


def check_blockwise(got, ref, rtol=EXACT):
    """`got` (lazy, from Dask input chunked CHUNK along batch axis 0) matches NumPy's `ref`."""
    assert isinstance(got, da.Array) if isinstance(ref, np.ndarray) else type(got) is type(ref)
    lazy, want = arrays_of(got), arrays_of(ref)
    assert len(lazy) == len(want)
    for x in lazy:
        assert isinstance(x, da.Array), type(x)
        assert x.chunks[0] == (CHUNK,) * (H // CHUNK), x.chunks
        assert all(len(c) == 1 for c in x.chunks[1:]), f"core axes split: {x.chunks}"
    for x, y in zip(dask.compute(*lazy), want):
        y = np.broadcast_to(np.asarray(y), x.shape)
        assert x.dtype == y.dtype
        if rtol == EXACT:
            np.testing.assert_array_equal(x, y)
        else:
            np.testing.assert_allclose(x, y, rtol=rtol, atol=rtol * np.max(np.abs(y)))


# --------------------------------------------------------------------------- inputs

rng = np.random.default_rng(7)


def _c(shape):
    return rng.standard_normal(shape) + 1j * rng.standard_normal(shape)


LAM = -rng.uniform(0.3, 2.0, (H, 3)) + 1j * rng.uniform(-3, 3, (H, 3))
DIAG = lti_ops.Diagonal.siso(LAM, _c((H, 3)), _c((H, 3)), rng.standard_normal(H), conj_sym=True)
DIAG_MIMO = lti_ops.Diagonal(LAM, _c((H, 3, 2)), _c((H, 2, 3)))
DENSE = lti_ops.StateSpace(
    -2 * np.eye(3) + 0.4 * rng.standard_normal((H, 3, 3)),
    rng.standard_normal((H, 3, 2)),
    rng.standard_normal((H, 2, 3)),
    rng.standard_normal((H, 2, 2)),
)
DENSE_D = lti_ops.discretize(DENSE, 0.1)
UNSTABLE = lti_ops.StateSpace(-DENSE.A, DENSE.B, DENSE.C, DENSE.D)
DIAG_D = lti_ops.discretize(DIAG, 0.1)
LOW = 0.1 * _c((H, 3, 1))
DPLR = lti_ops.DPLR.siso(LAM, LOW, LOW, _c((H, 3)), _c((H, 3)))
DT = rng.uniform(0.05, 0.5, H)
MARKOV = np.real(lti_ops.markov_parameters(DIAG_D, 16)[..., 0, 0, :])  # McMillan degree 6
MARKOV_MIMO = lti_ops.markov_parameters(DENSE_D, 12)
HSV = lti_ops.hankel_singular_values(DENSE)
U = rng.standard_normal((H, 20))
HOPE = 0.3 * _c((H, 8))
POINTS = Shared(np.exp(1j * np.linspace(0.1, 3.0, 5)))
UNIT = np.exp(1j * rng.uniform(-3, 3, (H, 5)))

# name -> (function, inputs, rtol). Inputs are NumPy; each case runs them as NumPy and as Dask.
CASES = {
    "StateSpace.poles": (lambda s: s.poles(), [DENSE], EXACT),
    "Diagonal.poles": (lambda s: s.poles(), [DIAG], EXACT),
    "DPLR.poles": (lambda s: s.poles(), [DPLR], EXACT),
    "is_stable": (lambda s: s.is_stable(), [DENSE_D], EXACT),
    "Diagonal.to_dense": (lambda s: s.to_dense(), [DIAG], EXACT),
    "DPLR.to_dense": (lambda s: s.to_dense(), [DPLR], EXACT),
    "diagonalize": (lti_ops.diagonalize, [DENSE], EXACT),
    "gramians": (lti_ops.gramians, [DENSE], EXACT),
    "hankel_singular_values": (lti_ops.hankel_singular_values, [DENSE], EXACT),
    "hankel_singular_values-conj_sym": (lti_ops.hankel_singular_values, [DIAG], EXACT),
    "hankel_singular_values-dplr": (lti_ops.hankel_singular_values, [DPLR], EXACT),
    "hankel_singular_values-markov": (
        lambda s: lti_ops.hankel_singular_values(s, method="markov", n_markov=64), [DIAG_MIMO], EXACT),
    "mcmillan_degree": (lti_ops.mcmillan_degree, [lti_ops.discretize(DENSE, 1.0)], EXACT),
    "mcmillan_degree-markov": (lti_ops.mcmillan_degree, [MARKOV], EXACT),
    "hankel_norm": (lti_ops.hankel_norm, [DIAG], EXACT),
    "h2_norm": (lti_ops.h2_norm, [DIAG_D], EXACT),
    "h2_norm-parseval": (lambda s: lti_ops.h2_norm(s, method="parseval"), [DENSE], 1e-8),
    "hinf_norm": (lti_ops.hinf_norm, [DENSE], EXACT),
    "hinf_norm-grid": (lambda s: lti_ops.hinf_norm(s, method="grid"), [DENSE], 1e-8),
    "hinf_norm-frequency": (lambda s: lti_ops.hinf_norm(s, return_frequency=True), [DENSE_D], EXACT),
    "linf_norm": (lambda s: lti_ops.linf_norm(s, return_frequency=True), [UNSTABLE], EXACT),
    "linf_norm-grid": (lambda s: lti_ops.linf_norm(s, method="grid"), [UNSTABLE], 1e-8),
    "bode": (lambda s, w: lti_ops.bode(s, w, db=True), [DIAG_D, Shared(np.linspace(0.1, 3, 5))], EXACT),
    "balanced_realization": (lti_ops.balanced_realization, [DENSE], EXACT),
    "balanced_truncation": (lambda s: lti_ops.balanced_truncation(s, 2), [DIAG], EXACT),
    "balanced_truncation-discrete": (lambda s: lti_ops.balanced_truncation(s, 1), [DENSE_D], EXACT),
    "hankel_matrix": (lti_ops.hankel_matrix, [MARKOV], EXACT),
    "hankel_matrix-mimo": (lambda h: lti_ops.hankel_matrix(h, mimo=True), [MARKOV_MIMO], EXACT),
    "hankel_matvec": (lti_ops.hankel_matvec, [MARKOV, U[:, :8]], EXACT),
    "hankel_rmatvec": (lambda h, y: lti_ops.hankel_rmatvec(h, y, mimo=True), [MARKOV_MIMO, U[:, :12]], EXACT),
    "epsilon_rank": (lambda s: lti_ops.epsilon_rank(s, 1e-2), [HSV], EXACT),
    "realize": (lambda h: lti_ops.realize(h, 5), [MARKOV], EXACT),
    "modred": (lambda s: lti_ops.modred(s, [1]), [DENSE_D], EXACT),
    "modred-diagonal": (lambda s: lti_ops.modred(s, [0, 2], method="truncate"), [DIAG_MIMO], EXACT),
    "ssm_kernel": (lambda s: lti_ops.ssm_kernel(s, 32, dt=0.1, method="zoh"), [DIAG], EXACT),
    "ssm_kernel-dplr": (lambda s: lti_ops.ssm_kernel(s, 32, dt=0.1, method="bilinear"), [DPLR], EXACT),
    "ssm_kernel-dense-dt": (lambda s, dt: lti_ops.ssm_kernel(s, 16, dt=dt, method="zoh"), [DENSE, DT], EXACT),
    "markov_parameters": (lambda s: lti_ops.markov_parameters(s, 8), [DENSE_D], EXACT),
    "c_tilde": (lambda s: lti_ops.c_tilde(s, 16), [DIAG_D], EXACT),
    "c_from_c_tilde": (lambda s: lti_ops.c_from_c_tilde(s, 16), [DIAG_D], EXACT),
    "double_c_tilde": (lambda s: lti_ops.double_c_tilde(s, 16), [DIAG_D], EXACT),
    "discretize": (lambda s: lti_ops.discretize(s, 0.1, "foh"), [DENSE], EXACT),
    "discretize-dt": (lambda s, dt: lti_ops.discretize(s, dt, "bilinear"), [DPLR, DT], EXACT),
    "d2c": (lti_ops.d2c, [DENSE_D], EXACT),
    "transfer_function": (lti_ops.transfer_function, [DPLR, POINTS], EXACT),
    "frequency_response": (lti_ops.frequency_response, [DIAG_D, Shared(np.linspace(0, 3, 5))], EXACT),
    "fftconv": (lti_ops.fftconv, [U, MARKOV], EXACT),
    "fftconv-mimo": (
        lambda u, k, D: lti_ops.fftconv(u, k, D=D, mimo=True, mode="full"),
        [U.reshape(H, 2, 10), MARKOV_MIMO, DENSE.D], EXACT),
    "kernel_from_samples": (lambda G: lti_ops.kernel_from_samples(G, 16), [np.fft.rfft(MARKOV)], EXACT),
    "step": (lti_ops.step, [DIAG_D, _c((H, 3)), U[:, 0]], EXACT),
    "simulate": (lti_ops.simulate, [DENSE_D, U.reshape(H, 2, 10), U[:, :3]], EXACT),
    "scan": (lti_ops.scan, [DIAG_D, U], EXACT),
    "simulate-continuous": (lambda s, u, t: lti_ops.simulate(s, u, t=t, interpolation="foh"),
                            [DENSE, U.reshape(H, 2, 10), Shared(np.linspace(0, 2, 10))], EXACT),
    "mobius": (lti_ops.mobius, [UNIT, DT], EXACT),
    "mobius_nodes": (lambda dt: lti_ops.mobius_nodes(8, dt), [DT], EXACT),
    "hope_transfer_at": (lti_ops.hope_transfer_at, [HOPE, UNIT], EXACT),
    "hope_transfer": (lambda h, dt: lti_ops.hope_transfer(h, dt, 16), [HOPE, DT], EXACT),
    "hope_kernel": (lambda h: lti_ops.hope_kernel(h, 0.3, 16), [HOPE], EXACT),
    # the node count follows the block's slowest dt: agreement to the kernel's eps tolerance
    "hope_kernel-dt": (lambda h, dt: lti_ops.hope_kernel(h, dt, 16), [HOPE, DT], 1e-14),
    "hope_conv": (lambda u, h: lti_ops.hope_conv(u, h, 0.3), [U, HOPE], EXACT),
    "memory_window": (lambda h, dt: lti_ops.memory_window(h, dt, 1e-3), [HOPE, DT], EXACT),
    "hope_to_state_space": (lti_ops.hope_to_state_space, [HOPE, DT], EXACT),
    "hope_from_kernel": (lambda k: lti_ops.hope_from_kernel(k, 5), [MARKOV], EXACT),
    "hope_from_state_space": (lambda s: lti_ops.hope_from_state_space(s, 6), [DIAG_D], EXACT),
    # issue 18: zeros and polynomial representations
    "zeros": (lti_ops.zeros, [DENSE], EXACT),
    "zeros-tall": (lti_ops.zeros, [lti_ops.StateSpace(DENSE.A, DENSE.B[..., :1], DENSE.C, DENSE.D[..., :1])], EXACT),
    "to_transfer_function": (lti_ops.to_transfer_function, [DIAG], EXACT),
    "to_transfer_function-dense": (lti_ops.to_transfer_function, [DENSE_D], EXACT),
    "from_transfer_function": (lti_ops.from_transfer_function, [U[:, :3], U[:, 3:6] + 5.0], EXACT),
    "to_zpk": (lti_ops.to_zpk, [DENSE], EXACT),
    "from_zpk": (lti_ops.from_zpk, [*lti_ops.to_zpk(DENSE)], EXACT),
    # issue 18: interconnection
    "series": (lti_ops.series, [DENSE, DIAG_MIMO], EXACT),
    "parallel": (lti_ops.parallel, [DIAG_MIMO, DIAG_MIMO], EXACT),
    "feedback": (lambda s, k: lti_ops.feedback(s, k, sign=1), [DENSE, DENSE.D], EXACT),
    "lft": (lambda s, d: lti_ops.lft(s, d, nu=1, ny=1), [DENSE, DIAG_MIMO], EXACT),
}


# These run with the Numba engine as "auto" picks it; the other cases run the reference
# bodies (kernel parity is tests/test_numba.py's subject, and on this 2-core machine each
# Numba compilation costs seconds).
WITH_NUMBA = {
    "ssm_kernel", "gramians", "hankel_singular_values", "hankel_singular_values-conj_sym",
    "balanced_truncation", "markov_parameters",
}


@pytest.fixture
def reference_bodies(monkeypatch):
    """"auto" takes the reference bodies: the Numba engine is marked unavailable in the
    registry for the test's duration."""
    monkeypatch.setitem(lti_ops._dispatch.REGISTRY._loaded, "numba", "off in this test")


@pytest.mark.parametrize("name", sorted(CASES))
def test_blockwise_matches_numpy(client, request, name):
    if name not in WITH_NUMBA:
        request.getfixturevalue("reference_bodies")
    fn, inputs, rtol = CASES[name]
    ref = fn(*(to_numpy(x) for x in inputs))
    got = lazily(fn, *(to_dask(x) for x in inputs))
    check_blockwise(got, ref, rtol)


def _batched_names():
    names = {n for n in lti_ops.__all__ if hasattr(getattr(lti_ops, n), "__lti_ops_blockwise__")}
    for cls in (lti_ops.StateSpace, lti_ops.Diagonal, lti_ops.DPLR):
        for method in ("poles", "to_dense", "is_stable"):
            if hasattr(getattr(cls, method), "__lti_ops_blockwise__"):
                names.add(f"{getattr(cls, method).__qualname__}")
    return names


def test_every_public_name_is_batched_or_excused():
    batched = {n for n in lti_ops.__all__ if hasattr(getattr(lti_ops, n), "__lti_ops_blockwise__")}
    assert batched.isdisjoint(_blockwise.NOT_BATCHED)
    assert batched | set(_blockwise.NOT_BATCHED) == set(lti_ops.__all__)


def test_every_batched_name_has_a_case():
    covered = {name.split("-")[0] for name in CASES}
    covered = {"_System.is_stable" if n == "is_stable" else n for n in covered}
    assert _batched_names() <= covered, _batched_names() - covered


# --------------------------------------------------------------------------- HSVs: no Dask linear algebra


def test_compat_dask_cholesky_is_the_upper_factor():
    """Why the library never calls Dask's linear algebra: array-api-compat's Dask
    ``linalg.cholesky`` returns U with P = U^H U, where NumPy returns L with P = L L^H.
    Square-root HSVs built on it would be silently wrong."""
    import array_api_compat

    P = np.array([[4.0, 2.0], [2.0, 3.0]])
    xp = array_api_compat.array_namespace(da.from_array(P))
    factor = np.asarray(xp.linalg.cholesky(da.from_array(P)).compute(scheduler="sync"))
    assert np.allclose(factor, np.linalg.cholesky(P).T)  # upper: if this fails, update the docs


def test_hsvs_and_truncation_use_no_dask_linear_algebra(client, monkeypatch):
    """HSVs, Gramians and balanced truncation on Dask equal NumPy's with every routine of
    the compat Dask ``linalg`` made to raise: the blocks run NumPy's routines."""
    import array_api_compat.dask.array.linalg as dask_linalg

    def refuse(*args, **kwargs):
        raise AssertionError("Dask linear algebra used")

    for name in ("cholesky", "svd", "svdvals", "qr", "solve", "eigh", "inv", "matrix_power"):
        if hasattr(dask_linalg, name):
            monkeypatch.setattr(dask_linalg, name, refuse)
    check_blockwise(lazily(lti_ops.gramians, to_dask(DENSE)), lti_ops.gramians(DENSE))
    for sys in (DENSE, DIAG, DIAG_D):
        check_blockwise(lazily(lti_ops.hankel_singular_values, to_dask(sys)), lti_ops.hankel_singular_values(sys))
        check_blockwise(lazily(lti_ops.balanced_truncation, to_dask(sys), 2), lti_ops.balanced_truncation(sys, 2))


@settings(max_examples=6)
@given(sys=lst.stable_diagonals(n_modes=st.integers(1, 6), n_inputs=1, n_outputs=1, batch_shape=(H,), conj_sym=True),
       dense=lst.stable_state_spaces(n_states=st.integers(1, 5), batch_shape=(H,)))
def test_hsvs_on_dask_equal_numpy(client, sys, dense):
    for s in (sys, dense):
        check_blockwise(lazily(lti_ops.hankel_singular_values, to_dask(s)), lti_ops.hankel_singular_values(s))


# --------------------------------------------------------------------------- chunks, broadcasting, chains


def test_ssm_kernel_chains_into_fftconv(client):
    K = lti_ops.ssm_kernel(DIAG, 64, dt=0.1, method="zoh")[..., 0, 0, :]
    u = rng.standard_normal((H, 64))
    Kd = lazily(lti_ops.ssm_kernel, to_dask(DIAG), 64, dt=0.1, method="zoh")[..., 0, 0, :]
    assert Kd.chunks[-1] == (64,)  # time in one chunk
    y = lazily(lti_ops.fftconv, da.from_array(u, chunks=(CHUNK, 16)), Kd)  # u chunked in time too
    check_blockwise(y, lti_ops.fftconv(u, K))


def test_batch_one_fields_and_dask_dt_broadcast(client, reference_bodies):
    """lam (H, N) in blocks of 2, B and C shared (batch 1), D unbatched, dt (H,) in blocks
    of 3: the result follows the common refinement (2, 1, 1, 2) of the batch chunks."""
    lam, b = LAM, _c((1, 3))
    sys = lti_ops.Diagonal.siso(lam, b, b, conj_sym=True)
    sys_d = lti_ops.Diagonal.siso(
        da.from_array(lam, chunks=(2, 3)), da.from_array(b), da.from_array(b), conj_sym=True
    )
    dt = da.from_array(DT, chunks=3)
    got = lazily(lti_ops.ssm_kernel, sys_d, 16, dt=dt, method="zoh")
    assert got.chunks[0] == (2, 1, 1, 2)
    np.testing.assert_array_equal(got.compute(), lti_ops.ssm_kernel(sys, 16, dt=DT, method="zoh"))
    disc = lazily(lti_ops.discretize, sys_d, dt)
    assert disc.lam.chunks[0] == (2, 1, 1, 2) and disc.B.shape == (H, 3, 1)  # fields broadcast
    ref = lti_ops.discretize(sys, DT)
    for x, y in zip(arrays_of(disc), arrays_of(ref)):
        np.testing.assert_array_equal(x.compute(), np.broadcast_to(y, x.shape))


def test_dask_dt_field_and_two_batch_axes(client, reference_bodies):
    lam = rng.uniform(0.1, 0.9, (2, H, 3)) + 0j
    dt = rng.uniform(0.1, 1.0, (H,))
    sys = lti_ops.Diagonal.siso(lam, lam * 0 + 1, lam * 0 + 1, dt=dt)
    sys_d = lti_ops.Diagonal.siso(
        da.from_array(lam, chunks=(1, 2, 3)), da.ones_like(da.from_array(lam)), da.ones_like(da.from_array(lam)),
        dt=da.from_array(dt, chunks=2),
    )
    got = lazily(lti_ops.frequency_response, sys_d, da.from_array(np.linspace(0, 3, 7)))
    assert got.chunks[:2] == ((1, 1), (2, 2, 2)) and got.shape == (2, H, 1, 1, 7)
    np.testing.assert_array_equal(got.compute(), lti_ops.frequency_response(sys, np.linspace(0, 3, 7)))


def test_unbatched_dask_input_is_one_block(client, reference_bodies):
    sys = lti_ops.Diagonal.siso(LAM[0], LAM[0] * 0 + 1, LAM[0] * 0 + 1)
    sys_d = lti_ops.Diagonal.siso(*(da.from_array(x) for x in (LAM[0], LAM[0] * 0 + 1, LAM[0] * 0 + 1)))
    got = lazily(lti_ops.hankel_singular_values, sys_d)
    np.testing.assert_array_equal(got.compute(), lti_ops.hankel_singular_values(sys))


def test_graph_pickles_for_process_workers():
    """Tasks reach process workers by pickle: the block function refers to the public
    function by name."""
    got = lti_ops.hankel_singular_values(to_dask(DENSE))
    graph = dict(got.__dask_graph__())
    restored = pickle.loads(pickle.dumps(graph))
    out = dask.get(restored, got.__dask_keys__())
    np.testing.assert_array_equal(np.concatenate([block for (block,) in out]), lti_ops.hankel_singular_values(DENSE))


def test_process_workers():
    """On a LocalCluster of two worker processes (tasks travel by pickle) with primitives
    that reach no Numba kernel, so the workers compile nothing."""
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster, distributed.Client(cluster):
        K = lti_ops.hankel_matrix(to_dask(MARKOV))
        dense = DIAG.to_dense()
        y = lti_ops.fftconv(to_dask(U), to_dask(MARKOV), kernel="xp")
        check_blockwise(K, lti_ops.hankel_matrix(MARKOV))
        check_blockwise(to_dask(DIAG).to_dense(), dense)
        check_blockwise(y, lti_ops.fftconv(U, MARKOV, kernel="xp"))


def test_numpy_calls_do_not_import_dask():
    code = (
        "import sys, numpy as np, lti_ops; "
        "s = lti_ops.Diagonal.siso(-np.arange(1.0, 4.0), np.ones(3), np.ones(3)); "
        "s.poles(); lti_ops.gramians(s.to_dense()); lti_ops.hankel_matrix(np.arange(6.0)); "
        "lti_ops.ssm_kernel(s, 8, dt=0.1, method='zoh', kernel='xp'); "
        "print('dask' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stdout + out.stderr


# --------------------------------------------------------------------------- errors


def test_mixed_namespaces_raise():
    with pytest.raises(TypeError, match="`u` and `k` are from different namespaces: dask.array and numpy"):
        lti_ops.fftconv(da.from_array(U), MARKOV)
    with pytest.raises(TypeError, match="`lam` and `B` are from different namespaces"):
        lti_ops.Diagonal(da.from_array(LAM), DIAG_MIMO.B, DIAG_MIMO.C)
    with pytest.raises(TypeError, match="`sys.lam` and `points` are from different namespaces"):
        lti_ops.transfer_function(to_dask(DIAG), POINTS.x)


def test_data_dependent_shape_raises():
    with pytest.raises(ValueError, match=r"realize on Dask arrays needs `order`.*pass order="):
        lti_ops.realize(to_dask(MARKOV))


def test_unknown_chunk_sizes_raise():
    h = to_dask(MARKOV)
    h = h[h[:, 0] > -np.inf]  # boolean indexing: unknown batch size
    with pytest.raises(ValueError, match="`h` has unknown chunk sizes.*compute_chunk_sizes"):
        lti_ops.hankel_matrix(h)


def test_too_few_axes_raise():
    with pytest.raises(ValueError, match=r"`u` must have at least 2 axes \(its core axes\); got shape \(20,\)"):
        lti_ops.scan(to_dask(DENSE_D), da.from_array(U[0]))


def test_shape_and_option_errors_raise_at_call_time():
    """The stand-in call runs the function's own checks before anything is computed."""
    with pytest.raises(ValueError, match="`method` must be one of"):
        lazily(lti_ops.hankel_singular_values, to_dask(DIAG), method="nope")
    with pytest.raises(ValueError, match="batch shapes do not broadcast"):
        lazily(lti_ops.fftconv, to_dask(U), da.ones((4, 16)))
    with pytest.raises(ValueError, match=r"`order` must be an int in \[0, n_states = 6\]"):
        lazily(lti_ops.balanced_truncation, to_dask(DIAG), 7)


def test_value_errors_raise_at_compute_time(client, reference_bodies):
    unstable = replace(DIAG, lam=DIAG.lam.real * -1 + 1j * DIAG.lam.imag)
    hsv = lazily(lti_ops.hankel_singular_values, to_dask(unstable))  # lazy: no values read
    with pytest.raises(ValueError, match="stable"):
        hsv.compute()


def test_decorator_misuse_raises():
    """Programming errors of a decorated function surface at call time, named."""
    @_blockwise.batched()
    def no_spec(x):
        return x

    @_blockwise.batched(x=1)
    def drops_batch(x):
        return x.sum()

    @_blockwise.batched(x=1)
    def always_fails(x):
        raise ValueError("boom on the stand-in")

    x = da.ones((4, 3), chunks=(2, 3))
    with pytest.raises(TypeError, match="internal: no core-axis count for argument `x`"):
        no_spec(x)
    with pytest.raises(AssertionError, match=r"internal: drops_batch gave an output of shape \(\) for batch \(4,\)"):
        drops_batch(x)
    with pytest.raises(ValueError, match="boom on the stand-in"):
        always_fails(x)

