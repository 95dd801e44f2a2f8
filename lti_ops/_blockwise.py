"""Dask scale-out: batched primitives run blockwise on Dask arrays chunked along batch axes.

DESIGN.md §7: past one machine the batch axis is the unit of distribution. This is the only
module that knows about Dask, and it imports Dask only once a Dask array has been seen
(``"dask.array" in sys.modules`` and an ``isinstance`` check), so NumPy, CuPy, torch and JAX
calls pay two dictionary look-ups and never import Dask.

:func:`batched` decorates each public batched primitive (and the container methods that
compute). When an argument, or an array field of a :class:`~lti_ops.StateSpace`,
:class:`~lti_ops.Diagonal` or :class:`~lti_ops.DPLR` argument (its ``dt`` included), is a
Dask array, the call becomes one ``dask.array.apply_gufunc`` over the *same public function*
on the blocks (NumPy, or whatever the chunks are), so the Numba kernels, the SciPy routines
and every value check run per block at compute time, and no Dask linear algebra is ever
used (array-api-compat's Dask ``linalg.cholesky`` returns the *upper* factor, for instance;
``tests/test_dask.py`` shows it). The result mirrors the NumPy result (arrays, containers,
tuples of them) with Dask arrays in place of the arrays:

* every batch axis is chunked like the broadcast batch of the inputs (inputs chunked
  differently along one batch axis are first rechunked to the common refinement of their
  chunks), and every core axis (state, input/output, time, frequency) is one chunk; core
  axes chunked in the input are merged first;
* each output array carries the full broadcast batch: a container field that NumPy leaves
  unbroadcast (a shared ``D`` of shape (P, M), say) comes back broadcast to the batch;
* options (``L``, a scalar ``dt``, ``method``, ``kernel``, ``rng``, ...) pass through.

**How the output's shape is known without computing.** At call time the function runs once
on NumPy stand-ins: empty arrays of shape ``(0,) + x.shape`` for every Dask array ``x``
(one extra, empty, batch axis). They carry the real core and batch sizes, so every shape,
dtype and option check of the function runs and raises at call time with its own message,
and the stand-in result gives each output's core shape and dtype. Checks that read values
(stability, finiteness, conditioning) see empty arrays and pass; they run per block. A few
functions reduce over the batch before their output exists (``diagonalize``, the Markov
length of ``mcmillan_degree``, ``hinf_norm``'s grid) and fail on an empty batch; they get a
second stand-in call on a batch of one benign system (a stable multiple of the identity,
``dt = 1``, zeros elsewhere), and if that fails too the first error is raised.

**What is not the same as one NumPy call.** Choices that one NumPy call makes for the whole
batch are made per block: the default Markov length of ``hankel_singular_values(...,
method="markov")`` and :func:`~lti_ops.mcmillan_degree` (from the slowest pole), the
iteration counts of ``h2_norm(method="parseval")`` and ``hinf_norm(method="grid")`` (until
every element converges), the node count of :func:`~lti_ops.hope_kernel` and the kernel length of
:func:`~lti_ops.memory_window` with an array ``dt``, whether :func:`~lti_ops.realize` balances (only when every system of the block is
stable), and the SciPy route the HSV kernels take for a single dense system. Each block is
then exactly what NumPy gives for that block, and agrees with the whole-batch NumPy result
to the stated tolerance of the routine, not always to the last bit. A result whose *shape*
would depend on the data (:func:`~lti_ops.realize` without ``order``) raises ``ValueError``
naming the option that fixes it.

Mixed namespaces raise ``TypeError`` as everywhere in lti_ops (convert NumPy inputs with
``dask.array.asarray``); so do containers built from Dask and NumPy fields.
"""

from __future__ import annotations

import functools
import inspect
import math
import sys
from dataclasses import fields as _fields

from . import _checks, _xp

__all__ = ["NOT_BATCHED", "batched", "by_io", "by_mimo", "fftconv_d"]

