r"""Check your own SSM code against lti_ops: kernels, recurrences and discretizations.

Each checker draws S4D/S4-style parameters with hypothesis (derandomized, no example
database), feeds them to your function in your array library, and compares the result with
lti_ops's reference implementation. On a mismatch it raises ``AssertionError`` naming the
smallest failing example hypothesis found (sizes, parameters, Δ), the largest error against
its tolerance and where it occurs, and, when it recognizes one, the likely bug (a missing
factor 2, a one-step shift, Δ ignored, ...).

Tolerances
----------
Parameters are drawn in float64 and rounded to `dtype` before your function sees them; the
reference is computed in float64 from the rounded values, so the tolerance only has to cover
your function's own rounding. For channel h it is :math:`\mathrm{rtol}\cdot\max_l S_{h,l}`,
norm-wise over time, with ``rtol = RTOL_FACTOR * eps(dtype)`` (1.2e-5 for float32, 2.2e-14
for float64) unless given, and

.. math:: S_{h,l} = f\sum_n |C_n\bar B_n|\,|\bar\lambda_n|^l
          \bigl(n + \log_2 2L + l\,(1 + |\log\bar\lambda_n|) + \kappa_n\bigr),

the magnitude of the kernel's terms weighted by how their rounding errors grow: with the
number of terms summed, with the power l (phase error of :math:`\exp(l\log\bar\lambda)` or
of repeated products) and with the conditioning :math:`\kappa_n = 1 + |x_n| + 1/|x_n|` of
the ZOH weight :math:`(e^{x}-1)/\lambda` at :math:`x = \Delta\lambda` (naive ``exp(x) - 1``
loses digits for small x; :math:`1/|x|^2` for FOH, no such term for bilinear methods; the
term is capped at 1e4 so that a zero mode does not switch the check off). f = 2 for
conj_sym. A recurrence's outputs get :math:`\max_k\sum_j S_{h,j}|u_{k-j}|`; a
discretization gets :math:`|\bar\lambda|(1 + |x|)` and :math:`|\bar B|\kappa` elementwise.
For a DPLR system the modes are the eigenvalues of the dense A, their weights multiplied by
the condition number of the eigenvectors, and, since the modes mix, every mode gets the
largest :math:`\kappa` plus :math:`1/|1 - \bar\lambda^L|`, the cancellation in S4's
:math:`\tilde C = C(I - \bar A^L)`. Measured on hypothesis-drawn examples (N <= 32,
L <= 1024), Vandermonde, repeated-product and generating-function (FFT) kernels and S4's
DPLR algorithm stay below 0.15 of this tolerance in both precisions (below 0.01 but for the
FFT forms); real bugs give errors of the order of the kernel itself.
"""

from __future__ import annotations

import importlib
import numbers
from dataclasses import dataclass, replace

import numpy as np

from ..discretize import METHODS
from ..markov import KERNEL_METHODS
from . import _cases, _report
from ._assert import to_numpy

__all__ = ["RTOL_FACTOR", "STRUCTURES", "check_discretization", "check_kernel", "check_recurrence"]

#: Structures of :func:`check_kernel`: S4D's diagonal ``(lam, B, C, dt, L)`` and S4's DPLR
#: ``(lam, P, B, C, dt, L)``.
STRUCTURES = ("diagonal", "dplr")
#: Default ``rtol = RTOL_FACTOR * eps(dtype)``.
RTOL_FACTOR = 100
_KERNEL_METHODS = tuple(m for m in KERNEL_METHODS if m != "gbt")
_DISCRETIZE_METHODS = tuple(m for m in METHODS if m != "gbt")
_KERNEL_SHIFT_HINTS = (
    "K_k = C Abar^k Bbar starts at k = 0 (C Abar^(k-1) Bbar is the control-convention "
    "Markov parameter h_k)",
    "the powers of Abar must start at 0, not 1",
)
_STEP_SHIFT_HINTS = (
    "y_k was read out before u_k entered the state (the control convention "
    "x_(k+1) = Abar x_k + Bbar u_k, y_k = C x_k); the S4 convention, which equals the "
    "convolution with the kernel, updates first: x_k = Abar x_(k-1) + Bbar u_k, y_k = C x_k",
    "y_k already contains u_(k+1)",
)


