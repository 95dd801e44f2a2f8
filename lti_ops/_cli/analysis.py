"""What a layer remembers: poles, Hankel singular values, norms, kernels and memory windows.

One call of :func:`analyze` runs the library's batched primitives over the H channels of a
:class:`Model` on the chosen backend and returns plain NumPy results: JSON-ready numbers
(:meth:`Analysis.summary`) and the arrays the report's figures draw.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from .backends import convert, to_numpy

__all__ = ["Settings", "Analysis", "analyze", "STAGES"]

STAGES = ("discretize", "poles", "hankel singular values", "norms", "kernel", "figures")


@dataclass(frozen=True)
class Settings:
    """What to compute: the kernel length, thresholds, and where to compute it.

    `memory_tol` is relative to each channel's kernel peak; `eps` are the ε-rank
    thresholds relative to σ₁; `bt_tol` bounds the balanced-truncation error relative to
    the channel's H∞ norm through ``2 Σ_{j>k} σ_j``.
    """

    length: int = 4096
    memory_tol: float = 1e-3
    eps: tuple = (1e-2, 1e-4, 1e-6)
    bt_tol: float = 1e-3
    kernel: str = "auto"
    dtype: str = "float64"
    device: object = None
    figures: bool = False
    figure_points: int = 512


@dataclass
class Analysis:
    """Results of one model, per channel, as NumPy arrays (NaN where undefined)."""

    name: str
    structure: str
    method: str | None
    dt: np.ndarray
    poles: np.ndarray
    continuous_abscissa: np.ndarray | None
    hsv: np.ndarray
    h2: np.ndarray
    hinf: np.ndarray
    kernel: np.ndarray
    memory_window: np.ndarray
    hope_memory_window: np.ndarray | None
    settings: Settings
    warnings: list = field(default_factory=list)
    frequency: np.ndarray | None = None
    magnitude: np.ndarray | None = None
    basis: np.ndarray | None = None

    @property
    def spectral_radius(self):
        return np.max(np.abs(self.poles), axis=-1, initial=0.0)

    @property
    def stable(self):
        return self.spectral_radius < 1

    def epsilon_ranks(self):
        import lti_ops

        ok = np.all(np.isfinite(self.hsv), axis=-1)
        out = {}
        for eps in self.settings.eps:
            ranks = np.full(ok.shape, -1, dtype=np.int64)
            if np.any(ok):
                ranks[ok] = to_numpy(lti_ops.epsilon_rank(self.hsv[ok], eps))
            out[eps] = ranks
        return out

    def truncation(self):
        """Smallest order k whose bound ``2 Σ_{j>k} σ_j`` is within bt_tol·‖G‖∞, and the bound."""
        s = self.hsv
        tails = 2 * (np.cumsum(s[..., ::-1], axis=-1)[..., ::-1])  # tails[k] = 2 Σ_{j>=k}
        tails = np.concatenate([tails, np.zeros(s.shape[:-1] + (1,))], axis=-1)
        within = tails <= self.settings.bt_tol * self.hinf[..., None]
        order = np.where(np.any(within, axis=-1), np.argmax(within, axis=-1), -1)
        bound = np.take_along_axis(tails, np.maximum(order, 0)[..., None], axis=-1)[..., 0]
        undefined = ~np.isfinite(self.hinf) | ~np.all(np.isfinite(s), axis=-1)
        return np.where(undefined, -1, order), np.where(undefined, np.nan, bound)

    def asymptotic_memory(self):
        """Steps until ρ^l falls below memory_tol: the slowest mode's decay time."""
        rho = self.spectral_radius
        with np.errstate(divide="ignore", invalid="ignore"):
            steps = np.log(self.settings.memory_tol) / np.log(rho)
        return np.where(rho < 1, np.ceil(steps), np.inf)

    def summary(self):
        """The JSON-ready dictionary of this model's results (NaN and inf as null)."""
        order, bound = self.truncation()
        peak = np.max(np.abs(self.kernel), axis=-1, initial=0.0)
        out = {
            "name": self.name,
            "structure": self.structure,
            "channels": int(self.dt.shape[0]),
            "state_size": int(self.poles.shape[-1]),
            "discretization": self.method,
            "dt": _jsonable(self.dt),
            "poles": {
                "real": _jsonable(self.poles.real),
                "imag": _jsonable(self.poles.imag),
                "spectral_radius": _jsonable(self.spectral_radius),
                "stability_margin": _jsonable(1 - self.spectral_radius),
                "stable": self.stable.tolist(),
                "continuous_abscissa": _jsonable(self.continuous_abscissa),
            },
            "hankel_singular_values": _jsonable(self.hsv),
            "epsilon_ranks": {f"{e:g}": r.tolist() for e, r in self.epsilon_ranks().items()},
            "norms": {
                "hankel": _jsonable(self.hsv[..., 0] if self.hsv.shape[-1] else self.h2 * 0),
                "h2": _jsonable(self.h2),
                "hinf": _jsonable(self.hinf),
            },
            "kernel": {
                "length": int(self.kernel.shape[-1]),
                "peak": _jsonable(peak),
                "energy": _jsonable(np.sum(np.abs(self.kernel) ** 2, axis=-1)),
                "complex": bool(np.iscomplexobj(self.kernel)),
            },
            "memory": {
                "tol": self.settings.memory_tol,
                "window": self.memory_window.tolist(),
                "decayed_within_length": (self.memory_window < self.kernel.shape[-1]).tolist(),
                "asymptotic_steps": _jsonable(self.asymptotic_memory()),
                "hope_window": _jsonable(self.hope_memory_window),
            },
            "balanced_truncation": {
                "tol": self.settings.bt_tol,
                "order": order.tolist(),
                "error_bound": _jsonable(bound),
            },
            "warnings": list(self.warnings),
        }
        return out


