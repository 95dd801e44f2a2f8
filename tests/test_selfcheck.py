"""The self-check engine behind ``lti-ops check`` (lti_ops._selfcheck)."""

import math

import pytest

import lti_ops
from lti_ops import _selfcheck, _xp
from lti_ops._selfcheck import CATALOGUE, CheckResult, format_line, run_checks


def _assert_all_pass(results):
    assert len(results) == len(CATALOGUE) >= 14
    bad = [format_line(r) for r in results if r.passed is not True]
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize(("backend", "dtype", "kernel"), [
    ("numpy", "float64", "auto"),  # Numba kernels
    ("numpy", "float32", "xp"),  # generic bodies (Numba float32 is covered by the CLI run)
    ("torch", "float64", "auto"),
    ("torch", "float32", "auto"),
])
def test_catalogue_passes(backend, dtype, kernel):
    pytest.importorskip(backend)
    _assert_all_pass(run_checks(backend, dtype, kernel))


def test_jax_x64_sample_passes():
    pytest.importorskip("jax")
    import jax

    jax.config.update("jax_enable_x64", True)  # the suite runs JAX in x64 (tests/conftest.py)
    # JAX compiles each eager op anew: the whole catalogue takes ~40 s here, so a sample
    names = ["fft_convolution", "length_doubling", "dplr_woodbury", "conjugate_symmetry", "mobius_law"]
    results = run_checks("jax", "float64", only=names)
    assert len(results) == len(names)
    assert all(r.passed for r in results), "\n".join(map(format_line, results))


def test_jax_float64_without_x64_raises(monkeypatch):
    jax = pytest.importorskip("jax")
    monkeypatch.setattr(jax.config, "read", lambda name: False)
    with pytest.raises(ValueError, match="JAX_ENABLE_X64=1"):
        run_checks("jax", "float64")


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"backend": "tensorflow"}, r"backend='tensorflow' is not valid; expected one of \['numpy'"),
    ({"dtype": "float16"}, r"dtype='float16' is not valid; expected one of \['float32', 'float64'\]"),
    ({"kernel": "triton"}, r"kernel='triton' is not valid"),
    ({"backend": "torch", "kernel": "numba"}, r"kernel='numba' serves backend='numpy' only"),
    ({"only": "no such identity"}, r"only=\['no such identity'\] names no identity; the identities are: "
                                   r"zoh_eigenvalues \('ZOH eigenvalue map'\)"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        run_checks(**kwargs)


def test_missing_backend_says_how_to_install(monkeypatch):
    monkeypatch.setitem(_xp.BACKEND_MODULES, "cupy", ("no_such_module_xyz", "pip install cupy-cuda12x"))
    with pytest.raises(ImportError, match="backend='cupy' needs no_such_module_xyz.*install it with: pip install"):
        run_checks("cupy")


def test_only_selects_by_title_or_name():
    results = run_checks(only=["Möbius group law", "hope_fir"])
    assert [r.identity for r in results] == ["HOPE Δ = 1 is FIR", "Möbius group law"]
    assert all(r.passed for r in results)


def test_planted_bug_is_caught(monkeypatch):
    scan = lti_ops.scan

    def doubled(*args, **kwargs):
        y, x = scan(*args, **kwargs)
        return 2 * y, x

    monkeypatch.setattr(lti_ops, "scan", doubled)
    (result,) = run_checks(only="convolution = recurrence")
    assert result.passed is False and result.error > result.tol
    assert format_line(result).startswith("FAIL  §4.7")


def test_planted_norm_bug_is_caught(monkeypatch):
    hinf = lti_ops.hinf_norm
    monkeypatch.setattr(lti_ops, "hinf_norm", lambda *a, **k: 0.5 * hinf(*a, **k))
    (result,) = run_checks(only="hankel_hinf")
    assert result.passed is False and result.error > result.tol


def test_exception_becomes_failure(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("planted")

    monkeypatch.setattr(lti_ops, "fftconv", broken)
    (result,) = run_checks(only="fft_convolution")
    assert result.passed is False and math.isnan(result.error)
    assert result.detail == "RuntimeError: planted"
    assert "RuntimeError: planted" in format_line(result)


def test_not_implemented_is_a_skip(monkeypatch):
    def missing(*args, **kwargs):
        raise NotImplementedError("no eigensolver here")

    monkeypatch.setattr(lti_ops, "hankel_singular_values", missing)
    (result,) = run_checks(only="similarity_invariance")
    assert result.passed is None and result.detail == "skipped: no eigensolver here"
    assert format_line(result).startswith("SKIP  §4.9")


def test_format_line():
    r = CheckResult("convolution = recurrence", "§4.7", 3.1e-15, 1e-10, True, 0.02)
    assert format_line(r) == "PASS  §4.7   convolution = recurrence       err 3.1e-15  tol 1.0e-10   0.02 s"
