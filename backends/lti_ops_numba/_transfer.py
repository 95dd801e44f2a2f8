"""Transfer functions of Diagonal and DPLR systems at arbitrary points (Cauchy kernels)."""

from __future__ import annotations

import numpy as np

from lti_ops import _cauchy as _ref
from lti_ops import transfer
from lti_ops._dispatch import register
from lti_ops.systems import Diagonal

from ._cauchy import cauchy_woodbury

__all__ = ["transfer_diagonal", "transfer_dplr"]


@register("transfer_diagonal", "numba")
def transfer_diagonal(xp, sys, z):
    """Numba twin of :func:`lti_ops.transfer._structured` for a ``Diagonal`` system."""
    return _structured(xp, sys, z)


@register("transfer_dplr", "numba")
def transfer_dplr(xp, sys, z):
    """Numba twin of :func:`lti_ops.transfer._structured` for a ``DPLR`` system."""
    return _structured(xp, sys, z)


def _structured(xp, sys, z):
    cast = lambda x: np.asarray(x, dtype=z.dtype)  # noqa: E731
    diagonal = isinstance(sys, Diagonal)
    P, Q = (None, None) if diagonal else (cast(sys.P), cast(sys.Q))
    G, finite = cauchy_woodbury(cast(sys.C), cast(sys.B), cast(sys.lam), P, Q, z, sys.conj_sym)
    if finite:
        return G
    # inf/NaN: a point on a pole of diag(lam) (exact test as the reference), or of A
    if _ref.hits(xp, z, cast(sys.lam), sys.conj_sym):
        if diagonal:
            raise ValueError(_ref.POLE_MSG)
        return transfer._dense(xp, sys.to_dense(), z)
    if not diagonal:
        raise ValueError(_ref.POLE_MSG)
    return G