def _jsonable(a):
    if a is None:
        return None
    a = np.asarray(a, dtype=np.float64)
    return np.where(np.isfinite(a), a, None).tolist()


def analyze(model, settings, xp, progress=None):
    """Analyze every channel of `model` on namespace `xp`; `progress(stage)` after each stage."""
    import lti_ops

    step = progress or (lambda stage: None)
    H = model.dt.shape[0]
    dt = convert(model.dt, xp, settings.dtype, settings.device)
    warnings = []
    system = convert(model.system, xp, settings.dtype, settings.device)
    if model.structure == "hope":
        disc = lti_ops.hope_to_state_space(system, dt)
        abscissa = None
    else:
        disc = lti_ops.discretize(system, dt, model.method)
        if model.c_tilde_length is not None:
            C = lti_ops.c_from_c_tilde(disc, model.c_tilde_length)
            disc = dataclasses.replace(disc, C=getattr(C, "C", C))
        abscissa = np.broadcast_to(
            np.max(to_numpy(model.system.poles()).real, axis=-1, initial=-np.inf), (H,))
    step("discretize")
    poles = np.broadcast_to(to_numpy(disc.poles()), (H, disc.n_states))
    step("poles")
    stable = np.max(np.abs(poles), axis=-1, initial=0.0) < 1
    hsv = _on_stable(lti_ops.hankel_singular_values, disc, stable, (H, disc.n_states),
                     warnings, "hankel_singular_values")
    step("hankel singular values")
    h2 = _on_stable(lti_ops.h2_norm, disc, stable, (H,), warnings, "h2_norm")
    hinf = _on_stable(lti_ops.hinf_norm, disc, stable, (H,), warnings, "hinf_norm")
    notes = {}
    for h in np.flatnonzero(~stable):
        hsv[h], h2[h], hinf[h], note = _visible_part(disc, h, settings)
        notes.setdefault(note, []).append(int(h))
    warnings += [f"channels {channels}: {note}" for note, channels in notes.items()]
    step("norms")
    L = settings.length
    if model.structure == "hope":
        k = to_numpy(lti_ops.hope_kernel(system, dt, L, kernel=settings.kernel))[:, None, None]
        hope_window = to_numpy(lti_ops.memory_window(system, dt, settings.memory_tol))
    else:
        k = to_numpy(lti_ops.ssm_kernel(disc, L, kernel=settings.kernel))
        hope_window = None
    kernel = np.broadcast_to(k, (H,) + k.shape[-3:]).reshape(H, -1, L)
    kernel = kernel[:, 0] if kernel.shape[1] == 1 else np.sqrt(np.sum(np.abs(kernel) ** 2, axis=1))
    step("kernel")
    result = Analysis(model.name, model.structure, model.method, np.asarray(model.dt), poles,
                      abscissa, hsv, h2, hinf, kernel, _memory_window(kernel, settings.memory_tol),
                      hope_window, settings, warnings)
    if settings.figures:
        _figure_data(result, disc, dt, settings)
    step("figures")
    return result


def _on_stable(func, disc, stable, shape, warnings, name):
    """`func` on the asymptotically stable channels only (NaN elsewhere); a failure becomes a
    warning."""
    out = np.full(shape, np.nan)
    idx = np.flatnonzero(stable)
    if idx.size == 0:
        return out
    try:
        sub = disc if idx.size == stable.size else _take_channels(disc, idx)
        out[idx] = np.broadcast_to(to_numpy(func(sub)), (idx.size,) + shape[1:])
    except (ValueError, np.linalg.LinAlgError) as exc:
        warnings.append(f"{name}: {exc}")
    return out