@dataclass(frozen=True)
class _Options:
    precision: str
    module: object
    device: object
    rtol: float
    check_dtype: bool
    max_examples: int

    def to_user(self, x):
        """NumPy `x` as an array of the user's namespace (and device)."""
        if self.device is None:
            return self.module.asarray(np.ascontiguousarray(x))
        return self.module.asarray(np.ascontiguousarray(x), device=self.device)

    def complex_name(self):
        return "complex64" if self.precision == "float32" else "complex128"


# --------------------------------------------------------------------------- public


def check_kernel(user_kernel, *, structure="diagonal", method="zoh", conj_sym=True,
                 dtype="float64", xp=None, device=None, sources=None, max_channels=3,
                 max_modes=8, max_length=64, dt_range=(1e-3, 1e-1), max_examples=100,
                 rtol=None, check_dtype=True):
    r"""Check that `user_kernel` computes the S4-convention SSM kernel, like :func:`lti_ops.ssm_kernel`.

    Parameters
    ----------
    user_kernel : callable
        ``user_kernel(lam, B, C, dt, L)`` for ``structure="diagonal"`` (S4D), or
        ``user_kernel(lam, P, B, C, dt, L)`` for ``"dplr"`` (S4), returning the kernel
        :math:`K_l = C\bar A^l\bar B`, l = 0 ... L-1, of each channel, shape (H, L): real
        (:math:`2\,\mathrm{Re}` of the sum over the listed modes) for `conj_sym`, complex
        otherwise. ``lam, B, C`` have shape (H, N) (complex), ``P`` (H, r, N) with
        :math:`A = \mathrm{diag}(\lambda) - PP^H`, ``dt`` (H,) (real), L is an int. The
        parameters are continuous-time; your function discretizes them with `method`.
    structure : {"diagonal", "dplr"}, optional
    method : str, optional
        Discretization: ``"zoh"`` (S4D's default), ``"s4_bilinear"`` (S4's), ``"dss"``
        (diagonal only) or any other method of :func:`lti_ops.discretize` but ``"gbt"``.
    conj_sym : bool, optional
        The N listed modes stand for themselves and their conjugates (S4/S4D storage).
    dtype : {"float64", "float32"}, optional
        Precision of the parameters your function gets (complex64/complex128 for the
        complex ones); its result must keep it unless ``check_dtype=False``.
    xp : module or str, optional
        Array library your function takes: ``numpy`` (default), ``torch``, ``jax.numpy``
        (or ``"jax"``), ``cupy``, ... or its name.
    device : optional
        Device to create the arrays on (e.g. ``"cuda"`` for torch).
    sources : sequence of str, optional
        Parameter sources (:data:`~lti_ops.testing.strategies.S4D_SOURCES` or
        :data:`~lti_ops.testing.strategies.DPLR_SOURCES`); all by default.
    max_channels, max_modes, max_length : int, optional
        Largest H, N and L drawn (the smallest are 1).
    dt_range : (float, float), optional
        Δ is log-uniform in this range, one per channel (S4's default range).
    max_examples : int, optional
        Examples drawn by hypothesis.
    rtol : float, optional
        Tolerance factor; ``RTOL_FACTOR * eps(dtype)`` by default (see the module notes).
    check_dtype : bool, optional
        Require the result's precision to be `dtype`'s.

    Returns
    -------
    None

    Raises
    ------
    AssertionError
        When your function's result has a wrong type, shape or dtype, or differs from
        lti_ops's beyond the tolerance on some example; the message names the smallest such
        example, the worst error and its channel and time, and a hint when the result is
        a multiple or a one-step shift of lti_ops's, or lti_ops's kernel for Δ = 1.
    ValueError, TypeError
        Bad arguments (a non-callable, unknown structure, method, dtype or source, bad sizes).
    ImportError
        Without hypothesis (``pip install "lti-ops[testing]"``), or when `xp` does not import.

    Notes
    -----
    Exceptions your function raises propagate unchanged (hypothesis notes the example).
    Tolerances are explained in :mod:`lti_ops.testing.checks`.

    Examples
    --------
    >>> import numpy as np
    >>> from lti_ops.testing import check_kernel
    >>> def s4d_kernel(lam, B, C, dt, L):          # S4D with ZOH, in NumPy
    ...     x = dt[:, None] * lam
    ...     W = C * B * np.expm1(x) / lam
    ...     return 2 * np.einsum("hn,hnl->hl", W, np.exp(x[..., None] * np.arange(L))).real
    >>> check_kernel(s4d_kernel, max_examples=20)
    >>> check_kernel(lambda *a: s4d_kernel(*a) / 2, max_examples=20)
    Traceback (most recent call last):
    ...
    AssertionError: check_kernel: user_kernel disagrees with lti_ops.ssm_kernel ...
    """
    _choice("structure", structure, STRUCTURES)
    methods = _KERNEL_METHODS if structure == "diagonal" else tuple(m for m in _KERNEL_METHODS if m != "dss")
    _choice("method", method, methods)
    _bool("conj_sym", conj_sym)
    opts = _options("user_kernel", user_kernel, dtype, xp, device, max_examples, rtol, check_dtype)
    st, lst = _strategies()
    valid = lst.S4D_SOURCES if structure == "diagonal" else lst.DPLR_SOURCES
    strategy = _cases.cases(st, lst, structure=structure, sources=_sources(sources, valid),
                            sizes=_sizes(max_channels, max_modes, max_length),
                            dt_range=_dt_range(dt_range))
    title = (f"user_kernel disagrees with lti_ops.ssm_kernel (structure={structure!r}, "
             f"method={method!r}, conj_sym={conj_sym}, dtype={opts.precision!r})")

    def body(case):
        low = case.astype(opts.precision)
        args = _kernel_args(low, opts)
        H, L = case.lam.shape[0], case.L
        kind = "real" if conj_sym else "complex"
        K = _report.output("user_kernel", user_kernel(*args, L), (H, L), kind, opts.precision,
                           opts.check_dtype, low)
        wide = low.widened()
        ref = _cases.kernel(wide, method, conj_sym)
        scale = _cases.bound_scale(_cases.kernel_bound(wide, method, conj_sym))
        found = _report.compare("K", K, ref, opts.rtol * scale[:, None],
                                lambda i: f"channel {i[0]}, time {i[1]}")
        if found:
            raise _mismatch(title, low, found,
                            lambda: _kernel_hints(user_kernel, args, wide, method, conj_sym))

    _run("check_kernel", strategy, body, opts.max_examples)