# Public names that take no array to distribute, with the reason (tests/test_dask.py checks
# that every name of lti_ops.__all__ is either batched or listed here).
NOT_BATCHED = {
    "DPLR": "container: built from Dask fields lazily as is; its computing methods are batched",
    "Diagonal": "container: built from Dask fields lazily as is; its computing methods are batched",
    "StateSpace": "container: built from Dask fields lazily as is; its computing methods are batched",
    "HopeFit": "a NamedTuple of results",
    "append": "variadic (*systems): the block-diagonal stacking (concat, zeros) runs on Dask fields lazily as is",
    "bilinear_nodes": "no array input (a node set from L and a scalar dt)",
    "hippo": "no array input (a matrix from a measure name and N)",
    "hope_init": "no array input (parameters from n, H and a seed)",
    "init_dt": "no array input (time steps from H and a seed)",
    "next_fast_len": "no array input (an integer)",
    "nplr": "no array input (a HiPPO system from a measure name and N)",
    "random_state_space": "no array input (random systems from sizes, a batch shape and a seed)",
    "rank_correction": "no array input (a HiPPO factor from a measure name and N)",
    "roots_of_unity": "no array input (a node set from L)",
    "s4d_init": "no array input (S4D parameters from N, H and a seed)",
    "impulse_response": "returns the batch's one shared time grid beside y, its default chosen from the slowest pole of the whole batch (a per-block grid would differ)",
    "step_response": "returns the batch's one shared time grid beside y, its default chosen from the slowest pole of the whole batch (a per-block grid would differ)",
}


# --------------------------------------------------------------------------- core-axis specs


def by_mimo(siso, mimo):
    """Core axes of an argument: `siso` with ``mimo=False``, `mimo` with ``mimo=True``."""
    return lambda a: mimo if a["mimo"] else siso


def by_io(siso, mimo):
    """Core axes of a signal argument: `siso` when ``sys`` is SISO, else `mimo`."""
    return lambda a: siso if a["sys"].n_inputs == 1 and a["sys"].n_outputs == 1 else mimo


def fftconv_d(a):
    """Core axes of fftconv's `D`: (P, M) with ``mimo=True`` and a matrix, else none."""
    return 2 if a["mimo"] and a["D"].ndim >= 2 else 0


# --------------------------------------------------------------------------- the decorator


def batched(*, needs=(), **cores):
    """Make a batched primitive run blockwise on Dask input.

    Parameters
    ----------
    needs : str or tuple of str
        Options that must not be None on Dask input because the result's shape depends on
        the data without them.
    **cores
        Number of core (trailing, non-batch) axes of each array argument: an int, or a
        function of the bound arguments (see :func:`by_mimo`, :func:`by_io`). Container
        arguments need no entry: their ``_CORE`` says it, and an array ``dt`` has none.

    Raises
    ------
    ValueError
        On Dask input: an option of `needs` is None, an input has unknown chunk sizes or
        fewer axes than its core axes; and whatever the function raises at call time.
    TypeError
        On Dask input: Dask mixed with another array library.

    Examples
    --------
    >>> import dask.array as da
    >>> @batched(x=1)
    ... def energy(x):
    ...     return (x * x).sum(axis=-1)
    >>> e = energy(da.ones((4, 3), chunks=(2, 1)))   # the core axis is merged into one chunk
    >>> e.chunks, e.compute(scheduler="sync").tolist()
    (((2, 2),), [3.0, 3.0, 3.0, 3.0])
    """
    needs = (needs,) if isinstance(needs, str) else tuple(needs)

    def decorate(fn):
        sig = inspect.signature(fn)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            if "dask.array" in sys.modules and _has_dask(args, kwargs):
                return _call_blockwise(wrapper, sig, cores, needs, args, kwargs)
            return fn(*args, **kwargs)

        wrapper.__lti_ops_blockwise__ = cores
        return wrapper

    return decorate


