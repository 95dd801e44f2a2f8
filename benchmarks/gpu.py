"""``python -m benchmarks --gpu [--quick] [--out PATH]``: the CUDA kernels on a GPU.

Every case times lti_ops' CUDA kernel (``kernel="cupy"``) against the generic Array-API
body on the same CuPy arrays (``kernel="xp"``) and against a torch-CUDA implementation of
the same math (S4's naive forms, :mod:`benchmarks._torch_naive`; plain ``torch.fft`` for
the convolution), interleaved round by round after a warm-up call each. The device is
synchronised (``cudaDeviceSynchronize``, which waits for CuPy's and torch's streams alike)
before every clock reading, so a time is the call's full latency. The report goes to
docs/benchmarks-gpu.md.

``--quick`` on a GPU runs small sizes. Under numba-cuda's simulator
(``NUMBA_ENABLE_CUDASIM=1 python -m benchmarks --gpu --quick``) the same cases run end to end
at tiny sizes on NumPy arrays: the CUDA kernels run as simulated threads (the "cupy" engine
is made to serve NumPy for this process), the torch peers on the CPU, and the clocks mean
nothing; it exists so that the script is known to work before a GPU sees it.
"""

import dataclasses
import datetime
import platform
import statistics
import time
import traceback

import numpy as np

import lti_ops
from benchmarks import _torch_naive
from benchmarks._case import OURS, Case, Row

XP_PEER = "lti_ops kernel='xp' (generic body)"
WITH_DISCRETIZE = "lti_ops with its ZOH discretization (continuous system and dt in)"
TORCH_VANDERMONDE = "torch log_vandermonde_naive"
TORCH_DPLR = "torch cauchy_naive + Woodbury + irfft"
TORCH_FFT = "torch.fft rfft/irfft n=2L"
BUDGET = 20.0  # seconds of timed rounds per case, after which it stops at 3 rounds


@dataclasses.dataclass
class Device:
    """Where the benchmark runs: the namespace of the inputs, how to wait for the device,
    and torch's device for the peers (None: no torch)."""

    mode: str  # "gpu" or "simulator"
    xp: object
    sync: object
    torch: str | None
    name: str


def setup(quick):
    """The :class:`Device` of this process, or SystemExit saying what is missing."""
    from numba import config

    if config.ENABLE_CUDASIM:
        if not quick:
            raise SystemExit("under NUMBA_ENABLE_CUDASIM=1 only `--gpu --quick` runs (the simulator runs one "
                             "Python thread per CUDA thread)")
        return _simulator()
    try:
        import cupy

        cupy.cuda.runtime.getDeviceCount()
        name = cupy.cuda.runtime.getDeviceProperties(cupy.cuda.Device().id)["name"]
    except Exception as exc:  # ImportError, CUDA runtime errors
        raise SystemExit(f"--gpu needs CuPy and a CUDA device ({exc}); without one, check the script with "
                         "NUMBA_ENABLE_CUDASIM=1 python -m benchmarks --gpu --quick") from None
    import array_api_compat

    torch_device = "cuda" if _torch_cuda() else None
    sync = cupy.cuda.runtime.deviceSynchronize
    name = name.decode() if isinstance(name, bytes) else str(name)
    return Device("gpu", array_api_compat.array_namespace(cupy.asarray([0.0])), sync, torch_device, name)


def _simulator():
    import array_api_compat
    import lti_ops_cupy._register  # noqa: F401  (the kernels, without CuPy)
    from lti_ops import _dispatch

    _dispatch.ENGINES["cupy"] = _dispatch.Engine("cupy", "lti_ops_cupy", "numpy", "cupy",
                                                 entry="lti_ops_cupy._register")
    try:
        import torch  # noqa: F401

        torch_device = "cpu"
    except ImportError:
        torch_device = None
    xp = array_api_compat.array_namespace(np.asarray([0.0]))
    return Device("simulator", xp, lambda: None, torch_device, "numba-cuda simulator (NumPy arrays, CPU)")


def _torch_cuda():
    try:
        import torch

        return torch.cuda.is_available()
    except ImportError:
        return False


