"""The documentation's references into the code cannot rot.

* docs/identities.md lists every identity of the catalogue (1..45) once, and each test it
  names as ``tests/<file>.py::<test>`` exists in that file (read with ``ast``, not imported);
  a row without a test says so.
* docs/api.md lists every public name of ``lti_ops`` and ``lti_ops.testing``.
"""

import ast
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).parent.parent
IDENTITIES = ROOT / "docs" / "identities.md"
N_IDENTITIES = 45
REF = re.compile(r"tests/(test_\w+\.py)::(\w+)")
ROW = re.compile(r"^\|\s*(\d+)\s*\|(.*)$", re.MULTILINE)


def _test_functions(path):
    """Names of the module-level test functions and of ``Test*`` classes' test methods."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            names.update(f"{node.name}::{n.name}" for n in node.body if isinstance(n, ast.FunctionDef))
    return names


def _rows():
    return {int(num): rest for num, rest in ROW.findall(IDENTITIES.read_text(encoding="utf-8"))}


def test_every_identity_has_one_row():
    rows = ROW.findall(IDENTITIES.read_text(encoding="utf-8"))
    numbers = [int(num) for num, _ in rows]
    assert sorted(numbers) == list(range(1, N_IDENTITIES + 1)), numbers


def test_every_row_names_tests_or_says_it_has_none():
    for number, rest in _rows().items():
        assert REF.search(rest) or "not tested" in rest, f"identity {number} names no test and does not say so"


def test_every_referenced_test_exists():
    refs = REF.findall(IDENTITIES.read_text(encoding="utf-8"))
    assert refs
    missing = []
    cache = {}
    for file, name in refs:
        path = ROOT / "tests" / file
        if not path.is_file():
            missing.append(f"tests/{file} (no such file)")
            continue
        if file not in cache:
            cache[file] = _test_functions(path)
        if name not in cache[file]:
            missing.append(f"tests/{file}::{name}")
    assert not missing, f"docs/identities.md names tests that do not exist: {missing}"


def _documented_api():
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    documented = set()
    for block in re.findall(r"```\{eval-rst\}(.*?)```", text, re.DOTALL):
        module = re.search(r"\.\. currentmodule:: ([\w.]+)", block).group(1)
        documented.update(f"{module}.{name}" for name in re.findall(r"^ {3}([\w.]+)$", block, re.MULTILINE))
    return documented


@pytest.mark.parametrize("module", ["lti_ops", "lti_ops.testing", "lti_ops.testing.strategies"])
def test_api_reference_lists_every_public_name(module):
    pytest.importorskip("hypothesis")
    import importlib

    public = importlib.import_module(module).__all__
    missing = sorted(set(f"{module}.{name}" for name in public) - _documented_api())
    assert not missing, f"docs/api.md does not list {missing}"


def _described_kernels(text, heading):
    """The primitives named in the first column of the table under `heading` of backends.md."""
    section = text.split(heading, 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in section.splitlines():
        cells = line.split("|")
        if line.startswith("| `") and len(cells) > 2:
            names.update(re.findall(r"`(\w+)`", cells[1]))
    return names


def test_backends_page_describes_exactly_the_registered_kernels():
    """The prose tables of docs/backends.md (what each kernel does) name the registry's kernels."""
    pytest.importorskip("numba")
    pytest.importorskip("numba.cuda", reason="numba-cuda is not installed")
    import importlib

    from lti_ops import _dispatch

    text = (ROOT / "docs" / "backends.md").read_text(encoding="utf-8")
    for engine, heading in (("numba", "## The Numba kernels"), ("cupy", "## The CUDA kernels")):
        importlib.import_module(f"{_dispatch.ENGINES[engine].package}._register")  # no device needed
        assert _described_kernels(text, heading) == set(_dispatch.REGISTRY.primitives(engine)), engine