def _is_system(x):
    return hasattr(x, "_CORE") and not isinstance(x, type)


def _has_dask(args, kwargs):
    array = sys.modules["dask.array"].Array
    for x in (*args, *kwargs.values()):
        if isinstance(x, array):
            return True
        if _is_system(x) and any(isinstance(getattr(x, f), array) for f in (*x._CORE, "dt")):
            return True
    return False


def _is_array(x):
    return hasattr(x, "shape") and hasattr(x, "dtype")


# --------------------------------------------------------------------------- inputs


def _leaves(arguments, cores):
    """[(argument, field or None, array, core axes)] of the array inputs."""
    leaves = []
    for name, value in arguments.items():
        if _is_system(value):
            for field, core in (*value._CORE.items(), ("dt", 0)):
                x = getattr(value, field)
                if _is_array(x):
                    leaves.append((name, field, x, core))
        elif _is_array(value):
            if name not in cores:
                msg = f"internal: no core-axis count for argument `{name}`"
                raise TypeError(msg)
            spec = cores[name]
            leaves.append((name, None, value, spec(arguments) if callable(spec) else spec))
    return leaves


def _label(name, field):
    return name if field is None else f"{name}.{field}"


def _check_leaves(leaves):
    labels = [_label(n, f) for n, f, _, _ in leaves]
    _xp.array_namespace(*(x for _, _, x, _ in leaves), names=labels)
    for label, (_, _, x, core) in zip(labels, leaves):
        if any(math.isnan(s) for s in x.shape):
            msg = f"`{label}` has unknown chunk sizes (shape {x.shape}); call its compute_chunk_sizes() first"
            raise ValueError(msg)
        if x.ndim < core:
            msg = f"`{label}` must have at least {core} axes (its core axes); got shape {tuple(x.shape)}"
            raise ValueError(msg)


def _stand_in(x, core, batch_ndim, size=0):
    """Array of the chunks' type and dtype, of shape ``(size,) + x.shape`` with the batch
    axes padded by ones to `batch_ndim` (so that the extra axis lines up): empty for
    ``size=0``; with ``size=1`` the batch axes shrink to 1 and the values are benign."""
    import numpy as np

    pad = (1,) * (batch_ndim - (x.ndim - core))
    if size == 0:
        return np.empty_like(x._meta, shape=(0,) + pad + tuple(x.shape))
    return np.zeros_like(x._meta, shape=(1,) * (1 + batch_ndim) + tuple(x.shape[x.ndim - core :]))


def _benign(name, field, x, system):
    """A batch-1 stand-in with values every primitive accepts: the state matrix (or modes)
    a stable multiple of the identity, a step of 1, zeros elsewhere."""
    if field == "dt" or (field is None and name == "dt"):
        return x + 1
    if field in ("A", "lam"):
        pole = 0.5 if system.dt is not None else -1.0
        return x + pole if field == "lam" else x + pole * _identity_like(x)
    return x


def _identity_like(x):
    import numpy as np

    return np.eye(x.shape[-1], dtype=x.dtype)


def _substitute(arguments, leaves, values):
    """`arguments` with the leaves replaced by `values` (containers rebuilt)."""
    out = dict(arguments)
    by_arg = {}
    for (name, field, _, _), v in zip(leaves, values):
        if field is None:
            out[name] = v
        else:
            by_arg.setdefault(name, {})[field] = v
    for name, replaced in by_arg.items():
        out[name] = _rebuild(arguments[name], replaced)
    return out


def _rebuild(system, replaced):
    """A container of `system`'s class with the fields in `replaced` swapped in."""
    if not isinstance(system, _Template):
        system = _Template.of(system)
    return system.cls(**system.static, **replaced)


class _Template:
    """Class and non-array fields of a container (what a block needs besides its arrays)."""

    def __init__(self, cls, static):
        self.cls, self.static = cls, static

    @classmethod
    def of(cls, system):
        static = {}
        for f in _fields(system):
            value = getattr(system, f.name)
            if not _is_array(value):
                static[f.name] = value
        return cls(type(system), static)