def _tensor(x, device):
    """A torch tensor on `device` from a NumPy array."""
    import torch

    return torch.from_numpy(np.ascontiguousarray(x)).to(device)


def _move(sys, xp):
    """`sys` (NumPy arrays) with every array field, and an array dt, in namespace `xp`."""
    fields = {name: xp.asarray(getattr(sys, name)) for name in sys._CORE}
    if hasattr(sys.dt, "shape"):
        fields["dt"] = xp.asarray(sys.dt)
    return dataclasses.replace(sys, **fields)


# --------------------------------------------------------------------------- cases


def s4d_case(dev, quick):
    """S4D-Lin kernel, ZOH, conj_sym (Vandermonde)."""
    H, N, L = (2, 4, 32) if dev.mode == "simulator" else ((256, 64, 4096) if quick else (1024, 64, 16384))
    ssm = lti_ops.s4d_init("lin", N, H=H, rng=0, dtype="float32")
    dt = lti_ops.init_dt(H, rng=0, dtype="float32")
    x = dt[:, None] * ssm.lam
    w = ssm.C[:, 0, :] * ssm.B[..., 0] * np.expm1(x) / ssm.lam
    sys, dtx = _move(ssm, dev.xp), dev.xp.asarray(dt)
    disc = lti_ops.discretize(sys, dtx, "zoh")  # the torch peer is given w and x = dt lam as well
    contenders = {
        OURS: lambda: lti_ops.ssm_kernel(disc, L, kernel="cupy"),
        XP_PEER: lambda: lti_ops.ssm_kernel(disc, L, kernel="xp"),
        WITH_DISCRETIZE: lambda: lti_ops.ssm_kernel(sys, L, dt=dtx, method="zoh", kernel="cupy"),
    }
    if dev.torch:
        wt, xt = _tensor(w, dev.torch), _tensor(x, dev.torch)
        contenders[TORCH_VANDERMONDE] = lambda: _torch_naive.log_vandermonde_naive(wt, xt, L)
    return Case(f"S4D kernel ZOH conj_sym H={H} N={N} L={L} c64->f32 (discretized)", contenders,
                bars={XP_PEER: 10, TORCH_VANDERMONDE: 3})


def dplr_case(dev, quick):
    """S4-LegS kernel, S4 bilinear, rank 1, C~ given (Cauchy + Woodbury + irfft)."""
    H, N, L = (2, 4, 32) if dev.mode == "simulator" else ((256, 64, 4096) if quick else (1024, 64, 16384))
    ssm = lti_ops.nplr("legs", N, C=np.ones(N, np.float32), dtype="float32")
    dt = np.exp(np.linspace(np.log(1e-3), np.log(1e-1), H)).astype(np.float32)
    disc = lti_ops.c_tilde(lti_ops.discretize(ssm, dt, "s4_bilinear"), L)
    sys = _move(disc, dev.xp)
    contenders = {
        OURS: lambda: lti_ops.ssm_kernel(sys, L, c_is_tilde=True, kernel="cupy"),
        XP_PEER: lambda: lti_ops.ssm_kernel(sys, L, c_is_tilde=True, kernel="xp"),
    }
    if dev.torch:
        lam = disc.lam
        Ct, B, P, Q = (np.broadcast_to(f, lam.shape) for f in (disc.C[..., 0, :], disc.B[..., 0], disc.P[..., 0],
                                                                 disc.Q[..., 0]))
        args = [_tensor(f, dev.torch) for f in (Ct, B, P, Q, lam)]
        contenders[TORCH_DPLR] = lambda: _torch_naive.dplr_naive(*args, L)
    return Case(f"S4 DPLR kernel rank 1 H={H} N={N} L={L} c64 (C~ given)", contenders,
                bars={XP_PEER: 10, TORCH_DPLR: 3})


