"""Registration of the Numba kernels with ``lti_ops._dispatch.REGISTRY``.

Each kernel is registered as ``@register(primitive, "numba")`` with the same signature as the
generic body it accelerates. The foundation has no hot primitive yet; the Numba issue fills
this module.
"""

from lti_ops._dispatch import register  # noqa: F401
