"""The one module that talks to array-api-compat.

It answers three questions for the rest of the library: which namespace and device the
inputs live on (and that they agree), which floating dtype a computation runs in, and how to
do the linear algebra the Array API standard lacks (``expm``, ``logm``, ``eig``) with each
backend's native routine, falling back to pure Array-API algorithms elsewhere.

Nothing here imports NumPy-only SciPy modules, torch, JAX or CuPy at import time: a backend
module is only touched once an array of that backend has been seen.
"""

from __future__ import annotations

import importlib
import sys

import array_api_compat as _compat

from . import _dispatch

__all__ = [
    "array_namespace",
    "can_read_values",
    "common_device",
    "detach",
    "is_concrete",
    "complex_dtype",
    "conj_transpose",
    "eig",
    "eigvals",
    "eps",
    "expm",
    "floating_dtype",
    "is_complex",
    "is_singular",
    "near_zero",
    "logm",
    "pencil_eigvals",
    "real_dtype",
    "solve",
    "solve_both",
    "svdvals",
]


# --------------------------------------------------------------------------- namespaces


def _is_array(x):
    return x is not None and not isinstance(x, (bool, int, float, complex))


def _backend_name(xp):
    name = getattr(xp, "__name__", repr(xp))
    return name.removeprefix("array_api_compat.")


def array_namespace(*arrays, names=None):
    """Namespace shared by the arrays among `arrays` (None and Python scalars are skipped).

    `names` (one per entry of `arrays`) lets the messages name the offending arguments.

    Raises
    ------
    TypeError
        If an entry is not an array, two arrays come from different namespaces (naming
        both), or none is an array.
    ValueError
        If two arrays live on different devices (naming both).
    """
    names = list(names) if names is not None else [None] * len(arrays)
    found = [(n, x) for n, x in zip(names, arrays) if _is_array(x)]
    if not found:
        given = [n for n in names if n]
        if given:
            listed = " or ".join(f"`{n}`" for n in given)
            msg = f"{listed} must be an array; got {type(arrays[0]).__name__}"
            raise TypeError(msg)
        msg = "expected at least one array argument; got only None or Python scalars"
        raise TypeError(msg)
    spaces = []
    for name, x in found:
        try:
            spaces.append(_compat.array_namespace(x))
        except TypeError:
            who = f"`{name}`" if name else "an argument"
            msg = f"{who} must be an array (or a number); got {type(x).__name__}"
            raise TypeError(msg) from None
    (first_name, _), first = found[0], spaces[0]
    for (name, _), other in zip(found[1:], spaces[1:]):
        if other is not first:
            which = f"`{first_name}` and `{name}` are" if name else "arrays are"
            msg = (
                f"{which} from different namespaces: {_backend_name(first)} and "
                f"{_backend_name(other)}; convert them to one array library first"
            )
            raise TypeError(msg)
    common_device(*(x for _, x in found))
    return first


def common_device(*arrays):
    """Device shared by the arrays among `arrays`; ValueError naming both if they differ.

    Arrays traced by ``jax.jit`` report no device (None): they take the device of the
    concrete arrays beside them, and the result is None when all of them are traced.
    """
    devices = [_compat.device(x) for x in arrays if _is_array(x)]
    known = [d for d in devices if d is not None]
    if not known:
        return None
    dev = known[0]
    for other in known[1:]:
        if other != dev:
            msg = f"arrays on different devices: {dev} and {other}; move them to one device"
            raise ValueError(msg)
    return dev


def index_array(xp, positions, device):
    """Python ints as an array of the namespace's default indexing dtype on `device` (int32
    under JAX without x64, where asking for int64 warns and truncates)."""
    itype = xp.__array_namespace_info__().default_dtypes(device=device)["indexing"]
    return xp.asarray(positions, dtype=itype, device=device)


def can_read_values(*arrays):
    """Whether the values of every array in `arrays` can be read now, cheaply and safely.

    False for an array traced by JAX (``jax.jit``, ``jax.grad``, ``jax.vmap``), a lazy
    Dask array (reading would compute its graph) and an array in device memory (CuPy, a
    CUDA torch tensor, a JAX array on a GPU: reading would synchronise with the device).
    Validation that needs values (finiteness, stability, poles on evaluation points) runs
    only where this is True; shapes, dtypes and options are always validated. None and
    Python scalars are skipped.
    """
    return all(_is_concrete(x) and _on_host(x) for x in arrays if _is_array(x))


