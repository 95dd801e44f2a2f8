"""Operators of the system containers: thin methods over :mod:`lti_ops.interconnect`.

``sys[outputs, inputs]``, ``sys1 + sys2``, ``sys1 - sys2``, ``sys1 * sys2`` (python-control's
series order: :math:`G_1 G_2`), ``-sys``, with numbers and arrays as static gains on either
side. ``__array_ufunc__ = None`` makes NumPy arrays and scalars hand ``np.float64(2) * sys``
and ``np.ones((2, 2)) + sys`` to these methods instead of broadcasting over an object array;
torch tensors and JAX arrays return NotImplemented for an unknown operand, so their operators
end here too. array_api_strict arrays raise TypeError instead of deferring: with them, put the
system on the left (``sys * K``) or call :func:`~lti_ops.series` / :func:`~lti_ops.parallel`.
Errors name the operands `left` and `right`.
"""

from __future__ import annotations


class SystemOperators:
    """Mixin of the container operators (see the module docstring)."""

    __slots__ = ()
    __array_ufunc__ = None

    def __getitem__(self, key):
        from .interconnect import index

        return index(self, key)

    def __neg__(self):
        from .interconnect import negate

        return negate(self)

    def __add__(self, other):
        from .interconnect import operate

        return operate("+", self, other)

    def __radd__(self, other):
        from .interconnect import operate

        return operate("+", other, self)

    def __sub__(self, other):
        from .interconnect import operate

        return operate("-", self, other)

    def __rsub__(self, other):
        from .interconnect import operate

        return operate("-", other, self)

    def __mul__(self, other):
        from .interconnect import operate

        return operate("*", self, other)

    def __rmul__(self, other):
        from .interconnect import operate

        return operate("*", other, self)
