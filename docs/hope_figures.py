"""Draw the "HOPE vs HiPPO" diagnostics of docs/hope.md with lti_ops itself.

Run ``python docs/hope_figures.py`` (needs matplotlib, in the ``docs`` extra); it writes
``docs/_static/hope_hsv.png`` (Hankel singular values of S4D initializations against random
HOPE parameters) and ``docs/_static/hope_impulse.png`` (impulse-response magnitudes over
time), and prints the ε-rank table of the page. Every number comes from the library:
``s4d_init`` + ``discretize`` + ``hankel_singular_values`` for S4D, ``hope_init`` +
``hope_to_state_space`` + ``hankel_singular_values`` and ``hope_kernel`` for HOPE.
"""

from pathlib import Path

import numpy as np

import lti_ops

N = 64  # S4D state size (32 conjugate pairs) and HOPE parameter count
KINDS = ("lin", "inv", "legs", "real")
STEPS = (0.01, 0.1)
EPS = (1e-2, 1e-4, 1e-6)


def s4d_hsv(kind, dt, seed=0):
    """Normalized HSVs of the ZOH-discretized S4D initialization (B = 1 or LegS, C random)."""
    ssm = lti_ops.discretize(lti_ops.s4d_init(kind, N, rng=seed), dt, "zoh")
    sv = np.asarray(lti_ops.hankel_singular_values(ssm))
    return sv / sv[0]


def hope_hsv(dt, seed=0):
    """Normalized HSVs of random HOPE parameters (the same for every Δ)."""
    h = lti_ops.hope_init(N, rng=seed)
    sv = np.asarray(lti_ops.hankel_singular_values(lti_ops.hope_to_state_space(h, dt)))
    return sv / sv[0]


def epsilon_ranks(sv):
    return [int(lti_ops.epsilon_rank(sv, eps)) for eps in EPS]


def rank_table():
    """Rows (name, {dt: (r_1e-2, r_1e-4, r_1e-6)})."""
    rows = [(f"S4D-{kind.capitalize()}", {dt: epsilon_ranks(s4d_hsv(kind, dt)) for dt in STEPS}) for kind in KINDS]
    rows.append(("HOPE (random h)", {dt: epsilon_ranks(hope_hsv(dt)) for dt in STEPS}))
    return rows


def impulse_rms(L=1000, channels=32, seed=0):
    """RMS over channels of |k_j|: S4D-Lin and S4D-LegS at Δ = 0.1, HOPE at Δ = 1 and 0.1."""
    out = {}
    for kind in ("lin", "legs"):
        ssm = lti_ops.s4d_init(kind, N, H=channels, rng=seed)
        k = np.asarray(lti_ops.ssm_kernel(lti_ops.discretize(ssm, 0.1, "zoh"), L))[:, 0, 0]
        out[f"S4D-{kind.capitalize()}, Δ = 0.1"] = k
    h = lti_ops.hope_init(N, H=channels, rng=seed)
    for dt in (1.0, 0.1):
        out[f"HOPE n = {N}, Δ = {dt:g}"] = np.asarray(lti_ops.hope_kernel(h, dt, L))
    return {name: np.sqrt(np.mean(np.abs(k) ** 2, axis=0)) for name, k in out.items()}


def main(out_dir=Path(__file__).parent / "_static"):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4), constrained_layout=True, sharey=True)
    for ax, dt in zip(axes, STEPS):
        for kind in KINDS:
            ax.semilogy(np.arange(1, N + 1), s4d_hsv(kind, dt), ".-", lw=1, label=f"S4D-{kind.capitalize()}")
        ax.semilogy(np.arange(1, N + 1), hope_hsv(dt), "k.-", lw=1.5, label="HOPE (random h)")
        ax.set_title(f"Δ = {dt:g}, N = n = {N}")
        ax.set_xlabel("index i")
        ax.set_ylim(1e-17, 2)
        for eps in EPS:
            ax.axhline(eps, color="0.85", lw=0.6)
    axes[0].set_ylabel("σ_i / σ_1")
    axes[0].legend(fontsize=8)
    fig.suptitle("Hankel singular values: S4D initializations (ZOH) vs random HOPE parameters")
    fig.savefig(out_dir / "hope_hsv.png", dpi=110)

    fig, ax = plt.subplots(figsize=(9, 4), constrained_layout=True)
    for name, rms in impulse_rms().items():
        ax.semilogy(np.maximum(rms, 1e-18), lw=1.2, label=name)
    ax.set_xlabel("lag j")
    ax.set_ylabel("RMS over 32 channels of |k_j|")
    ax.set_ylim(1e-10, 1)
    ax.legend(fontsize=8)
    ax.set_title("Impulse responses: HOPE keeps a window of n/Δ steps, S4D decays like exp(-Δ j / 2)")
    fig.savefig(out_dir / "hope_impulse.png", dpi=110)

    for name, ranks in rank_table():
        print(name, " | ".join("/".join(map(str, ranks[dt])) for dt in STEPS))
    print(f"wrote {out_dir / 'hope_hsv.png'} and {out_dir / 'hope_impulse.png'}")


if __name__ == "__main__":
    main()
