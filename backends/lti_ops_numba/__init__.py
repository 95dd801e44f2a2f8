"""Numba (CPU) kernels for lti_ops.

Importing this package needs numba; it registers its kernels with ``lti_ops._dispatch`` and
does no validation (the public functions of ``lti_ops`` validate before dispatching).

The kernels may be called from several Python threads at once. Where Numba's threading
layer is not thread-safe (workqueue), their parallel launches take turns under
:data:`LAUNCH_LOCK`; :func:`serialised_launches` says whether they do (docs/backends.md,
"Threads").
"""

import numba  # noqa: F401  (the engine must import for the kernels to be usable)

from . import _register  # noqa: F401
from ._jit import LAUNCH_LOCK, serialised_launches

__all__ = ["LAUNCH_LOCK", "serialised_launches"]
