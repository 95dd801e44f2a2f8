"""Tests of the kernel= resolution in lti_ops._dispatch."""

import sys
import types

import numpy as np
import pytest

from lti_ops import _dispatch
from lti_ops.testing import assert_close, to_numpy

from _helpers import as_xp


def generic(x):
    return "generic"


def accelerated(x):
    return "numba"


@pytest.fixture
def fake_numba(monkeypatch):
    """A fresh registry whose 'numba' engine is an importable stand-in package."""
    package = types.ModuleType("fake_lti_ops_numba")
    monkeypatch.setitem(sys.modules, "fake_lti_ops_numba", package)
    engine = _dispatch.Engine("numba", "fake_lti_ops_numba", "numpy", "numba")
    monkeypatch.setitem(_dispatch.ENGINES, "numba", engine)
    registry = _dispatch.Registry()
    _dispatch.register("vandermonde", "numba", registry)(accelerated)
    return registry


@pytest.fixture
def missing_numba(monkeypatch):
    engine = _dispatch.Engine("numba", "lti_ops_no_such_package", "numpy", "numba")
    monkeypatch.setitem(_dispatch.ENGINES, "numba", engine)
    return _dispatch.Registry()


def _resolve(primitive, kernel, xp, registry):
    import array_api_compat

    ns = array_api_compat.array_namespace(as_xp(xp, [1.0]))
    return _dispatch.resolve(primitive, kernel, ns, generic, registry=registry)


def test_xp_kernel_is_always_the_generic_body(xp, fake_numba):
    assert _resolve("vandermonde", "xp", xp, fake_numba) is generic


def test_auto_takes_the_engine_serving_the_namespace(xp, fake_numba):
    import array_api_compat

    expected = accelerated if array_api_compat.is_numpy_namespace(xp) else generic
    assert _resolve("vandermonde", "auto", xp, fake_numba) is expected
    assert _resolve("cauchy", "auto", xp, fake_numba) is generic  # no kernel registered


def test_auto_falls_back_when_the_engine_does_not_import(missing_numba):
    assert _resolve("vandermonde", "auto", np, missing_numba) is generic


def test_forced_engine_errors(fake_numba):
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError, match=r"`kernel`='numba' serves numpy arrays only; the input is torch"):
        _resolve("vandermonde", "numba", torch, fake_numba)
    with pytest.raises(NotImplementedError, match=r"kernel='numba' has no kernel for 'cauchy'; it has \['vandermonde'\]"):
        _resolve("cauchy", "numba", np, fake_numba)
    assert _resolve("vandermonde", "numba", np, fake_numba) is accelerated


def test_fused_kernel_is_the_selected_engines_or_none(fake_numba):
    """_dispatch.fused never raises: None sends the caller down its unfused route, whose
    own resolve() validates `kernel` (the error tests above)."""
    array_api_compat = pytest.importorskip("array_api_compat")
    xp = array_api_compat.array_namespace(np.ones(1))
    assert _dispatch.fused("vandermonde", "auto", xp, registry=fake_numba) is accelerated
    assert _dispatch.fused("vandermonde", "numba", xp, registry=fake_numba) is accelerated
    for kernel in ("xp", "cupy", "fast"):  # the reference, an engine that does not serve NumPy, a bad name
        assert _dispatch.fused("vandermonde", kernel, xp, registry=fake_numba) is None
    assert _dispatch.fused("cauchy", "auto", xp, registry=fake_numba) is None  # not registered
    torch = sys.modules.get("torch")
    if torch is not None:
        assert _dispatch.fused("vandermonde", "numba", array_api_compat.array_namespace(torch.ones(1)),
                               registry=fake_numba) is None


def test_no_fused_kernel_when_the_engine_does_not_import(missing_numba):
    assert _dispatch.fused("vandermonde", "auto", np, registry=missing_numba) is None


def test_forced_engine_that_does_not_import(missing_numba):
    with pytest.raises(ImportError, match=r"kernel='numba' needs the lti_ops_no_such_package package .*pip install 'lti-ops\[numba\]'"):
        _resolve("vandermonde", "numba", np, missing_numba)


def test_cupy_kernel_refuses_numpy_input():
    with pytest.raises(ValueError, match=r"`kernel`='cupy' serves cupy arrays only; the input is numpy"):
        _resolve("vandermonde", "cupy", np, _dispatch.Registry())


