"""State-space containers: dense :class:`StateSpace`, :class:`Diagonal` and :class:`DPLR`.

All three are frozen dataclasses of arrays plus static metadata (``dt``, ``conj_sym``),
validated and dtype-promoted at construction. Leading axes are batch axes that broadcast
like NumPy; the trailing state/input/output axes are always present (SISO is P = M = 1).
``dt=None`` means continuous time, a positive ``dt`` (number, or array broadcasting over the
batch) means discrete time with that step.

``conj_sym=True`` (the S4/S5 convention) means the N listed modes stand for themselves and
their complex conjugates: the full system has 2N states ``(lam, conj(lam))``, input rows
``(B, conj(B))``, output columns ``(C, conj(C))`` (and for DPLR ``(P, conj(P))``,
``(Q, conj(Q))``), so it is a real system and results are ``2·Re`` of the half sums.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from . import _checks, _pytree, _xp
from ._operators import SystemOperators
from ._blockwise import batched
from ._system_args import (
    _batch_shape,
    _cast,
    _check_conj_sym,
    _check_dt,
    _conj,
    _diag_embed,
    _diagonal_dtypes,
    _feedthrough,
    _im,
    _io_shapes,
    _re,
    _siso_io,
    own,
)

__all__ = ["DPLR", "Diagonal", "StateSpace", "diagonalize"]


# --------------------------------------------------------------------------- helpers


def _real_form(xp, m11, m12, B, C):
    """Real 2N realization of a conj_sym half system (see module docstring).

    With full state ``z = (x_half, conj(x_half))`` and real coordinates ``(Re x, Im x)``,
    ``A = [[Re(M11+M12), Im(M12)-Im(M11)], [Im(M11+M12), Re(M11-M12)]]``,
    ``B = [Re B; Im B]`` and ``C = [2 Re C, -2 Im C]``.
    """
    if m12 is None:
        m12 = xp.zeros_like(m11)
    A = real_block(xp, m11, m12)
    Br = xp.concat([_re(xp, B), _im(xp, B)], axis=-2)
    Cr = xp.concat([2 * _re(xp, C), -2 * _im(xp, C)], axis=-1)
    return A, Br, Cr


def real_block(xp, m11, m12):
    """The real 2N matrix ``T M T^H`` of ``M = [[m11, m12], [conj(m12), conj(m11)]]``.

    ``T = [[I, I], [-iI, iI]] / sqrt(2)`` is unitary, so the result is
    ``[[Re(m11+m12), Im(m12)-Im(m11)], [Im(m11+m12), Re(m11-m12)]]``. The real form's
    coordinates are ``(Re x, Im x) = T z / sqrt(2)``, so its state matrix is
    ``real_block(A11, A12)`` and its Gramians are ``real_block(P11, P12) / 2`` and
    ``2 real_block(Q11, Q12)``.
    """
    top = xp.concat([_re(xp, m11 + m12), _im(xp, m12) - _im(xp, m11)], axis=-1)
    bottom = xp.concat([_im(xp, m11 + m12), _re(xp, m11 - m12)], axis=-1)
    return xp.concat([top, bottom], axis=-2)


class _System(SystemOperators):
    """Properties shared by the three containers (operators: :mod:`lti_ops._operators`)."""

    _CORE = {}  # field name -> number of trailing core axes (set by each container)

    def _arrays(self):
        return tuple(getattr(self, name) for name in self._CORE)

    def _batched(self, with_dt=True):
        named = {name: (getattr(self, name), core) for name, core in self._CORE.items()}
        if with_dt:
            named["dt"] = (self.dt, 0)
        return named

    def _finish_validation(self):
        """Check that the (cast) fields' batch shapes broadcast, then validate ``dt``."""
        _batch_shape(self._batched(with_dt=False))
        dt = _check_dt(self.dt, self._batched(with_dt=False), self.dtype)
        object.__setattr__(self, "dt", dt)
        _pytree.register_for(self.xp)

    @property
    def is_discrete(self):
        """True for a discrete-time system (``dt`` is set)."""
        return self.dt is not None

    @property
    def n_inputs(self):
        """Number of inputs M."""
        return self.B.shape[-1]

    @property
    def n_outputs(self):
        """Number of outputs P."""
        return self.C.shape[-2]

    @cached_property
    def xp(self):
        """Array namespace of the fields."""
        return _xp.array_namespace(*self._arrays())

    @cached_property
    def batch_shape(self):
        """Broadcast batch shape of all fields (and of an array ``dt``)."""
        return _batch_shape(self._batched())

    @batched()
    def is_stable(self):
        """Boolean array of shape `batch_shape`: poles in the open left half plane
        (continuous) or the open unit disk (discrete)."""
        xp = self.xp
        p = self.poles()
        ok = xp.abs(p) < 1 if self.is_discrete else xp.real(p) < 0
        return xp.all(ok, axis=-1)

    def __repr__(self):
        if self.dt is None:
            kind = "continuous"
        elif hasattr(self.dt, "shape"):
            kind = f"dt=<array of shape {tuple(self.dt.shape)}>"
        else:
            kind = f"dt={self.dt!r}"
        extra = f", conj_sym={self.conj_sym}" if hasattr(self, "conj_sym") else ""
        return (
            f"{type(self).__name__}(n_states={self.n_states}, n_inputs={self.n_inputs}, "
            f"n_outputs={self.n_outputs}, batch_shape={self.batch_shape}, "
            f"dtype={self.dtype}, {kind}{extra})"
        )


