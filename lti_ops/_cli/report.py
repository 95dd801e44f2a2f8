"""Rendering analyses: a text table, JSON, and a Markdown report with PNG figures."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

__all__ = ["table", "to_json", "write_report"]

_SUMMARY_COLUMNS = ("model", "structure", "n", "max |pole|", "σ₁ (median)",
                    "ε-ranks", "H2 (median)", "H∞ (median)", "memory (median)", "BT order")


def _median(a):
    a = np.asarray(a, dtype=float)
    a = a[np.isfinite(a)]
    return float(np.median(a)) if a.size else float("nan")


def _fmt(x, spec=".3g"):
    return "—" if not np.isfinite(x) else format(x, spec)


def summary_rows(analyses):
    """One row of strings per model: the channel medians of the headline numbers."""
    rows = []
    for a in analyses:
        ranks = a.epsilon_ranks()
        rank_text = "/".join(_fmt(_median(np.where(r >= 0, r, np.nan)), ".0f") for r in ranks.values())
        order, _ = a.truncation()
        rows.append((a.name, a.structure, str(a.poles.shape[-1]),
                     _fmt(float(np.max(a.spectral_radius)), ".6f"),
                     _fmt(_median(a.hsv[:, 0] if a.hsv.shape[-1] else np.nan)),
                     rank_text, _fmt(_median(a.h2)), _fmt(_median(a.hinf)),
                     _fmt(_median(a.memory_window), ".0f"),
                     _fmt(_median(np.where(order >= 0, order, np.nan)), ".0f")))
    return rows


def table(analyses, console):
    """Print the summary table with rich, then each model's warnings."""
    from rich.table import Table

    settings = analyses[0].settings if analyses else None
    caption = None
    if settings is not None:
        eps = "/".join(f"{e:g}" for e in settings.eps)
        caption = (f"medians over channels; ε-ranks at ε = {eps}; memory: lags until |K| < "
                   f"{settings.memory_tol:g}·max|K| (L = {settings.length}); BT order: "
                   f"2Σσ tail ≤ {settings.bt_tol:g}·‖G‖∞")
    t = Table(*_SUMMARY_COLUMNS, caption=caption)
    for row in summary_rows(analyses):
        t.add_row(*row)
    console.print(t)
    for a in analyses:
        for w in a.warnings:
            console.print(f"[yellow]warning[/yellow] {a.name}: {w}", highlight=False)


def to_json(analyses, info):
    """The machine-readable document: the run's settings and one entry per model."""
    return json.dumps({**info, "models": [a.summary() for a in analyses]}, indent=1,
                      allow_nan=False)


def write_report(analyses, out, info):
    """Write ``report.md``, ``results.json`` and the PNG figures into directory `out`."""
    import matplotlib

    matplotlib.use("Agg")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    figures = [_kernels(analyses, out), _hsv(analyses, out), _magnitude(analyses, out),
               _basis(analyses, out)]
    (out / "results.json").write_text(to_json(analyses, info))
    lines = [f"# lti-ops analyze: {info['source']}", "",
             f"lti_ops {info['lti_ops_version']}, backend {info['backend']}, "
             f"dtype {info['dtype']}, kernel length L = {info['length']}.", "",
             "| " + " | ".join(_SUMMARY_COLUMNS) + " |",
             "|" + "---|" * len(_SUMMARY_COLUMNS)]
    lines += ["| " + " | ".join(row) + " |" for row in summary_rows(analyses)]
    lines += ["", "Per-channel numbers are in `results.json`.", ""]
    for a in analyses:
        if a.warnings:
            lines += [f"**{a.name}**: " + "; ".join(a.warnings), ""]
    for title, name in figures:
        lines += [f"## {title}", "", f"![{title}]({name})", ""]
    (out / "report.md").write_text("\n".join(lines))
    return [out / "report.md", out / "results.json"] + [out / name for _, name in figures]


def _grid(count):
    import matplotlib.pyplot as plt

    cols = min(3, count)
    rows = -(-count // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.0 * rows), squeeze=False)
    for ax in axes.flat[count:]:
        ax.set_visible(False)
    return fig, axes.flat


def _save(fig, out, name):
    import matplotlib.pyplot as plt

    fig.tight_layout()
    fig.savefig(out / name, dpi=90)
    plt.close(fig)
    return name


def _channels(a, count=4):
    return np.unique(np.linspace(0, a.dt.shape[0] - 1, min(count, a.dt.shape[0])).astype(int))


def _kernels(analyses, out):
    fig, axes = _grid(len(analyses))
    for ax, a in zip(axes, analyses):
        complex_kernel = np.iscomplexobj(a.kernel)
        for h in _channels(a):
            k = np.abs(a.kernel[h]) if complex_kernel else a.kernel[h]
            ax.plot(k, lw=0.8, label=f"Δ = {a.dt[h]:.2g}")
        ax.set(title=a.name, xlabel="lag l", ylabel="|K_l|" if complex_kernel else "K_l",
               xscale="symlog")
        ax.legend(fontsize=6)
    return "Kernels over time", _save(fig, out, "kernels.png")


def _hsv(analyses, out):
    fig, axes = _grid(len(analyses))
    for ax, a in zip(axes, analyses):
        for h in _channels(a):
            s = a.hsv[h]
            if np.all(np.isfinite(s)) and s[0] > 0:
                ax.semilogy(np.maximum(s / s[0], 1e-18), ".-", ms=2, lw=0.6,
                            label=f"Δ = {a.dt[h]:.2g}")
        for e in a.settings.eps:
            ax.axhline(e, color="grey", lw=0.4, ls=":")
        ax.set(title=a.name, xlabel="i", ylabel="σ_i / σ_1")
        ax.legend(fontsize=6)
    return "Hankel singular values", _save(fig, out, "hsv.png")


def _magnitude(analyses, out):
    fig, axes = _grid(len(analyses))
    for ax, a in zip(axes, analyses):
        if a.magnitude is None:
            continue
        for h in _channels(a):
            ax.loglog(a.frequency[1:], a.magnitude[h, 1:], lw=0.8, label=f"Δ = {a.dt[h]:.2g}")
        ax.set(title=a.name, xlabel="ω·Δ (rad per step)", ylabel="|G(e^{iωΔ})|")
        ax.legend(fontsize=6)
    return "Magnitude responses (Bode)", _save(fig, out, "magnitude.png")


def _basis(analyses, out):
    fig, axes = _grid(len(analyses))
    for ax, a in zip(axes, analyses):
        if a.basis is None:
            continue
        for i in range(min(6, a.basis.shape[0])):
            ax.plot(a.basis[i], lw=0.7, label=f"x_{i}")
        h = a.dt.shape[0] // 2
        ax.set(title=f"{a.name} (Δ = {a.dt[h]:.2g})", xlabel="step l", ylabel="Re (Ā^l B̄)_i",
               xscale="symlog")
        ax.legend(fontsize=6)
    return "Basis functions (impulse response of each state)", _save(fig, out, "basis.png")
