"""The diagonal recurrence (S4D's recurrent mode) against a NumPy step loop, a plain Numba
loop and ``jax.lax.scan`` under ``jax.jit``.

Work: per mode and step, λw (a complex product, 6 flops) + u (1) and Re(c̄ w) accumulated
into y (2 multiplies, 2 adds): 11 real flops, B H (N/2) L 11 in all for the N/2 listed
conjugate-pair modes; the feed-through and the factor 2 are not counted.
"""

import numpy as np

import lti_ops
from benchmarks._case import OURS, Case
from benchmarks.kernels import s4d_inputs

NUMBA = "numba loop (prange over B·H, modes inner)"
JAX = "jax.jit lax.scan over time"
FLOPS_PER_MODE_STEP = 11


def vector_isa():
    """'AVX-512' or 'AVX2' (or 'SSE') from LLVM's view of this host, as Numba compiles for it."""
    try:
        from llvmlite import binding
    except ImportError:
        return "unknown"
    features = binding.get_host_cpu_features()
    for flag, name in (("avx512f", "AVX-512"), ("avx2", "AVX2")):
        if features.get(flag):
            return name
    return "SSE"


def compiled_roofline():
    """Why the ratio to the Numba loop stays under its bar on this host (a note for the report)."""
    return (
        f"this host compiles for {vector_isa()}. Per mode and step lti_ops issues 6 vector operations "
        "(the input-scaled state w <- lam w + u: 4; Re(cb w): 2), the Numba loop 8 (lam x + b u: 6; "
        "Re(c x): 2) and a horizontal sum per step: 1.33x at equal issue rate, and 1.27-1.44x measured "
        "on an AVX2 host (2026-12-06, interleaved medians of 11 rounds), where lanes "
        "of 16 or 64 channels were slower than 32. Fewer operations per mode-step need either more row "
        "loads than the two load ports carry (outputs blocked over 4 steps, modes in pairs: about 44 "
        "loads per 38 operations, against 24 per 48 now) or the second-order real recurrence, whose "
        "float32 coefficients misplace poles near 1 by about sqrt(eps). The lane layout (32 channels, "
        "two AVX-512 registers) measured 2.05x on a host whose f32 FMA peak measured 235 GFLOP/s "
        "(2026-12-05). The JAX peer has its own case: its runtime's worker threads slowed the next "
        "contender in the same round (lti_ops 78 ms after it, 43 ms in the case before)."
    )


def step_loop(lam, b, c, u):
    """x_l = lam x_{l-1} + b u_l, y_l = 2 Re(c . x_l): one vectorized NumPy step per l."""
    x = np.zeros(u.shape[:-1] + lam.shape[-1:], dtype=lam.dtype)
    y = np.empty(u.shape, dtype=u.dtype)
    for l in range(u.shape[-1]):
        x = lam * x + b * u[..., l, None]
        y[..., l] = 2 * np.real(np.sum(c * x, axis=-1))
    return y


def numba_loop():
    """The plain Numba loop a user writes: one (batch, channel) per ``prange`` iteration,
    time outer, modes inner on split real/imaginary float32 arrays (measured 1.4x faster
    than the same loop on complex64 arrays), fastmath so the sum over modes vectorizes;
    None without Numba."""
    try:
        import numba
    except ImportError:
        return None

    @numba.njit(parallel=True, fastmath=True)
    def scan(lr, li, br, bi, cr, ci, u):
        B, H, L = u.shape
        N = lr.shape[1]
        y = np.empty_like(u)
        for i in numba.prange(B * H):
            b, h = i // H, i % H
            xr, xi = np.zeros(N, u.dtype), np.zeros(N, u.dtype)
            for l in range(L):
                ul, acc = u[b, h, l], u.dtype.type(0)
                for n in range(N):
                    tr = lr[h, n] * xr[n] - li[h, n] * xi[n] + br[h, n] * ul
                    ti = lr[h, n] * xi[n] + li[h, n] * xr[n] + bi[h, n] * ul
                    xr[n], xi[n] = tr, ti
                    acc += cr[h, n] * tr - ci[h, n] * ti
                y[b, h, l] = 2 * acc
        return y

    return scan


def jax_scan():
    """``jax.lax.scan`` over time of the complex64 step on the (B, H, N) state, jitted;
    None without JAX."""
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        return None

    @jax.jit
    def scan(lam, b, c, u):
        def step(x, ul):
            x = lam * x + b * ul[..., None]
            return x, 2 * jnp.real(jnp.sum(c * x, axis=-1))

        x0 = jnp.zeros(u.shape[:-1] + lam.shape[-1:], lam.dtype)
        _, y = jax.lax.scan(step, x0, jnp.moveaxis(u, -1, 0))
        return jnp.moveaxis(y, 0, -1)

    return lambda *args: scan(*args).block_until_ready()


def scan_cases(quick):
    """Three cases on the same layer and signal: the slow NumPy forms (3 rounds), the Numba
    loop (11 rounds: its bar is 1.5x, and three medians of a 2-core machine shared with
    other jobs swing by more than that margin), and jax.jit apart (its worker threads slow
    whatever runs next in a round)."""
    B, H, N, L = (2, 64, 64, 1024) if quick else (8, 256, 64, 4096)
    ssm, dt, _, _ = s4d_inputs(H, N, L)
    disc = lti_ops.discretize(ssm, dt, "zoh")
    u = np.random.default_rng(0).standard_normal((B, H, L)).astype(np.float32)
    lam, b, c = disc.lam, disc.B[..., 0], disc.C[..., 0, :]
    name = f"diagonal scan B={B} H={H} N={N} L={L} f32 (conj_sym)"
    work = float(FLOPS_PER_MODE_STEP) * B * H * lam.shape[-1] * L
    ours = lambda: lti_ops.scan(disc, u)  # noqa: E731
    cases = [
        Case(
            name,
            {
                OURS: ours,
                "numpy step loop": lambda: step_loop(lam, b, c, u),
                "lti_ops kernel='xp' (prefix scan)": lambda: lti_ops.scan(disc, u, kernel="xp"),
            },
            bars={"numpy step loop": 20},
            repeat=3,
            work=work,
            peak="fma_f32",
        )
    ]
    loop = numba_loop()
    if loop is not None:
        parts = [np.ascontiguousarray(f(v), dtype=np.float32) for v in (lam, b, c) for f in (np.real, np.imag)]
        cases.append(Case(name + ", Numba loop", {OURS: ours, NUMBA: lambda: loop(*parts, u)}, bars={NUMBA: 1.5},
                          repeat=11, work=work, peak="fma_f32", roofline=compiled_roofline()))
    jitted = jax_scan()
    if jitted is not None:
        import jax.numpy as jnp

        args = [jnp.asarray(v) for v in (lam, b, c, u)]
        cases.append(Case(name + ", jax.jit", {OURS: ours, JAX: lambda: jitted(*args)}, repeat=5, work=work,
                          peak="fma_f32"))
    return cases


def cases(quick):
    return scan_cases(quick)
