"""``python -m benchmarks [--quick] [--only AREA ...] [--out PATH]``, or ``--gpu``.

Times every case of every area module against its peers (interleaved, after warm-up),
reports medians, ratios (peer time / lti_ops time), peak memory and the first call
(which pays the Numba compilation), then the memory and scaling tables, and writes them
all to docs/benchmarks.md. ``--gpu`` runs the CUDA kernels' cases instead
(:mod:`benchmarks.gpu`) and writes docs/benchmarks-gpu.md.
"""

import argparse
import importlib
import time

import numpy as np

from benchmarks._case import OURS, Row
from benchmarks._peaks import PEAKS
from benchmarks._timing import compare, first_call, peak_memory

AREAS = ["discretize", "kernels", "markov", "transfer", "recurrence", "fftconv", "hope", "hankel"]


def run_case(case, quick, peaks=None):
    """Rows of one case: first call of ours, interleaved medians, then one traced call each;
    with `peaks` (from :func:`benchmarks._peaks.measure`) each row's rate against the case's peak."""
    first = first_call(case.contenders[OURS])
    repeat = case.repeat or 7
    medians = compare(case.contenders, repeat=min(repeat, 3) if quick else repeat)
    ours = medians[OURS]
    unit = PEAKS[case.peak][0] if case.peak else ""
    peak_rate = (peaks or {}).get(case.peak)
    truth = None if case.truth is None else np.asarray(case.truth())
    rows = []
    for name, func in case.contenders.items():
        peak, out, result = peak_memory(func)
        rate = case.work / medians[name] / 1e9 if case.work else None
        error = None if truth is None else relative_error(result, truth)
        rows.append(Row(case.name, name, medians[name], medians[name] / ours, peak, out,
                        first if name == OURS else None, case.bars.get(name), quick,
                        rate, peak_rate, unit, error))
    return rows


def relative_error(result, truth):
    """max |result - truth| / max |truth|, the result converted to NumPy (torch, JAX) first."""
    result = np.asarray(result.numpy() if hasattr(result, "numpy") and not isinstance(result, np.ndarray) else result)
    return float(np.max(np.abs(result - truth)) / np.max(np.abs(truth)))


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repeats")
    parser.add_argument("--only", nargs="*", choices=AREAS + ["memory", "scaling", "first_call"], help="areas to run")
    parser.add_argument("--gpu", action="store_true",
                        help="the CUDA kernels on CuPy arrays against the generic body and torch-CUDA peers")
    parser.add_argument("--out", default=None,
                        help="Markdown report (default docs/benchmarks.md, or docs/benchmarks-gpu.md with --gpu; '' to skip)")
    args = parser.parse_args(argv)
    if args.gpu:
        from benchmarks import gpu

        gpu.main(args.quick, "docs/benchmarks-gpu.md" if args.out is None else args.out)
        return
    args.out = "docs/benchmarks.md" if args.out is None else args.out
    from benchmarks import _report  # SciPy's version goes in the report

    selected = args.only or AREAS + ["memory", "scaling", "first_call"]
    start = time.time()
    from benchmarks import _peaks

    peaks = _peaks.measure()
    _report.print_peaks(peaks)
    rows, notes = [], []
    for area in (a for a in AREAS if a in selected):
        for case in importlib.import_module(f"benchmarks.{area}").cases(args.quick):
            rows += run_case(case, args.quick, peaks)
            _report.print_rows(rows[-len(case.contenders):])
            notes += [(case.name, text) for text in (case.note, case.roofline) if text]
    memory = importlib.import_module("benchmarks.memory").run(args.quick) if "memory" in selected else []
    scaling = importlib.import_module("benchmarks.scaling").run(args.quick) if "scaling" in selected else []
    first = importlib.import_module("benchmarks.first_call").run(args.quick) if "first_call" in selected else []
    text = _report.markdown(rows, memory, scaling, quick=args.quick, seconds=time.time() - start,
                            peaks=peaks, notes=notes, first_calls=first)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