# --------------------------------------------------------------------------- outputs


def _flatten(out, arrays, cores, batch_ndim):
    """Skeleton of `out` with its arrays appended to `arrays` (core axes to `cores`)."""
    if _is_system(out):
        fields = {}
        for f in (*out._CORE, "dt"):
            x = getattr(out, f)
            if _is_array(x):
                fields[f] = _Slot(len(arrays))
                arrays.append(x)
                cores.append(out._CORE.get(f, 0))
        return (_Template.of(out), fields)
    if isinstance(out, tuple):
        items = [_flatten(x, arrays, cores, batch_ndim) for x in out]
        return (type(out), items)
    if _is_array(out):
        arrays.append(out)
        cores.append(out.ndim - 1 - batch_ndim if batch_ndim is not None else None)
        return _Slot(len(arrays) - 1)
    return out


class _Slot(int):
    """Index of an output array in the flat list (a marker type)."""


def _unflatten(skeleton, arrays):
    if isinstance(skeleton, _Slot):
        return arrays[skeleton]
    if isinstance(skeleton, tuple) and len(skeleton) == 2 and isinstance(skeleton[0], _Template):
        template, slots = skeleton
        return _rebuild(template, {f: arrays[s] for f, s in slots.items()})
    if isinstance(skeleton, tuple) and len(skeleton) == 2 and isinstance(skeleton[0], type):
        kind, items = skeleton
        values = [_unflatten(x, arrays) for x in items]
        return kind(*values) if hasattr(kind, "_fields") else kind(values)
    return skeleton


def _block_arrays(out):
    """The arrays of a block's result, in the order of :func:`_flatten`."""
    arrays = []
    _flatten(out, arrays, [], None)
    return arrays


# --------------------------------------------------------------------------- the block call


class _Block:
    """Picklable function of the blocks: rebuild the arguments, call the public function on
    them, and return its arrays broadcast to the block's batch shape."""

    def __init__(self, public, arguments, leaves, out_cores):
        self.public = public
        self.arguments = {k: _Template.of(v) if _is_system(v) else v for k, v in arguments.items()}
        for name, field, _, _ in leaves:
            if field is None:
                self.arguments[name] = None
        self.leaves = [(name, field, None, core) for name, field, _, core in leaves]
        self.out_cores = out_cores

    def __call__(self, *blocks):
        import array_api_compat

        arguments = _substitute(self.arguments, self.leaves, blocks)
        arrays = _block_arrays(self.public(**arguments))
        batch = _broadcast([b.shape[: b.ndim - c] for b, (_, _, _, c) in zip(blocks, self.leaves)])
        out = []
        for x, core in zip(arrays, self.out_cores):
            xp = array_api_compat.array_namespace(x)
            out.append(xp.broadcast_to(x, batch + tuple(x.shape[x.ndim - core :])))
        return out[0] if len(out) == 1 else tuple(out)


def _broadcast(shapes):
    import numpy as np

    return tuple(np.broadcast_shapes(*shapes)) if shapes else ()


def _call_blockwise(public, sig, cores, needs, args, kwargs):
    bound = sig.bind(*args, **kwargs)
    bound.apply_defaults()
    arguments = dict(bound.arguments)
    for name in needs:
        if arguments[name] is None:
            msg = (
                f"{public.__name__} on Dask arrays needs `{name}`: without it the shape of the "
                f"result depends on the values of the input, which a lazy Dask array does not "
                f"know before it is computed; pass {name}=..."
            )
            raise ValueError(msg)
    leaves = _leaves(arguments, cores)
    _check_leaves(leaves)
    batch = _checks.broadcast_batch({_label(n, f): x.shape[: x.ndim - c] for n, f, x, c in leaves})
    skeleton, metas, out_cores = _stand_in_result(public, arguments, leaves, batch)
    inputs = _aligned_inputs(leaves, len(batch))
    results = _apply(public, arguments, leaves, inputs, metas, out_cores)
    return _unflatten(skeleton, results)


