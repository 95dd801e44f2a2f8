"""Examples drawn for the checkers, the references they are compared with, and their bounds.

Everything here is float64 NumPy: the user's function gets the example rounded to its
precision, and the reference is computed from those rounded values, so that the tolerance
only has to cover the user's own arithmetic.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

from ..discretize import discretize
from ..markov import ssm_kernel
from ..systems import DPLR, Diagonal

__all__ = ["Case", "bound_scale", "cases", "discretization", "kernel", "kernel_bound"]


@dataclass(frozen=True, repr=False)
class Case:
    """One drawn example: S4D/S4 parameters of shape (H, N) (P: (H, r, N)), Δ (H,), L and,
    for recurrences, inputs u (batch, H, L)."""

    source: str
    lam: np.ndarray
    B: np.ndarray
    C: np.ndarray
    dt: np.ndarray
    L: int
    P: np.ndarray | None = None
    u: np.ndarray | None = None

    def astype(self, precision):
        """The example rounded to `precision` ("float32" or "float64")."""
        cplx = "complex64" if precision == "float32" else "complex128"
        def cast(x):
            return None if x is None else x.astype(cplx if np.iscomplexobj(x) else precision)
        return replace(self, **{f.name: cast(getattr(self, f.name)) for f in fields(self)
                                if isinstance(getattr(self, f.name), np.ndarray)})

    def widened(self):
        """The example in float64 / complex128 (exact for a rounded example)."""
        def wide(x):
            return None if x is None else x.astype(complex if np.iscomplexobj(x) else float)
        return replace(self, **{f.name: wide(getattr(self, f.name)) for f in fields(self)
                                if isinstance(getattr(self, f.name), np.ndarray)})

    def describe(self, names=("lam", "P", "B", "C", "dt", "u"), length=True):
        """The sizes and the arrays in `names` (those that are set), printed compactly."""
        H, N = self.lam.shape
        head = f"H={H}, N={N}" + (f", L={self.L}" if length else "")
        if self.P is not None:
            head += f", rank={self.P.shape[1]}"
        if self.u is not None:
            head += f", batch={self.u.shape[0]}"
        lines = [head + f", source={self.source!r}"]
        for name in names:
            x = getattr(self, name)
            if x is not None:
                lines.append(f"  {name} = {_fmt(x, len(name) + 5)}")
        return "\n".join(lines)

    def __repr__(self):
        return f"Case({self.describe()})"


def _fmt(x, indent):
    text = np.array2string(x, precision=4, threshold=24, edgeitems=2, max_line_width=96)
    return text.replace("\n", "\n" + " " * indent)


def cases(st, lst, *, structure, sources, sizes, dt_range, batch=None):
    """Strategy of :class:`Case` (float64). `sizes` is (max H, max N, max L)."""
    max_h, max_n, max_l = sizes

    @st.composite
    def draw_case(draw):
        H, N = draw(st.integers(1, max_h)), draw(st.integers(1, max_n))
        L = draw(st.integers(1, max_l))
        if structure == "dplr":
            source, lam, P, B, C = lst._dplr_draw(draw, H, N, sources, 0.1)
        else:
            (source, lam, B, C), P = lst._s4d_draw(draw, H, N, sources, 0.1), None
        dt = np.asarray(draw(lst.timescales(H, dt_min=dt_range[0], dt_max=dt_range[1])))
        u = None
        if batch is not None:
            u = np.asarray(draw(lst.input_sequences((st.integers(1, batch), H, L))))
        return Case(source, lam, B, C, dt, L, P, u)

    return draw_case()


# --------------------------------------------------------------------------- references


def system(case, conj_sym, C=None):
    """The continuous system of `case` (its B and C as SISO vectors)."""
    C = case.C if C is None else C
    if case.P is None:
        return Diagonal.siso(case.lam, case.B, C, conj_sym=conj_sym)
    P = np.swapaxes(case.P, -1, -2)
    return DPLR.siso(case.lam, P, P, case.B, C, conj_sym=conj_sym)


def kernel(case, method, conj_sym, dt=None):
    """The (H, L) kernel of lti_ops.ssm_kernel (the reference implementation).

    A DPLR case goes through its dense form: S4's DPLR algorithm forms
    C~ = C(I - Abar^L), which loses digits when Abar^L is near I (short L, small dt), and
    the reference must be more accurate than the code it checks.
    """
    dt = case.dt if dt is None else dt
    sys = system(case, conj_sym)
    if case.P is not None:
        sys = sys.to_dense()
    return ssm_kernel(sys, case.L, dt=dt, method=method, kernel="xp")[:, 0, 0, :]


def discretization(case, method):
    """(lam_bar, B_bar) of lti_ops.discretize, shape (H, N)."""
    disc = discretize(system(case, False, C=np.ones_like(case.C)), case.dt, method)
    return disc.lam, disc.B[..., 0]


# --------------------------------------------------------------------------- bounds


MAX_CANCELLATION = 1e4


def _cancellation(method, x, L):
    """Relative conditioning of Bbar (or DSS's weights) of the modes x = dt lam: naive
    ``exp(x) - 1`` loses ``1/|x|`` of accuracy (capped at MAX_CANCELLATION, so a zero mode
    does not make the tolerance infinite)."""
    ax = np.abs(x)
    with np.errstate(divide="ignore"):
        inv = 1 / ax
    extra = {"zoh": inv, "foh": inv**2, "dss": inv + inv / L}.get(method, 0.0)
    return 1 + ax + np.minimum(extra, MAX_CANCELLATION)


def _modes(case, method, conj_sym):
    """Per-channel (lam_bar, |C_n Bbar_n|, x, kappa, f) of the discrete modes, shape (H, n)."""
    sys, cond = system(case, conj_sym), 1.0
    if case.P is not None:
        sys, cond = _modal(sys)
    x = case.dt[:, None] * sys.lam
    if method == "dss":
        lbar, cb = np.exp(x), np.abs(case.C * case.B * np.expm1(x) / (case.lam * np.expm1(case.L * x)))
    else:
        disc = discretize(sys, case.dt, method)
        lbar, cb = disc.lam, np.abs(disc.C[:, 0, :] * disc.B[:, :, 0])
    kappa = _cancellation(method, x, case.L)
    if case.P is not None:
        # the modes mix: each gets the worst cancellation, cond(V), and that of S4's
        # C~ = C(I - Abar^L) (generating-function kernels), 1/|1 - lam_bar^L|
        with np.errstate(divide="ignore"):
            tilde = np.minimum(1 / np.abs(1 - lbar**case.L), MAX_CANCELLATION)
        kappa = np.max(kappa + tilde, axis=-1, keepdims=True) * np.ones_like(kappa)
        cb = cb * cond[:, None]
    return lbar, cb, kappa, 2.0 if sys.conj_sym else 1.0


def _modal(sys):
    """A DPLR system as the Diagonal of its dense form's eigendecomposition (all modes,
    conj_sym False), and the condition numbers of the eigenvectors, per channel."""
    dense = sys.to_dense()
    mu, V = np.linalg.eig(dense.A)
    B = np.linalg.solve(V, dense.B.astype(complex))
    C = dense.C @ V
    return Diagonal(mu, B, C), np.linalg.cond(V)


def kernel_bound(case, method, conj_sym):
    r"""The condition-weighted magnitude the kernel's rounding errors scale with, (H, L):

    S_{h,l} = f \sum_n |C_n\bar B_n| |\bar\lambda_n|^l
              (n + \log_2 2L + l(1 + |\log\bar\lambda_n|) + \kappa_n).
    """
    lbar, cb, kappa, factor = _modes(case, method, conj_sym)
    n, L = lbar.shape[-1], case.L
    l = np.arange(L)
    logs = np.abs(np.log(np.where(lbar == 0, 1, lbar).astype(complex)))
    powers = np.abs(lbar)[..., None] ** l
    weight = n + np.log2(2 * L) + l * (1 + logs[..., None]) + kappa[..., None]
    return factor * np.sum(cb[..., None] * powers * weight, axis=-2)


def bound_scale(S):
    """Channel scale of a bound S (..., L): its maximum over time (norm-wise tolerance)."""
    return np.max(S, axis=-1)


def convolved_bound(S, u):
    """Bound on y = K * u from the kernel bound S (H, L): max_k sum_j S_j |u_{k-j}|, (batch, H)."""
    L = S.shape[-1]
    k, j = np.arange(L)[:, None], np.arange(L)[None, :]
    T = np.where(k >= j, S[:, np.clip(k - j, 0, L - 1)], 0.0)  # (H, L, L)
    return np.max(np.einsum("hkj,bhj->bhk", T, np.abs(u)), axis=-1)


def causal_conv(K, u):
    """y_k = sum_{j <= k} K_j u_{k-j} for K (H, L), u (batch, H, L), computed directly."""
    L = K.shape[-1]
    k, j = np.arange(L)[:, None], np.arange(L)[None, :]
    T = np.where(k >= j, K[:, np.clip(k - j, 0, L - 1)], 0.0)
    return np.einsum("hkj,bhj->bhk", T, u)


def discretization_bound(case, method):
    """Elementwise scales of (lam_bar, B_bar): |ref| (1 + |x|) and |ref| κ(x)."""
    lbar, bbar = discretization(case, method)
    x = case.dt[:, None] * case.lam
    return np.abs(lbar) * (1 + np.abs(x)), np.abs(bbar) * _cancellation(method, x, case.L)
