"""Thread safety of the Numba kernels (backends/lti_ops_numba, docs/backends.md "Threads").

Four Python threads calling a primitive at once get, each, what one call alone gets, bit
for bit: in this process under the threading layer Numba picks here, and in a fresh process
under ``NUMBA_THREADING_LAYER=workqueue``, whose pool aborts the process on concurrent
parallel launches unless the kernels serialise them (they must, and the process exits 0).
The fresh process also makes the threads' calls the first ones: four threads load or
compile the same kernels and start Numba's threading layer together.
"""

import os
import pathlib
import subprocess
import sys
import threading

import numpy as np
import pytest

numba = pytest.importorskip("numba")

import lti_ops  # noqa: E402
import lti_ops_numba  # noqa: E402
from lti_ops_numba import _jit  # noqa: E402

THREADS = 4
REPEATS = 3  # calls per thread


def cases():
    """name -> zero-argument call of a public primitive on small inputs, on the Numba kernels."""
    rng = np.random.default_rng(17)
    H, N, L = 4, 8, 64
    lam = -rng.uniform(0.1, 1.0, (H, N)) + 1j * rng.uniform(0.0, 3.0, (H, N))
    b = rng.standard_normal((H, N)) + 1j * rng.standard_normal((H, N))
    c = rng.standard_normal((H, N)) + 1j * rng.standard_normal((H, N))
    P = 0.3 * (rng.standard_normal((H, N, 1)) + 1j * rng.standard_normal((H, N, 1)))
    diagonal = lti_ops.Diagonal.siso(lam, b, c, conj_sym=True)
    dplr = lti_ops.DPLR.siso(lam, P, P, b, c, conj_sym=True)
    discrete = lti_ops.Diagonal.siso(np.exp(0.1 * lam), b, c, dt=1.0)
    A = 0.3 * rng.standard_normal((H, N, N))
    dense = lti_ops.StateSpace(A, rng.standard_normal((H, N, 2)), rng.standard_normal((H, 2, N)), dt=1.0)
    u = rng.standard_normal((H, 2 * L)).astype(np.float32)
    k = rng.standard_normal((H, L)).astype(np.float32)
    h = lti_ops.hope_init(16, H=H, rng=3)
    z = np.exp(1j * np.linspace(0.0, np.pi, 33))
    signal = np.sin(0.1 * np.arange(L) * np.arange(1, H + 1)[:, None])
    return {
        "ssm_kernel Diagonal (Vandermonde)": lambda: lti_ops.ssm_kernel(
            diagonal, L, dt=0.1, method="zoh", kernel="numba"),
        "ssm_kernel DPLR (Cauchy)": lambda: lti_ops.ssm_kernel(dplr, L, dt=0.1, method="bilinear", kernel="numba"),
        "transfer_function DPLR (Cauchy)": lambda: lti_ops.transfer_function(dplr, z, kernel="numba"),
        "fftconv": lambda: lti_ops.fftconv(u, k, kernel="numba"),
        "scan": lambda: lti_ops.scan(discrete, signal, kernel="numba"),
        "hope_kernel": lambda: lti_ops.hope_kernel(h, 0.5, L, kernel="numba"),
        "hankel_singular_values Diagonal": lambda: lti_ops.hankel_singular_values(discrete),
        "hankel_singular_values StateSpace": lambda: lti_ops.hankel_singular_values(dense),
    }


def _bits(result):
    """The result as dtypes, shapes and raw bytes: equal only where bit for bit equal."""
    arrays = result if isinstance(result, tuple) else (result,)
    return [(a.dtype.str, a.shape, np.ascontiguousarray(a).tobytes()) for a in map(np.asarray, arrays)]


def run_threads(call, threads=THREADS, repeats=REPEATS):
    """`call` made `repeats` times on each of `threads` threads started together; the results."""
    start = threading.Barrier(threads)
    results, errors = [[] for _ in range(threads)], []

    def work(i):
        try:
            start.wait()
            for _ in range(repeats):
                results[i].append(call())
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)

    pool = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    if errors:
        raise errors[0]
    return [r for rs in results for r in rs]


def check_all(names=None):
    """Every case (or those named): threaded results == the serial one, bit for bit."""
    calls = cases()
    for name in names or calls:
        serial = _bits(calls[name]())
        for result in run_threads(calls[name]):
            assert _bits(result) == serial, f"{name}: a threaded call differs from the serial call"


