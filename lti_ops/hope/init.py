"""Random HOPE Markov parameters with the scalings of the HOPE code."""

from __future__ import annotations

import math

import numpy as np

from .. import _checks, _xp

__all__ = ["HOPE_INIT_SCALINGS", "hope_init"]

HOPE_INIT_SCALINGS = ("standalone", "lra")


# --------------------------------------------------------------------------- initialization


def hope_init(n, *, H=None, scaling="standalone", decay_exp=0.0, rng=None, dtype=None,
              device=None, xp=None):
    r"""Random complex HOPE Markov parameters with the scalings of the HOPE code.

    Parameters
    ----------
    n : int
        Markov parameters per channel.
    H : int, optional
        Number of channels; adds a leading axis of that size.
    scaling : {"standalone", "lra"}, optional
        ``"standalone"`` (default; ``models/s4/HOPE_SSM.py`` at 553ffde): ``randn(cfloat) /
        sqrt(N) / 2`` with ``N = d_state = 2n``, i.e. complex normal with
        :math:`E|h_k|^2 = 1/(8n)`. ``"lra"`` (``s4block.py`` ``SSMKernelDiag``, the LRA
        configs): real and imaginary parts :math:`\mathcal N(0, 1)/(2\sqrt n)` each, i.e.
        :math:`E|h_k|^2 = 1/(2n)`.
    decay_exp : float, optional
        Multiplies :math:`h_k` by :math:`(k+1)^{\text{decay\_exp}}` (the LRA code's
        ``decay_exp``; 0 by default, no decay).
    rng : None, int or numpy.random.Generator, optional
        Random source; None draws fresh OS entropy, the global NumPy state is never used.
    dtype : float32 or float64, optional
        Precision (h is complex of it); default float64.
    device, xp : optional
        Namespace and device of the result (NumPy by default).

    Returns
    -------
    array, shape (n,) or (H, n)
        Complex.

    Raises
    ------
    ValueError
        Bad `n`, `H`, `scaling`, `decay_exp` or `dtype`.
    TypeError
        A bad `rng`.

    Notes
    -----
    With i.i.d. Gaussian h the n x n Hankel matrix has numerical rank Ω(n) (the paper's
    "random HOPE is high-rank" theorem; papers.md §3.8 measures ε-ranks 57/61/62 of 64 at
    ε = 1e-2/1e-4/1e-6), and by the Lipschitz bound
    :math:`\|G - \tilde G\|_\infty \le \sqrt n\|h - \tilde h\|_2` the scale
    :math:`\|h\|_2 \approx 1/\sqrt 8` (standalone) keeps :math:`\|G\|_\infty = O(1)`. Draw Δ
    with :func:`lti_ops.init_dt` (the HOPE code: log-uniform in [dt_min, dt_max]).

    References
    ----------
    .. [1] A. Yu, M. W. Mahoney, N. B. Erichson, "There is HOPE to Avoid HiPPOs for
       Long-memory State Space Models", arXiv:2405.13975, 2024 (ICLR 2025), Algorithm 1.

    Examples
    --------
    >>> import numpy as np
    >>> from lti_ops import hope_init
    >>> h = hope_init(64, H=4, rng=0)
    >>> h.shape, h.dtype, bool(abs(np.mean(np.abs(h) ** 2) * 8 * 64 - 1) < 0.2)
    ((4, 64), dtype('complex128'), True)
    """
    n = _checks.positive_int("n", n)
    channels = _checks.positive_int("H", H, allow_none=True)
    scaling = _checks.choice("scaling", scaling, HOPE_INIT_SCALINGS)
    decay_exp = _checks.real_number("decay_exp", decay_exp)
    gen = _checks.generator(rng)
    shape = (channels or 1, n)
    z = gen.standard_normal(shape) + 1j * gen.standard_normal(shape)
    h = z / math.sqrt(2) / math.sqrt(2 * n) / 2 if scaling == "standalone" else z / math.sqrt(n) / 2
    h = h * np.arange(1, n + 1, dtype=np.float64) ** decay_exp
    if channels is None:
        h = h[0]
    from ..hippo import _namespace as _hippo_namespace

    xp, real = _hippo_namespace(xp, dtype, device)
    return xp.asarray(np.array(h), dtype=_xp.complex_dtype(xp, real), device=device)
