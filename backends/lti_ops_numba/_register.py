"""Registration of the Numba kernels with ``lti_ops._dispatch.REGISTRY``.

Each kernel module registers its functions as ``@register(primitive, "numba")`` with the
signature of the generic body it accelerates; importing them here is all it takes.
"""

from . import _dplr, _fft, _gramians, _hope, _hsv, _linalg, _scan, _transfer, _vandermonde  # noqa: F401