@pytest.fixture
def kernels_used(monkeypatch):
    """The Numba kernels (name, parallel) requested while the test runs."""
    used = set()
    getitem = _jit.Kernel.__getitem__

    def record(self, dtype):
        used.add((self.__name__, self.parallel))
        return getitem(self, dtype)

    monkeypatch.setattr(_jit.Kernel, "__getitem__", record)
    return used


@pytest.mark.parametrize("name", list(cases()))
def test_four_threads_equal_one_call_bit_for_bit(name, kernels_used):
    check_all([name])
    assert kernels_used, f"{name} ran no Numba kernel"
    if name != "fftconv":  # fftconv runs serial Numba loops on its own thread pool
        assert any(parallel for _, parallel in kernels_used), f"{name} ran no parallel Numba kernel"


def test_workqueue_layer_does_not_abort_and_equals_one_call():
    """Four threads' first calls under workqueue: no abort (exit code 0), serial results."""
    code = (
        "import importlib.util, sys\n"
        f"spec = importlib.util.spec_from_file_location('threads', {str(pathlib.Path(__file__))!r})\n"
        "mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)\n"
        "calls = mod.cases()\n"
        "first = {name: mod.run_threads(call, repeats=1) for name, call in calls.items()}\n"
        "import numba\n"
        "from lti_ops_numba import _jit\n"
        "assert numba.threading_layer() == 'workqueue', numba.threading_layer()\n"
        "assert _jit.serialised_launches()\n"
        "for name, results in first.items():\n"
        "    serial = mod._bits(calls[name]())\n"
        "    assert all(mod._bits(r) == serial for r in results), name\n"
        "mod.check_all()\n"
        "print('ok')\n"
    )
    roots = [pathlib.Path(lti_ops.__file__).parents[1], pathlib.Path(lti_ops_numba.__file__).parents[1]]
    env = dict(os.environ, NUMBA_THREADING_LAYER="workqueue",
               PYTHONPATH=os.pathsep.join([*map(str, roots), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"exit code {proc.returncode}\n{proc.stderr[-3000:]}"
    assert proc.stdout.strip().endswith("ok")


def test_launches_are_serialised_exactly_where_the_layer_is_not_thread_safe():
    numba.get_num_threads()  # starts the layer if nothing has yet
    assert _jit.serialised_launches() is (numba.threading_layer() not in _jit.THREADSAFE_LAYERS)
    assert _jit.THREADSAFE_LAYERS == {"tbb", "omp"}


def _fresh(template_kernel):
    """A new Kernel of an existing loop (loads from the disk cache), kept out of ``ALL``."""
    k = _jit.Kernel(template_kernel.pyfunc, template_kernel.template, template_kernel.parallel,
                    template_kernel.chunksize)
    _jit.ALL.remove(k)  # the package's kernels only (the benchmark's compile-time report)
    return k


def _a_parallel_kernel():
    return next(k for k in _jit.ALL if k.parallel)


def test_a_serialised_kernel_waits_for_the_launch_lock(monkeypatch):
    monkeypatch.setattr(_jit, "serialised_launches", lambda: True)
    k = _fresh(_a_parallel_kernel())
    function = k[np.float64]
    called = threading.Event()

    def launch():
        called.set()
        try:
            function()  # waits for the lock, then Numba refuses the missing arguments
        except TypeError:
            pass

    with _jit.LAUNCH_LOCK:
        thread = threading.Thread(target=launch)
        thread.start()
        called.wait()
        thread.join(0.2)
        assert thread.is_alive(), "the launch did not wait for LAUNCH_LOCK"
    thread.join()


def test_four_threads_asking_for_a_new_precision_compile_it_once(monkeypatch):
    k = _fresh(_a_parallel_kernel())
    made = []
    dispatcher = k._dispatcher

    def counted():
        made.append(1)
        return dispatcher()

    monkeypatch.setattr(k, "_dispatcher", counted)
    functions = run_threads(lambda: k[np.float32], repeats=1)
    assert len(made) == 1, f"{len(made)} compilations of one precision"
    assert all(f is functions[0] for f in functions)
    assert k.compiled() == ["float32"]