def is_concrete(*arrays):
    """Whether every array in `arrays` has values at all: not traced by JAX, not lazy (Dask).

    Weaker than :func:`can_read_values`: device arrays are concrete (reading them costs a
    synchronisation). Used where a result's *shape* depends on values (e.g. the node count
    of :func:`lti_ops.hope_kernel`), which a traced array cannot give.
    """
    return all(_is_concrete(x) for x in arrays if _is_array(x))


def _is_concrete(x):
    if _compat.is_dask_array(x):
        return False
    if _compat.is_jax_array(x):
        import jax

        return not isinstance(x, jax.core.Tracer)
    return True


def _on_host(x):
    if _compat.is_cupy_array(x):
        return False
    if _compat.is_jax_array(x):
        return all(d.platform == "cpu" for d in x.devices())
    if _compat.is_torch_array(x):
        return x.device.type == "cpu"
    return True


def detach(x):
    """`x` cut from automatic differentiation (``torch.Tensor.detach``,
    ``jax.lax.stop_gradient``; other arrays unchanged), for reading values that steer the
    computation but are not differentiated (an eager ``jax.grad`` then sees concrete values).
    """
    if _compat.is_torch_array(x):
        return x.detach()
    if _compat.is_jax_array(x):
        import jax

        return jax.lax.stop_gradient(x)
    return x


# --------------------------------------------------------------------------- dtypes


def _kind(xp, dtype):
    for kind in ("bool", "complex floating", "real floating", "integral"):
        if xp.isdtype(dtype, kind):
            return kind
    return "other"


def floating_dtype(xp, *arrays, names=None):
    """Promoted floating dtype of `arrays` (None entries skipped).

    Floating arrays promote as the namespace does (float32 stays float32, complex stays
    complex). Integer arrays join that precision without raising it, as in torch; when all
    arrays are integers the result is the default real floating dtype of their device.
    Boolean, non-numeric and half-precision dtypes raise ``TypeError`` naming the argument
    (from `names`).
    """
    names = names or [f"argument {i}" for i in range(len(arrays))]
    floating = []
    for name, x in zip(names, arrays):
        if not _is_array(x):
            continue
        kind = _kind(xp, x.dtype)
        if kind in ("bool", "other"):
            msg = f"`{name}` has dtype {x.dtype}; expected a real or complex floating dtype"
            raise TypeError(msg)
        if kind != "integral" and _is_half(xp, x.dtype):
            msg = (f"`{name}` has dtype {x.dtype}; half precision is not supported (too short "
                   f"for these recurrences): cast it to float32")
            raise TypeError(msg)
        if kind != "integral":
            floating.append(x.dtype)
    if floating:
        return xp.result_type(*floating)
    device = common_device(*arrays)
    return xp.__array_namespace_info__().default_dtypes(device=device)["real floating"]


def _is_half(xp, dtype):
    """A floating dtype narrower than float32 (float16, bfloat16)."""
    return dtype not in (xp.float32, xp.float64, xp.complex64, xp.complex128)


def widest_real(xp, device=None):
    """float64 where namespace `xp` has it on `device`, else float32 (JAX with x64 off): the
    default precision of the creation functions (``hippo``, ``roots_of_unity``, ...)."""
    return xp.float64 if _supports(xp, xp.float64, device) else xp.float32


def _supports(xp, dtype, device):
    return any(d == dtype for d in xp.__array_namespace_info__().dtypes(device=device).values())


def check_available(xp, dtype, device=None, *, name="dtype"):
    """``ValueError`` naming `name` if `dtype` does not exist on `device` (float64 and
    complex128 under JAX with x64 off, which would silently give single precision)."""
    if not _supports(xp, dtype, device):
        label = getattr(dtype, "name", None) or getattr(dtype, "__name__", dtype)
        msg = f"`{name}` {label} is not available on this device (for JAX, enable x64); use float32/complex64"
        raise ValueError(msg)
    return dtype


def is_complex(xp, dtype):
    """Whether `dtype` is a complex floating dtype of namespace `xp`."""
    return xp.isdtype(dtype, "complex floating")


