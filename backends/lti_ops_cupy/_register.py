"""Registration of the CUDA kernels with ``lti_ops._dispatch.REGISTRY``.

Each kernel module registers its launch function as ``@register(primitive, "cupy")`` with
the signature of the generic body it accelerates; importing them here is all it takes.
This module imports without CuPy (the simulator tests import it directly).
"""

from . import _dplr, _fft, _hope, _scan, _transfer, _vandermonde  # noqa: F401
