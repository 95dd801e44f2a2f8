"""Public test helpers: dtype-aware tolerances, array comparison for any namespace, and
checkers of users' own SSM code.

:func:`check_kernel`, :func:`check_recurrence` and :func:`check_discretization` compare your
kernel, recurrent step or discretization with lti_ops on hypothesis-drawn S4D/S4 parameters.
They and the strategies of :mod:`lti_ops.testing.strategies` need hypothesis
(``pip install "lti-ops[testing]"``); importing this module does not.
"""

from ._assert import assert_close, to_numpy, tolerance
from .checks import check_discretization, check_kernel, check_recurrence

__all__ = [
    "assert_close",
    "check_discretization",
    "check_kernel",
    "check_recurrence",
    "to_numpy",
    "tolerance",
]
