"""This machine's limits, measured by the runner itself: the roofs the kernels are held to.

* ``sgemm`` / ``dgemm``: GFLOP/s of one large NumPy matmul (the BLAS NumPy links, all threads);
* ``fma_f32`` / ``fma_f64``: GFLOP/s of a Numba loop of independent fused multiply-adds on
  L1-resident data over all cores (the vector units' reach from Numba-compiled code);
* ``triad``: GB/s of the STREAM triad ``a = b + s c`` over arrays far larger than the caches
  (three streams counted, as STREAM does).

Each is the best of a few runs, so a peak is what the machine *can* do; a kernel's row in
the report gives its achieved rate as a percentage of the peak named by its case.
"""

import time

import numpy as np

#: peak name -> (unit, what it is), for the report
PEAKS = {
    "sgemm": ("GFLOP/s", "float32 NumPy matmul 2048 x 2048"),
    "dgemm": ("GFLOP/s", "float64 NumPy matmul 2048 x 2048"),
    "fma_f32": ("GFLOP/s", "Numba FMA loop, float32, all cores, data in L1"),
    "fma_f64": ("GFLOP/s", "Numba FMA loop, float64, all cores, data in L1"),
    "triad": ("GB/s", "Numba STREAM triad, float64, 3 x 256 MiB, all cores"),
    "div_f32": ("Gdiv/s", "Numba loop of independent divisions, float32, all cores, data in L1"),
    "div_f64": ("Gdiv/s", "Numba loop of independent divisions, float64, all cores, data in L1"),
}


def _best(func, repeat=5):
    func()
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def _gemm(dtype, n=2048):
    a = np.random.default_rng(0).standard_normal((n, n)).astype(dtype)
    return 2 * n**3 / _best(lambda: a @ a) / 1e9


_FMA_WIDTH = 1024  # elements per core: 4 KiB (float32) or 8 KiB (float64), in L1


def _fma(dtype, rounds=4000):
    """Each element takes 16 dependent FMAs per visit; the out-of-order core overlaps the
    chains of successive vector iterations, which keeps both FMA ports busy."""
    import numba

    @numba.njit(fastmath={"contract"})
    def chains(acc, b, c, rounds):
        for _ in range(rounds):
            for j in range(acc.shape[0]):
                a = acc[j]
                a = a * b + c; a = a * b + c; a = a * b + c; a = a * b + c  # noqa: E702
                a = a * b + c; a = a * b + c; a = a * b + c; a = a * b + c  # noqa: E702
                a = a * b + c; a = a * b + c; a = a * b + c; a = a * b + c  # noqa: E702
                a = a * b + c; a = a * b + c; a = a * b + c; a = a * b + c  # noqa: E702
                acc[j] = a

    @numba.njit(parallel=True)
    def loop(x, rounds, parts):
        out = np.zeros(parts, x.dtype)
        for p in numba.prange(parts):
            acc = x.copy()
            chains(acc, x[0], x[1], rounds)
            out[p] = acc.sum()
        return out

    x = np.full(_FMA_WIDTH, 0.5, dtype)
    x[0], x[1] = 0.999, 1e-3
    parts = numba.get_num_threads()
    return 2 * 16 * _FMA_WIDTH * rounds * parts / _best(lambda: loop(x, rounds, parts)) / 1e9


def _triad(n=2**25):
    import numba

    @numba.njit(parallel=True)
    def triad(a, b, c, s):
        for i in numba.prange(a.shape[0]):
            a[i] = b[i] + s * c[i]

    a, b, c = np.zeros(n), np.ones(n), np.ones(n)
    return 3 * 8 * n / _best(lambda: triad(a, b, c, 3.0)) / 1e9


def _div(dtype, rounds=4000):
    """Quotients per second when nothing else limits: each element divided anew each round
    (the Cauchy kernels' bound: one division per node and mode pair)."""
    import numba

    @numba.njit(fastmath={"contract"}, error_model="numpy")  # no zero-division branch: a SIMD loop
    def quotients(acc, num, rounds):
        for _ in range(rounds):
            for j in range(acc.shape[0]):
                acc[j] = num[j] / (acc[j] + num[j])

    @numba.njit(parallel=True)
    def loop(x, rounds, parts):
        out = np.zeros(parts, x.dtype)
        for p in numba.prange(parts):
            acc = x.copy()
            quotients(acc, x, rounds)
            out[p] = acc.sum()
        return out

    x = np.full(_FMA_WIDTH, 0.5, dtype)
    parts = numba.get_num_threads()
    return _FMA_WIDTH * rounds * parts / _best(lambda: loop(x, rounds, parts)) / 1e9


def measure():
    """``{peak name: rate}`` for every entry of :data:`PEAKS` (about ten seconds)."""
    return {
        "sgemm": _gemm(np.float32),
        "dgemm": _gemm(np.float64),
        "fma_f32": _fma(np.float32),
        "fma_f64": _fma(np.float64),
        "triad": _triad(),
        "div_f32": _div(np.float32),
        "div_f64": _div(np.float64),
    }


if __name__ == "__main__":
    for name, rate in measure().items():
        print(f"{name:8s} {rate:8.1f} {PEAKS[name][0]:8s} {PEAKS[name][1]}")