def real_dtype(xp, dtype):
    """The real floating dtype of the same precision as `dtype`."""
    if dtype == xp.complex64:
        return xp.float32
    if dtype == xp.complex128:
        return xp.float64
    return dtype


def complex_dtype(xp, dtype):
    """The complex floating dtype of the same precision as `dtype`."""
    if dtype == xp.float32:
        return xp.complex64
    if dtype == xp.float64:
        return xp.complex128
    return dtype


def eps(xp, dtype):
    """Machine epsilon of the real counterpart of `dtype`."""
    return float(xp.finfo(real_dtype(xp, dtype)).eps)


# --------------------------------------------------------------------------- linear algebra


def _opnorm1(xp, a):
    """Matrix 1-norm (max column sum) per batch element, shape ``a.shape[:-2]``."""
    return xp.max(xp.sum(xp.abs(a), axis=-2), axis=-1)


def _eye_like(xp, a):
    n = a.shape[-1]
    return xp.eye(n, dtype=a.dtype, device=_compat.device(a))


def _is_empty(a):
    return any(d == 0 for d in a.shape)


def _require_square(a, routine):
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        msg = f"{routine} needs square matrices of shape (..., n, n); got shape {tuple(a.shape)}"
        raise ValueError(msg)


def steps(x):
    """``x[..., 0], x[..., 1], ...``: the slices of `x` along its last axis, in order.

    Iterating the time-major array where the namespace allows it: JAX compiles a new program
    for every static index it slices with (``x[..., k]`` or ``unstack``: 40 s for 3000
    steps), iteration over the first axis does not (1 s). array_api_strict forbids
    iteration and gets ``unstack``.
    """
    xp = array_namespace(x)
    lead = xp.permute_dims(x, (x.ndim - 1,) + tuple(range(x.ndim - 1)))
    try:
        return list(lead)
    except TypeError:
        return xp.unstack(lead, axis=0)


def conj_transpose(x):
    """Conjugate transpose of a stack of matrices (the transpose for real dtypes)."""
    xp = array_namespace(x)
    xt = xp.matrix_transpose(x)
    return xp.conj(xt) if is_complex(xp, x.dtype) else xt


def solve(a, b, *, singular_msg):
    """``xp.linalg.solve(a, b)`` that raises ``ValueError(singular_msg)`` for a singular `a`.

    A backend's singular-matrix error (NumPy/CuPy ``LinAlgError``, torch's
    ``linalg.LinAlgError``) and non-finite results from finite inputs (JAX returns them
    silently) both become that ``ValueError``: never a silent inf or NaN where the values can
    be read (:func:`can_read_values`; under ``jax.jit`` a singular `a` gives inf/NaN).
    """
    xp = array_namespace(a, b)
    body = _dispatch.resolve("solve", "auto", xp, _native_solve)
    try:
        x = body(xp, a, b)
    except _singular_errors():
        raise ValueError(singular_msg) from None
    if not can_read_values(x):
        return x
    if not bool(xp.all(xp.isfinite(x))) and bool(xp.all(xp.isfinite(a)) and xp.all(xp.isfinite(b))):
        raise ValueError(singular_msg)
    return x


def solve_both(a, b, c, *, singular_msg):
    """``(a^{-1} b, c a^{-1})``, raising ``ValueError(singular_msg)`` as :func:`solve` does.

    Engines factor each matrix of `a` once for both sides; the reference is two solves.
    """
    xp = array_namespace(a, b, c)
    body = _dispatch.resolve("solve_both", "auto", xp, _native_solve_both)
    try:
        x, y = body(xp, a, b, c)
    except _singular_errors():
        raise ValueError(singular_msg) from None
    if not can_read_values(x, y):
        return x, y
    finite_in = bool(xp.all(xp.isfinite(a)) and xp.all(xp.isfinite(b)) and xp.all(xp.isfinite(c)))
    if finite_in and not bool(xp.all(xp.isfinite(x)) and xp.all(xp.isfinite(y))):
        raise ValueError(singular_msg)
    return x, y


def svdvals(x):
    """``xp.linalg.svdvals(x)``: singular values of a stack of matrices, descending; engines
    spread a batch over the cores."""
    xp = array_namespace(x)
    return _dispatch.resolve("svdvals", "auto", xp, _native_svdvals)(xp, x)