def fftconv_case(dev, quick):
    """Batched causal FFT convolution, float32."""
    B, H, L = (1, 2, 32) if dev.mode == "simulator" else ((4, 256, 4096) if quick else (16, 768, 16384))
    rng = np.random.default_rng(0)
    u = rng.standard_normal((B, H, L)).astype(np.float32)
    k = rng.standard_normal((H, L)).astype(np.float32)
    ux, kx = dev.xp.asarray(u), dev.xp.asarray(k)
    contenders = {
        OURS: lambda: lti_ops.fftconv(ux, kx, kernel="cupy"),
        XP_PEER: lambda: lti_ops.fftconv(ux, kx, kernel="xp"),
    }
    if dev.torch:
        ut, kt = _tensor(u, dev.torch), _tensor(k, dev.torch)
        contenders[TORCH_FFT] = lambda: _torch_naive.fftconv_2l(ut, kt)
    return Case(f"causal FFT convolution B={B} H={H} L={L} f32", contenders, bars={TORCH_FFT: 1})


def scan_case(dev, quick):
    """S4D recurrent mode: the chunked diagonal scan (no bar; against the generic body)."""
    H, N, L = (2, 4, 40) if dev.mode == "simulator" else ((256, 64, 2048) if quick else (1024, 64, 4096))
    ssm = lti_ops.s4d_init("lin", N, H=H, rng=0, dtype="float32")
    disc = lti_ops.discretize(ssm, lti_ops.init_dt(H, rng=0, dtype="float32"), "zoh")
    sys = _move(disc, dev.xp)
    u = dev.xp.asarray(np.random.default_rng(1).standard_normal((H, L)).astype(np.float32))
    return Case(f"S4D scan (recurrence) H={H} N={N} L={L} f32", {
        OURS: lambda: lti_ops.scan(sys, u, kernel="cupy"),
        XP_PEER: lambda: lti_ops.scan(sys, u, kernel="xp"),
    })


def hope_case(dev, quick):
    """HOPE's frequency samples at the Mobius nodes (no bar; against the generic body)."""
    H, n, L = (2, 8, 32) if dev.mode == "simulator" else ((256, 256, 4096) if quick else (1024, 256, 16384))
    rng = np.random.default_rng(2)
    h = dev.xp.asarray((rng.standard_normal((H, n)) / np.arange(1, n + 1)).astype(np.float32))
    dt = dev.xp.asarray(rng.uniform(0.5, 2.0, H).astype(np.float32))
    return Case(f"HOPE samples at Mobius nodes H={H} n={n} L={L} c64", {
        OURS: lambda: lti_ops.hope_transfer(h, dt, L, kernel="cupy"),
        XP_PEER: lambda: lti_ops.hope_transfer(h, dt, L, kernel="xp"),
    })


CASES = [s4d_case, dplr_case, fftconv_case, scan_case, hope_case]


# --------------------------------------------------------------------------- timing


def _timed(dev, func):
    dev.sync()
    start = time.perf_counter()
    func()
    dev.sync()
    return time.perf_counter() - start


def run_case(dev, case, quick):
    """Rows of one case: our first call (compilation included), then interleaved medians.
    A contender that raises is reported with its error and left out of the rounds."""
    first, errors, live, results = None, {}, {}, {}
    for name, func in case.contenders.items():
        try:
            start = time.perf_counter()
            results[name] = func()  # warm-up; ours compiles its kernels here
            dev.sync()
            first = time.perf_counter() - start if name == OURS else first
            live[name] = func
        except Exception as exc:  # noqa: BLE001  (one failing contender must not stop the run)
            errors[name] = f"{type(exc).__name__}: {exc}".splitlines()[0][:160]
            traceback.print_exc()
    notes = {name: _agreement(results[name], results.get(OURS)) for name in results if name != OURS}
    results.clear()
    times = {name: [] for name in live}
    repeat = 3 if quick else (case.repeat or 7)
    start = time.perf_counter()
    for round_ in range(repeat):
        for name, func in live.items():
            times[name].append(_timed(dev, func))
        if round_ >= 2 and time.perf_counter() - start > BUDGET:
            break
    medians = {name: statistics.median(values) for name, values in times.items()}
    ours = medians.get(OURS)
    rows = []
    for name in case.contenders:
        if name in errors:
            rows.append((Row(case.name, name, float("nan"), float("nan"), bar=case.bars.get(name), quick=quick),
                         errors[name]))
            continue
        ratio = medians[name] / ours if ours else float("nan")
        rows.append((Row(case.name, name, medians[name], ratio, first=first if name == OURS else None,
                         bar=case.bars.get(name), quick=quick or dev.mode == "simulator"), notes.get(name, "")))
    return rows


