"""Entry of the ``"cupy"`` engine: imported by ``lti_ops._dispatch`` when a primitive first
asks for it. It raises ``ImportError`` (so ``kernel="auto"`` falls back to the generic body
and ``kernel="cupy"`` says why) unless CuPy imports, numba-cuda sees a CUDA device and the
CUDA simulator is off; then it registers the kernels."""

import cupy  # noqa: F401  (the engine serves CuPy arrays)
from numba import config, cuda

if config.ENABLE_CUDASIM:
    raise ImportError(
        "the cupy engine is off under numba's CUDA simulator (NUMBA_ENABLE_CUDASIM=1), which "
        "runs the kernels on NumPy arrays, not on CuPy's device memory"
    )
if not cuda.is_available():
    raise ImportError("the cupy engine needs a CUDA device: numba-cuda finds no usable driver and device")

from . import _register  # noqa: E402, F401
