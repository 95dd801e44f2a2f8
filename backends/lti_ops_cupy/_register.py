"""Registration of the CuPy kernels with ``lti_ops._dispatch.REGISTRY``.

Each kernel is registered as ``@register(primitive, "cupy")`` with the same signature as the
generic body it accelerates (templated ``RawModule`` per dtype, ``cupy.fft`` for FFTs). The
foundation has no hot primitive yet; the CuPy issue fills this module.
"""

from lti_ops._dispatch import register  # noqa: F401