def test_unknown_kernel_and_engine():
    with pytest.raises(ValueError, match=r"`kernel` must be one of \['auto', 'xp', 'numba', 'cupy'\]; got 'fast'"):
        _resolve("vandermonde", "fast", np, _dispatch.Registry())
    with pytest.raises(ValueError, match=r"unknown engine 'opencl'; expected one of \['cupy', 'numba'\]"):
        _dispatch.register("vandermonde", "opencl", _dispatch.Registry())(generic)


def test_real_engine_packages_load_or_report_why():
    registry = _dispatch.Registry()
    for engine in ("numba", "cupy"):
        error = registry.load(engine)
        assert error is None or "No module named" in error or "cupy" in error.lower()


def test_hot_primitives_take_the_kernel_keyword(xp):
    """Every hot primitive resolves kernel= through _dispatch: "xp" equals "auto" here (to
    rounding: "auto" takes the Numba kernels for NumPy input where numba imports), and a
    forced engine that cannot serve the input says why."""
    import lti_ops

    ssm = lti_ops.s4d_init("lin", 8, H=2, rng=0, xp=xp)
    disc = lti_ops.discretize(ssm, 0.1, "zoh")
    dplr = lti_ops.discretize(lti_ops.nplr("legs", 8, C=np.ones(8), xp=xp), 0.1, "s4_bilinear")
    u = as_xp(xp, np.ones((2, 16)))
    pts = as_xp(xp, np.exp(1j * np.linspace(0, 3, 5)))
    calls = {
        "ssm_kernel (diagonal)": lambda k: lti_ops.ssm_kernel(disc, 16, kernel=k),
        "ssm_kernel (dplr)": lambda k: lti_ops.ssm_kernel(dplr, 16, kernel=k),
        "transfer_function": lambda k: lti_ops.transfer_function(disc, pts, kernel=k),
        "scan": lambda k: lti_ops.scan(disc, u, kernel=k)[0],
        "simulate": lambda k: lti_ops.simulate(disc, u, kernel=k)[0],
        "fftconv": lambda k: lti_ops.fftconv(u, u, kernel=k),
    }
    foreign, serves = _foreign_engine(xp)
    for name, call in calls.items():
        assert_close(call("auto"), to_numpy(call("xp")), rtol=1e-12, err_msg=name)
        with pytest.raises(ValueError, match=rf"`kernel`='{foreign}' serves {serves} arrays only"):
            call(foreign)
        with pytest.raises(ValueError, match=r"`kernel` must be one of .*; got 'fast'"):
            call("fast")


def _foreign_engine(xp):
    """(an engine that does not serve `xp`, the arrays it serves)."""
    import array_api_compat

    return ("numba", "numpy") if array_api_compat.is_cupy_namespace(xp) else ("cupy", "cupy")


def test_engine_entry_module_is_what_loads_the_engine(monkeypatch):
    """An engine's `entry` module (not its package) is imported to load it: the CuPy
    engine's kernel modules import without CuPy, its entry does not. A failing entry makes
    `auto` fall back and a forced kernel name the package and the entry's error."""
    package = types.ModuleType("fake_gpu_engine")
    package.__path__ = []  # a package: its submodules import from sys.modules
    entry = types.ModuleType("fake_gpu_engine.entry")
    monkeypatch.setitem(sys.modules, "fake_gpu_engine", package)
    monkeypatch.setitem(sys.modules, "fake_gpu_engine.entry", None)  # import raises ImportError
    engine = _dispatch.Engine("numba", "fake_gpu_engine", "numpy", "numba", entry="fake_gpu_engine.entry")
    monkeypatch.setitem(_dispatch.ENGINES, "numba", engine)
    registry = _dispatch.Registry()
    registry.add("vandermonde", "numba", accelerated)
    assert _resolve("vandermonde", "auto", np, registry) is generic
    with pytest.raises(ImportError, match=r"kernel='numba' needs the fake_gpu_engine package .*fake_gpu_engine.entry"):
        _resolve("vandermonde", "numba", np, registry)
    monkeypatch.setitem(sys.modules, "fake_gpu_engine.entry", entry)
    registry = _dispatch.Registry()
    registry.add("vandermonde", "numba", accelerated)
    assert _resolve("vandermonde", "auto", np, registry) is accelerated


def test_cupy_engine_loads_through_its_entry():
    assert _dispatch.ENGINES["cupy"].package == "lti_ops_cupy"
    assert _dispatch.ENGINES["cupy"].entry == "lti_ops_cupy.engine"
    error = _dispatch.Registry().load("cupy")
    assert error is None or "cupy" in error.lower() or "cuda" in error.lower() or "simulator" in error.lower(), error
