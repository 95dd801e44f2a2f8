"""Transfer functions of Diagonal and DPLR systems at arbitrary points (CUDA Cauchy kernels).

Pole handling is the reference's: the exact test of a point against the modes of diag(lam)
decides the route (``ValueError`` for a Diagonal system, the dense form for a DPLR system
whose point hits a mode of diag(lam) only) and reads its one boolean back on the device too
(:func:`lti_ops._cauchy.hits`); the finiteness check of the Woodbury result, which only
validates, runs where values are read for free (``lti_ops._xp.can_read_values``), so on the
device a point on a pole of A gives inf/NaN instead of the error.
"""

from __future__ import annotations

from lti_ops import _cauchy as _ref
from lti_ops import _xp, transfer
from lti_ops._dispatch import register
from lti_ops.systems import Diagonal

from ._cauchy import cauchy_woodbury

__all__ = ["transfer_diagonal", "transfer_dplr"]


@register("transfer_diagonal", "cupy")
def transfer_diagonal(xp, sys, z):
    """CUDA twin of :func:`lti_ops.transfer._structured` for a ``Diagonal`` system."""
    return _structured(xp, sys, z)


@register("transfer_dplr", "cupy")
def transfer_dplr(xp, sys, z):
    """CUDA twin of :func:`lti_ops.transfer._structured` for a ``DPLR`` system."""
    return _structured(xp, sys, z)


def _structured(xp, sys, z):
    cast = lambda x: xp.astype(x, z.dtype)  # noqa: E731
    diagonal = isinstance(sys, Diagonal)
    P, Q = (None, None) if diagonal else (cast(sys.P), cast(sys.Q))
    lam = cast(sys.lam)
    if _ref.hits(xp, z, lam, sys.conj_sym):  # one boolean read back on a device: it picks the route
        if diagonal:
            raise ValueError(_ref.POLE_MSG)
        return transfer._dense(xp, sys.to_dense(), z)
    G = cauchy_woodbury(xp, cast(sys.C), cast(sys.B), lam, P, Q, z, sys.conj_sym)
    if not diagonal and _xp.can_read_values(G) and not bool(xp.all(xp.isfinite(G))):
        raise ValueError(_ref.POLE_MSG)  # a point on a pole of A itself
    return G