class _ModalSystem(_System):
    """Properties shared by the containers listed by modes (``Diagonal``, ``DPLR``)."""

    @property
    def n_modes(self):
        """Number of listed modes N."""
        return self.lam.shape[-1]

    @property
    def n_states(self):
        """State dimension of the full system: 2N when `conj_sym`, else N."""
        return 2 * self.n_modes if self.conj_sym else self.n_modes

    @property
    def dtype(self):
        """Dtype of the mode arrays (``lam``, ``B``, ``C``, and ``P``, ``Q`` for DPLR)."""
        return self.lam.dtype


# --------------------------------------------------------------------------- StateSpace


@dataclass(frozen=True, eq=False, repr=False)
class StateSpace(_System):
    r"""Dense state-space system ``x' = A x + B u, y = C x + D u`` (or its discrete form).

    Parameters
    ----------
    A : array, shape (..., N, N)
    B : array, shape (..., N, M)
    C : array, shape (..., P, N)
    D : array, shape (..., P, M), optional
        Zeros when omitted.
    dt : None, float or array broadcasting over the batch, optional
        None for continuous time; the sampling step for discrete time.

    Raises
    ------
    ValueError
        Wrong ranks, non-square A, non-conformable B/C/D, batch shapes that do not
        broadcast, a non-positive or non-finite `dt`.
    TypeError
        Boolean or non-numeric dtypes; mixed array namespaces (devices: ValueError).

    Notes
    -----
    All fields are promoted to one floating dtype (float32 and complex kept; integer arrays
    join the floating precision). Batch axes of the fields broadcast against each other.
    The transfer function is :math:`G(s) = C (sI - A)^{-1} B + D` (continuous) or the same
    in z (discrete); :meth:`poles` are the eigenvalues of A.

    References
    ----------
    .. [1] T. Kailath, *Linear Systems*, Prentice-Hall, 1980, ch. 2.

    Examples
    --------
    >>> import numpy as np
    >>> import lti_ops
    >>> sys = lti_ops.StateSpace(np.array([[-1.0, 2.0], [0.0, -3.0]]), np.eye(2), np.eye(2))
    >>> sys
    StateSpace(n_states=2, n_inputs=2, n_outputs=2, batch_shape=(), dtype=float64, continuous)
    >>> print(np.sort(sys.poles().real), bool(sys.is_stable()))
    [-3. -1.] True
    """

    A: object
    B: object
    C: object
    D: object = None
    dt: object = None

    _CORE = {"A": 2, "B": 2, "C": 2, "D": 2}

    def __post_init__(self):
        A, B, C, D = self.A, self.B, self.C, self.D
        xp = _xp.array_namespace(A, B, C, D, names="ABCD")
        _checks.matrix("A", A, "(..., N, N)")
        if A.shape[-1] != A.shape[-2]:
            msg = f"`A` must be square with shape (..., N, N); got {tuple(A.shape)}"
            raise ValueError(msg)
        P, M = _io_shapes(B, C, A.shape[-1])
        dtype = _xp.floating_dtype(xp, A, B, C, D, names="ABCD")
        D = _feedthrough(xp, D, P, M, dtype, _xp.common_device(A, B, C, D))
        fields = {"A": A, "B": B, "C": C, "D": D}
        for name, x in fields.items():
            object.__setattr__(self, name, own(xp, x, dtype))
        _checks.all_finite(**fields)
        self._finish_validation()

    @classmethod
    def siso(cls, A, b, c, d=None, *, dt=None):
        """SISO system from ``A (..., N, N)``, ``b (..., N)``, ``c (..., N)``, ``d (...)``."""
        B, C, D = _siso_io(_xp.array_namespace(A, b, c, names=("A", "b", "c")), b, c, d)
        return cls(A, B, C, D, dt=dt)

    @property
    def n_states(self):
        """State dimension N."""
        return self.A.shape[-1]

    @property
    def dtype(self):
        """Common dtype of the fields."""
        return self.A.dtype

    def to_dense(self):
        """The system itself (already dense)."""
        return self

    @batched()
    def poles(self):
        """Eigenvalues of A, complex, shape ``batch_shape + (N,)``."""
        xp = self.xp
        p = _xp.eigvals(self.A)
        return xp.broadcast_to(p, self.batch_shape + (self.n_states,))

    def diagonalize(self, *, max_cond=None):
        """Equivalent :class:`Diagonal` system; see :func:`diagonalize`."""
        return diagonalize(self, max_cond=max_cond)


