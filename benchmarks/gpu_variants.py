"""Variants timed on a GPU (run B of docs/benchmarks-gpu.md): ``python -m benchmarks.gpu_variants``.

The CUDA Vandermonde kernel at 16, 32 and 64 time steps per thread, with and without the
ZOH discretization in the call, against S4's naive torch form; the causal FFT convolution
against torch.fft, and both FFT pipelines written by hand. Needs CuPy, numba-cuda and a CUDA
torch on a machine with a GPU.
"""
import statistics
import time

import cupy as cp
import numpy as np
import torch

import lti_ops
from lti_ops_cupy import _vandermonde as V
from benchmarks import _torch_naive as TN



def med(f, reps=30):
    """Median milliseconds of `f` over `reps` device-synchronised calls after one warm-up."""
    f(); cp.cuda.runtime.deviceSynchronize(); torch.cuda.synchronize()
    ts = []
    for _ in range(reps):
        cp.cuda.runtime.deviceSynchronize(); torch.cuda.synchronize(); t = time.perf_counter()
        f(); cp.cuda.runtime.deviceSynchronize(); torch.cuda.synchronize(); ts.append(time.perf_counter() - t)
    return 1e3 * statistics.median(ts)



H, N, L = 1024, 64, 16384
ssm = lti_ops.s4d_init("lin", N, H=H, rng=0, dtype="float32")
dt = lti_ops.init_dt(H, rng=0, dtype="float32")
x = dt[:, None] * ssm.lam
w = ssm.C[:, 0, :] * ssm.B[..., 0] * np.expm1(x) / ssm.lam
sysc = lti_ops.Diagonal(*(cp.asarray(getattr(ssm, f)) for f in ("lam", "B", "C", "D")), conj_sym=True)
dtc = cp.asarray(dt)
disc = lti_ops.discretize(sysc, dtc, "zoh")
wt, xt = (torch.from_numpy(np.ascontiguousarray(a)).cuda() for a in (w, x))
t_torch = med(lambda: TN.log_vandermonde_naive(wt, xt, L))
print(f"torch log_vandermonde_naive {t_torch:.3f} ms")
ref = None
default = V.STEPS
for steps in (16, 32, 64):
    V.STEPS = steps
    full = med(lambda: lti_ops.ssm_kernel(sysc, L, dt=dtc, method="zoh", kernel="cupy"))
    pre = med(lambda: lti_ops.ssm_kernel(disc, L, kernel="cupy"))
    K = lti_ops.ssm_kernel(disc, L, kernel="cupy").get()
    ref = K if ref is None else ref
    err = float(np.max(np.abs(K - ref)) / np.max(np.abs(ref)))
    print(f"STEPS={steps:3d} with discretize {full:.3f} ms ({t_torch/full:.2f}x torch), "
          f"discretized {pre:.3f} ms ({t_torch/pre:.2f}x torch), rel diff vs 16: {err:.2e}")
V.STEPS = default
print(f"discretize alone {med(lambda: lti_ops.discretize(sysc, dtc, 'zoh')):.3f} ms")
B, H2 = 16, 768
rng = np.random.default_rng(0)
u = rng.standard_normal((B, H2, L)).astype(np.float32); k = rng.standard_normal((H2, L)).astype(np.float32)
uc, kc = cp.asarray(u), cp.asarray(k)
ut, kt = torch.from_numpy(u).cuda(), torch.from_numpy(k).cuda()
print(f"fftconv lti_ops {med(lambda: lti_ops.fftconv(uc, kc, kernel='cupy'), 15):.3f} ms, "
      f"torch {med(lambda: TN.fftconv_2l(ut, kt), 15):.3f} ms")
import cupyx.scipy.fft as cf
def raw():
    U = cf.rfft(uc, n=2 * L); U *= cf.rfft(kc, n=2 * L); return cf.irfft(U, n=2 * L, overwrite_x=True)[..., :L]
print(f"raw cupyx rfft/irfft {med(raw, 15):.3f} ms")
def raw_torch():
    return torch.fft.irfft(torch.fft.rfft(ut, n=2 * L) * torch.fft.rfft(kt, n=2 * L), n=2 * L)[..., :L]
print(f"raw torch {med(raw_torch, 15):.3f} ms")
