"""Sphinx configuration for the lti_ops documentation (``sphinx-build docs docs/_build``)."""

import pathlib
import sys

_HERE = pathlib.Path(__file__).resolve().parent
# The source tree first (the package and the engine packages under backends/), so the
# reference documents this checkout; then the local extensions.
sys.path[:0] = [str(_HERE.parent), str(_HERE.parent / "backends"), str(_HERE / "_ext")]

project = "lti_ops"
author = "lti_ops developers"
extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_parser",
    "lti_ops_capabilities",  # docs/_ext: the backends page's table, from lti_ops._dispatch.REGISTRY
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "_ext"]
autosummary_generate = True
numpydoc_show_class_members = False
myst_enable_extensions = ["dollarmath"]
html_theme = "alabaster"
