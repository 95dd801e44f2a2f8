"""CUDA kernels for lti_ops, written with numba-cuda and launched on CuPy arrays.

The kernel modules import without CuPy: under numba-cuda's simulator
(``NUMBA_ENABLE_CUDASIM=1``) the same launch functions run the same kernels on NumPy arrays,
which is how the tests check every kernel on machines without a GPU. The engine itself is
:mod:`lti_ops_cupy.engine`, which ``lti_ops._dispatch`` imports the first time a primitive
asks for the ``"cupy"`` engine: it needs CuPy and a CUDA device, and registers the kernels
(no validation here: the public functions of ``lti_ops`` validate before dispatching).
"""
