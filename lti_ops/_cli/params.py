"""Reading a user's trained layer from ``.npz`` or ``.safetensors`` into a :class:`Model`.

Every array is checked before it reaches the library: present, a real or complex floating
array, finite, of the documented shape. A failure raises :class:`ParamsError`, whose message
names the array and what was expected; the command turns it into exit code 2.

Documented layouts (H channels, N modes or states, r the low-rank rank):

========== ===========================================================================
layout     arrays
========== ===========================================================================
diagonal   ``lam`` (H, N) complex, ``B`` (H, N), ``C`` (H, N), ``dt`` or ``log_dt`` (H,);
           optional ``D`` (H,) and ``conj_sym`` (a 0-d bool, default true: the modes stand
           with their conjugates, as S4D keeps them)
dplr       the diagonal arrays plus ``P``: (H, N) for rank 1 or (r, H, N)
dense      ``A`` (H, n, n), ``B`` (H, n, m), ``C`` (H, p, n), optional ``D`` (H, p, m), and
           ``dt`` or ``log_dt`` (H,); a single system may drop the leading H
hope       ``h`` (H, n) (complex, as the HOPE code keeps it, or real) and ``dt`` or ``log_dt`` (H,) (or one value for all channels)
s4         the S4 code's kernels: ``A_real`` = log(-Re λ) and ``A_imag`` = -Im λ
           (state-spaces ``SSMKernelDiag`` / ``SSMKernelDPLR``), or ``log_A_real`` and
           ``A_imag`` = +Im λ (the standalone ``s4d.py``); ``log_dt`` (H,) or ``inv_dt``
           (H, 1); ``B`` and ``C`` as real pairs (..., 2) or complex, ``C`` optionally with a
           leading channel axis (c, H, N) read as c outputs; ``P`` as (r, H, N, 2) makes it
           the S4 DPLR kernel, whose trained ``C`` is S4's C̃ for the length ``--length``
========== ===========================================================================
"""

from __future__ import annotations

import json
import struct
import zipfile
import zlib
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

__all__ = ["Model", "ParamsError", "read_arrays", "model_from_arrays", "load_model"]


class ParamsError(ValueError):
    """A parameter file that cannot be analyzed; the message names the array at fault."""


@dataclass(frozen=True)
class Model:
    """One layer to analyze: a continuous system (or HOPE's ``h``) and its steps.

    Attributes
    ----------
    name, structure : str
        A label, and one of ``"diagonal"``, ``"dplr"``, ``"dense"``, ``"hope"``.
    system : Diagonal, DPLR, StateSpace or array
        The continuous-time system with H channels; HOPE's Hankel parameters ``h`` (H, n).
    dt : ndarray, shape (H,)
        The step of each channel (HOPE: its Möbius parameter Δ).
    method : str or None
        The discretization (``None`` for HOPE, which is discrete by construction).
    c_tilde_length : int or None
        Set when ``C`` is S4's C̃ for this length (the S4 DPLR kernel trains C̃).
    """

    name: str
    structure: str
    system: object
    dt: np.ndarray
    method: str | None
    c_tilde_length: int | None = None


# --- reading files --------------------------------------------------------------------

_SAFETENSORS_DTYPES = {
    "F64": np.float64, "F32": np.float32, "F16": np.float16, "BF16": "bf16",
    "C64": np.complex64, "C128": np.complex128,
    "I64": np.int64, "I32": np.int32, "I16": np.int16, "I8": np.int8,
    "U64": np.uint64, "U32": np.uint32, "U16": np.uint16, "U8": np.uint8, "BOOL": np.bool_,
}


def read_arrays(path):
    """The arrays stored in a ``.npz`` (no pickles) or ``.safetensors`` file, by name."""
    path = Path(path)
    if not path.is_file():
        raise ParamsError(f"--params: no such file: {str(path)!r}")
    suffix = path.suffix.lower()
    if suffix == ".npz":
        return _read_npz(path)
    if suffix == ".safetensors":
        return _read_safetensors(path)
    msg = f"--params: expected a .npz or .safetensors file, got {path.name!r}"
    raise ParamsError(msg)


def _read_npz(path):
    # Opened here so that the file is closed when np.load fails on it (np.load leaks its own
    # handle on a truncated archive).
    with open(path, "rb") as file:
        try:
            archive = np.load(file, allow_pickle=False)
        except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
            raise ParamsError(f"{path.name}: not a readable .npz archive ({exc})") from None
        arrays = {}
        with archive:
            for name in archive.files:
                try:
                    arrays[name] = archive[name]
                except ValueError as exc:
                    if "allow_pickle" not in str(exc):
                        msg = f"{path.name}: array {name!r} is not readable ({exc})"
                        raise ParamsError(msg) from None
                    msg = (f"{path.name}: array {name!r} is an object array (it would need "
                           "pickle, which is not loaded); save numeric arrays")
                    raise ParamsError(msg) from None
                except (OSError, EOFError, zipfile.BadZipFile, zlib.error) as exc:
                    msg = f"{path.name}: array {name!r} is corrupt in the .npz archive ({exc})"
                    raise ParamsError(msg) from None
    return arrays


