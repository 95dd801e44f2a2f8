"""Numba (CPU) kernels for lti_ops.

Importing this package needs numba; it registers its kernels with ``lti_ops._dispatch`` and
does no validation (the public functions of ``lti_ops`` validate before dispatching).
"""

import numba  # noqa: F401  (the engine must import for the kernels to be usable)

from . import _register  # noqa: F401
