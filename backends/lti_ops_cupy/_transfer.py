"""Transfer functions of Diagonal and DPLR systems at arbitrary points (CUDA Cauchy kernels).

Pole handling follows the library's rule for values (``lti_ops._xp.can_read_values``): where
the values can be read for free (NumPy input, under the simulator) a point on a pole behaves
exactly as in the reference (``ValueError``, or the dense fallback of a DPLR system whose
point hits a mode of diag(lam) only); on the device nothing is read back, so such a point
gives inf/NaN in its entries of the result and the call never waits for the GPU.
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
    G = cauchy_woodbury(xp, cast(sys.C), cast(sys.B), lam, P, Q, z, sys.conj_sym)
    if not _xp.can_read_values(G, lam, z) or bool(xp.all(xp.isfinite(G))):
        return G
    # inf/NaN: a point on a pole of diag(lam) (exact test as the reference), or of A
    if _ref.hits(xp, z, lam, sys.conj_sym):
        if diagonal:
            raise ValueError(_ref.POLE_MSG)
        return transfer._dense(xp, sys.to_dense(), z)
    if not diagonal:
        raise ValueError(_ref.POLE_MSG)
    return G