def _visible_part(disc, h, settings):
    """HSVs and norms of channel `h` after dropping the modes on or outside the unit circle
    that G cannot see (uncontrollable or unobservable), when every such mode is hidden.

    The modal form of the dense channel, ``A = V Λ V⁻¹``, gives each mode's input and output
    weights ``(V⁻¹B)_i`` and ``(CV)_i``; a mode with either below ``1e-8`` of the largest
    (float64 on the host) does not appear in the transfer function, and its Hankel singular
    value is zero. HiPPO-FouT has such a mode: the constant sine's state, at s = 0.
    """
    import lti_ops

    nan = (np.full(disc.n_states, np.nan), np.nan, np.nan)
    seen = ("poles on or outside the unit circle that G sees: Hankel singular values and "
            "norms are undefined (null)")
    dense = disc.to_dense()
    A, B, C, D = (np.broadcast_to(to_numpy(x), dense.batch_shape + x.shape[-2:])[h]
                  for x in (dense.A, dense.B, dense.C, dense.D))
    lam, V = np.linalg.eig(A.astype(np.complex128))
    Bm, Cm = np.linalg.solve(V, B), C @ V
    weight_in = np.linalg.norm(Bm, axis=1) / max(np.linalg.norm(Bm, axis=1).max(), 1e-300)
    weight_out = np.linalg.norm(Cm, axis=0) / max(np.linalg.norm(Cm, axis=0).max(), 1e-300)
    hidden = (np.abs(lam) >= 1) & ((weight_in < 1e-8) | (weight_out < 1e-8))
    if np.any((np.abs(lam) >= 1) & ~hidden):
        return nan + (seen,)
    keep = ~hidden
    visible = lti_ops.Diagonal(lam[keep], Bm[keep], Cm[:, keep], D, dt=1.0)
    visible = convert(visible, _namespace_of(disc), settings.dtype, settings.device)
    hsv = np.zeros(disc.n_states)
    hsv[:int(keep.sum())] = to_numpy(lti_ops.hankel_singular_values(visible))
    note = (f"{int(hidden.sum())} mode(s) at |z| = "
            f"{', '.join(f'{v:.6g}' for v in np.abs(lam[hidden]))} are uncontrollable or "
            "unobservable; HSVs and norms are those of the visible modes (the dropped modes' "
            "HSVs are 0)")
    h2 = float(to_numpy(lti_ops.h2_norm(visible)))
    return hsv, h2, float(to_numpy(lti_ops.hinf_norm(visible))), note


def _namespace_of(system):
    return system.xp


_CORE_NDIM = {"lam": 1, "dt": 0}


def _take_channels(system, idx):
    """The channels `idx` of a container batched along one leading axis."""
    xp = system.xp
    changes = {}
    for f in dataclasses.fields(system):
        value = getattr(system, f.name)
        core = _CORE_NDIM.get(f.name, 2)
        if hasattr(value, "shape") and len(value.shape) > core:
            index = xp.asarray(idx, device=getattr(value, "device", None))
            changes[f.name] = xp.take(value, index, axis=0)
    return dataclasses.replace(system, **changes)


def _memory_window(kernel, tol):
    """1 + the last lag where |K_l| exceeds tol·max|K| (the kernel's length if it never drops)."""
    mag = np.abs(kernel)
    above = mag > tol * np.max(mag, axis=-1, keepdims=True, initial=0.0)
    last = kernel.shape[-1] - np.argmax(above[..., ::-1], axis=-1)
    return np.where(np.any(above, axis=-1), last, 0)


def _figure_data(result, disc, dt, settings):
    """Magnitude responses on the Nyquist band and the state basis of the middle channel."""
    import lti_ops

    theta = np.linspace(0.0, np.pi, settings.figure_points)
    steps = to_numpy(dt).reshape(-1, 1)
    w = convert(theta[None, :] / steps, disc.xp, settings.dtype, settings.device)
    G = to_numpy(lti_ops.frequency_response(disc, w, kernel=settings.kernel))
    result.frequency = theta
    result.magnitude = np.abs(np.broadcast_to(G, (steps.shape[0],) + G.shape[-3:])[:, 0, 0])
    channel = steps.shape[0] // 2
    dense = disc.to_dense()
    A = to_numpy(dense.A)
    B = to_numpy(dense.B)
    A = np.broadcast_to(A, (steps.shape[0],) + A.shape[-2:])[channel]
    B = np.broadcast_to(B, (steps.shape[0],) + B.shape[-2:])[channel][:, 0]
    count = min(settings.length, 2048)
    basis = np.empty((count, B.shape[0]), dtype=np.result_type(A, B))
    x = B
    for l in range(count):
        basis[l] = x
        x = A @ x
    result.basis = basis.real.T