def _native_svdvals(xp, x):
    return xp.linalg.svdvals(x)


def _native_solve(xp, a, b):
    return xp.linalg.solve(*_solve_operands(xp, a, b))


def _native_solve_both(xp, a, b, c):
    t = xp.matrix_transpose
    return _native_solve(xp, a, b), t(_native_solve(xp, t(a), t(c)))


def _solve_operands(xp, a, b):
    """(a, b) with their batch axes broadcast for CuPy, whose ``linalg.solve`` needs equal
    batch shapes (the standard's broadcasts them); other namespaces get them unchanged."""
    if not _compat.is_cupy_namespace(xp) or b.ndim < 2:
        return a, b
    batch = _broadcast_shapes(tuple(a.shape[:-2]), tuple(b.shape[:-2]))
    return xp.broadcast_to(a, batch + tuple(a.shape[-2:])), xp.broadcast_to(b, batch + tuple(b.shape[-2:]))


def _broadcast_shapes(s, t):
    n = max(len(s), len(t))
    s, t = (1,) * (n - len(s)) + s, (1,) * (n - len(t)) + t
    return tuple(y if x == 1 else x for x, y in zip(s, t))


def _singular_errors():
    import numpy as np

    errors = [np.linalg.LinAlgError]
    torch = sys.modules.get("torch")
    if torch is not None:
        errors.append(torch.linalg.LinAlgError)
    return tuple(errors)


def near_zero(x):
    """Boolean array: entries of `x` (..., n) at most ``n * eps * max|x|`` along the last axis."""
    xp = array_namespace(x)
    mag = xp.abs(x)
    scale = xp.max(mag, axis=-1, keepdims=True) if x.shape[-1] else mag
    return mag <= x.shape[-1] * eps(xp, x.dtype) * scale


def is_singular(a, *, scale=None, n=None):
    """Boolean array (batch shape): smallest singular value <= n * eps * largest.

    `a` computed as ``I - scale`` (a Woodbury denominator) carries rounding errors of the
    size of `scale` (or of the sum of absolute terms that formed it), not of `a`: with
    `scale` given, the bound is ``2 n eps max(largest of a, largest of scale)``, `n` the
    length of those sums (default: the order of `a`).
    """
    xp = array_namespace(a)
    if _is_empty(a):
        return xp.zeros(a.shape[:-2], dtype=xp.bool, device=_compat.device(a))
    sv = svdvals(a)
    top = sv[..., 0]
    if scale is not None:
        top = xp.maximum(top, svdvals(xp.broadcast_to(scale, a.shape) + 0 * a)[..., 0])
    n = max(a.shape[-1], n or 0) * (1 if scale is None else 2)
    return sv[..., -1] <= n * eps(xp, a.dtype) * top


def eig(a):
    """Eigenvalues and right eigenvectors, always complex: ``(w (..., n), v (..., n, n))``.

    Uses the namespace's ``linalg.eig`` (NumPy, torch, JAX on CPU, CuPy 14 on the device
    through cuSOLVER's ``geev``, array_api_strict with API 2025.12); raises
    ``NotImplementedError`` naming ``eig`` where the backend has none or cannot run it (CuPy
    before CUDA 12.6). Nothing is copied to the host behind the caller's back.
    """
    xp = array_namespace(a)
    _require_square(a, "eig")
    w, v = _call_linalg(xp, "eig", a)
    ctype = complex_dtype(xp, a.dtype)
    return xp.astype(w, ctype), xp.astype(v, ctype)


def eigvals(a):
    """Eigenvalues of a stack of square matrices, always complex, shape (..., n)."""
    xp = array_namespace(a)
    _require_square(a, "eigvals")
    return xp.astype(_call_linalg(xp, "eigvals", a), complex_dtype(xp, a.dtype))