@batched()
def diagonalize(sys, *, max_cond=None):
    r"""Diagonal realization of a diagonalizable dense system.

    With ``A = V diag(lam) V^{-1}``, returns ``Diagonal(lam, V^{-1} B, C V, D, dt)``: the same
    transfer function, complex dtype, ``conj_sym=False``.

    Parameters
    ----------
    sys : StateSpace
    max_cond : float, optional
        Largest accepted 2-norm condition number of the eigenvector matrix V. Default
        ``1 / sqrt(eps)`` of the system's precision.

    Returns
    -------
    Diagonal
        Complex dtype of the same precision, same namespace, device, batch and ``dt``.

    Raises
    ------
    TypeError
        If `sys` is not a StateSpace, or `max_cond` not a real number.
    ValueError
        If `max_cond` is below 1 or not finite. If any batch element's eigenvector matrix is worse conditioned than `max_cond` (A is
        defective or nearly so, e.g. HiPPO-LegS with N >= 16; use its NPLR form instead).
    NotImplementedError
        If the namespace has no nonsymmetric eigensolver.

    Notes
    -----
    The similarity :math:`x = V \tilde x` leaves the transfer function and Markov
    parameters unchanged; the tests check :math:`C \bar A^k B` agree for both forms.

    References
    ----------
    .. [1] G. H. Golub, C. F. Van Loan, *Matrix Computations*, 4th ed., 2013, sec. 7.1
       (eigenvector conditioning).
    """
    if not isinstance(sys, StateSpace):
        msg = f"`sys` must be a StateSpace; got {type(sys).__name__}"
        raise TypeError(msg)
    xp = sys.xp
    if max_cond is not None:
        max_cond = _checks.real_number("max_cond", max_cond, minimum=1.0, strict=False)
    limit = max_cond if max_cond is not None else _xp.eps(xp, sys.dtype) ** -0.5
    lam, V = _xp.eig(sys.A)
    sv = xp.linalg.svdvals(V)
    cond = sv[..., 0] / sv[..., -1]
    worst = float(xp.max(cond)) if cond.ndim else float(cond)
    if not worst <= limit:
        msg = (
            f"`sys.A` is not safely diagonalizable: its eigenvector matrix has condition "
            f"number {worst:.3g}, above max_cond={limit:.3g}"
        )
        raise ValueError(msg)
    ctype = V.dtype
    B = xp.linalg.solve(V, _cast(xp, sys.B, ctype))
    C = xp.matmul(_cast(xp, sys.C, ctype), V)
    return Diagonal(lam, B, C, _cast(xp, sys.D, ctype), dt=sys.dt)