def _read_safetensors(path):
    """Parse a safetensors file: an 8-byte header length, a JSON header, raw little-endian data."""
    raw = path.read_bytes()
    bad = ParamsError(f"{path.name}: not a valid .safetensors file")
    if len(raw) < 8:
        raise bad
    (size,) = struct.unpack("<Q", raw[:8])
    try:
        header = json.loads(raw[8:8 + size])
    except (ValueError, UnicodeDecodeError):
        raise bad from None
    if not isinstance(header, dict):
        raise bad
    data = raw[8 + size:]
    arrays = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        try:
            code, shape, (begin, end) = info["dtype"], info["shape"], info["data_offsets"]
        except (KeyError, TypeError, ValueError):
            raise bad from None
        arrays[name] = _safetensors_array(path, name, code, shape, data[begin:end])
    return arrays


def _safetensors_array(path, name, code, shape, buffer):
    if code not in _SAFETENSORS_DTYPES:
        raise ParamsError(f"{path.name}: array {name!r} has unsupported dtype {code!r}")
    dtype = _SAFETENSORS_DTYPES[code]
    if dtype == "bf16":  # bfloat16 is the top half of a float32: exact upcast
        bits = np.frombuffer(buffer, dtype="<u2").astype(np.uint32) << 16
        flat = bits.view(np.float32)
    else:
        flat = np.frombuffer(buffer, dtype=np.dtype(dtype).newbyteorder("<"))
    if flat.size != int(np.prod(shape, dtype=np.int64)):
        raise ParamsError(f"{path.name}: array {name!r} holds {flat.size} values, "
                          f"not the {shape} its header declares")
    return flat.reshape(shape).astype(flat.dtype.newbyteorder("="))


# --- checking arrays ------------------------------------------------------------------

class _Arrays:
    """Named arrays with checks whose errors name the array, the file and the expectation."""

    def __init__(self, arrays, source):
        self.arrays, self.source, self.used = dict(arrays), source, set()

    def has(self, name):
        return name in self.arrays

    def get(self, name, shape_text, ndims, *, complex_ok=True, optional=False):
        """The floating array `name` (finite, with a dimension count in `ndims`), or None."""
        if name not in self.arrays:
            if optional:
                return None
            msg = f"{self.source}: missing array {name!r}; expected {shape_text}"
            raise ParamsError(msg)
        self.used.add(name)
        a = np.asarray(self.arrays[name])
        kinds = "fc" if complex_ok else "f"
        if a.dtype.kind not in kinds:
            want = "a real or complex floating" if complex_ok else "a real floating"
            msg = (f"{self.source}: array {name!r} has dtype {a.dtype}; expected {want} "
                   f"array of shape {shape_text}")
            raise ParamsError(msg)
        if a.ndim not in ndims:
            msg = f"{self.source}: array {name!r} has shape {a.shape}; expected {shape_text}"
            raise ParamsError(msg)
        if not np.all(np.isfinite(a)):
            bad = int(np.size(a) - np.count_nonzero(np.isfinite(a)))
            msg = (f"{self.source}: array {name!r} has {bad} non-finite value(s) (NaN or "
                   "inf); a trained layer's parameters must be finite")
            raise ParamsError(msg)
        if a.dtype == np.float16:
            a = a.astype(np.float32)  # exact
        return a

    def flag(self, name, default):
        if name not in self.arrays:
            return default
        self.used.add(name)
        a = np.asarray(self.arrays[name])
        if a.shape != () or a.dtype.kind != "b":
            msg = f"{self.source}: array {name!r} must be a 0-d bool, got {a.dtype} {a.shape}"
            raise ParamsError(msg)
        return bool(a)

    def unused(self):
        return sorted(set(self.arrays) - self.used)


def _require_shape(source, name, a, shape, text):
    if a.shape != tuple(shape):
        msg = f"{source}: array {name!r} has shape {a.shape}; expected {text} = {tuple(shape)}"
        raise ParamsError(msg)


