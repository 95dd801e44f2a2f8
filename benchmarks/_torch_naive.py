"""The naive forms of the S4 code, in torch: the GPU benchmark's peers.

They are S4's own fallbacks (``log_vandermonde_naive``, ``cauchy_naive`` and the rank-1
Woodbury step of ``SSKernelNPLR``), computing the same kernels as lti_ops from the same
precomputed inputs. Each runs on whatever device its tensors live on (CUDA in the benchmark,
the CPU in the simulator's dry run). The Cauchy form materializes its (2, 2, H, 2N, K)
quotient array as S4's does, in slices of channels so that its memory stays a few GiB.
"""

import math

CHANNEL_SLICE = 256  # channels per slice of the naive Cauchy form


def log_vandermonde_naive(w, x, L):
    """S4's ``log_vandermonde_naive``: ``2 Re sum_n w_n exp(l x_n)`` through the (H, N, L)
    Vandermonde matrix. w, x: complex (H, N)."""
    import torch

    l = torch.arange(L, device=x.device).to(x)
    vandermonde = torch.exp(x.unsqueeze(-1) * l)  # (H, N, L)
    return 2 * torch.einsum("hn,hnl->hl", w, vandermonde).real


def cauchy_naive(v, z, w):
    """S4's ``cauchy_naive`` with conj=True: ``sum_n v_n / (z - w_n)`` over the modes and
    their conjugates. v (..., N), z (K,), w (..., N) -> (..., K)."""
    import torch

    v = torch.cat([v, v.conj()], dim=-1)
    w = torch.cat([w, w.conj()], dim=-1)
    cauchy_matrix = v.unsqueeze(-1) / (z - w.unsqueeze(-1))  # (..., 2N, K)
    return torch.sum(cauchy_matrix, dim=-2)


def dplr_naive(Ct, B, P, Q, lam, L):
    """The S4 (DPLR, rank 1, SISO, conj_sym) kernel from C~: S4's naive Cauchy sums of the
    four Woodbury weights at the rfft nodes, the rank-1 Woodbury step, times z, inverse real
    FFT. Ct, B, P, Q, lam: complex (H, N) -> real (H, L)."""
    import torch

    K = L // 2 + 1
    k = torch.arange(K, device=lam.device, dtype=lam.real.dtype)
    z = torch.exp(1j * (k * (2 * math.pi / L)).to(lam.dtype))
    a = torch.stack([Ct, Q.conj()])  # (2, H, N)
    b = torch.stack([B, P])
    v = a[:, None] * b[None, :]  # (2, 2, H, N)
    parts = []
    for h0 in range(0, lam.shape[0], CHANNEL_SLICE):
        h = slice(h0, h0 + CHANNEL_SLICE)
        r = cauchy_naive(v[:, :, h], z, lam[h])  # (2, 2, h, K)
        parts.append(r[0, 0] - r[0, 1] * r[1, 0] / (1 + r[1, 1]))
    G = torch.cat(parts, dim=0)
    return torch.fft.irfft(z * G, n=L)


def fftconv_2l(u, k):
    """The plain torch.fft causal convolution: rfft at n = 2L, product, irfft, first L."""
    import torch

    L = u.shape[-1]
    U = torch.fft.rfft(u, n=2 * L)
    Kf = torch.fft.rfft(k, n=2 * L)
    return torch.fft.irfft(U * Kf, n=2 * L)[..., :L]
