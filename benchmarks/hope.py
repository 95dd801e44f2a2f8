"""HOPE frequency samples (Algorithm 1, steps 1-8) against the HOPE code's dense form."""

import numpy as np

import lti_ops
from benchmarks._case import OURS, Case
from lti_ops.hope import _nodes


def hope_inputs(H, n, L, dtype="float32"):
    """Markov parameters (H, n), per-channel steps and the (H, L) Mobius nodes."""
    rng = np.random.default_rng(0)
    h = (rng.standard_normal((H, n)) / np.sqrt(n)).astype(dtype)
    dt = np.exp(rng.uniform(np.log(0.1), np.log(10.0), H)).astype(dtype)
    ctype = np.result_type(dtype, np.complex64)
    import array_api_compat.numpy as xp

    w = np.asarray(_nodes(xp, L, dt, ctype))
    return h, dt, w


def hope_dense(h, w):
    """The HOPE code's form: the (H, L, n) power tensor w^-(k+1) by broadcasting, then einsum."""
    k = np.arange(1, h.shape[-1] + 1, dtype=h.dtype)
    w_pows = w[..., None] ** -k  # (H, L, n)
    return np.einsum("hn,hln->hl", h.astype(w.dtype), w_pows)


def hope_case(quick):
    H, n, L = (64, 64, 1024) if quick else (256, 64, 4096)
    h, dt, w = hope_inputs(H, n, L)
    return Case(
        f"HOPE samples H={H} n={n} L={L} f32->c64",
        {
            OURS: lambda: lti_ops.hope_transfer(h, dt, L),
            "numpy einsum on the (H, L, n) powers": lambda: hope_dense(h, w),
            "lti_ops kernel='xp'": lambda: lti_ops.hope_transfer(h, dt, L, kernel="xp"),
        },
        bars={"numpy einsum on the (H, L, n) powers": 10},
    )


def cases(quick):
    return [hope_case(quick)]