# --------------------------------------------------------------------------- Diagonal


@dataclass(frozen=True, eq=False, repr=False)
class Diagonal(_ModalSystem):
    r"""Diagonal state-space system ``A = diag(lam)``.

    Parameters
    ----------
    lam : array, shape (..., N)
        Eigenvalues (modes).
    B : array, shape (..., N, M)
    C : array, shape (..., P, N)
    D : array, shape (..., P, M), optional
        Zeros when omitted. Must be real when `conj_sym` is True.
    dt : None, float or array, optional
        None for continuous time; the sampling step for discrete time.
    conj_sym : bool, optional
        The N modes stand with their complex conjugates (a real system of order 2N).

    Raises
    ------
    ValueError, TypeError
        As :class:`StateSpace`; also a complex `D` with ``conj_sym=True`` (TypeError) and a
        non-bool `conj_sym` (TypeError).

    Notes
    -----
    :math:`G(s) = \sum_n C_{:,n} B_{n,:} / (s - \lambda_n) + D`; with `conj_sym` the sum
    also runs over the conjugate modes, i.e. it is :math:`2\,\mathrm{Re}` of the half sum
    for real s. ``to_dense()`` realizes the same system with a dense (real, for
    `conj_sym`) A; the tests check their Markov parameters agree.

    References
    ----------
    .. [1] A. Gu, K. Goel, A. Gupta, C. Re, "On the Parameterization and Initialization of
       Diagonal State Space Models" (S4D), NeurIPS 2022.
    .. [2] J. T. H. Smith, A. Warrington, S. Linderman, "Simplified State Space Layers for
       Sequence Modeling" (S5, ``conj_sym``), ICLR 2023.

    Examples
    --------
    >>> import numpy as np
    >>> import lti_ops
    >>> lam = -0.5 + 1j * np.pi * np.arange(4)          # S4D-Lin, 4 modes
    >>> ssm = lti_ops.Diagonal.siso(lam, np.ones(4, complex), np.ones(4, complex), conj_sym=True)
    >>> ssm.n_states, ssm.to_dense().A.dtype
    (8, dtype('float64'))
    """

    lam: object
    B: object
    C: object
    D: object = None
    dt: object = None
    conj_sym: bool = False

    _CORE = {"lam": 1, "B": 2, "C": 2, "D": 2}

    def __post_init__(self):
        lam, B, C, D = self.lam, self.B, self.C, self.D
        _check_conj_sym(self.conj_sym)
        xp = _xp.array_namespace(lam, B, C, D, names=("lam", "B", "C", "D"))
        _checks.vector("lam", lam, "(..., N)")
        P, M = _io_shapes(B, C, lam.shape[-1])
        dtype, d_dtype = _diagonal_dtypes(xp, lam, B, C, D, self.conj_sym)
        D = _feedthrough(xp, D, P, M, d_dtype, _xp.common_device(lam, B, C, D))
        fields = {"lam": lam, "B": B, "C": C, "D": D}
        for name, x in fields.items():
            object.__setattr__(self, name, own(xp, x, d_dtype if name == "D" else dtype))
        _checks.all_finite(**fields)
        self._finish_validation()

    @classmethod
    def siso(cls, lam, b, c, d=None, *, dt=None, conj_sym=False):
        """SISO diagonal system from ``lam, b, c`` of shape (..., N) and ``d`` of shape (...).

        This is the layout ML code keeps its parameters in: e.g. ``lam`` of shape (H, N) for
        H channels.
        """
        xp = _xp.array_namespace(lam, b, c, names=("lam", "b", "c"))
        _checks.vector("lam", lam, "(..., N)")
        for name, x in (("b", b), ("c", c)):
            if getattr(x, "ndim", 0) >= 1 and x.shape[-1] != lam.shape[-1]:
                msg = f"`lam` has {lam.shape[-1]} modes and `{name}` {x.shape[-1]}; they must match (shape (..., N))"
                raise ValueError(msg)
        B, C, D = _siso_io(xp, b, c, d)
        return cls(lam, B, C, D, dt=dt, conj_sym=conj_sym)

    @batched()
    def to_dense(self):
        """Dense :class:`StateSpace` of the same system.

        ``diag(lam)`` for ``conj_sym=False``; the real 2N block form
        ``[[Re Λ, -Im Λ], [Im Λ, Re Λ]]``, ``[Re B; Im B]``, ``[2 Re C, -2 Im C]`` for
        ``conj_sym=True``.
        """
        xp = self.xp
        A = _diag_embed(xp, self.lam)
        if not self.conj_sym:
            return StateSpace(A, self.B, self.C, self.D, dt=self.dt)
        A, B, C = _real_form(xp, A, None, self.B, self.C)
        return StateSpace(A, B, C, self.D, dt=self.dt)

    @batched()
    def poles(self):
        """Modes (with their conjugates when `conj_sym`), complex, ``batch_shape + (n,)``."""
        xp = self.xp
        lam = _cast(xp, self.lam, _xp.complex_dtype(xp, self.lam.dtype))
        if self.conj_sym:
            lam = xp.concat([lam, xp.conj(lam)], axis=-1)
        return xp.broadcast_to(lam, self.batch_shape + (lam.shape[-1],))


