r"""HiPPO matrices, their normal-plus-low-rank (NPLR) forms, S4D initializations and Δ.

Measures (indices n, k = 0 ... N-1; the S4 code's conventions, papers.md §2.1):

================  ==========================================================================
``legs``          :math:`A_{nk} = -\sqrt{(2n+1)(2k+1)}` (n > k), :math:`-(n+1)` (n = k), 0
                  (n < k); :math:`B_n = \sqrt{2n+1}`. Eigenvalues -1 ... -N. Basis
                  :math:`e^{tA}B = \sqrt{2n+1}\,P_n(2e^{-t}-1)\,e^{-t}` (warped Legendre).
``legt``          S4's LegT, window of length **2** and amplitude **1/2**:
                  :math:`A_{nk} = -\tfrac12\sqrt{(2n+1)(2k+1)}\,\{1 \text{ if } n \ge k;
                  (-1)^{n-k} \text{ if } n < k\}`, :math:`B_n = \tfrac12\sqrt{2n+1}`;
                  :math:`e^{tA}B \approx \tfrac12\sqrt{2n+1}P_n(1-t)` on [0, 2].
``legt_window1``  the same without the halving: window [0, 1], amplitude 1,
                  :math:`e^{tA}B \approx \sqrt{2n+1}P_n(1-2t)` on [0, 1].
``lmu``           :math:`A_{nk} = (2n+1)\{-1 \text{ if } n<k; (-1)^{n-k+1} \text{ if } n \ge k\}`,
                  :math:`B_n = (2n+1)(-1)^n` (LegT up to a diagonal rescaling; no NPLR form).
``lagt``          :math:`A = \tfrac12 I - \mathrm{tril}(\mathbf 1)`, :math:`B = \beta\mathbf 1`
                  (``beta=1``); basis :math:`e^{-t/2}L_n(t)` (Laguerre).
``tlagt``         :math:`A = \tfrac{1-\beta}2 I - \mathrm{tril}(\mathbf 1)`,
                  :math:`B = \beta\mathbf 1` (tilted Laguerre).
``glagt``         generalized Laguerre (``alpha`` in (-1, 1), ``beta`` > 0): the S4 code's
                  gamma-function rescaling of :math:`-\tfrac{1+\beta}2 I - \mathrm{tril}_{-1}(\mathbf 1)`.
``fout``          S4's FouT (window 2, amplitude 1/2): pairs (2m, 2m+1) with skew blocks
                  :math:`[[0, -\pi m], [\pi m, 0]]`, :math:`B = [1, 0, \sqrt2, 0, \sqrt2, ...]`,
                  :math:`A = S - BB^T`; :math:`e^{tA}B \approx \tfrac12[1, 0, \sqrt2\cos\pi m t,
                  \sqrt2\sin\pi m t, ...]` on (0, 2), about 0 after. N even.
``fout_window1``  FouT on [0, 1] (S4's ``fourier2``): :math:`2\pi m` blocks, :math:`A = S - 2BB^T`,
                  B doubled.
``foud``          :math:`[[-\tfrac12, -2\pi m], [2\pi m, -\tfrac12]]` blocks, B as FouT; basis
                  :math:`e^{-t/2}[1, 0, \sqrt2\cos 2\pi m t, \sqrt2\sin 2\pi m t, ...]`. N even.
``fourier_decay`` :math:`A = S - \tfrac12 BB^T`, :math:`B/2` (FouT's skew part, π m blocks).
``legsd``         LegS normal part :math:`A_{legs} + \tfrac12 BB^T`, :math:`B/2` (S4D-LegS theory).
================  ==========================================================================

S4 names ``fourier``, ``fourier_diag`` and ``fourier2`` are accepted as aliases of ``fout``,
``foud`` and ``fout_window1``.

References
----------
.. [1] A. Gu, T. Dao, S. Ermon, A. Rudra, C. Re, "HiPPO: Recurrent Memory with Optimal
   Polynomial Projections", NeurIPS 2020.
.. [2] A. Gu, K. Goel, C. Re, "Efficiently Modeling Long Sequences with Structured State
   Spaces", ICLR 2022.
.. [3] A. Gu, I. Johnson, A. Timalsina, A. Rudra, C. Re, "How to Train Your HiPPO: State
   Space Models with Generalized Orthogonal Basis Projections", ICLR 2023.
.. [4] A. Gu, K. Goel, A. Gupta, C. Re, "On the Parameterization and Initialization of
   Diagonal State Space Models", NeurIPS 2022.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from . import _checks, _xp
from ._hippo_args import _measure, _namespace, _output_c, _params, _size, _to_xp
from ._measures import ALIASES, MEASURES  # noqa: F401 (re-exported: lti_ops.hippo.MEASURES)
from .systems import DPLR, Diagonal, StateSpace

__all__ = ["S4D_KINDS", "hippo", "init_dt", "nplr", "rank_correction", "s4d_init"]


# --------------------------------------------------------------------------- hippo


def hippo(measure, N, *, C=None, dtype=None, device=None, xp=None, **params):
    r"""The continuous-time HiPPO system of `measure` with N states, as a SISO StateSpace.

    Parameters
    ----------
    measure : str
        One of the measures in the module docstring (or an S4 alias).
    N : int
        State size (even for the Fourier family).
    C : None, "endpoint" or array of shape (N,), optional
        Output row: zeros (default); ``"endpoint"``, the S4 ``initial_C`` that reads the
        other end of the window (``legt``, ``legt_window1``, ``fout``, ``fout_window1``); or
        your own finite real vector (a complex one is refused, not truncated).
    dtype : float32 or float64 (dtype object or name), optional
        Default float64.
    device : device, optional
    xp : array namespace, optional
        NumPy when omitted.
    **params
        Measure parameters: ``beta`` > 0 for ``lagt``/``tlagt``; ``alpha`` in (-1, 1) and
        ``beta`` > 0 for ``glagt``.

    Returns
    -------
    StateSpace
        ``A (N, N)``, ``B (N, 1)``, ``C (1, N)``, ``D = 0``, continuous.

    Raises
    ------
    ValueError
        Unknown measure (listing the valid ones), bad `N`, bad `C`, bad dtype, or glagt
        parameters out of range.
    TypeError
        Parameters the measure does not take.

    Notes
    -----
    The formulas are in the module docstring. Identities checked in ``tests/test_hippo.py``:
    LegS :math:`e^{tA}B = \sqrt{2n+1}P_n(2e^{-t}-1)e^{-t}`, its tilted orthonormality
    :math:`\int_0^\infty K_nK_m e^t dt = \delta_{nm}` and projection property; the LagT and
    FouD bases exactly; FouT's approximately truncated Fourier basis.

    References
    ----------
    .. [1] A. Gu et al., "How to Train Your HiPPO", ICLR 2023, and the S4 code
       (``src/models/hippo/hippo.py``).

    Examples
    --------
    >>> import numpy as np
    >>> import lti_ops
    >>> sys = lti_ops.hippo("legs", 4)
    >>> print(np.round(np.sort(sys.poles().real), 12))
    [-4. -3. -2. -1.]
    """
    name, spec = _measure(measure)
    N = _size(N, spec, name)
    A, B = spec.build(N, **_params(name, spec, params))
    c = _output_c(name, spec, N, C)
    xp, dtype = _namespace(xp, dtype, device)
    A, B, c, d = (_to_xp(xp, x, dtype, device) for x in (A, B, c, 0.0))
    return StateSpace.siso(A, B, c, d)


def rank_correction(measure, N, *, rank=None, dtype=None, device=None, xp=None, **params):
    r"""Low-rank P (N, r) with :math:`A + PP^T` normal: :math:`c I + S`, S skew.

    ============================  ===================================================  =====
    measure                       P                                                    c
    ============================  ===================================================  =====
    legs                          :math:`\sqrt{n + 1/2}` (rank 1); also B = √2 P        -1/2
    legt / legt_window1           rank 2: :math:`\sqrt{(2n+1)/2}` at odd / even n       0
                                  (without the 1/√2 for ``legt_window1``)
    lagt, tlagt, glagt(alpha=0)   :math:`\sqrt{1/2}\,\mathbf 1`                         0, -β/2
    fout / fout_window1           B / √2·B                                              0
    fourier_decay                 B/√2 (of the unhalved B)                              0
    foud, legsd                   0 (already normal)                                    -1/2
    ============================  ===================================================  =====

    Parameters
    ----------
    measure : str
    N : int
    rank : int, optional
        At least the measure's natural rank (2 for LegT, 1 otherwise); extra columns are 0.
    dtype, device, xp, **params
        As :func:`hippo`.

    Returns
    -------
    array, shape (N, rank)

    Raises
    ------
    ValueError
        For ``lmu`` and ``glagt`` with alpha != 0 (no NPLR form), or a rank below the
        natural one, plus the errors of :func:`hippo`.

    References
    ----------
    .. [1] A. Gu, K. Goel, C. Re, "Efficiently Modeling Long Sequences with Structured State
       Spaces", ICLR 2022, sec. 3.3 (NPLR).
    """
    name, spec = _measure(measure)
    N = _size(N, spec, name)
    P = _correction(name, spec, N, rank, _params(name, spec, params))
    xp, dtype = _namespace(xp, dtype, device)
    return _to_xp(xp, P, dtype, device)


def _correction(name, spec, N, rank, params):
    if spec.correction is None:
        msg = f"measure {name!r} has no normal-plus-low-rank form; use 'legt' for a LegT NPLR"
        raise ValueError(msg)
    P = spec.correction(N, **params)
    if rank is None:
        return P
    if isinstance(rank, bool) or not isinstance(rank, numbers.Integral) or rank < P.shape[1]:
        msg = f"`rank` for {name!r} must be an integer >= {P.shape[1]}; got {rank!r}"
        raise ValueError(msg)
    return np.concatenate([P, np.zeros((N, int(rank) - P.shape[1]))], axis=1)


# --------------------------------------------------------------------------- NPLR


def nplr(measure, N, *, rank=None, C=None, clip_imag_b=None, return_basis=False,
         dtype=None, device=None, xp=None, **params):
    r"""Conjugate-symmetric DPLR form of a HiPPO system, an exact unitary similarity.

    With :math:`A + PP^T = cI + S` (S skew), S is diagonalized by ``eigh`` of the Hermitian
    :math:`-iS` in float64 (whatever `dtype`), which gives eigenvalues
    :math:`W = c + i\mu` and a unitary V. One of each conjugate pair is kept (Im W <= 0,
    sorted by imaginary part), and the result is

    .. math:: A = V (\mathrm{diag}\,W - \tilde P \tilde P^H) V^H,\quad
              \tilde P = V^H P,\ \tilde B = V^H B,\ \tilde C = C V

    with V and the arrays taken over both halves (``conj_sym=True``). A double zero
    eigenvalue (FouT's m = 0 pair) gets the basis :math:`(e_a + i e_b)/\sqrt2` from a real
    orthonormal basis of the null space, so the pair stays orthogonal.

    Parameters
    ----------
    measure, N, C, dtype, device, xp, **params
        As :func:`hippo` (N must be even).
    rank : int, optional
        As :func:`rank_correction`.
    clip_imag_b : float, optional
        Clamp Im(B̃) to ``[-clip_imag_b, clip_imag_b]`` (positive) as S4 does with 2.0. Off by default:
        it changes the system and depends on the eigenvector phases LAPACK returns.
    return_basis : bool, optional
        Also return V, shape (N, N/2) (complex), the kept eigenvectors.

    Returns
    -------
    DPLR
        ``lam (N/2,)``, ``P = Q (N/2, r)``, ``B (N/2, 1)``, ``C (1, N/2)``, ``D = 0``,
        ``conj_sym=True``, complex dtype of `dtype`'s precision. Its dense form has the
        transfer function of ``hippo(measure, N, C=C)``.
    V : array, shape (N, N/2)
        Only with `return_basis`.

    Raises
    ------
    ValueError
        Odd N, a measure without NPLR form, or an odd number of zero eigenvalues.

    References
    ----------
    .. [1] A. Gu, K. Goel, C. Re, "Efficiently Modeling Long Sequences with Structured State
       Spaces", ICLR 2022, Theorem 1 and Appendix C.

    Examples
    --------
    >>> import numpy as np
    >>> import lti_ops
    >>> d = lti_ops.nplr("legs", 8)
    >>> print(np.round(d.lam.real, 12))
    [-0.5 -0.5 -0.5 -0.5]
    """
    name, spec = _measure(measure)
    return_basis = _checks.flag("return_basis", return_basis)
    N = _size(N, spec, name)
    if N % 2:
        msg = f"nplr needs an even `N` (modes are kept in conjugate pairs); got N={N}"
        raise ValueError(msg)
    merged = _params(name, spec, params)
    A, B = spec.build(N, **merged)
    P = _correction(name, spec, N, rank, merged)
    W, V = _normal_eigen(A + P @ P.T)
    Bt, Ct, Pt = V.conj().T @ B, _output_c(name, spec, N, C) @ V, V.conj().T @ P
    if clip_imag_b is not None:
        bound = _checks.real_number("clip_imag_b", clip_imag_b, minimum=0.0)
        Bt = Bt.real + 1j * np.clip(Bt.imag, -bound, bound)
    xp, dtype = _namespace(xp, dtype, device)
    cdtype = _xp.complex_dtype(xp, dtype)
    W, Pt, Bt, Ct, V = (_to_xp(xp, x, cdtype, device) for x in (W, Pt, Bt, Ct, V))
    sys = DPLR.siso(W, Pt, Pt, Bt, Ct, _to_xp(xp, 0.0, dtype, device), conj_sym=True)
    return (sys, V) if return_basis else sys


def _normal_eigen(AP):
    """Kept eigenpairs (Im <= 0) of the normal matrix ``cI + S`` (S real skew), float64."""
    N = AP.shape[0]
    c = float(np.mean(np.diag(AP)))
    S = AP - c * np.eye(N)
    mu, U = np.linalg.eigh(-1j * S)
    tol = 1e-9 * max(1.0, float(np.max(np.abs(mu))))
    zero = np.abs(mu) <= tol
    n_zero = int(np.count_nonzero(zero))
    if n_zero % 2:
        msg = f"the normal part has {n_zero} zero eigenvalues; conjugate pairing needs an even number"
        raise ValueError(msg)
    kept = [(mu[i], U[:, i]) for i in np.flatnonzero(mu < -tol)]
    kept += [(0.0, v) for v in _paired_null_vectors(U[:, zero])]
    kept.sort(key=lambda pair: pair[0])
    W = c + 1j * np.array([m for m, _ in kept])
    V = np.stack([v for _, v in kept], axis=-1)
    return W, V


def _paired_null_vectors(Z):
    """Vectors (r_a + i r_b)/√2 from a real orthonormal basis of span(Z) (null space of S)."""
    if Z.shape[1] == 0:
        return []
    real_span = np.concatenate([Z.real, Z.imag], axis=1)
    Uz, s, _ = np.linalg.svd(real_span, full_matrices=False)
    R = Uz[:, : Z.shape[1]]
    return [(R[:, 2 * j] + 1j * R[:, 2 * j + 1]) / math.sqrt(2) for j in range(Z.shape[1] // 2)]


# --------------------------------------------------------------------------- S4D


S4D_KINDS = ("lin", "inv", "inv2", "quad", "rand", "real", "legs")
# the S4 code's and the S4D paper's names for the same kinds
_S4D_ALIASES = {
    "s4d_lin": "lin", "linear": "lin", "s4d_inv": "inv", "inverse": "inv", "inverse2": "inv2",
    "quadratic": "quad", "random": "rand", "s4d_real": "real", "s4d_legs": "legs", "hippo": "legs",
}
_B_INITS = ("constant", "random", "alternating", "unit-cw", "unit-ccw", "legs")
_C_INITS = ("random", "ones", "zeros")


def s4d_init(kind, N, *, H=None, real_scale=1.0, imag_scale=1.0, real_random=False,
             b_init=None, c_init="random", normalize=False, rng=None,
             dtype=None, device=None, xp=None):
    r"""S4D initialization: a conjugate-symmetric :class:`Diagonal` with N/2 modes.

    Modes :math:`\lambda_n = -a_n + i\,\omega_n` with :math:`\omega_n \le 0` (S4 stores the
    negative-imaginary half), n = 0 ... N/2 - 1, real part :math:`a_n = 1/2` (``U[0, 1)`` with
    `real_random`) times `real_scale`, and :math:`|\omega_n|` times `imag_scale`:

    =========  =============================================================
    ``lin``    :math:`\pi n` (S4D-Lin)
    ``inv``    :math:`\tfrac{N}{\pi}(\tfrac{N}{2n+1} - 1)` (S4D-Inv)
    ``inv2``   :math:`\tfrac{N}{\pi}(\tfrac{N}{n+1} - 1)`
    ``quad``   :math:`\tfrac1\pi(1+2n)^2`
    ``rand``   :math:`e^{z}`, z standard normal (per channel)
    ``real``   0, with real part :math:`n + 1` (S4D-Real; U[0, N/2) with `real_random`)
    ``legs``   the LegS normal-part eigenvalues of :func:`nplr` (S4D-LegS)
    =========  =============================================================

    Parameters
    ----------
    kind : str
        One of :data:`S4D_KINDS`; the S4 code's and paper's names (``"linear"``,
        ``"inverse"``, ``"hippo"``, ``"s4d_lin"``, ``"s4d_inv"``, ``"s4d_legs"``,
        ``"s4d_real"``, ...) are accepted as aliases.
    N : int
        Full state size (even); N/2 modes are stored.
    H : int, optional
        Number of channels; adds a leading axis of that size.
    real_scale : float, optional
        Positive factor on the real parts (also for ``real``, unlike the S4 code).
    imag_scale : float, optional
        Non-negative factor on the imaginary parts.
    real_random : bool, optional
        Real parts drawn from U[0, 1) (U[0, N/2) for ``real``; S4's ``torch.rand * N//2``
        draws integers there by operator precedence).
    b_init : str, optional
        ``"constant"`` (ones; default except for ``legs``), ``"random"`` (complex normal),
        ``"alternating"`` (+1, -1, ...), ``"unit-cw"`` / ``"unit-ccw"``
        (:math:`e^{\mp 2\pi i n/N}`), ``"legs"`` (alias ``"hippo"``: the NPLR :math:`V^H B`
        of LegS; default for ``legs``, unclipped). Theory (S4D paper) halves the LegS B to
        match the DPLR system; like the S4 code, this keeps it whole.
    c_init : {"random", "ones", "zeros"}, optional
        Output row; ``"random"`` (as ``b_init="random"``) is complex normal with
        :math:`E|z|^2 = 1`, like ``torch.randn`` of a complex dtype.
    normalize : bool, optional
        Divide B by :math:`\sqrt{2\sum|B/\lambda|^2}` per channel (S4's ``normalize``).
    rng : int or numpy.random.Generator, optional
        Source of randomness (``rand``, `real_random`, random B or C). None draws fresh OS
        entropy; the global NumPy state is never touched.
    dtype, device, xp
        As :func:`hippo`; modes are complex of that precision, D real.

    Returns
    -------
    Diagonal
        ``conj_sym=True``, continuous; ``lam (H, N/2)`` (or ``(N/2,)``), SISO.

    Raises
    ------
    ValueError
        Unknown kind, b_init or c_init (listing the valid ones), odd or non-positive N, bad H,
        non-finite or out-of-range scales.
    TypeError
        Non-numeric scales or an `rng` that is not None, a seed or a Generator.

    Notes
    -----
    The tests check that S4D-LegS is the LegS normal part (Sherman–Morrison:
    :math:`(sI - A - PP^T)^{-1}B/2 = (sI - A)^{-1}B / (2(1 - f_N(s)))`, with
    :math:`f_N(s) = P^T(sI-A)^{-1}P = 1/2` at s = 0 ... N-1) and that S4D-Inv tracks its
    spectrum.

    References
    ----------
    .. [1] A. Gu, K. Goel, A. Gupta, C. Re, "On the Parameterization and Initialization of
       Diagonal State Space Models", NeurIPS 2022.

    Examples
    --------
    >>> import lti_ops
    >>> ssm = lti_ops.s4d_init("lin", 8, H=3, rng=0)
    >>> ssm.lam.shape, ssm.n_states, ssm.conj_sym
    ((3, 4), 8, True)
    """
    kind = _checks.choice("kind", _S4D_ALIASES.get(kind, kind) if isinstance(kind, str) else kind,
                          S4D_KINDS + tuple(_S4D_ALIASES))
    if isinstance(N, bool) or not isinstance(N, numbers.Integral) or N < 2 or N % 2:
        msg = f"`N` must be a positive even integer (the full state size); got {N!r}"
        raise ValueError(msg)
    N = int(N)
    channels = _checks.positive_int("H", H, allow_none=True)
    if b_init is None:
        b_init = "legs" if kind == "legs" else "constant"
    b_init = _checks.choice("b_init", "legs" if b_init == "hippo" else b_init, _B_INITS + ("hippo",))
    c_init = _checks.choice("c_init", c_init, _C_INITS)
    real_scale = _checks.real_number("real_scale", real_scale, minimum=0.0)
    real_random = _checks.flag("real_random", real_random)
    imag_scale = _checks.real_number("imag_scale", imag_scale, minimum=0.0, strict=False)
    gen = _checks.generator(rng)
    shape = (channels or 1, N // 2)
    lam = _s4d_modes(kind, N, shape, real_scale, imag_scale, real_random, gen)
    b = _s4d_b(b_init, N, shape, gen)
    if normalize:
        b = b / np.sqrt(2 * np.sum(np.abs(b / lam) ** 2, axis=-1, keepdims=True))
    c = {"random": lambda: (gen.standard_normal(shape) + 1j * gen.standard_normal(shape)) / math.sqrt(2),
         "ones": lambda: np.ones(shape, complex), "zeros": lambda: np.zeros(shape, complex)}[c_init]()
    if channels is None:
        lam, b, c = lam[0], b[0], c[0]
    xp, dtype = _namespace(xp, dtype, device)
    lam, b, c = (_to_xp(xp, x, _xp.complex_dtype(xp, dtype), device) for x in (lam, b, c))
    d = xp.zeros(lam.shape[:-1], dtype=dtype, device=device)
    return Diagonal.siso(lam, b, c, d, conj_sym=True)


def _s4d_modes(kind, N, shape, real_scale, imag_scale, real_random, gen):
    n = np.broadcast_to(np.arange(N // 2, dtype=np.float64), shape)
    real = gen.uniform(size=shape) if real_random else np.full(shape, 0.5)
    imag = {
        "lin": lambda: math.pi * n,
        "inv": lambda: N / math.pi * (N / (2 * n + 1) - 1),
        "inv2": lambda: N / math.pi * (N / (n + 1) - 1),
        "quad": lambda: (1 + 2 * n) ** 2 / math.pi,
        "rand": lambda: np.exp(gen.standard_normal(shape)),
        "real": lambda: np.zeros(shape),
        "legs": lambda: np.broadcast_to(-_legs_nplr_parts(N)[0].imag, shape),
    }[kind]()
    if kind == "real":
        real = gen.uniform(size=shape) * (N // 2) if real_random else n + 1.0
    return -real_scale * real - 1j * imag_scale * imag


def _legs_nplr_parts(N):
    """(W, V^H B) of the LegS NPLR form, float64 NumPy."""
    A, B = MEASURES["legs"].build(N)
    P = MEASURES["legs"].correction(N)
    W, V = _normal_eigen(A + P @ P.T)
    return W, V.conj().T @ B


def _s4d_b(b_init, N, shape, gen):
    n = np.arange(N // 2)
    if b_init == "legs":
        return np.broadcast_to(_legs_nplr_parts(N)[1], shape).astype(complex)
    table = {
        "constant": lambda: np.ones(shape, complex),
        "random": lambda: (gen.standard_normal(shape) + 1j * gen.standard_normal(shape)) / math.sqrt(2),
        "alternating": lambda: np.broadcast_to((-1.0) ** n, shape).astype(complex),
        "unit-cw": lambda: np.broadcast_to(np.exp(-2j * math.pi * n / N), shape),
        "unit-ccw": lambda: np.broadcast_to(np.exp(2j * math.pi * n / N), shape),
    }
    return table[b_init]()


# --------------------------------------------------------------------------- Δ


def init_dt(H, dt_min=None, dt_max=0.1, *, seq_len=None, deterministic=False, rng=None,
            dtype=None, device=None, xp=None):
    r"""Per-channel timescales Δ, log-uniform in ``[dt_min, dt_max]``.

    Parameters
    ----------
    H : int
        Number of channels.
    dt_min : float, optional
        Smallest Δ; default 1e-3 (S4's default). Give it or `seq_len`, not both.
    dt_max : float, optional
        Largest Δ; default 0.1 (shortest kernels of about 10 steps).
    seq_len : int, optional
        Sequence length L, for the rule ``dt_min = 1/L``: a LegS kernel decays over about
        1/Δ steps (its envelope is :math:`e^{-t}`), so Δ = 1/L lets the slowest channel
        remember the whole sequence (L = 16384 gives 6.1e-5, cf. S4's 1e-4 for Path-X).
    deterministic : bool, optional
        Log-spaced from `dt_min` to `dt_max` instead of random.
    rng : int or numpy.random.Generator, optional
        Random source; None draws fresh OS entropy (never the global state).
    dtype, device, xp
        As :func:`hippo`.

    Returns
    -------
    array, shape (H,)

    Raises
    ------
    ValueError
        Non-positive or non-finite bounds, ``dt_min > dt_max``, bad H or seq_len, or both
        `dt_min` and `seq_len`.
    TypeError
        Non-numeric bounds or a bad `rng`.

    References
    ----------
    .. [1] A. Gu et al., "How to Train Your HiPPO", ICLR 2023, sec. on the timescale Δ; S4's
       ``SSMKernel.init_dt``.

    Examples
    --------
    >>> import lti_ops
    >>> print(lti_ops.init_dt(3, 1e-3, 1e-1, deterministic=True))
    [0.001 0.01  0.1  ]
    """
    H = _checks.positive_int("H", H)
    deterministic = _checks.flag("deterministic", deterministic)
    seq_len = _checks.positive_int("seq_len", seq_len, allow_none=True)
    if dt_min is not None and seq_len is not None:
        msg = f"pass `dt_min` or `seq_len` (which sets dt_min = 1/seq_len), not both; got {dt_min!r} and {seq_len!r}"
        raise ValueError(msg)
    source = f"dt_min = 1/seq_len = {1 / seq_len:g}" if seq_len else None
    lo = _checks.real_number("dt_min", 1.0 / seq_len if seq_len else (1e-3 if dt_min is None else dt_min), minimum=0.0)
    hi = _checks.real_number("dt_max", dt_max, minimum=0.0)
    if lo > hi:
        msg = f"`dt_min` must not exceed `dt_max`; got {source or f'dt_min={lo!r}'} > dt_max={hi!r}"
        raise ValueError(msg)
    if deterministic:
        u = np.linspace(0.0, 1.0, H)
    else:
        u = _checks.generator(rng).uniform(size=H)
    dt = np.exp(math.log(lo) + u * (math.log(hi) - math.log(lo)))
    xp, dtype = _namespace(xp, dtype, device)
    return _to_xp(xp, dt, dtype, device)
