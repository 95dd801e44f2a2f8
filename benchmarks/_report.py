"""Console lines and the Markdown report (docs/benchmarks.md)."""

import datetime
import os
import platform

import numpy as np
import scipy

MIB = 2**20


def print_peaks(peaks):
    from benchmarks._peaks import PEAKS

    for name, rate in peaks.items():
        print(f"peak {name:8s} {rate:8.1f} {PEAKS[name][0]:8s} {PEAKS[name][1]}", flush=True)


def print_rows(rows):
    for r in rows:
        first = f" first call {r.first:.2f}s" if r.first is not None else ""
        error = f" error {r.error:.1e}" if r.error is not None else ""
        print(f"{r.case:58s} {r.contender:36s} {r.median * 1e3:10.2f} ms {r.ratio:8.2f}x "
              f"{r.throughput:26s} {r.verdict}{first}{error}", flush=True)


def _versions():
    try:
        import numba

        nb = numba.__version__
    except ImportError:
        nb = "not installed"
    return f"numpy {np.__version__}, scipy {scipy.__version__}, numba {nb}, Python {platform.python_version()}"


def _compile_times():
    try:
        from lti_ops_numba._jit import ALL
    except ImportError:
        return []
    return [(k.__name__, d, s) for k in ALL for d, s in sorted(k.compile_seconds.items())]


def _peak_lines(peaks):
    from benchmarks._peaks import PEAKS

    lines = ["", "## This machine's peaks (measured by the runner, best of a few runs)", "",
             "| peak | rate | measured with |", "|---|---:|---|"]
    return lines + [f"| `{name}` | {rate:.1f} {PEAKS[name][0]} | {PEAKS[name][1]} |" for name, rate in peaks.items()]


def _first_call_lines(first_calls):
    lines = ["", "## First calls in a fresh process, the on-disk cache warm", "",
             "`python -m benchmarks.first_call` in a new interpreter after one run of it filled "
             "Numba's cache: seconds of each primitive's first call (imports excluded), and the "
             "kernels it had to compile (none: all loaded from the cache).", "",
             "| call | seconds | compiled |", "|---|---:|---|"]
    return lines + [f"| {label} | {sec:.3f} | {', '.join(c) or 'none'} |" for label, sec, c in first_calls]


def markdown(rows, memory, scaling, *, quick, seconds, peaks=None, notes=(), first_calls=()):
    mode = "`--quick` (small sizes, 3 repeats)" if quick else "full sizes"
    lines = [
        "# Benchmarks",
        "",
        f"Written by `python -m benchmarks{' --quick' if quick else ''}` on {datetime.date.today()}: {mode}, "
        f"{os.cpu_count()} CPU cores ({platform.machine()}), {_versions()}; {seconds:.0f} s in all.",
        "",
        "Every case runs its contenders in one process, interleaved round by round after one warm-up "
        "call each; times are medians. **ratio** = contender's median / lti_ops' median (above 1: "
        "lti_ops is faster). *lti_ops* is the default `kernel=\"auto\"`, which takes the Numba kernels "
        "for NumPy input; `kernel='xp'` is the pure Array-API reference. **peak** is the tracemalloc "
        "peak of one call (NumPy buffers; not Numba's small per-thread scratch or pocketfft's work "
        "buffers). **first call** is lti_ops' first call in the process (Numba kernels load from the "
        "on-disk cache, or compile on a cold cache). **rate** is the case's useful work (flops, "
        "or bytes that must cross the memory bus) over the median, and in brackets its "
        "percentage of the machine's peak that bounds it (the peaks table below; the notes "
        "on cases give the rooflines of the rows under 25 %). **error**, where a case has an exact (float64) "
        "result, is max |out - exact| / max |exact|. Other processes may have shared the two "
        "cores: re-run to check.",
        "",
        "| case | contender | median (ms) | ratio | rate (% of peak) | error | peak (MiB) | bar | first call (s) |",
        "|---|---|---:|---:|---:|---:|---:|---|---:|",
    ]
    for r in rows:
        first = f"{r.first:.2f}" if r.first is not None else ""
        peak = f"{r.peak / MIB:.1f}" if r.peak is not None else ""
        error = f"{r.error:.1e}" if r.error is not None else ""
        lines.append(f"| {r.case} | {r.contender} | {r.median * 1e3:.2f} | {r.ratio:.2f} | {r.throughput} | {error} "
                     f"| {peak} | {r.verdict} | {first} |")
    if peaks:
        lines += _peak_lines(peaks)
    if notes:
        lines += ["", "## Notes on cases (rooflines and omissions)", ""]
        lines += [f"- **{name}**: {note}" for name, note in notes]
    if first_calls:
        lines += _first_call_lines(first_calls)
    compile_rows = _compile_times()
    if compile_rows:
        lines += ["", "## Numba kernels' first use in the benchmark process (cache load or compilation)", "",
                  "| kernel | precision | seconds |", "|---|---|---:|"]
        lines += [f"| `{name}` | {d} | {s:.2f} |" for name, d, s in compile_rows]
    if memory:
        lines += ["", "## Peak memory against the output's size", "",
                  "| computation | kernel | peak (MiB) | output (MiB) | peak / output |", "|---|---|---:|---:|---:|"]
        lines += [f"| {n} | {k} | {p:.1f} | {o:.1f} | {r:.2f} |" for n, k, p, o, r in memory]
    if scaling:
        lines += ["", "## Time scaling of the Numba kernels", "",
                  "Each row varies one size (the others at their base values); a ratio near 2 per "
                  "doubling is linear.", "",
                  "| primitive | size varied | sizes | medians (ms) | ratios per doubling |", "|---|---|---|---|---|"]
        for label, axis, sizes, times in scaling:
            ms = ", ".join(f"{t * 1e3:.1f}" for t in times)
            ratios = ", ".join(f"{b / a:.2f}" for a, b in zip(times, times[1:]))
            lines.append(f"| {label} | {axis} | {', '.join(map(str, sizes))} | {ms} | {ratios} |")
    return "\n".join(lines) + "\n"