def check_recurrence(user_step, *, method="zoh", conj_sym=True, dtype="float64", xp=None,
                     device=None, init_state=None, sources=None, max_channels=3, max_modes=8,
                     max_length=32, max_batch=2, dt_range=(1e-3, 1e-1), max_examples=100,
                     rtol=None, check_dtype=True):
    r"""Check that a recurrent step run over a sequence equals the convolution with the kernel.

    The identity "convolution = recurrence" of S4: with
    :math:`x_k = \bar A x_{k-1} + \bar B u_k`, :math:`y_k = Cx_k` (2·Re for `conj_sym`) from
    :math:`x_{-1} = 0`, :math:`y = K * u` with :math:`K_l = C\bar A^l\bar B` of
    :func:`lti_ops.ssm_kernel` (D is left out).

    Parameters
    ----------
    user_step : callable
        ``user_step(lam, B, C, dt, x, u) -> (y, x_next)``: one step of a diagonal SSM layer,
        from continuous parameters (``lam, B, C`` (H, N) complex, ``dt`` (H,)) that it
        discretizes with `method`, the state ``x`` and the input ``u`` of shape (batch, H)
        (real) at this time; ``y`` has shape (batch, H), real for `conj_sym`.
    init_state : callable, optional
        ``init_state(batch, H, N)`` returns the zero state in your layout; by default a
        complex zero array of shape (batch, H, N).
    max_length : int, optional
        Longest sequence drawn (your step runs once per time step).
    max_batch : int, optional
        Largest batch drawn.
    method, conj_sym, dtype, xp, device, sources, max_channels, max_modes, dt_range
        As :func:`check_kernel` (``method`` any of :func:`lti_ops.discretize` but ``"gbt"``).
    max_examples, rtol, check_dtype
        As :func:`check_kernel`.

    Returns
    -------
    None

    Raises
    ------
    AssertionError
        When the outputs have a wrong type, shape or dtype or differ from the convolution
        beyond the tolerance; the message names the smallest failing example (with its
        input u), the worst error, its batch, channel and time, and a hint when the outputs
        are a multiple or a one-step shift of the reference.
    ValueError, TypeError, ImportError
        As :func:`check_kernel`.

    Examples
    --------
    >>> import numpy as np
    >>> from lti_ops.testing import check_recurrence
    >>> def s4d_step(lam, B, C, dt, x, u):           # S4D with ZOH, one step, in NumPy
    ...     x = np.exp(dt[:, None] * lam) * x + (np.expm1(dt[:, None] * lam) / lam * B) * u[..., None]
    ...     return 2 * np.sum(C * x, axis=-1).real, x
    >>> check_recurrence(s4d_step, max_examples=20)
    """
    _choice("method", method, _DISCRETIZE_METHODS)
    _bool("conj_sym", conj_sym)
    if init_state is not None and not callable(init_state):
        raise TypeError(f"`init_state` must be None or callable; got {type(init_state).__name__}")
    opts = _options("user_step", user_step, dtype, xp, device, max_examples, rtol, check_dtype)
    st, lst = _strategies()
    strategy = _cases.cases(st, lst, structure="diagonal", sources=_sources(sources, lst.S4D_SOURCES),
                            sizes=_sizes(max_channels, max_modes, max_length),
                            dt_range=_dt_range(dt_range), batch=_positive("max_batch", max_batch))
    title = (f"user_step run over u disagrees with the convolution of u with lti_ops.ssm_kernel "
             f"(method={method!r}, conj_sym={conj_sym}, dtype={opts.precision!r})")
    run = _Stepper(user_step, init_state, conj_sym, opts)

    def body(case):
        low = case.astype(opts.precision)
        Y = run(low)
        wide = low.widened()
        ref = _cases.causal_conv(_cases.kernel(wide, method, conj_sym), wide.u)
        S = _cases.kernel_bound(wide, method, conj_sym)
        tol = opts.rtol * _cases.convolved_bound(S, wide.u)[..., None]
        found = _report.compare("y", Y, ref, tol, lambda i: f"batch {i[0]}, channel {i[1]}, time {i[2]}")
        if found:
            raise _mismatch(title, low, found, lambda: _step_hints(run, low, method, conj_sym))

    _run("check_recurrence", strategy, body, opts.max_examples)


