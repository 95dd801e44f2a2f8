"""Draw the basis functions e^{tA}B of the HiPPO measures with lti_ops itself.

Run ``python docs/hippo_bases.py`` (needs matplotlib, in the ``docs`` extra); it writes
``docs/_static/hippo_bases.png``. The basis at t = kΔ is Ā^k B with Ā = exp(ΔA), the ZOH
discretization, so the curves come from the library's own ``hippo`` and ``discretize``; the
dashed lines are the closed forms the tests check.
"""

from pathlib import Path

import numpy as np
import scipy.special

import lti_ops

DT = 0.005


def sampled_basis(measure, N, t_max, **params):
    """(t, K) with K[k] = e^{kΔ A} B for the continuous HiPPO system of `measure`."""
    disc = lti_ops.discretize(lti_ops.hippo(measure, N, **params), DT, "zoh")
    steps = int(round(t_max / DT)) + 1
    K, x = np.empty((steps, N)), lti_ops.hippo(measure, N, **params).B[:, 0]
    for k in range(steps):
        K[k] = x
        x = disc.A @ x
    return np.arange(steps) * DT, K


def closed_forms(t):
    n = np.arange(4)[None, :]
    tt = t[:, None]
    legs = np.sqrt(2 * n + 1) * scipy.special.eval_legendre(n, 2 * np.exp(-tt) - 1) * np.exp(-tt)
    lagt = np.exp(-tt / 2) * scipy.special.eval_laguerre(n, tt)
    fourier = lambda w, amp, decay: amp * decay * np.stack(  # noqa: E731
        [np.ones_like(t), 0 * t, np.sqrt(2) * np.cos(w * t), np.sqrt(2) * np.sin(w * t)], axis=-1)
    return {
        "legs": legs,
        "lagt": lagt,
        "fout": np.where(tt < 2, fourier(np.pi, 0.5, 1.0), 0.0),
        "foud": fourier(2 * np.pi, 1.0, np.exp(-t / 2)[:, None]),
    }


def main(out=Path(__file__).parent / "_static" / "hippo_bases.png"):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [
        ("legs", 16, 5.0, "LegS: warped Legendre $\\sqrt{2n+1}P_n(2e^{-t}-1)e^{-t}$"),
        ("fout", 64, 4.0, "FouT (S4, window 2): truncated Fourier, amplitude 1/2"),
        ("lagt", 16, 8.0, "LagT: $e^{-t/2}L_n(t)$"),
        ("foud", 16, 3.0, "FouD: $e^{-t/2}[1, 0, \\sqrt{2}\\cos 2\\pi mt, \\sqrt{2}\\sin 2\\pi mt]$"),
    ]
    fig, axes = plt.subplots(2, 2, figsize=(11, 7), constrained_layout=True)
    for ax, (measure, N, t_max, title) in zip(axes.flat, panels):
        t, K = sampled_basis(measure, N, t_max)
        exact = closed_forms(t)[measure]
        for n in range(4):
            (line,) = ax.plot(t, K[:, n], lw=1.6, label=f"state {n}")
            ax.plot(t, exact[:, n], ls="--", lw=0.9, color=line.get_color())
        ax.set_title(f"{title}  (N={N})", fontsize=10)
        ax.set_xlabel("t")
        ax.axhline(0, color="0.8", lw=0.6)
    axes[0, 0].legend(fontsize=8)
    fig.suptitle("HiPPO basis functions $e^{tA}B$ from lti_ops.hippo (solid) and closed forms (dashed)")
    fig.savefig(out, dpi=110)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
