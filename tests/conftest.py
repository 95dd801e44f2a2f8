"""Backends and hypothesis profiles for the test suite.

The `xp` fixture runs a test once per array namespace that imports here: NumPy,
array_api_strict (the portability gate), torch (CPU), JAX (CPU, x64) and CuPy (GPU only).
Tests marked ``@pytest.mark.jit`` run once more as ``jax-jit``: JAX with the training-loop
primitives compiled by ``jax.jit`` (see ``tests/_jit.py``).
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
settings.register_profile("smoke", settings.get_profile("ci"), max_examples=3)  # a quick look at a backend
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE)


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
JIT = "jax-jit"
# JAX compiles every operation anew for each new shape, eagerly too, so a hypothesis example
# costs it 10-100x what it costs the other backends (up to 10 s for the iterative Gramian and
# norm routines), which run the same generic code with the profile's full count. Under the
# default profile JAX tests draw fewer examples, and the float32 variants of the x64 suite
# are left to tests/test_jax.py, which runs single precision as JAX users do (x64 off);
# HYPOTHESIS_PROFILE=thorough runs everything at full count.
CAPPED_EXAMPLES = {JIT: 2, "jax.numpy": 1}
JAX_SINGLE = "JAX in single precision runs in tests/test_jax.py (x64 off); HYPOTHESIS_PROFILE=thorough runs it here"


def pytest_collection_modifyitems(config, items):
    if PROFILE != "ci":
        return
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if params.get("xp") == "jax.numpy" and params.get("dtype") == "float32":
            item.add_marker(pytest.mark.skip(reason=JAX_SINGLE))


def pytest_generate_tests(metafunc):
    if "xp" in metafunc.fixturenames:
        params = BACKENDS + ([JIT] if metafunc.definition.get_closest_marker("jit") else [])
        metafunc.parametrize("xp", params, ids=lambda name: name.split(".")[0], indirect=True)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Under the ``ci`` profile a hypothesis test on JAX draws at most :data:`CAPPED_EXAMPLES`."""
    test = getattr(item, "obj", None)
    cap = CAPPED_EXAMPLES.get(getattr(getattr(item, "callspec", None), "params", {}).get("xp"))
    if cap is None or PROFILE != "ci" or not hasattr(test, "_hypothesis_internal_use_settings"):
        return (yield)
    own = test._hypothesis_internal_use_settings
    test._hypothesis_internal_use_settings = settings(own, max_examples=min(own.max_examples, cap))
    try:
        return (yield)
    finally:
        test._hypothesis_internal_use_settings = own


@pytest.fixture
def xp(request, monkeypatch):
    """An Array-API namespace (array-api-compat's wrapper for NumPy, torch and CuPy)."""
    if request.param == JIT:
        from _jit import patch_primitives

        namespace = _load("jax.numpy")
        patch_primitives(monkeypatch)
        return namespace
    return _load(request.param)


@pytest.fixture(params=["float64", "float32"])
def dtype(request):
    """Name of a real floating dtype."""
    return request.param
