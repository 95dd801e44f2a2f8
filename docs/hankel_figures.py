"""Draw the Hankel-singular-value spectra of docs/hankel.md with lti_ops itself.

Run ``python docs/hankel_figures.py`` (needs matplotlib, in the ``docs`` extra); it writes
``docs/_static/hankel_hsv.png`` and prints the ε-rank table of the page. The systems are
those of papers.md §3.8: N = 64 states, ZOH at Δ = 0.01 and 0.1, B from the
initialization, C complex normal with a fixed seed.
"""

from pathlib import Path

import numpy as np

import lti_ops

N = 64
STEPS = (0.01, 0.1)
EPS = (1e-2, 1e-4, 1e-6)
SYSTEMS = ("S4D-Lin", "S4D-Inv", "S4D-LegS", "dense LegS")
S4D_KIND = {"S4D-Lin": "lin", "S4D-Inv": "inv", "S4D-LegS": "legs"}


def system(name, seed=0):
    """The continuous system `name` with N states and a seeded complex-normal C."""
    rng = np.random.default_rng(seed)
    if name == "dense LegS":
        c = rng.standard_normal(N)  # a real system: real C
        return lti_ops.hippo("legs", N, C=c)
    return lti_ops.s4d_init(S4D_KIND[name], N, rng=seed)  # C complex normal


def hsv(name, dt):
    """Hankel singular values of the ZOH-discretized system, normalized by σ₁."""
    sv = np.asarray(lti_ops.hankel_singular_values(lti_ops.discretize(system(name), dt, "zoh")))
    return sv / sv[0]


def rank_table():
    """{(name, dt): (ε-ranks at EPS)} from :func:`lti_ops.epsilon_rank`."""
    return {(name, dt): tuple(int(lti_ops.epsilon_rank(hsv(name, dt), e)) for e in EPS)
            for name in SYSTEMS for dt in STEPS}


def draw(path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(STEPS), figsize=(10, 3.6), sharey=True)
    for ax, dt in zip(axes, STEPS):
        for name in SYSTEMS:
            sv = hsv(name, dt)
            ax.semilogy(np.arange(1, sv.size + 1), np.maximum(sv, 1e-17), ".-", label=name)
        ax.set_title(f"ZOH, Δ = {dt}")
        ax.set_xlabel("k")
        ax.grid(True, which="major", alpha=0.3)
    axes[0].set_ylabel("σ_k / σ_1")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


if __name__ == "__main__":
    for (name, dt), ranks in rank_table().items():
        print(f"{name:11s} Δ={dt:<5} ε-ranks {'/'.join(map(str, ranks))}")
    draw(Path(__file__).parent / "_static" / "hankel_hsv.png")
