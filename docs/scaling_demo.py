"""Hankel singular values of 100 000 systems: one NumPy + Numba process, then a 2-worker
Dask ``LocalCluster``. Prints the numbers that ``docs/scaling.md`` quotes.

Run ``python docs/scaling_demo.py`` (options: ``--systems``, ``--modes``, ``--chunk``,
``--workers``). Nothing runs on import.
"""

from __future__ import annotations

import argparse
import os
import platform
import time


def _systems(n_systems, n_modes, chunk, seed=0):
    """Dask arrays ``lam, b, c`` of S4D-like SISO systems, drawn on the workers: decay
    rates in [0.05, 1], frequencies in [0, 10], complex Gaussian B and C."""
    import dask.array as da

    rng = da.random.default_rng(seed)
    shape, chunks = (n_systems, n_modes), (chunk, n_modes)
    lam = -rng.uniform(0.05, 1.0, shape, chunks=chunks) + 1j * rng.uniform(0.0, 10.0, shape, chunks=chunks)
    b = rng.standard_normal(shape, chunks=chunks) + 1j * rng.standard_normal(shape, chunks=chunks)
    c = rng.standard_normal(shape, chunks=chunks) + 1j * rng.standard_normal(shape, chunks=chunks)
    return lam, b, c


def _warm_up(n_modes):
    """Compile the Numba kernels of this process (HSVs of two small systems)."""
    import numpy as np

    import lti_ops

    lam = -np.linspace(0.1, 1.0, 2 * n_modes).reshape(2, n_modes) + 1j
    ones = np.ones_like(lam)
    lti_ops.hankel_singular_values(lti_ops.Diagonal.siso(lam, ones, ones, conj_sym=True))


def _timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def run(n_systems, n_modes, chunk, workers):
    import dask
    import numpy as np
    from dask.distributed import Client, LocalCluster, wait

    import lti_ops

    print(f"{n_systems} conj_sym Diagonal systems, {n_modes} modes ({2 * n_modes} states) each, "
          f"SISO; {os.cpu_count()} CPU cores, {platform.machine()}")
    env = {"NUMBA_NUM_THREADS": "1"}  # one core per single-threaded worker
    cluster_kw = dict(n_workers=workers, threads_per_worker=1, dashboard_address=":0", env=env)
    (cluster, client), start_s = _timed(lambda: _start(LocalCluster, Client, cluster_kw))
    with cluster, client:
        parts = dask.persist(*_systems(n_systems, n_modes, chunk))  # the data lives on the workers
        wait(parts)
        lam, b, c = dask.compute(*parts)  # a NumPy copy for the one-process reference

        _, compile_s = _timed(lambda: _warm_up(n_modes))
        sys_np = lti_ops.Diagonal.siso(lam, b, c, conj_sym=True)
        ref, numpy_s = _timed(lambda: lti_ops.hankel_singular_values(sys_np))

        client.run(_warm_up, n_modes)
        sys_dask = lti_ops.Diagonal.siso(*parts, conj_sym=True)
        hsv, call_s = _timed(lambda: lti_ops.hankel_singular_values(sys_dask))
        out, dask_s = _timed(hsv.compute)
    print(f"NumPy + Numba, one process:   {numpy_s:6.2f} s  (after {compile_s:.1f} s compiling)")
    print(f"Dask, {workers} workers x 1 thread:  {dask_s:6.2f} s  (cluster start {start_s:.1f} s; "
          f"lazy call {1e3 * call_s:.0f} ms; {hsv.numblocks[0]} blocks of {chunk})")
    print(f"result {hsv.shape} {hsv.dtype}, chunks {hsv.chunksize}; equal to NumPy's: "
          f"{bool(np.array_equal(out, ref))}")


def _start(cluster_cls, client_cls, kwargs):
    cluster = cluster_cls(**kwargs)
    return cluster, client_cls(cluster)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--systems", type=int, default=100_000)
    parser.add_argument("--modes", type=int, default=16)
    parser.add_argument("--chunk", type=int, default=12_500)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    run(args.systems, args.modes, args.chunk, args.workers)


if __name__ == "__main__":
    main()