def check_discretization(user_discretize, *, method="zoh", dtype="float64", xp=None, device=None,
                         sources=None, max_channels=3, max_modes=8, dt_range=(1e-3, 1e-1),
                         max_examples=100, rtol=None, check_dtype=True):
    r"""Check a diagonal discretization ``(lam, B, dt) -> (lam_bar, B_bar)`` against :func:`lti_ops.discretize`.

    Parameters
    ----------
    user_discretize : callable
        ``user_discretize(lam, B, dt) -> (lam_bar, B_bar)`` with ``lam, B`` of shape (H, N)
        (complex) and ``dt`` (H,); both results (H, N), complex.
    method : str, optional
        ``"zoh"`` (:math:`\bar\lambda = e^{\Delta\lambda}`,
        :math:`\bar B = (e^{\Delta\lambda} - 1)B/\lambda`), ``"s4_bilinear"``
        (:math:`\bar\lambda = (1 + \Delta\lambda/2)/(1 - \Delta\lambda/2)`,
        :math:`\bar B = \Delta B/(1 - \Delta\lambda/2)`) or any other method of
        :func:`lti_ops.discretize` but ``"gbt"`` (only :math:`\bar\lambda` and :math:`\bar B`
        are compared; control methods also change C and D).
    dtype, xp, device, sources, max_channels, max_modes, dt_range, max_examples, rtol, check_dtype
        As :func:`check_kernel`.

    Returns
    -------
    None

    Raises
    ------
    AssertionError
        When the results have a wrong type, shape or dtype or differ from lti_ops's beyond
        the tolerance; the message names the smallest failing example, the worst error and
        its channel and mode, and a hint when B_bar is a multiple of lti_ops's or lam_bar
        ignores Δ.
    ValueError, TypeError, ImportError
        As :func:`check_kernel`.

    Examples
    --------
    >>> import numpy as np
    >>> from lti_ops.testing import check_discretization
    >>> def zoh(lam, B, dt):
    ...     x = dt[:, None] * lam
    ...     return np.exp(x), np.expm1(x) / lam * B
    >>> check_discretization(zoh, max_examples=20)
    """
    _choice("method", method, _DISCRETIZE_METHODS)
    opts = _options("user_discretize", user_discretize, dtype, xp, device, max_examples, rtol,
                    check_dtype)
    st, lst = _strategies()
    strategy = _cases.cases(st, lst, structure="diagonal", sources=_sources(sources, lst.S4D_SOURCES),
                            sizes=_sizes(max_channels, max_modes, 1), dt_range=_dt_range(dt_range))
    title = (f"user_discretize disagrees with lti_ops.discretize (method={method!r}, "
             f"dtype={opts.precision!r})")

    def body(case):
        low = case.astype(opts.precision)
        out = user_discretize(*(opts.to_user(x) for x in (low.lam, low.B, low.dt)))
        lbar, bbar = _pair("user_discretize", out, low, opts)
        wide = low.widened()
        refs, scales = _cases.discretization(wide, method), _cases.discretization_bound(wide, method)
        for label, got, ref, scale in zip(("lam_bar", "B_bar"), (lbar, bbar), refs, scales):
            found = _report.compare(label, got, ref, opts.rtol * scale,
                                    lambda i: f"channel {i[0]}, mode {i[1]}")
            if found:
                raise _mismatch(title, low, found, lambda: _discretization_hints(label, got, ref, wide),
                                names=("lam", "B", "dt"), length=False)

    _run("check_discretization", strategy, body, opts.max_examples)