def _steps(arrs, H):
    """Δ per channel from ``dt``, ``log_dt`` or S4's ``inv_dt`` (H, 1)."""
    given = [n for n in ("dt", "log_dt", "inv_dt") if arrs.has(n)]
    if len(given) != 1:
        what = "none" if not given else " and ".join(repr(n) for n in given)
        msg = (f"{arrs.source}: expected exactly one of 'dt', 'log_dt' or 'inv_dt' "
               f"(shape (H,) = ({H},)), got {what}")
        raise ParamsError(msg)
    name = given[0]
    a = arrs.get(name, f"(H,) = ({H},)", (0, 1, 2), complex_ok=False)
    a = a.reshape(-1) if a.ndim == 2 and a.shape[-1] == 1 else a
    if a.ndim == 2 or (a.ndim == 1 and a.shape[0] not in (1, H)):
        _require_shape(arrs.source, name, a, (H,), "(H,)")
    dt = np.broadcast_to(np.exp(a) if name != "dt" else a, (H,)).astype(np.float64)
    if np.any(dt <= 0):
        raise ParamsError(f"{arrs.source}: array 'dt' must be positive, got min {dt.min():g}")
    return dt


def _complex(arrs, name, shape_text, *, optional=False):
    """A complex array stored as complex, or as real pairs in a trailing axis of 2 (S4's ``_c2r``)."""
    a = arrs.get(name, shape_text, range(0, 6), optional=optional)
    if a is None:
        return None
    if a.dtype.kind == "f" and a.ndim >= 3 and a.shape[-1] == 2:
        a = a[..., 0] + 1j * a[..., 1]
    while a.ndim > 2 and a.shape[0] == 1:  # S4's leading singleton axes: (1, H, N)
        a = a[0]
    return a.astype(np.result_type(a.dtype, np.complex64))


# --- layouts --------------------------------------------------------------------------

def model_from_arrays(arrays, *, source="params", length=4096):
    """The :class:`Model` described by a dictionary of arrays (see the module's table).

    Returns
    -------
    model : Model
    ignored : list of str
        Names of arrays that are not part of the layout found.
    """
    arrs = _Arrays(arrays, source)
    if arrs.has("h"):
        model = _hope(arrs)
    elif arrs.has("A"):
        model = _dense(arrs)
    elif arrs.has("lam"):
        model = _modal(arrs)
    elif arrs.has("A_real") or arrs.has("log_A_real"):
        model = _s4(arrs, length)
    else:
        msg = (f"{source}: no known layout: expected 'lam' (diagonal/DPLR), 'A' (dense), 'h' "
               f"(HOPE) or 'A_real'/'log_A_real' (S4 code); found {sorted(arrays) or 'nothing'}")
        raise ParamsError(msg)
    return model, arrs.unused()


def load_model(path, *, length=4096):
    """Read `path` and build its :class:`Model` (name: the file's stem)."""
    path = Path(path)
    model, ignored = model_from_arrays(read_arrays(path), source=path.name, length=length)
    return replace(model, name=path.stem), ignored


def _hope(arrs):
    h = arrs.get("h", "(H, n)", (1, 2))
    h = h[None] if h.ndim == 1 else h
    return Model("hope", "hope", h, _steps(arrs, h.shape[0]), None)


def _dense(arrs):
    import lti_ops

    A = arrs.get("A", "(H, n, n)", (2, 3))
    batch = A.shape[:-2]
    n = A.shape[-1]
    if A.shape[-2] != n:
        raise ParamsError(f"{arrs.source}: array 'A' has shape {A.shape}; expected (H, n, n)")
    B = arrs.get("B", f"(H, n, m) with n = {n}", (A.ndim,))
    C = arrs.get("C", f"(H, p, n) with n = {n}", (A.ndim,))
    if B.shape[:-2] != batch or B.shape[-2] != n:
        _require_shape(arrs.source, "B", B, batch + (n, B.shape[-1]), "(H, n, m)")
    if C.shape[:-2] != batch or C.shape[-1] != n:
        _require_shape(arrs.source, "C", C, batch + (C.shape[-2], n), "(H, p, n)")
    D = arrs.get("D", "(H, p, m)", (A.ndim,), optional=True)
    if D is not None:
        _require_shape(arrs.source, "D", D, batch + (C.shape[-2], B.shape[-1]), "(H, p, m)")
    if not batch:
        A, B, C = A[None], B[None], C[None]
        D = None if D is None else D[None]
    sys = lti_ops.StateSpace(A, B, C, D)
    return Model("dense", "dense", sys, _steps(arrs, A.shape[0]), "zoh")