def _call_linalg(xp, name, a):
    """``xp.linalg.<name>(a)``, or ``NotImplementedError`` naming the routine if it is absent
    (or refused, as array_api_strict does below API version 2025.12)."""
    msg = (
        f"the {_backend_name(xp)} namespace has no linalg.{name} (a nonsymmetric "
        f"eigensolver); use NumPy, torch or JAX input, or array_api_strict with "
        f"api_version='2025.12'"
    )
    routine = getattr(getattr(xp, "linalg", None), name, None)
    if routine is None:
        raise NotImplementedError(msg)
    try:
        return routine(a)
    except RuntimeError as exc:
        if "API version" in str(exc):
            raise NotImplementedError(f"{msg} ({exc})") from None
        if "not available" in str(exc):  # CuPy's eig without cuSOLVER's geev (CUDA < 12.6)
            msg = (
                f"the {_backend_name(xp)} namespace's linalg.{name} cannot run here ({exc}): CuPy's "
                f"nonsymmetric eigensolver needs cuSOLVER's geev (CUDA 12.6 or newer); use a newer "
                f"CUDA, or copy the matrices to NumPy yourself"
            )
            raise NotImplementedError(msg) from None
        raise


def pencil_eigvals(a, b):
    """Generalized eigenvalues of the pencils ``a - s b`` as homogeneous pairs ``(alpha, beta)``.

    ``s = alpha / beta`` (``beta = 0``: an infinite eigenvalue), both complex of shape
    (..., n). The Array API has no generalized eigensolver: NumPy input runs SciPy's QZ
    (``scipy.linalg.eigvals(..., homogeneous_eigvals=True)``, LAPACK ``ggev``) over the batch;
    other namespaces raise ``NotImplementedError`` naming the routine (callers fall back to
    an ``eig``-based route of their own).
    """
    xp = array_namespace(a, b)
    _require_square(a, "pencil_eigvals")
    if not _compat.is_numpy_namespace(xp):
        msg = (f"the {_backend_name(xp)} namespace has no generalized eigensolver "
               f"(scipy.linalg.eigvals(a, b), LAPACK ggev)")
        raise NotImplementedError(msg)
    import numpy as np
    import scipy.linalg

    ctype = complex_dtype(xp, xp.result_type(a.dtype, b.dtype))
    a, b = np.broadcast_arrays(a, b)
    out = np.empty((2,) + a.shape[:-1], dtype=ctype)
    for idx in np.ndindex(a.shape[:-2]):
        out[(slice(None),) + idx] = scipy.linalg.eigvals(a[idx], b[idx], homogeneous_eigvals=True)
    return out[0], out[1]


#: backend name -> (module imported for it, how to install it)
BACKEND_MODULES = {
    "numpy": ("numpy", "pip install numpy"),
    "torch": ("torch", "pip install torch (see https://pytorch.org for the CUDA builds)"),
    "jax": ("jax.numpy", 'pip install "jax[cpu]" (or "jax[cuda12]" for NVIDIA GPUs)'),
    "cupy": ("cupy", "pip install cupy-cuda12x (matching your CUDA version), or \"lti-ops[cupy]\""),
    "array_api_strict": ("array_api_strict", "pip install array-api-strict"),
}


def backend_namespace(backend):
    """The Array-API namespace of an array library by name (``lti-ops check/analyze --backend``).

    Raises ImportError saying how to install a missing library, ValueError for CuPy without a
    usable CUDA device.
    """
    module_name, install = BACKEND_MODULES[backend]
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ImportError(f"backend={backend!r} needs {module_name.split('.')[0]}, which is not installed "
                          f"or does not import ({exc}); install it with: {install}") from exc
    if backend == "cupy":
        try:
            module.cuda.runtime.getDeviceCount()
        except Exception as exc:  # CUDA runtime errors have no common base class
            raise ValueError(f"backend='cupy' imports but finds no usable CUDA device: {exc}") from exc
    import array_api_compat

    return array_api_compat.array_namespace(module.asarray([0.0]))


def to_numpy(x):
    """A NumPy copy of array `x` of any namespace (torch detached, CuPy copied to the host)."""
    import numpy as np

    if isinstance(x, (np.ndarray, np.generic)):
        return np.asarray(x)
    if hasattr(x, "detach"):  # torch
        return x.detach().cpu().resolve_conj().numpy()
    module = type(x).__module__
    if module.startswith("cupy"):
        return x.get()
    if module.startswith("jax"):
        return np.asarray(x)
    return np.from_dlpack(x)  # array_api_strict and other DLPack producers


# the matrix functions live in their own module; imported last (it imports from this one)
from ._matfun import expm, expm_pade, logm, logm_iss  # noqa: E402