# --------------------------------------------------------------------------- running


def _hypothesis():
    try:
        import hypothesis
    except ImportError as exc:
        msg = 'the lti_ops.testing checkers need hypothesis: pip install "lti-ops[testing]"'
        raise ImportError(msg) from exc
    return hypothesis


def _strategies():
    hyp = _hypothesis()
    from . import strategies

    return hyp.strategies, strategies


def _run(name, strategy, body, max_examples):
    """Run `body` on `max_examples` derandomized examples; a Mismatch becomes an AssertionError."""
    hyp = _hypothesis()
    health = [hyp.HealthCheck.too_slow, hyp.HealthCheck.data_too_large,
              hyp.HealthCheck.filter_too_much, hyp.HealthCheck.large_base_example]
    phases = [hyp.Phase.explicit, hyp.Phase.generate, hyp.Phase.shrink]
    config = hyp.settings(max_examples=max_examples, derandomize=True, database=None,
                          deadline=None, print_blob=False, report_multiple_bugs=False,
                          verbosity=hyp.Verbosity.quiet, suppress_health_check=health,
                          phases=phases)

    @config
    @hyp.given(strategy)
    def run(case):
        body(case)

    try:
        run()
    except _report.Mismatch as exc:
        raise AssertionError(f"{name}: {exc.render()}") from None


