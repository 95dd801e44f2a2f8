r"""Random stable state-space systems: :func:`random_state_space` (MATLAB's and
python-control's ``rss`` / ``drss``), for tests and for users who need a variety of systems.

Each system is drawn in NumPy float64 from a :class:`numpy.random.Generator` (so a seed gives
the same systems on every backend), cast to the requested precision, checked stable in that
precision, and only then moved to the requested namespace and device.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from . import _checks
from ._hippo_args import _namespace, _to_xp
from .systems import StateSpace

__all__ = ["random_state_space"]

# The probabilities of python-control's ``_rss_generate`` (0.10.2), kept so draws look alike.
P_REPEAT = 0.05  # a pole (or complex pair) repeats the previous one
P_REAL = 0.6  # a new pole is real (else a complex-conjugate pair)
P_BC_KEEP = 0.8  # an entry of B or C is kept (else zero)
P_D_ZERO = 0.5  # D is all zero
P_D_KEEP = 0.3  # otherwise an entry of D is kept
COND_PER_STATE = 100.0  # the similarity T is redrawn while cond(T) > 100 n
MAX_TRIES = 1000


def random_state_space(n, inputs=1, outputs=1, *, dt=None, batch_shape=(), strictly_proper=False,
                       rng=None, dtype=None, device=None, xp=None):
    r"""Random stable dense systems with `n` states (``rss`` / ``drss``).

    Parameters
    ----------
    n : int
        Number of states, >= 1.
    inputs, outputs : int, optional
        Number of inputs M and outputs P, >= 1.
    dt : None or float, optional
        None for continuous time (poles in the open left half plane); a positive number for
        discrete time with that step (poles strictly inside the unit disk). One step for the
        whole batch: arrays are refused.
    batch_shape : int or tuple of int, optional
        Leading batch axes; every element is an independent draw.
    strictly_proper : bool, optional
        Set D = 0. The draws of A, B and C do not change (D is drawn and discarded), so the
        same seed gives the same A, B, C either way.
    rng : None, int or numpy.random.Generator, optional
        Source of randomness; None draws fresh OS entropy, never the global NumPy state.
        The batch is drawn element after element in C order, so with a seed element 0 of
        ``batch_shape=(k,)`` is the system of ``batch_shape=()``.
    dtype : float32 or float64 (dtype object or name), optional
        Default float64.
    device : device, optional
    xp : array namespace, optional
        NumPy when omitted.

    Returns
    -------
    StateSpace
        ``A (*batch_shape, n, n)``, ``B (*batch_shape, n, M)``, ``C (*batch_shape, P, n)``,
        ``D (*batch_shape, P, M)``, real, with the given `dt`.

    Raises
    ------
    ValueError
        `n`, `inputs` or `outputs` not a positive integer; a non-positive or non-finite `dt`;
        a negative entry of `batch_shape`; a bad `dtype`.
    TypeError
        `dt` an array, string or bool; `batch_shape` not an int or a tuple of ints;
        `strictly_proper` not a bool; a bad `rng` or `xp`.

    Notes
    -----
    The algorithm of python-control's ``rss`` (same probabilities, own code): poles are
    drawn one at a time; with probability 0.05 (not for the first or last slot) the previous
    real pole or complex pair repeats; otherwise with probability 0.6 (always for the last
    slot) a real pole :math:`-e^{g}` (continuous, g standard normal) or uniform in (-1, 1)
    (discrete); else a pair :math:`-e^{g_1} \pm 3 e^{g_2} i` (continuous) or
    :math:`r e^{\pm i\phi}`, r uniform in [0, 1), :math:`\phi` in [0, 2π) (discrete).
    Real poles and 2×2 blocks :math:`[[a, b], [-b, a]]` form a block-diagonal
    :math:`\Lambda`, and :math:`A = T^{-1}\Lambda T` with T standard normal, redrawn while
    :math:`\kappa(T) > 100 n` (python-control takes any invertible T; the bound keeps the
    poles well conditioned, so they survive float32 rounding). B and C are standard normal
    with each entry kept with probability 0.8 (redrawn if all are zero); D is zero with
    probability 0.5, else standard normal with entries kept with probability 0.3.

    Stability is checked on the stored matrix: the eigenvalues of A cast to `dtype`,
    computed in float64, must satisfy :math:`\max\operatorname{Re}\lambda < -\delta`
    (continuous) or :math:`\max|\lambda| < 1 - \delta` (discrete) with
    :math:`\delta = 10\,n\,\epsilon\,\kappa(T)\,\|A\|_F`, a margin above the eigenvalue
    error of that precision; a draw that fails is redrawn whole. The tests check exactly
    this stability on every draw, that real and complex poles both occur, the shapes,
    the batch order and the reproducibility with a seed.

    References
    ----------
    .. [1] python-control 0.10.2, ``control.rss`` / ``control.drss``
       (``control/statesp.py``, ``_rss_generate``).
    .. [2] MATLAB Control System Toolbox, ``rss`` and ``drss``.

    Examples
    --------
    >>> import numpy as np
    >>> import lti_ops
    >>> sys = lti_ops.random_state_space(4, 2, 3, batch_shape=(5,), rng=0)
    >>> sys.A.shape, sys.B.shape, sys.C.shape, sys.D.shape
    ((5, 4, 4), (5, 4, 2), (5, 3, 4), (5, 3, 2))
    >>> bool(np.all(sys.is_stable()))
    True
    >>> d = lti_ops.random_state_space(3, dt=0.1, rng=1)
    >>> d.dt, bool(np.max(np.abs(np.linalg.eigvals(d.A))) < 1)
    (0.1, True)
    """
    n = _checks.positive_int("n", n)
    inputs = _checks.positive_int("inputs", inputs)
    outputs = _checks.positive_int("outputs", outputs)
    dt = _sampling_step(dt)
    shape = _batch(batch_shape)
    strictly_proper = _checks.flag("strictly_proper", strictly_proper)
    gen = _checks.generator(rng)
    xp, dtype = _namespace(xp, dtype, device)
    np_dtype = np.float32 if dtype == xp.float32 else np.float64
    draws = [_draw(gen, n, inputs, outputs, dt is not None, np_dtype) for _ in range(math.prod(shape))]
    sizes = ((n, n), (n, inputs), (outputs, n), (outputs, inputs))
    A, B, C, D = (_stack([d[k] for d in draws], shape, size, np_dtype) for k, size in enumerate(sizes))
    if strictly_proper:
        D = np.zeros_like(D)
    A, B, C, D = (_to_xp(xp, x, dtype, device) for x in (A, B, C, D))
    return StateSpace(A, B, C, D, dt=dt)


def _stack(matrices, shape, size, np_dtype):
    """The drawn matrices as one array of shape ``shape + size`` (empty batches too)."""
    if not matrices:
        return np.zeros(shape + size, dtype=np_dtype)
    return np.stack(matrices).reshape(shape + size)


def _sampling_step(dt):
    """None or a positive finite float; arrays are refused (one step for the batch)."""
    if dt is not None and not isinstance(dt, (numbers.Number, str, bytes)):
        msg = f"`dt` must be None or a positive finite number (one step for the whole batch); got {type(dt).__name__}"
        raise TypeError(msg)
    return _checks.sampling_time(dt)


def _batch(batch_shape):
    """`batch_shape` as a tuple of non-negative Python ints."""
    if isinstance(batch_shape, numbers.Integral) and not isinstance(batch_shape, bool):
        batch_shape = (batch_shape,)
    bad = not isinstance(batch_shape, (tuple, list)) or any(
        isinstance(k, bool) or not isinstance(k, numbers.Integral) for k in batch_shape)
    if bad:
        msg = f"`batch_shape` must be an int or a tuple of ints; got {batch_shape!r}"
        raise TypeError(msg)
    if any(k < 0 for k in batch_shape):
        msg = f"`batch_shape` must have non-negative entries; got {tuple(batch_shape)!r}"
        raise ValueError(msg)
    return tuple(int(k) for k in batch_shape)


def _draw(gen, n, inputs, outputs, discrete, np_dtype):
    """(A, B, C, D) of one system, NumPy arrays of `np_dtype`."""
    A = _state_matrix(gen, n, discrete, np_dtype)
    B = _masked(gen, (n, inputs), P_BC_KEEP)
    C = _masked(gen, (outputs, n), P_BC_KEEP)
    if gen.random() < P_D_ZERO:
        D = np.zeros((outputs, inputs))
    else:
        D = gen.standard_normal((outputs, inputs)) * (gen.random((outputs, inputs)) < P_D_KEEP)
    return A, B.astype(np_dtype), C.astype(np_dtype), D.astype(np_dtype)


def _masked(gen, shape, keep):
    """Standard normal entries, each kept with probability `keep`; not all zero."""
    values = gen.standard_normal(shape)
    while True:
        mask = gen.random(shape) < keep
        if mask.any():
            return values * mask


def _state_matrix(gen, n, discrete, np_dtype):
    """A = T^{-1} Λ T, stable as stored in `np_dtype` (redrawn whole otherwise)."""
    eps = float(np.finfo(np_dtype).eps)
    for _ in range(MAX_TRIES):
        blocks = _block_diagonal(_poles(gen, n, discrete))
        T, cond = _similarity(gen, n)
        A = np.linalg.solve(T, blocks @ T).astype(np_dtype)
        lam = np.linalg.eigvals(A.astype(np.float64))
        margin = 10 * n * eps * cond * float(np.linalg.norm(A))
        worst = np.max(np.abs(lam)) - 1 if discrete else np.max(lam.real)
        if worst < -margin:
            return A
    raise RuntimeError(f"no stable draw in {MAX_TRIES} tries")  # pragma: no cover (probability ~0)


def _poles(gen, n, discrete):
    """n poles as a list of blocks: ``(a,)`` a real pole, ``(a, b)`` the pair a ± bi."""
    blocks, filled = [], 0
    while filled < n:
        if 0 < filled < n - 1 and gen.random() < P_REPEAT:
            block = blocks[-1]  # the previous real pole or pair (filled < n - 1 leaves room)
        elif filled == n - 1 or gen.random() < P_REAL:
            block = (gen.uniform(-1.0, 1.0),) if discrete else (-math.exp(gen.standard_normal()),)
        elif discrete:
            r, phi = gen.random(), 2 * math.pi * gen.random()
            block = (r * math.cos(phi), r * math.sin(phi))
        else:
            block = (-math.exp(gen.standard_normal()), 3 * math.exp(gen.standard_normal()))
        blocks.append(block)
        filled += len(block)
    return blocks


def _block_diagonal(blocks):
    n = sum(len(b) for b in blocks)
    out = np.zeros((n, n))
    i = 0
    for block in blocks:
        if len(block) == 1:
            out[i, i] = block[0]
        else:
            a, b = block
            out[i:i + 2, i:i + 2] = [[a, b], [-b, a]]
        i += len(block)
    return out


def _similarity(gen, n):
    """A standard normal n×n matrix with condition number at most 100 n, and that number."""
    while True:
        T = gen.standard_normal((n, n))
        cond = float(np.linalg.cond(T))
        if cond <= COND_PER_STATE * n:
            return T, cond