def _modal(arrs):
    lam = arrs.get("lam", "(H, N) complex", (2,))
    H, N = lam.shape
    B = arrs.get("B", f"(H, N) = ({H}, {N})", (2,))
    C = arrs.get("C", f"(H, N) = ({H}, {N})", (2,))
    _require_shape(arrs.source, "B", B, (H, N), "(H, N)")
    _require_shape(arrs.source, "C", C, (H, N), "(H, N)")
    D = arrs.get("D", f"(H,) = ({H},)", (1,), optional=True, complex_ok=False)
    if D is not None:
        _require_shape(arrs.source, "D", D, (H,), "(H,)")
    conj_sym = arrs.flag("conj_sym", True)
    dt = _steps(arrs, H)
    lam = lam.astype(np.result_type(lam.dtype, np.complex64))
    if not arrs.has("P"):
        sys = _diagonal(lam, B[..., :, None], C[..., None, :], D, conj_sym)
        return Model("diagonal", "diagonal", sys, dt, "zoh")
    P = arrs.get("P", f"(H, N) = ({H}, {N}) or (r, H, N)", (2, 3))
    P = _low_rank(arrs.source, P, H, N)
    sys = _dplr(lam, P, B[..., :, None], C[..., None, :], D, conj_sym)
    return Model("dplr", "dplr", sys, dt, "bilinear")


def _low_rank(source, P, H, N):
    """P as (H, N, r) from (H, N) or (r, H, N)."""
    if P.ndim == 2:
        _require_shape(source, "P", P, (H, N), "(H, N)")
        return P[..., None]
    if P.shape[1:] != (H, N):
        _require_shape(source, "P", P, (P.shape[0], H, N), "(r, H, N)")
    return np.moveaxis(P, 0, -1)


def _s4(arrs, length):
    name = "A_real" if arrs.has("A_real") else "log_A_real"
    log_re = arrs.get(name, "(H, N) real", (2,), complex_ok=False)
    imag = arrs.get("A_imag", f"(H, N) = {log_re.shape} real", (2,), complex_ok=False)
    _require_shape(arrs.source, "A_imag", imag, log_re.shape, "(H, N)")
    H, N = log_re.shape
    sign = -1.0 if name == "A_real" else 1.0
    lam = -np.exp(log_re) + 1j * sign * imag
    B = _complex(arrs, "B", f"(H, N, 2) = ({H}, {N}, 2) real pairs", optional=True)
    B = np.ones((H, N), lam.dtype) if B is None else B  # s4d.py folds B into C
    _require_shape(arrs.source, "B", B, (H, N), "(H, N) (real pairs (H, N, 2))")
    C = _complex(arrs, "C", f"(c, H, N, 2) or (H, N, 2) = ({H}, {N}, 2) real pairs")
    if C.ndim == 3 and C.shape[1:] == (H, N):
        C = np.moveaxis(C, 0, 1)  # (H, c, N): the c channels as outputs
    elif C.ndim == 2:
        _require_shape(arrs.source, "C", C, (H, N), "(H, N) (real pairs (H, N, 2))")
        C = C[:, None, :]
    else:
        _require_shape(arrs.source, "C", C, (C.shape[0], H, N), "(c, H, N)")
    D = arrs.get("D", f"(H,) or (c, H) = ({H},)", (1, 2), optional=True, complex_ok=False)
    if D is not None:  # S4 keeps D as (c, H)
        D = D if D.ndim == 2 else D[None]
        _require_shape(arrs.source, "D", D, (C.shape[1], H), "(c, H)")
        D = np.moveaxis(D, 0, 1)[..., None]
    dt = _steps(arrs, H)
    if not arrs.has("P"):
        sys = _diagonal(lam, B[..., None], C, D, True)
        return Model("s4d", "diagonal", sys, dt, "zoh")
    P = _complex(arrs, "P", f"(r, H, N, 2) = (r, {H}, {N}, 2) real pairs")
    P = _low_rank(arrs.source, P, H, N)
    sys = _dplr(lam, P, B[..., None], C, D, True)
    return Model("s4", "dplr", sys, dt, "bilinear", c_tilde_length=length)


def _diagonal(lam, B, C, D, conj_sym):
    import lti_ops

    return lti_ops.Diagonal(lam, B.astype(lam.dtype), C.astype(lam.dtype),
                            _feedthrough(D, lam.dtype), conj_sym=conj_sym)


def _dplr(lam, P, B, C, D, conj_sym):
    import lti_ops

    P = P.astype(lam.dtype)
    return lti_ops.DPLR(lam, P, P, B.astype(lam.dtype), C.astype(lam.dtype),
                        _feedthrough(D, lam.dtype), conj_sym=conj_sym)


def _feedthrough(D, dtype):
    """D as (H, p, m), real (the S4 layer's skip connection)."""
    if D is None:
        return None
    D = D if D.ndim == 3 else D[:, None, None]
    return np.real(D).astype(np.finfo(dtype).dtype)