def _mismatch(title, case, found, hints, **describe):
    """A Mismatch whose example description and hints are only worked out when reported."""
    return _report.Mismatch(f"{title} on the smallest failing example hypothesis found:",
                            lambda: [case.describe(**describe), found, *hints()])


def _kernel_args(case, opts):
    params = (case.lam,) + (() if case.P is None else (case.P,)) + (case.B, case.C, case.dt)
    return tuple(opts.to_user(x) for x in params)


def _pair(name, out, case, opts):
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise _report.Mismatch(f"{name} must return a pair (lam_bar, B_bar); got {type(out).__name__}")
    shape = case.lam.shape
    return tuple(_report.output(f"{name}'s {label}", x, shape, "complex", opts.precision,
                                opts.check_dtype, case) for label, x in zip(("lam_bar", "B_bar"), out))


class _Stepper:
    """Runs the user's step over the inputs of a case; returns y as NumPy (batch, H, L)."""

    def __init__(self, user_step, init_state, conj_sym, opts):
        self.user_step, self.init_state, self.opts = user_step, init_state, opts
        self.kind = "real" if conj_sym else "complex"

    def __call__(self, case):
        (batch, H, L), N = case.u.shape, case.lam.shape[1]
        opts = self.opts
        params = tuple(opts.to_user(x) for x in (case.lam, case.B, case.C, case.dt))
        if self.init_state is None:
            x = opts.to_user(np.zeros((batch, H, N), dtype=opts.complex_name()))
        else:
            x = self.init_state(batch, H, N)
        ys = []
        for k in range(L):
            out = self.user_step(*params, x, opts.to_user(case.u[..., k]))
            if not isinstance(out, (tuple, list)) or len(out) != 2:
                raise _report.Mismatch(f"user_step must return a pair (y, x_next); got {type(out).__name__}")
            y, x = out
            ys.append(_report.output("user_step's y", y, (batch, H), self.kind, opts.precision,
                                     opts.check_dtype, case))
        return np.stack(ys, axis=-1)


# --------------------------------------------------------------------------- hints


def _kernel_hints(user_kernel, args, case, method, conj_sym):
    """Diagnoses from the same parameters at L >= 8 (the failing example may be shorter)."""
    long = replace(case, L=max(case.L, 8))
    try:
        K = to_numpy(user_kernel(*args, long.L))
    except Exception:  # diagnostics only: the failure itself is already reported
        return []
    if K.shape != (case.lam.shape[0], long.L):
        return []
    ref = _cases.kernel(long, method, conj_sym)
    hints = [_report.factor_hint(K, ref, case.dt, "the user's kernel"),
             _report.shift_hint(K, ref, *_KERNEL_SHIFT_HINTS)]
    if not any(hints) and _report.close(K, _cases.kernel(long, method, conj_sym, dt=np.ones_like(case.dt))):
        hints.append("hint: the user's kernel is lti_ops's for Δ = 1: is dt applied?")
    if not any(hints) and case.P is not None:
        if _report.close(K, _cases.kernel(replace(long, P=0 * case.P), method, conj_sym)):
            hints.append("hint: the user's kernel is that of diag(lam) alone: the low-rank term "
                         "-P P^H is missing")
    return hints


def _step_hints(run, case, method, conj_sym):
    """Diagnoses from the same example with the input padded by zeros to length >= 8."""
    L = max(case.L, 8)
    u = np.concatenate([case.u, np.zeros(case.u.shape[:-1] + (L - case.L,), case.u.dtype)], axis=-1)
    long = replace(case, L=L, u=u)
    try:
        Y = run(long)
    except Exception:  # diagnostics only
        return []
    wide = long.widened()
    ref = _cases.causal_conv(_cases.kernel(wide, method, conj_sym), wide.u)
    swap = (1, 0, 2)
    return [_report.factor_hint(Y.transpose(swap), ref.transpose(swap), case.dt.astype(float), "y"),
            _report.shift_hint(Y, ref, *_STEP_SHIFT_HINTS)]


