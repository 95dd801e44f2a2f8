"""Tests of the public helpers in lti_ops.testing."""

import numpy as np
import pytest

from lti_ops.testing import assert_close, tolerance

from _helpers import as_xp


def test_assert_close_accepts_and_rejects(xp, dtype):
    a = as_xp(xp, [1.0, 2.0], dtype)
    assert_close(a, a)
    assert_close(a, np.array([1.0, 2.0]))
    with pytest.raises(AssertionError, match=r"not close: max abs error"):
        assert_close(a, np.array([1.0, 2.1]))
    with pytest.raises(AssertionError, match=r"shapes differ"):
        assert_close(a, np.array([1.0]))
    other = as_xp(xp, [1.0, 2.0], "float32" if dtype == "float64" else "float64")
    with pytest.raises(AssertionError, match=r"dtypes differ"):
        assert_close(a, other, check_dtype=True)
    assert_close(a, np.array([1.0, 2.0], dtype="float32" if dtype == "float64" else "float64"))


def test_assert_close_checks_namespaces():
    torch = pytest.importorskip("torch")
    strict = pytest.importorskip("array_api_strict")
    with pytest.raises(AssertionError, match=r"namespaces differ"):
        assert_close(torch.ones(2, dtype=torch.float64), strict.ones(2))


def test_tolerance_scales_with_dtype_size_and_condition():
    assert tolerance("float32") > 1e8 * tolerance("float64")
    assert tolerance("complex128", n=4, cond=10) == pytest.approx(40 * tolerance("float64"))
