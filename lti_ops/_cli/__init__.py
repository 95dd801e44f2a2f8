"""``lti-ops``: the command-line program (``analyze``, ``check``, ``info``, ``bench``).

Built on click; progress on stderr through rich, so ``--format json`` keeps stdout clean.
Bad input (a missing or malformed parameter file, an unknown backend) exits with code 2 and
a one-line message that names the problem; ``check`` exits 1 when an identity fails.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

__all__ = ["main"]


class InputError(click.ClickException):
    """Bad input from the user: printed as ``Error: ...`` on stderr, exit code 2."""

    exit_code = 2


def _floats(text, option):
    try:
        values = tuple(float(v) for v in text.split(","))
    except ValueError:
        raise InputError(f"{option}: expected comma-separated numbers, got {text!r}") from None
    if not all(0 < v <= 1 for v in values):
        raise InputError(f"{option}: every value must lie in (0, 1], got {text!r}")
    return values


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="lti-ops", prog_name="lti-ops")
def main():
    """Linear time-invariant state-space analysis: what does an SSM layer remember?"""


@main.command()
@click.option("--params", "params", type=str, default=None, metavar="FILE",
              help="A trained layer (.npz or .safetensors); default: the built-in model set.")
@click.option("--model", "models", multiple=True, metavar="NAME",
              help="Only these built-in models (repeatable): HiPPO-LegS, HiPPO-FouT, "
                   "S4D-Lin, S4D-Inv, S4D-LegS, HOPE.")
@click.option("-N", "--state-size", default=64, show_default=True, type=click.IntRange(2),
              help="State size of the built-in models.")
@click.option("-H", "--channels", default=8, show_default=True, type=click.IntRange(1),
              help="Channels of the built-in models, Δ log-spaced over init_dt's range.")
@click.option("-L", "--length", default=4096, show_default=True, type=click.IntRange(1),
              help="Kernel length (and S4 DPLR's C̃ length for --params).")
@click.option("--memory-tol", default=1e-3, show_default=True, type=click.FloatRange(0, 1, min_open=True),
              help="Memory window: lags until |K| stays below this fraction of its peak.")
@click.option("--eps", default="1e-2,1e-4,1e-6", show_default=True,
              help="ε-rank thresholds relative to σ₁, comma-separated.")
@click.option("--bt-tol", default=1e-3, show_default=True, type=click.FloatRange(0, 1, min_open=True),
              help="Balanced-truncation tolerance relative to ‖G‖∞.")
@click.option("--backend", default="numpy", show_default=True,
              type=click.Choice(["numpy", "torch", "jax", "cupy", "array_api_strict"]))
@click.option("--kernel", default="auto", show_default=True,
              type=click.Choice(["auto", "xp", "numba", "cupy"]))
@click.option("--dtype", default="float64", show_default=True, type=click.Choice(["float32", "float64"]))
@click.option("--device", default=None, help="Device for the backend's arrays (e.g. cuda).")
@click.option("--format", "fmt", default="text", show_default=True, type=click.Choice(["text", "json"]))
@click.option("--out", default=None, metavar="DIR", help="Write report.md, results.json and PNG figures here.")
@click.option("--seed", default=0, show_default=True, help="Seed of the built-in models' random parts.")
def analyze(params, models, state_size, channels, length, memory_tol, eps, bt_tol, backend,
            kernel, dtype, device, fmt, out, seed):
    """Poles, Hankel singular values, ε-ranks, norms, kernels and memory windows.

    Without --params, analyzes HiPPO-LegS and FouT (DPLR), S4D-Lin/Inv/LegS and HOPE.
    """
    from . import analysis, report
    from .backends import namespace
    from .models import BUILTIN, builtin_models
    from .params import ParamsError, load_model

    eps_values = _floats(eps, "--eps")
    unknown = sorted(set(models) - set(BUILTIN))
    if unknown:
        raise InputError(f"--model: unknown {unknown}; expected some of {list(BUILTIN)}")
    if params is not None and models:
        raise InputError("--model selects built-in models; it cannot be combined with --params")
    try:
        xp = namespace(backend, dtype)
        if params is not None:
            model, ignored = load_model(params, length=length)
            todo, source = [model], str(params)
        else:
            todo = [m for m in builtin_models(state_size, channels, seed=seed)
                    if not models or m.name in models]
            ignored, source = [], "built-in models"
    except ParamsError as exc:
        raise InputError(str(exc)) from None
    except ValueError as exc:
        raise InputError(str(exc)) from None
    settings = analysis.Settings(length=length, memory_tol=memory_tol, eps=eps_values,
                                 bt_tol=bt_tol, kernel=kernel, dtype=dtype, device=device,
                                 figures=out is not None)
    results = _run_with_progress(todo, settings, xp)
    info = _run_info(source, backend, dtype, kernel, length)
    if ignored:
        info["ignored_arrays"] = ignored
    if fmt == "json":
        click.echo(report.to_json(results, info))
    else:
        from rich.console import Console

        # A pipe or file has no width to fit: rich's default 80 columns would cut every
        # number and name in the table to "0.99…".
        console = Console(width=None if sys.stdout.isatty() else 200)
        report.table(results, console)
        if ignored:
            console.print(f"[yellow]ignored arrays[/yellow] (not part of the layout): {ignored}")
    if out is not None:
        written = report.write_report(results, out, info)
        click.echo(f"wrote {', '.join(str(p) for p in written)}", err=fmt == "json")


def _run_with_progress(models, settings, xp):
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from . import analysis

    columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    stages = len(analysis.STAGES)
    results = []
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("analyzing", total=stages * len(models))
        for model in models:
            def advance(stage, name=model.name):
                bar.update(task, advance=1, description=f"{name}: {stage}")

            try:
                results.append(analysis.analyze(model, settings, xp, advance))
            except ValueError as exc:  # the library's named errors about the user's layer
                raise InputError(f"{model.name}: {exc}") from None
    return results


def _run_info(source, backend, dtype, kernel, length):
    import lti_ops

    return {"lti_ops_version": lti_ops.__version__, "source": source, "backend": backend,
            "dtype": dtype, "kernel": kernel, "length": length}


@main.command()
@click.option("--backend", default="numpy", show_default=True,
              type=click.Choice(["numpy", "torch", "jax", "cupy", "array_api_strict"]))
@click.option("--dtype", default="float64", show_default=True, type=click.Choice(["float32", "float64"]))
@click.option("--kernel", default="auto", show_default=True,
              type=click.Choice(["auto", "xp", "numba", "cupy"]))
@click.option("--device", default=None, help="Device for the backend's arrays (e.g. cuda).")
@click.option("--only", multiple=True, metavar="NAME", help="Only these identities (repeatable).")
def check(backend, dtype, kernel, device, only):
    """Run the identity catalogue on a backend: one line per identity; exit 1 on a failure."""
    from lti_ops import _selfcheck

    from .backends import namespace

    try:
        namespace(backend, dtype)  # installs-or-explains, and enables JAX x64 for float64
        results = _selfcheck.run_checks(backend=backend, dtype=dtype, kernel=kernel,
                                        device=device, only=only or None)
    except (ValueError, ImportError) as exc:
        raise InputError(str(exc)) from None
    for result in results:
        click.echo(_selfcheck.format_line(result))
    failed = [r for r in results if r.passed is False]
    ran = [r for r in results if r.passed is not None]
    click.echo(f"{len(ran) - len(failed)} of {len(ran)} identities hold on {backend} {dtype}"
               + (f" ({len(results) - len(ran)} skipped)" if len(ran) < len(results) else ""))
    sys.exit(1 if failed else 0)


@main.command()
def info():
    """Versions, engines with their registered kernels, and devices."""
    from .info import describe

    click.echo(describe())


@main.command(context_settings={"ignore_unknown_options": True})
@click.option("--full", is_flag=True, help="Full sizes (minutes) instead of the quick ones.")
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def bench(full, args):
    """The benchmark runner (benchmarks/ of a source checkout) at quick sizes.

    Extra arguments go to ``python -m benchmarks`` (e.g. ``--only kernels``, ``--gpu``);
    the report is written only when ``--out FILE`` is given.
    """
    runner = _benchmark_runner()
    argv = list(args)
    if not full:
        argv.insert(0, "--quick")
    if "--out" not in argv:
        argv += ["--out", ""]
    runner(argv)


def _benchmark_runner():
    try:
        from benchmarks.__main__ import main as runner
    except ImportError:
        checkout = Path(__file__).resolve().parents[2]
        if not (checkout / "benchmarks" / "__main__.py").is_file():
            msg = ("the benchmark runner ships with the source tree (benchmarks/), not the "
                   "wheel: run `lti-ops bench` from an editable install of a checkout")
            raise InputError(msg) from None
        sys.path.insert(0, str(checkout))
        from benchmarks.__main__ import main as runner
    return runner