def _stand_in_result(public, arguments, leaves, batch):
    """(skeleton, stand-in output arrays, core axes) of the result, from one call on empty
    stand-ins, or, where the function cannot take an empty batch, on benign batch-1 ones."""
    try:
        out = _call_stand_in(public, arguments, leaves, batch, size=0)
    except Exception as empty_error:  # a function that reduces over the (empty) batch
        try:
            out = _call_stand_in(public, arguments, leaves, batch, size=1)
        except Exception:
            raise empty_error from None
    arrays, cores = [], []
    skeleton = _flatten(out, arrays, cores, len(batch))
    for x, core in zip(arrays, cores):
        body = tuple(x.shape[1 : x.ndim - core])
        if core < 0 or _broadcast([body, batch]) != batch:
            msg = f"internal: {public.__name__} gave an output of shape {x.shape[1:]} for batch {batch}"
            raise AssertionError(msg)
    return skeleton, arrays, cores


def _call_stand_in(public, arguments, leaves, batch, size):
    values = []
    for name, field, x, core in leaves:
        v = _stand_in(x, core, len(batch), size)
        values.append(_benign(name, field, v, arguments[name]) if size else v)
    stand_ins = _substitute(arguments, leaves, values)
    if stand_ins.get("kernel") == "auto":
        stand_ins["kernel"] = "xp"  # same shapes and dtypes, and no compilation at call time
    return public(**stand_ins)


def _aligned_inputs(leaves, batch_ndim):
    """The Dask leaves with core axes in one chunk and batch axes chunked alike."""
    arrays = []
    for _, _, x, core in leaves:
        arrays.append(x.rechunk({ax: -1 for ax in range(x.ndim - core, x.ndim)}) if core else x)
    for axis in range(1, batch_ndim + 1):  # from the last batch axis, right-aligned
        owners = [i for i, (x, (_, _, _, c)) in enumerate(zip(arrays, leaves)) if x.ndim - c >= axis]
        chunkss = {arrays[i].chunks[arrays[i].ndim - leaves[i][3] - axis] for i in owners}
        chunkss.discard((1,))
        if len(chunkss) > 1:
            common = _common_chunks(chunkss)
            for i in owners:
                ax = arrays[i].ndim - leaves[i][3] - axis
                if arrays[i].shape[ax] != 1:
                    arrays[i] = arrays[i].rechunk({ax: common})
    return arrays


def _common_chunks(chunkss):
    bounds = set()
    for chunks in chunkss:
        bounds.update(_cumsum(chunks))
    edges = [0, *sorted(bounds)]
    return tuple(b - a for a, b in zip(edges[:-1], edges[1:]))


def _cumsum(chunks):
    total, out = 0, []
    for c in chunks:
        total += c
        out.append(total)
    return out


def _apply(public, arguments, leaves, inputs, metas, out_cores):
    import dask.array as da

    ins = ",".join(_dims(f"i{k}", core) for k, (_, _, _, core) in enumerate(leaves))
    outs, sizes = [], {}
    for k, (meta, core) in enumerate(zip(metas, out_cores)):
        outs.append(_dims(f"o{k}", core))
        sizes.update({f"o{k}x{j}": n for j, n in enumerate(meta.shape[meta.ndim - core :])})
    single = len(metas) == 1
    signature = f"{ins}->{outs[0] if single else ','.join(outs)}"
    block = _Block(public, arguments, leaves, out_cores)
    meta = metas[0] if single else tuple(metas)
    out = da.apply_gufunc(block, signature, *inputs, output_sizes=sizes, meta=meta)
    return [out] if single else list(out)


def _dims(prefix, core):
    return "(" + ",".join(f"{prefix}x{j}" for j in range(core)) + ")"
