"""Sphinx directive ``lti-ops-capabilities``: the primitive × engine table of the kernels
registered in ``lti_ops._dispatch.REGISTRY``, generated at build time.

Each engine package registers its kernels when its ``_register`` module is imported (the
``@register(primitive, engine)`` decorators of its kernel modules). That module imports
without the engine's device: the CUDA kernel modules need numba-cuda but not CuPy or a GPU
(they are what the simulator tests run), so the table lists the CuPy engine's kernels on a
machine that cannot run them. ``lti_ops_cupy.engine``, which needs CuPy and a device, is not
imported. A registration module that fails to import fails the build (``sphinx-build -W``):
a table silently missing an engine would be wrong.
"""

from __future__ import annotations

import importlib

from docutils import nodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

YES, NO = "✓", "—"


def registered_kernels():
    """``({engine: sorted primitives}, [engine names])`` after importing every registration module."""
    from lti_ops import _dispatch

    for spec in _dispatch.ENGINES.values():
        importlib.import_module(f"{spec.package}._register")
    engines = list(_dispatch.ENGINES)
    return {e: _dispatch.REGISTRY.primitives(e) for e in engines}, engines


def _row(cells, literal):
    """A table row; the cells whose index is in `literal` are set as code."""
    row = nodes.row()
    for i, text in enumerate(cells):
        para = nodes.paragraph()
        para += nodes.literal(text=text) if i in literal else nodes.Text(text)
        entry = nodes.entry()
        entry += para
        row += entry
    return row


class CapabilityTable(SphinxDirective):
    """``.. lti-ops-capabilities::``: one row per registered primitive, one column per engine."""

    has_content = False

    def run(self):
        try:
            by_engine, engines = registered_kernels()
        except ImportError as exc:
            logger.warning("lti-ops-capabilities: cannot import an engine's registration module: %s", exc,
                           location=self.get_location())
            return []
        primitives = sorted(set().union(*by_engine.values()))
        table = nodes.table(classes=["lti-ops-capabilities"])
        group = nodes.tgroup(cols=1 + len(engines))
        table += group
        for _ in range(1 + len(engines)):
            group += nodes.colspec(colwidth=1)
        head = nodes.thead()
        head += _row(["primitive"] + [f'kernel="{e}"' for e in engines], literal=range(1, 1 + len(engines)))
        group += head
        body = nodes.tbody()
        for p in primitives:
            body += _row([p] + [YES if p in by_engine[e] else NO for e in engines], literal={0})
        group += body
        return [table]


def setup(app):
    app.add_directive("lti-ops-capabilities", CapabilityTable)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