def _agreement(result, ours):
    """'max diff x': the peer's largest difference from lti_ops' result, relative to its
    largest value (so the table shows that both computed the same thing)."""
    if ours is None:
        return ""
    from lti_ops.testing import to_numpy

    a, b = (np.asarray(to_numpy(r[0] if isinstance(r, tuple) else r)) for r in (result, ours))
    if a.size != b.size:
        return f"sizes differ: {a.shape} vs {b.shape}"
    a, b = a.reshape(-1), b.reshape(-1)
    scale = float(np.max(np.abs(b))) if b.size else 0.0
    return f"max diff {float(np.max(np.abs(a - b))) / (scale or 1.0):.1e}" if b.size else ""


# --------------------------------------------------------------------------- report


def _versions():
    out = [f"numpy {np.__version__}", f"Python {platform.python_version()}"]
    for module in ("cupy", "numba_cuda", "torch"):
        try:
            out.append(f"{module} {__import__(module).__version__}")
        except Exception:  # noqa: BLE001
            out.append(f"{module} not installed")
    return ", ".join(out)


def markdown(dev, rows, *, quick, seconds):
    sizes = "simulator dry run (tiny sizes, clocks meaningless)" if dev.mode == "simulator" else (
        "`--quick` (small sizes, 3 rounds)" if quick else "full sizes")
    lines = [
        "# GPU benchmarks",
        "",
        f"Written by `python -m benchmarks --gpu{' --quick' if quick else ''}` on {datetime.date.today()}: {sizes}; "
        f"device: {dev.name}; {_versions()}; {seconds:.0f} s in all.",
        "",
        "Each case runs its contenders in one process on the same device arrays, interleaved round by round "
        "after one warm-up call each; the device is synchronised before every clock reading, so times are "
        "full call latencies (medians). **ratio** = contender's median / lti_ops' median (above 1: lti_ops is "
        "faster). *lti_ops* is `kernel=\"cupy\"`, the numba-cuda kernels on CuPy arrays; `kernel='xp'` is the "
        "pure Array-API body on the same CuPy arrays; the torch peers are S4's naive forms on CUDA tensors "
        "(benchmarks/_torch_naive.py). **first call** is lti_ops' warm-up call, which compiles its kernels "
        "(numba-cuda caches them for the process).",
        "",
        "| case | contender | median (ms) | ratio | bar | first call (s) | note |",
        "|---|---|---:|---:|---|---:|---|",
    ]
    for r, error in rows:
        first = f"{r.first:.2f}" if r.first is not None else ""
        median = f"{r.median * 1e3:.3f}" if r.median == r.median else "—"
        ratio = f"{r.ratio:.2f}" if r.ratio == r.ratio else "—"
        verdict = r.verdict if r.median == r.median else (f"≥ {r.bar:g}×: not measured" if r.bar else "")
        lines.append(f"| {r.case} | {r.contender} | {median} | {ratio} | {verdict} | {first} | {error} |")
    return "\n".join(lines) + "\n"


def main(quick, out):
    dev = setup(quick)
    start = time.time()
    rows = []
    for make in CASES:
        case = make(dev, quick)
        case_rows = run_case(dev, case, quick)
        rows += case_rows
        for r, error in case_rows:
            line = f"{r.case:55s} {r.contender:40s} {r.median * 1e3:10.3f} ms {r.ratio:8.2f}x {r.verdict}"
            print(line + (f" {error}" if error else ""), flush=True)
        _write(out, markdown(dev, rows, quick=quick, seconds=time.time() - start))  # a killed run keeps its cases
    text = markdown(dev, rows, quick=quick, seconds=time.time() - start)
    print(text)
    _write(out, text)


def _write(out, text):
    if out:
        with open(out, "w") as f:
            f.write(text)