# --------------------------------------------------------------------------- DPLR


@dataclass(frozen=True, eq=False, repr=False)
class DPLR(_ModalSystem):
    r"""Diagonal-plus-low-rank system ``A = diag(lam) - P Q^H``.

    Parameters
    ----------
    lam : array, shape (..., N)
    P, Q : array, shape (..., N, r)
        Low-rank factors (S4 uses ``Q = P``).
    B : array, shape (..., N, M)
    C : array, shape (..., P, N)
    D : array, shape (..., P, M), optional
    dt : None, float or array, optional
    conj_sym : bool, optional
        The listed modes, rows of P, Q, B and columns of C stand with their conjugates; the
        low-rank term couples the two halves (as in S4's conjugate-symmetric Cauchy sums),
        so the full system is ``diag(lam, conj(lam)) - [P; conj P][Q; conj Q]^H``.

    Raises
    ------
    ValueError, TypeError
        As :class:`Diagonal`; also P or Q with a wrong number of rows or different ranks.

    Notes
    -----
    The resolvent follows from Woodbury,
    :math:`(sI - A)^{-1} = R + R P (I - Q^H R P)^{-1} Q^H R` with
    :math:`R = (sI - \Lambda)^{-1}` diagonal, which is what keeps GBT discretization in DPLR
    form (``tests/test_discretize.py`` checks it against the dense path).

    References
    ----------
    .. [1] A. Gu, K. Goel, C. Re, "Efficiently Modeling Long Sequences with Structured State
       Spaces" (S4), ICLR 2022.
    .. [2] A. Gu, I. Johnson, A. Timalsina, A. Rudra, C. Re, "How to Train Your HiPPO: State
       Space Models with Generalized Orthogonal Basis Projections", ICLR 2023.

    Examples
    --------
    >>> import numpy as np
    >>> import lti_ops
    >>> lam, P = -np.arange(1.0, 4.0) + 0j, np.full((3, 1), 0.5 + 0j)
    >>> sys = lti_ops.DPLR.siso(lam, P, P, np.ones(3, complex), np.ones(3, complex))
    >>> lti_ops.discretize(sys, 0.1, "bilinear")
    DPLR(n_states=3, n_inputs=1, n_outputs=1, batch_shape=(), dtype=complex128, dt=0.1, conj_sym=False)
    """

    lam: object
    P: object
    Q: object
    B: object
    C: object
    D: object = None
    dt: object = None
    conj_sym: bool = False

    _CORE = {"lam": 1, "P": 2, "Q": 2, "B": 2, "C": 2, "D": 2}

    def __post_init__(self):
        _check_conj_sym(self.conj_sym)
        lam, P, Q = self.lam, self.P, self.Q
        _checks.vector("lam", lam, "(..., N)")
        N = lam.shape[-1]
        for name, x in (("P", P), ("Q", Q)):
            _checks.matrix(name, x, "(..., N, r)")
            _checks.axis_size(name, x, -2, N, "N = lam.shape[-1]")
        _checks.axis_size("Q", Q, -1, P.shape[-1], "the rank r = P.shape[-1]")
        diag = Diagonal(lam, self.B, self.C, self.D, conj_sym=self.conj_sym)
        xp = diag.xp
        _xp.array_namespace(lam, P, Q, names=("lam", "P", "Q"))
        dtype = xp.result_type(diag.dtype, _xp.floating_dtype(xp, P, Q, names="PQ"))
        _checks.all_finite(P=P, Q=Q)
        for name, x in {"lam": diag.lam, "P": P, "Q": Q, "B": diag.B, "C": diag.C}.items():
            object.__setattr__(self, name, _cast(xp, x, dtype) if name in diag._CORE else own(xp, x, dtype))
        d_dtype = _xp.real_dtype(xp, dtype) if self.conj_sym else dtype
        object.__setattr__(self, "D", _cast(xp, diag.D, d_dtype))
        self._finish_validation()

    @classmethod
    def siso(cls, lam, P, Q, b, c, d=None, *, dt=None, conj_sym=False):
        """SISO DPLR system: ``lam, b, c`` of shape (..., N), ``P, Q`` of shape (..., N, r)."""
        B, C, D = _siso_io(_xp.array_namespace(lam, b, c, names=("lam", "b", "c")), b, c, d)
        return cls(lam, P, Q, B, C, D, dt=dt, conj_sym=conj_sym)

    @property
    def rank(self):
        """Rank r of the low-rank term."""
        return self.P.shape[-1]

    @batched()
    def to_dense(self):
        """Dense :class:`StateSpace`: ``diag(lam) - P Q^H``, or the real 2N form when
        `conj_sym` (with the coupling block ``-P Q^T``)."""
        xp = self.xp
        QH = _conj(xp, xp.matrix_transpose(self.Q))
        A = _diag_embed(xp, self.lam) - xp.matmul(self.P, QH)
        if not self.conj_sym:
            return StateSpace(A, self.B, self.C, self.D, dt=self.dt)
        coupling = -xp.matmul(self.P, xp.matrix_transpose(self.Q))
        A, B, C = _real_form(xp, A, coupling, self.B, self.C)
        return StateSpace(A, B, C, self.D, dt=self.dt)

    @batched()
    def poles(self):
        """Eigenvalues of the dense A, complex, ``batch_shape + (n_states,)``."""
        return self.to_dense().poles()