def _discretization_hints(label, got, ref, case):
    if label == "lam_bar" and _report.close(got, np.exp(case.lam)):
        return ["hint: lam_bar is exp(lam): is dt applied?"]
    return [_report.factor_hint(got, ref, case.dt, label)]


# --------------------------------------------------------------------------- validation


def _choice(name, value, valid):
    if not isinstance(value, str) or value not in valid:
        raise ValueError(f"`{name}` must be one of {list(valid)}; got {value!r}")


def _bool(name, value):
    if not isinstance(value, bool):
        raise TypeError(f"`{name}` must be True or False; got {value!r}")


def _positive(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"`{name}` must be a positive integer; got {value!r}")
    return int(value)


def _sizes(max_channels, max_modes, max_length):
    return (_positive("max_channels", max_channels), _positive("max_modes", max_modes),
            _positive("max_length", max_length))


def _dt_range(dt_range):
    if not isinstance(dt_range, (tuple, list)) or len(dt_range) != 2:
        raise ValueError(f"`dt_range` must be a pair (dt_min, dt_max); got {dt_range!r}")
    from .strategies import _check_range

    _check_range("dt_range[0]", dt_range[0], "dt_range[1]", dt_range[1])
    return tuple(float(v) for v in dt_range)


def _sources(sources, valid):
    if sources is None:
        return valid
    from .strategies import _check_sources

    return _check_sources(sources, valid)


def _precision(dtype):
    """"float32" or "float64" from a dtype name or a NumPy, torch or JAX dtype."""
    try:
        name = np.dtype(dtype).name
    except TypeError:
        name = str(dtype).rsplit(".", 1)[-1]  # torch.float32
    if name not in ("float32", "float64"):
        msg = f"`dtype` must be 'float32' or 'float64' (the parameters' real precision); got {dtype!r}"
        raise ValueError(msg)
    return name


def _options(user_name, user, dtype, xp, device, max_examples, rtol, check_dtype):
    if not callable(user):
        raise TypeError(f"`{user_name}` must be callable; got {type(user).__name__}")
    precision = _precision(dtype)
    if rtol is None:
        rtol = RTOL_FACTOR * float(np.finfo(precision).eps)
    elif isinstance(rtol, bool) or not isinstance(rtol, numbers.Real) or not 0 < rtol < np.inf:
        raise ValueError(f"`rtol` must be a positive finite number or None; got {rtol!r}")
    _bool("check_dtype", check_dtype)
    opts = _Options(precision, _namespace(xp), device, float(rtol), check_dtype,
                    _positive("max_examples", max_examples))
    _probe(opts, xp)
    return opts


def _namespace(xp):
    if xp is None:
        return np
    module = xp
    if isinstance(xp, str):
        name = {"jax": "jax.numpy", "np": "numpy"}.get(xp, xp)
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            raise ImportError(f"`xp`={xp!r} names an array library that does not import: {exc}") from exc
    if getattr(module, "__name__", None) == "jax":
        module = importlib.import_module("jax.numpy")
    if not callable(getattr(module, "asarray", None)):
        msg = (f"`xp` must be an array library with `asarray` (numpy, torch, jax.numpy, cupy, ...) "
               f"or its name; got {xp!r}")
        raise TypeError(msg)
    return module


def _probe(opts, xp):
    """Fail early when the user's library cannot hold the parameters' dtypes."""
    for name in (opts.precision, opts.complex_name()):
        got = to_numpy(opts.to_user(np.zeros(1, dtype=name))).dtype
        if got != np.dtype(name):
            hint = ""
            if "jax" in getattr(opts.module, "__name__", ""):
                hint = (" (JAX without 64-bit mode: call jax.config.update('jax_enable_x64', True) "
                        "or pass dtype='float32')")
            raise ValueError(f"`xp`={xp!r} turns {name} parameters into {got}{hint}")
