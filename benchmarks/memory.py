"""Peak memory of the accelerated kernels at S4 scale (H = 1024, N = 64, L = 16384),
as a multiple of the size of their output."""

import numpy as np

import lti_ops
from benchmarks._timing import peak_memory
from benchmarks.kernels import dplr_inputs, s4d_inputs


def _computations(quick):
    H, N, L = (256, 64, 4096) if quick else (1024, 64, 16384)
    ssm, dt, _, _ = s4d_inputs(H, N, L)
    disc = dplr_inputs(H, N, L)
    diag = lti_ops.discretize(ssm, dt, "zoh")
    u = np.random.default_rng(0).standard_normal((H, L)).astype(np.float32)
    z = np.exp(1j * np.linspace(0, np.pi, L))
    ssm64 = lti_ops.s4d_init("inv", N, H=H, rng=0)
    k = np.ones((H, L), np.float32)
    size = f"H={H} N={N} L={L}"
    # (name, function of kernel=, whether the reference is cheap enough to trace at this size)
    return [
        (f"S4D kernel (zoh, f32) {size}", lambda kernel: lti_ops.ssm_kernel(ssm, L, dt=dt, method="zoh", kernel=kernel), True),
        (f"S4 DPLR kernel (f64) {size}", lambda kernel: lti_ops.ssm_kernel(disc, L, c_is_tilde=True, kernel=kernel), True),
        (f"diagonal transfer (c128) {size} points", lambda kernel: lti_ops.transfer_function(ssm64, z, kernel=kernel), quick),
        (f"diagonal scan (f32) B=1 {size}", lambda kernel: lti_ops.scan(diag, u, kernel=kernel)[0], quick),
        (f"causal fftconv (f32) B=1 H={H} L={L}", lambda kernel: lti_ops.fftconv(u, k, kernel=kernel), True),
    ]


def run(quick=False):
    """Rows (computation, kernel, peak MiB, output MiB, peak / output)."""
    rows = []
    for name, func, with_reference in _computations(quick):
        for kernel in ("numba", "xp") if with_reference else ("numba",):
            if kernel == "numba":
                func(kernel)  # compile outside the traced call
            peak, out, _ = peak_memory(lambda: func(kernel))
            rows.append((name, kernel, peak / 2**20, out / 2**20, peak / out))
    return rows
