"""Public test helpers: dtype-aware tolerances and array comparison for any namespace.

Hypothesis strategies live in :mod:`lti_ops.testing.strategies` (imported on demand, so this
module works without hypothesis installed).
"""

from ._assert import assert_close, to_numpy, tolerance

__all__ = ["assert_close", "to_numpy", "tolerance"]
