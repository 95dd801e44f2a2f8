"""Backends and hypothesis profiles for the test suite.

The `xp` fixture runs a test once per array namespace that imports here: NumPy,
array_api_strict (the portability gate), torch (CPU), JAX (CPU, x64) and CuPy (GPU only).
"""

import importlib
import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "thorough",
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def _load(name):
    try:
        module = importlib.import_module(name)
    except ImportError:
        pytest.skip(f"{name} is not installed")
    if name == "jax.numpy":
        import jax

        jax.config.update("jax_enable_x64", True)
    if name == "cupy":
        try:
            module.cuda.runtime.getDeviceCount()
        except Exception as exc:  # CUDA runtime errors have no common base class
            pytest.skip(f"cupy has no usable GPU: {exc}")
    import array_api_compat

    return array_api_compat.array_namespace(module.asarray([0.0]))


BACKENDS = ["numpy", "array_api_strict", "torch", "jax.numpy", "cupy"]


@pytest.fixture(params=BACKENDS, ids=lambda name: name.split(".")[0])
def xp(request):
    """An Array-API namespace (array-api-compat's wrapper for NumPy, torch and CuPy)."""
    return _load(request.param)


@pytest.fixture(params=["float64", "float32"])
def dtype(request):
    """Name of a real floating dtype."""
    return request.param
