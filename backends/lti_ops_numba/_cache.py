"""On-disk cache of the compiled kernels, invalidated by any change to this package.

Numba's own cache (``cache=True``) stamps an entry with the modification time and size of
the file that defines the function, so a kernel that calls a helper from another module
would keep running stale machine code after that helper changed. Here the stamp is a
digest of every source file of :mod:`lti_ops_numba` together with Numba's version: an
edit anywhere in the package, or a new Numba, recompiles every kernel once. Where the
entries go is Numba's choice, unchanged: ``NUMBA_CACHE_DIR`` if set, else ``__pycache__``
beside the sources, else the user-wide cache directory.
"""

from __future__ import annotations

import functools
import hashlib
import pathlib

import numba
from numba.core import caching

__all__ = ["KernelCache", "package_stamp", "source_stamp"]


def _locator(name):
    """Numba's locator class `name` (public since 0.61, underscored before)."""
    return getattr(caching, name, None) or getattr(caching, "_" + name)


@functools.cache
def package_stamp():
    """:func:`source_stamp` of this package, read once per process."""
    return source_stamp(pathlib.Path(__file__).parent)


def source_stamp(directory):
    """SHA-256 over the ``*.py`` files of `directory` (names and contents, sorted by name)
    and Numba's version."""
    digest = hashlib.sha256(numba.__version__.encode())
    for path in sorted(pathlib.Path(directory).glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _package_stamped(base):
    return type(base.__name__, (base,), {"get_source_stamp": lambda self: package_stamp()})


class _CacheImpl(caching.CompileResultCacheImpl):
    _locator_classes = [_package_stamped(_locator(name)) for name in
                        ("UserProvidedCacheLocator", "InTreeCacheLocator", "UserWideCacheLocator")]


class KernelCache(caching.FunctionCache):
    """A :class:`numba.core.caching.FunctionCache` stamped by :func:`package_stamp`.

    Its index key describes a closure's variables by name (a dispatcher by its function's
    qualified name and closure, an external function by its symbol) where Numba pickles
    them, which gives a dispatcher a new identity in every process: the kernels built by a
    factory per precision (the LAPACK routine closed over) were never found again.
    """

    _impl_class = _CacheImpl

    def _index_key(self, sig, codegen):
        code = hashlib.sha256(self._py_func.__code__.co_code).hexdigest()
        return sig, codegen.magic_tuple(), (code, _closure_key(self._py_func))


def _closure_key(func):
    """A description of `func`'s closure variables that is the same in every process."""
    return tuple(_describe(cell.cell_contents) for cell in (func.__closure__ or ()))


def _describe(value):
    py_func = getattr(value, "py_func", None)
    if py_func is not None:  # a dispatcher
        return f"{py_func.__module__}.{py_func.__qualname__}", _closure_key(py_func)
    symbol = getattr(value, "symbol", None)
    if symbol is not None:  # a numba.types.ExternalFunction
        return "external", symbol, str(value.sig)
    return repr(value)
