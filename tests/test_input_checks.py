"""The public boundary's shared argument checks (lti_ops._checks)."""

import pytest

from lti_ops import _checks


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_all_finite_names_the_argument_and_counts(xp, bad):
    good = xp.ones(3)
    bad_array = xp.asarray([1.0, bad, bad])
    _checks.all_finite(B=good, C=None, dt=0.5, n=3)
    with pytest.raises(ValueError, match=r"`C` must be finite; got 2 non-finite entries"):
        _checks.all_finite(B=good, C=bad_array)
    with pytest.raises(ValueError, match=r"`dt` must be finite"):
        _checks.all_finite(dt=bad)
    with pytest.raises(ValueError, match=r"`z` must be finite; got 1 non-finite entry"):
        _checks.all_finite(z=xp.asarray([complex(1.0, bad), 0j]))
