"""Public-API fuzz suite (issue 17, item 1): every bad-input case of tests/_fuzz_catalogue.py.

Each case must either raise ``ValueError``/``TypeError`` whose message names the argument in
backticks, or (where the catalogue says so) return the documented answer; never hang (each
call runs under a :data:`TIMEOUT_S` timer, see :func:`run_with_timeout`), never a raw IndexError,
LinAlgError or Numba error, never a silent result. Cases listed in tests/_fuzz_known.py are
expected to fail (``xfail(strict=True)``); regenerate that list with
``PYTHONPATH=$PWD:$PWD/backends python -m tests._fuzz_regen``.

Under the default ``ci`` profile every case runs (parametrized) with hypothesis drawing up to
:data:`EXAMPLES` bad values, derandomized and without shrinking; ``HYPOTHESIS_PROFILE=thorough``
draws the profile's full count and shrinks.
"""

import os
import signal
import threading

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from _fuzz_catalogue import BASELINES, CASES, HEAP_CORRUPTING

try:
    from _fuzz_known import KNOWN_FAILURES
except ImportError:  # pragma: no cover - before the first regeneration
    KNOWN_FAILURES = {}

TIMEOUT_S = 10.0
BASELINE_TIMEOUT_S = 300.0  # first calls may compile Numba kernels
CI = os.environ.get("HYPOTHESIS_PROFILE", "ci") == "ci"
EXAMPLES = 3 if CI else settings().max_examples
IGNORE_KNOWN = bool(os.environ.get("LTI_OPS_FUZZ_IGNORE_KNOWN"))  # set by tests/_fuzz_regen.py


class Hang(BaseException):
    """No answer within the timeout (a BaseException, so that no ``except Exception`` eats it)."""


def run_with_timeout(fn, value, timeout):
    """``(result, exception)`` of ``fn(value)``; :class:`Hang` past `timeout` seconds.

    In the main thread of a POSIX process the call runs right there under a ``SIGALRM``
    interval timer, which interrupts a Python-level loop cleanly. Elsewhere it runs in a
    daemon thread joined with a timeout (a hung thread then runs on). The main thread is
    preferred: Numba's default ``workqueue`` threading layer is not safe to call from many
    threads, and a hung thread would keep running beside the later cases.
    """
    if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
        return _run_under_alarm(fn, value, timeout)
    box = {}

    def target():
        try:
            box["result"] = fn(value)
        except Exception as exc:  # noqa: BLE001 - everything is judged by the caller
            box["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise Hang(f"HANG: no answer after {timeout:g} s for {value!r:.120}")
    return box.get("result"), box.get("error")


def _run_under_alarm(fn, value, timeout):
    def on_alarm(signum, frame):
        raise Hang(f"HANG: no answer after {timeout:g} s for {value!r:.120}")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        return fn(value), None
    except Exception as exc:  # noqa: BLE001 - everything is judged by the caller
        return None, exc
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def judge(case, value, result, error):
    """None if the outcome is acceptable, else a one-line reason starting with its kind."""
    names = (case.arg, *case.names)
    shown = f"{value!r:.80}".replace("\n", " ")
    if error is None:
        if case.accept is None:
            return f"SILENT: returned {type(result).__name__} for {case.arg}={shown}"
        why = case.accept(result, value)
        return None if why is None else f"WRONG-RESULT: {why} for {case.arg}={shown}"
    text = str(error).replace("\n", " ")
    if type(error) not in (ValueError, TypeError) and not (
        isinstance(error, (ValueError, TypeError)) and type(error).__module__.startswith("lti_ops")
    ):
        return f"RAW-ERROR: {type(error).__module__}.{type(error).__name__}: {text:.160} for {case.arg}={shown}"
    if not any(f"`{name}`" in text for name in names):
        return f"UNNAMED: {type(error).__name__} does not name `{case.arg}`: {text:.160}"
    return None


def _marks(case_id):
    if case_id in HEAP_CORRUPTING and not IGNORE_KNOWN:
        return (pytest.mark.skip(reason=f"corrupts memory: {HEAP_CORRUPTING[case_id]}"),)
    reason = KNOWN_FAILURES.get(case_id)
    if reason is None or IGNORE_KNOWN:
        return ()
    # hangs cost TIMEOUT_S each and a hung thread (off the main thread) cannot be stopped
    return (pytest.mark.xfail(strict=True, reason=reason, run=not reason.startswith(("HANG", "CRASH"))),)


FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    phases=(Phase.explicit, Phase.generate) if CI else tuple(Phase),
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.parametrize(
    "func", [pytest.param(name, marks=_marks(f"baseline:{name}"), id=name) for name in BASELINES]
)
def test_baseline(func):
    """The catalogue's valid call works, so each case's single change is what makes it bad."""
    try:
        result, error = run_with_timeout(lambda _: BASELINES[func].baseline(), None, BASELINE_TIMEOUT_S)
    except Hang as hang:
        raise AssertionError(str(hang)) from None
    if error is not None:
        raise AssertionError(f"BASELINE: {type(error).__name__}: {error}") from error


@pytest.mark.parametrize("case", [pytest.param(c, marks=_marks(c.id), id=c.id) for c in CASES])
def test_bad_input(case):
    """Hypothesis draws the bad values; the outcomes are judged here, outside hypothesis."""
    failures = []

    @FUZZ_SETTINGS
    @given(value=case.values)
    def draw(value):
        if failures and failures[0].startswith("HANG"):
            return  # do not stack hangs
        try:
            result, error = run_with_timeout(case.call, value, TIMEOUT_S)
        except Hang as hang:
            failures.insert(0, str(hang))
            return
        reason = judge(case, value, result, error)
        if reason is not None:
            failures.append(reason)

    draw()
    if failures:
        more = f" [+{len(failures) - 1} more]" if len(failures) > 1 else ""
        raise AssertionError(failures[0] + more)
