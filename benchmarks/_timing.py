"""Interleaved median timing and peak memory of competing callables."""

import gc
import statistics
import time
import tracemalloc


def compare(contenders, *, repeat=7, warmup=1):
    """Median seconds per call of each callable in `contenders` (a dict name -> callable).

    All contenders are warmed up first; then each round calls every contender once, in
    turn, so that drifts of the machine hit all of them alike.
    """
    for func in contenders.values():
        for _ in range(warmup):
            func()
    times = {name: [] for name in contenders}
    for _ in range(repeat):
        for name, func in contenders.items():
            start = time.perf_counter()
            func()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def first_call(func):
    """Seconds of one call (the first in the process pays for any JIT compilation)."""
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def peak_memory(func):
    """(peak bytes allocated during one call beyond what existed before, bytes of its result,
    the result).

    tracemalloc sees every NumPy array buffer (and Python objects); it does not see the few
    small per-thread scratch arrays that Numba kernels allocate through their own runtime,
    nor pocketfft's internal work buffers.
    """
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    result = func()
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return peak, _nbytes(result), result


def _nbytes(result):
    if isinstance(result, (tuple, list)):
        return sum(_nbytes(r) for r in result)
    return int(getattr(result, "nbytes", 0))
