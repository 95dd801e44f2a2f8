"""Interleaved median timing of competing callables."""

import statistics
import time


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
