"""Kernel resolution: (primitive, namespace, ``kernel=``) -> callable.

The ``kernel="auto" | "xp" | "numba" | "cupy"`` keyword of the hot primitives is resolved
here and nowhere else.

* ``"xp"`` is the generic Array-API body, the reference every kernel is tested against.
* ``"numba"`` serves NumPy arrays with the kernels of the ``lti_ops_numba`` package.
* ``"cupy"`` serves CuPy arrays with the kernels of the ``lti_ops_cupy`` package.
* ``"auto"`` takes the engine that serves the input's namespace when its package imports and
  registers the primitive, and the generic body otherwise.

Engine packages are imported lazily, the first time a primitive asks for them; importing
them registers their kernels in :data:`REGISTRY` through :func:`register`. Nothing in this
module changes numerics: the registry only lists what exists.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

import array_api_compat as _compat

__all__ = ["KERNELS", "REGISTRY", "ENGINES", "Registry", "fused", "register", "resolve"]

KERNELS = ("auto", "xp", "numba", "cupy")


@dataclass(frozen=True)
class Engine:
    """An accelerated engine: its package, the namespace it serves and how to install it.

    `entry` is the module imported to load the engine (default: the package itself). The
    CuPy engine's entry imports CuPy and registers the kernels, while its kernel modules
    import without CuPy (the CUDA simulator runs them on NumPy arrays).
    """

    name: str
    package: str
    serves: str
    extra: str
    entry: str | None = None

    def serves_namespace(self, xp):
        check = {"numpy": _compat.is_numpy_namespace, "cupy": _compat.is_cupy_namespace}
        return check[self.serves](xp)


ENGINES = {
    "numba": Engine("numba", "lti_ops_numba", "numpy", "numba"),
    "cupy": Engine("cupy", "lti_ops_cupy", "cupy", "cupy", entry="lti_ops_cupy.engine"),
}


@dataclass
class Registry:
    """Kernels by (primitive, engine), plus which engine packages have been tried."""

    kernels: dict = field(default_factory=dict)
    _loaded: dict = field(default_factory=dict)

    def add(self, primitive, engine, func):
        if engine not in ENGINES:
            msg = f"unknown engine {engine!r}; expected one of {sorted(ENGINES)}"
            raise ValueError(msg)
        self.kernels[(primitive, engine)] = func
        return func

    def load(self, engine):
        """Import the engine's entry module once; return the ImportError text, or None on success."""
        if engine not in self._loaded:
            spec = ENGINES[engine]
            try:
                importlib.import_module(spec.entry or spec.package)
                self._loaded[engine] = None
            except ImportError as exc:
                self._loaded[engine] = str(exc)
        return self._loaded[engine]

    def primitives(self, engine):
        return sorted(p for (p, e) in self.kernels if e == engine)


REGISTRY = Registry()


def register(primitive, engine, registry=None):
    """Decorator used by the engine packages: ``@register("vandermonde", "numba")``."""

    def decorate(func):
        return (registry or REGISTRY).add(primitive, engine, func)

    return decorate


def resolve(primitive, kernel, xp, generic, *, registry=None):
    """The callable that computes `primitive` for arrays of namespace `xp`.

    Parameters
    ----------
    primitive : str
        Registry name of the primitive, e.g. ``"vandermonde"``.
    kernel : {"auto", "xp", "numba", "cupy"}
        The user's choice.
    xp : namespace
        Namespace of the (already validated) inputs.
    generic : callable
        The Array-API reference body.

    Raises
    ------
    ValueError
        If `kernel` is not one of :data:`KERNELS`, or a forced engine does not serve `xp`.
    ImportError
        If a forced engine's package (or the engine itself) cannot be imported.
    NotImplementedError
        If a forced engine has no kernel for `primitive`.
    """
    registry = registry or REGISTRY
    check(kernel, xp)
    if kernel == "xp":
        return generic
    if kernel == "auto":
        return _auto(primitive, xp, generic, registry)
    return _forced(primitive, ENGINES[kernel], xp, registry)


def check(kernel, xp):
    """Validate the user's `kernel` for inputs of namespace `xp` on routes that run no engine
    kernel (a dense system's transfer function, say): a name from :data:`KERNELS`, and a
    forced engine that serves `xp`. Raises ``ValueError`` naming `kernel` otherwise.
    """
    if not isinstance(kernel, str) or kernel not in KERNELS:
        msg = f"`kernel` must be one of {list(KERNELS)}; got {kernel!r}"
        raise ValueError(msg)
    engine = ENGINES.get(kernel)
    if engine is not None and not engine.serves_namespace(xp):
        name = getattr(xp, "__name__", repr(xp)).removeprefix("array_api_compat.")
        msg = (
            f"`kernel`={engine.name!r} serves {engine.serves} arrays only; the input is "
            f"{name}. Use kernel='auto' or 'xp'"
        )
        raise ValueError(msg)


def fused(primitive, kernel, xp, *, registry=None):
    """The engine kernel that `kernel` selects for `primitive` on namespace `xp`, or None.

    For a primitive that only some engines fuse from smaller ones (HOPE's nodes and sum,
    say): the caller takes the fused kernel where one is registered and otherwise runs its
    unfused route, whose own :func:`resolve` calls validate `kernel` and raise as usual.
    Never raises; None for ``"xp"``, an invalid name, or an engine that lacks `primitive`.
    """
    registry = registry or REGISTRY
    for engine in ENGINES.values():
        if kernel in ("auto", engine.name) and engine.serves_namespace(xp):
            return registry.kernels.get((primitive, engine.name)) if registry.load(engine.name) is None else None
    return None


def _auto(primitive, xp, generic, registry):
    for engine in ENGINES.values():
        if engine.serves_namespace(xp) and registry.load(engine.name) is None:
            return registry.kernels.get((primitive, engine.name), generic)
    return generic


def _forced(primitive, engine, xp, registry):
    if not engine.serves_namespace(xp):
        name = getattr(xp, "__name__", repr(xp)).removeprefix("array_api_compat.")
        msg = (
            f"`kernel`={engine.name!r} serves {engine.serves} arrays only; the input is "
            f"{name}. Use kernel='auto' or 'xp'"
        )
        raise ValueError(msg)
    error = registry.load(engine.name)
    if error is not None:
        msg = (
            f"kernel={engine.name!r} needs the {engine.package} package and its engine "
            f"(pip install 'lti-ops[{engine.extra}]'): {error}"
        )
        raise ImportError(msg)
    func = registry.kernels.get((primitive, engine.name))
    if func is None:
        msg = (
            f"kernel={engine.name!r} has no kernel for {primitive!r}; it has "
            f"{registry.primitives(engine.name) or 'none yet'}. Use kernel='auto' or 'xp'"
        )
        raise NotImplementedError(msg)
    return func
