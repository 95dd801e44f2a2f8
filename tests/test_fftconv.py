"""Identity, differential and error-path tests of lti_ops.fftconv."""

import bisect
import math

import numpy as np
import pytest
import scipy.signal
from hypothesis import given
from hypothesis import strategies as st

from lti_ops import _xp
from lti_ops.fftconv import MODES, fftconv, kernel_from_samples, next_fast_len
from lti_ops.testing import assert_close, to_numpy, tolerance

from _helpers import SKIPS_VALUE_CHECKS, as_xp, checks_values

COMPLEX = {"float32": "complex64", "float64": "complex128"}
KINDS = [(False, False), (False, True), (True, False), (True, True)]  # (complex u, complex k)
LENGTHS = st.integers(1, 40)
SEEDS = st.integers(0, 2**32 - 1)


# --------------------------------------------------------------------------- helpers


def _data(xp, rng, shape, dtype, complex_=False):
    """Standard normal array of namespace `xp` with the dtype named `dtype` (complexified)."""
    x = rng.standard_normal(shape)
    if complex_:
        x = x + 1j * rng.standard_normal(shape)
    return as_xp(xp, x, COMPLEX[dtype] if complex_ else dtype)


def _np(x):
    return None if x is None else to_numpy(x).astype(np.complex128)


@st.composite
def _batch_shapes(draw, count):
    """`count` batch shapes that broadcast together: leading axes dropped, some set to 1."""
    full = draw(st.lists(st.integers(1, 3), max_size=2))
    shapes = []
    for _ in range(count):
        drop = draw(st.integers(0, len(full)))
        shapes.append(tuple(1 if draw(st.booleans()) else n for n in full[drop:]))
    return shapes


def _siso_reference(u, k, mode, kb=None):
    """Explicit sums in complex128: y_t = sum_j k_j u_{t-j} (+ sum_j kb_j u_{t+1+j})."""
    batch = np.broadcast_shapes(u.shape[:-1], k.shape[:-1])
    u = np.broadcast_to(u, batch + u.shape[-1:])
    kshape = batch + k.shape[-1:]
    k = np.broadcast_to(k, kshape)
    kb = None if kb is None else np.broadcast_to(kb, kshape)
    Lu, Lk = u.shape[-1], k.shape[-1]
    if mode == "circular":
        y = sum(k[..., j, None] * np.roll(u, j, axis=-1) for j in range(Lk))
        if kb is not None:
            y = y + sum(kb[..., j, None] * np.roll(u, -1 - j, axis=-1) for j in range(Lk))
        return y
    y = np.zeros(batch + (Lu + Lk - 1,), complex)
    for i in np.ndindex(*batch):
        y[i] = np.convolve(u[i], k[i])
    if kb is not None:
        for t in range(Lu - 1):
            y[..., t] += sum(kb[..., j] * u[..., t + 1 + j] for j in range(min(Lk, Lu - 1 - t)))
    return y[..., :Lu] if mode == "causal" else y


def _feedthrough_reference(u, D, n_out, mimo):
    if mimo:  # D (..., P or 1, M or 1) @ u (..., M, Lu)
        du = np.matmul(np.broadcast_to(D, D.shape[:-1] + u.shape[-2:-1]), u)
    else:
        du = D[..., None] * u
    pad = np.zeros(du.shape[:-1] + (n_out - u.shape[-1],))
    return np.concatenate([du, pad], axis=-1)


def _reference(u, k, mode, kb=None, D=None, mimo=False):
    u, k, kb, D = (_np(x) for x in (u, k, kb, D))
    if mimo:
        y = np.sum(_siso_reference(u[..., None, :, :], k, mode, kb), axis=-2)
    else:
        y = _siso_reference(u, k, mode, kb)
    return y if D is None else y + _feedthrough_reference(u, D, y.shape[-1], mimo)


def _atol(dtype, u, *kernels, factor=1.0):
    """FFT-convolution error bound: c eps log2(n) ||u||_2 ||k||_2 (max over channels)."""
    norm = lambda x: math.sqrt(x.shape[-1]) * float(np.max(np.abs(_np(x))))  # noqa: E731
    n = u.shape[-1] + sum(k.shape[-1] for k in kernels)
    return tolerance(dtype, n=math.log2(n) + 1) * factor * norm(u) * sum(norm(k) for k in kernels)


def _expected_dtype(xp, dtype, complex_):
    return getattr(xp, COMPLEX[dtype] if complex_ else dtype)


def _check(y, want, xp, dtype, complex_, atol):
    assert _xp.array_namespace(y) is xp
    assert y.dtype == _expected_dtype(xp, dtype, complex_)
    assert_close(y, want, rtol=0.0, atol=atol)


# --------------------------------------------------------------------------- identities


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kind", KINDS, ids=["rr", "rc", "cr", "cc"])
@given(Lu=LENGTHS, Lk=st.integers(1, 60), shapes=_batch_shapes(2), seed=SEEDS)
def test_matches_direct_convolution(xp, dtype, mode, kind, Lu, Lk, shapes, seed):
    rng = np.random.default_rng(seed)
    u = _data(xp, rng, shapes[0] + (Lu,), dtype, kind[0])
    k = _data(xp, rng, shapes[1] + (Lk,), dtype, kind[1])
    y = fftconv(u, k, mode=mode)
    _check(y, _reference(u, k, mode), xp, dtype, any(kind), _atol(dtype, u, k))


@pytest.mark.parametrize("mode", MODES)
@given(Lu=LENGTHS, Lk=LENGTHS, P=st.integers(1, 3), M=st.integers(1, 3), seed=SEEDS, data=st.data())
def test_mimo_is_sum_over_inputs(xp, dtype, mode, Lu, Lk, P, M, seed, data):
    rng = np.random.default_rng(seed)
    ub, kb_, db = data.draw(_batch_shapes(3))
    complex_ = data.draw(st.booleans())
    u = _data(xp, rng, ub + (M, Lu), dtype)
    k = _data(xp, rng, kb_ + (P, M, Lk), dtype, complex_)
    back = _data(xp, rng, kb_ + (P, M, Lk), dtype, complex_) if data.draw(st.booleans()) else None
    D = _data(xp, rng, db + (P, M), dtype) if data.draw(st.booleans()) else None
    y = fftconv(u, k, mode=mode, D=D, k_backward=back, mimo=True)
    kernels = (k,) if back is None else (k, back)
    want = _reference(u, k, mode, back, D, mimo=True)
    _check(y, want, xp, dtype, complex_, _atol(dtype, u, *kernels, factor=2 * M * (1 + (D is not None))))


@pytest.mark.jit
def test_channels_broadcast_and_batch_equals_loop(xp, dtype):
    rng = np.random.default_rng(0)
    u, k = _data(xp, rng, (3, 4, 50), dtype), _data(xp, rng, (4, 70), dtype)
    y = fftconv(u, k)
    assert tuple(y.shape) == (3, 4, 50)
    for b in range(3):
        assert_close(y[b, ...], fftconv(u[b, ...], k), rtol=tolerance(dtype, n=10))
        for h in range(4):
            assert_close(y[b, h, ...], fftconv(u[b, h, ...], k[h, ...]), rtol=tolerance(dtype, n=10))


@pytest.mark.jit
@given(Lu=LENGTHS, seed=SEEDS, data=st.data())
def test_circular_minus_linear_is_the_wraparound_term(xp, dtype, Lu, seed, data):
    Lk = data.draw(st.integers(1, Lu))
    rng = np.random.default_rng(seed)
    u, k = _data(xp, rng, (2, Lu), dtype), _data(xp, rng, (2, Lk), dtype)
    diff = fftconv(u, k, mode="circular") - fftconv(u, k, mode="causal")
    un, kn = _np(u), _np(k)
    wrap = np.zeros((2, Lu), complex)
    for t in range(Lu):
        for j in range(t + 1, Lk):
            wrap[:, t] += kn[:, j] * un[:, t - j + Lu]
    assert_close(diff, wrap, rtol=0.0, atol=2 * _atol(dtype, u, k))


@given(Lu=LENGTHS, Lk=st.integers(1, 120), seed=SEEDS)
def test_circular_folds_a_long_kernel(xp, dtype, Lu, Lk, seed):
    rng = np.random.default_rng(seed)
    u, k = _data(xp, rng, (Lu,), dtype), _data(xp, rng, (Lk,), dtype)
    kn = np.concatenate([_np(k), np.zeros(-Lk % Lu)])
    folded = as_xp(xp, kn.reshape(-1, Lu).sum(axis=0).real, dtype)
    y, want = fftconv(u, k, mode="circular"), fftconv(u, folded, mode="circular")
    assert_close(y, want, rtol=0.0, atol=2 * _atol(dtype, u, k))


@pytest.mark.parametrize("mode", MODES)
@given(Lu=LENGTHS, Lk=st.integers(1, 60), shapes=_batch_shapes(2), seed=SEEDS, complex_=st.booleans())
def test_bidirectional_is_the_two_sided_sum(xp, dtype, mode, Lu, Lk, shapes, seed, complex_):
    rng = np.random.default_rng(seed)
    u = _data(xp, rng, shapes[0] + (Lu,), dtype)
    k, kb = (_data(xp, rng, shapes[1] + (Lk,), dtype, complex_) for _ in range(2))
    y = fftconv(u, k, mode=mode, k_backward=kb)
    _check(y, _reference(u, k, mode, kb), xp, dtype, complex_, _atol(dtype, u, k, kb))


@pytest.mark.jit
@given(L=st.integers(1, 64), seed=SEEDS)
def test_bidirectional_matches_s4_two_sided_kernel(xp, dtype, L, seed):
    """S4: k = pad(k0, (0, L)) + pad(flip(k1), (L, 0)); y = irfft(rfft(u, 2L) rfft(k, 2L))[:L]."""
    rng = np.random.default_rng(seed)
    u, k0, k1 = (_data(xp, rng, (3, L), dtype) for _ in range(3))
    un, k0n, k1n = (_np(x).real for x in (u, k0, k1))
    two_sided = np.pad(k0n, ((0, 0), (0, L))) + np.pad(np.flip(k1n, -1), ((0, 0), (L, 0)))
    want = np.fft.irfft(np.fft.rfft(un, n=2 * L) * np.fft.rfft(two_sided, n=2 * L), n=2 * L)[..., :L]
    assert_close(fftconv(u, k0, k_backward=k1), want, rtol=0.0, atol=_atol(dtype, u, k0, k1))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("D_kind", ["number", "complex number", "per channel", "batched"])
def test_feedthrough_adds_D_u(xp, dtype, mode, D_kind):
    rng = np.random.default_rng(1)
    u, k = _data(xp, rng, (2, 3, 9), dtype), _data(xp, rng, (3, 5), dtype)
    D = {"number": 1.5, "complex number": 0.5 - 2j, "per channel": _data(xp, rng, (3,), dtype),
         "batched": _data(xp, rng, (2, 1), dtype)}[D_kind]
    y = fftconv(u, k, mode=mode, D=D)
    complex_ = D_kind == "complex number"
    Dn = np.asarray(D) if isinstance(D, (float, complex)) else _np(D)
    want = _reference(u, k, mode) + _feedthrough_reference(_np(u), Dn, y.shape[-1], mimo=False)
    _check(y, want, xp, dtype, complex_, 2 * _atol(dtype, u, k))


@pytest.mark.parametrize("D", [2.0, "matrix", "row"])
def test_mimo_feedthrough_is_a_matrix_product(xp, dtype, D):
    rng = np.random.default_rng(2)
    u, k = _data(xp, rng, (4, 3, 10), dtype), _data(xp, rng, (2, 3, 6), dtype)
    D = {"matrix": _data(xp, rng, (4, 2, 3), dtype), "row": _data(xp, rng, (1, 3), dtype)}.get(D, D)
    y = fftconv(u, k, mode="full", D=D, mimo=True)
    Dn = np.asarray(D)[None, None] if isinstance(D, float) else _np(D)
    want = _reference(u, k, "full", mimo=True) + _feedthrough_reference(_np(u), Dn, 15, mimo=True)
    _check(y, want, xp, dtype, False, 6 * _atol(dtype, u, k))


@pytest.mark.parametrize("mode", MODES)
def test_real_input_with_complex_kernel_stays_complex(xp, dtype, mode):
    rng = np.random.default_rng(3)
    u, k = _data(xp, rng, (12,), dtype), _data(xp, rng, (7,), dtype, complex_=True)
    y = fftconv(u, k, mode=mode)
    assert y.dtype == _expected_dtype(xp, dtype, True)
    assert float(xp.max(xp.abs(xp.imag(y)))) > 0.1
    assert_close(y, _reference(u, k, mode), rtol=0.0, atol=_atol(dtype, u, k))


@pytest.mark.parametrize("mode", MODES)
def test_dtypes(xp, mode):
    rng = np.random.default_rng(4)
    u32, k32 = _data(xp, rng, (2, 8), "float32"), _data(xp, rng, (2, 5), "float32")
    k64 = _data(xp, rng, (2, 5), "float64")
    assert fftconv(u32, k32, mode=mode, D=2.0, k_backward=k32).dtype == xp.float32
    assert fftconv(u32, k64, mode=mode).dtype == xp.float64
    assert fftconv(u32, k32, mode=mode, D=1j).dtype == xp.complex64
    ints = as_xp(xp, np.arange(8).reshape(2, 4))
    assert fftconv(ints, k32, mode=mode).dtype == xp.float32
    default = xp.__array_namespace_info__().default_dtypes(device=_xp.common_device(ints))["real floating"]
    y = fftconv(ints, ints, mode=mode)
    assert y.dtype == default
    assert_close(y, np.round(_reference(ints, ints, mode).real), rtol=1e-6)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("mimo", [False, True])
def test_empty_batch_keeps_its_shape(xp, dtype, mode, mimo):
    u = as_xp(xp, np.zeros((0, 2, 6) if mimo else (0, 6)), dtype)
    k = as_xp(xp, np.ones((3, 2, 4) if mimo else (1, 4)), dtype)
    y = fftconv(u, k, mode=mode, D=1.0, k_backward=k, mimo=mimo)
    assert tuple(y.shape) == ((0, 3) if mimo else (0,)) + ((9,) if mode == "full" else (6,))
    assert y.dtype == getattr(xp, dtype)


@given(L=st.integers(1, 64), seed=SEEDS)
def test_circular_is_the_real_part_of_the_unpadded_fft_product(xp, dtype, L, seed):
    """papers.md §4 item 43: Re(ifft(fft(u) g)) = circular_conv(u, Re(ifft(g))) for real u."""
    rng = np.random.default_rng(seed)
    u, k = _data(xp, rng, (2, L), dtype), _data(xp, rng, (2, L), dtype)
    g = _data(xp, rng, (2, L), dtype, complex_=True)
    un, kn, gn = _np(u).real, _np(k).real, _np(g)
    atol = _atol(dtype, u, k) + _atol(dtype, u, g)
    want = np.real(np.fft.ifft(np.fft.fft(un) * np.fft.fft(kn)))
    assert_close(fftconv(u, k, mode="circular"), want, rtol=0.0, atol=atol)
    k_tilde = xp.real(kernel_from_samples(g, L))
    want = np.real(np.fft.ifft(np.fft.fft(un) * gn))
    assert_close(fftconv(u, k_tilde, mode="circular"), want, rtol=0.0, atol=atol)


@pytest.mark.parametrize("mode", ["causal", "full"])
@given(Lu=LENGTHS, Lk=st.integers(1, 60), seed=SEEDS)
def test_matches_scipy_fftconvolve(dtype, mode, Lu, Lk, seed):
    rng = np.random.default_rng(seed)
    u, k = rng.standard_normal((3, Lu)).astype(dtype), rng.standard_normal((3, Lk)).astype(dtype)
    want = scipy.signal.fftconvolve(u.astype(np.float64), k.astype(np.float64), mode="full", axes=-1)
    y = fftconv(u, k, mode=mode)
    assert isinstance(y, np.ndarray) and y.dtype == np.dtype(dtype)
    assert_close(y, want[..., :Lu] if mode == "causal" else want, rtol=0.0, atol=_atol(dtype, u, k))


# --------------------------------------------------------------------------- kernel_from_samples


@given(L=st.integers(1, 80), seed=SEEDS, data=st.data())
def test_kernel_from_samples_recovers_fir_kernels(xp, dtype, L, seed, data):
    Lk = data.draw(st.integers(1, L))
    rng = np.random.default_rng(seed)
    k = rng.standard_normal((2, Lk)) + 1j * rng.standard_normal((2, Lk))
    padded = np.pad(k, ((0, 0), (0, L - Lk)))
    full = kernel_from_samples(as_xp(xp, np.fft.fft(k, n=L), COMPLEX[dtype]), L)
    assert full.dtype == _expected_dtype(xp, dtype, True)
    assert_close(full, padded, rtol=tolerance(dtype, n=math.log2(L) + 1, cond=math.sqrt(L)))
    half = kernel_from_samples(as_xp(xp, np.fft.rfft(k.real, n=L), COMPLEX[dtype]), L)
    if L > 2:  # for L <= 2 the two lengths coincide and the full reading wins
        assert half.dtype == _expected_dtype(xp, dtype, False)
    assert_close(half, padded.real, rtol=tolerance(dtype, n=math.log2(L) + 1, cond=math.sqrt(L)))


@given(L=st.integers(1, 80), c=st.floats(0.1, 10.0), rho=st.floats(0.0, 0.95), half=st.booleans())
def test_kernel_from_samples_aliasing_bound(xp, dtype, L, c, rho, half):
    """k_j = c rho^j: G(w) = c / (1 - rho w), and the aliasing error is c rho^(j+L) / (1 - rho^L)."""
    nodes = np.exp(-2j * np.pi * np.arange(L) / L)
    G = c / (1 - rho * nodes)
    if half and L > 2:
        G = G[: L // 2 + 1]
    k_tilde = to_numpy(kernel_from_samples(as_xp(xp, G, COMPLEX[dtype]), L))
    j = np.arange(L)
    err = np.abs(k_tilde - c * rho**j)
    bound = c * rho ** (j + L) / (1 - rho**L)
    slack = tolerance(dtype, n=math.log2(L) + 1, cond=math.sqrt(L)) * np.max(np.abs(G))
    assert np.all(err <= bound + slack)
    assert np.all(np.abs(err - bound) <= slack)  # the bound is attained by a geometric kernel


def test_kernel_from_samples_precision(xp):
    G = as_xp(xp, np.ones(5), "float32")
    assert kernel_from_samples(G, 8).dtype == xp.float32
    assert kernel_from_samples(G, 5).dtype == xp.complex64
    assert kernel_from_samples(as_xp(xp, np.ones(5)), 8).dtype == xp.float64


# --------------------------------------------------------------------------- next_fast_len


def _smooth_numbers(limit):
    out = sorted(
        2**a * 3**b * 5**c
        for a in range(limit.bit_length() + 1)
        for b in range(int(math.log(limit, 3)) + 2)
        for c in range(int(math.log(limit, 5)) + 2)
    )
    return [v for v in out if v <= 2 * limit]


SMOOTH = _smooth_numbers(4 * 10**9)


def _is_smooth(n):
    for p in (2, 3, 5):
        while n % p == 0:
            n //= p
    return n == 1


def test_next_fast_len_is_the_smallest_smooth_number_up_to_2000():
    for n in range(1, 2001):
        want = next(m for m in range(n, 2 * n + 1) if _is_smooth(m))
        assert next_fast_len(n) == want, n


@given(n=st.integers(1, 4 * 10**9))
def test_next_fast_len_large(n):
    got = next_fast_len(n)
    assert got >= n and _is_smooth(got)
    assert got == SMOOTH[bisect.bisect_left(SMOOTH, n)]


def test_next_fast_len_accepts_numpy_integers():
    assert next_fast_len(np.int64(1025)) == 1080


# --------------------------------------------------------------------------- errors


def _args(xp, mimo=False):
    u = as_xp(xp, np.ones((3, 2, 6) if mimo else (3, 6)))
    k = as_xp(xp, np.ones((4, 2, 5) if mimo else (3, 5)))
    return u, k


@pytest.mark.parametrize(
    ("change", "exc", "match"),
    [
        ({"mode": "same"}, ValueError, r"`mode` must be one of \['causal', 'full', 'circular'\]; got 'same'"),
        ({"mode": None}, ValueError, r"`mode` must be one of .*; got None"),
        ({"u": 1.0}, TypeError, r"`u` must be an array of shape \(\.\.\., Lu\); got float"),
        ({"k": [1.0, 2.0]}, TypeError, r"`k` must be an array of shape \(\.\.\., Lk\); got list"),
        ({"u": "0d"}, ValueError, r"`u` must have shape \(\.\.\., Lu\) \(at least 1 axes\); got \(\)"),
        ({"k": "0d"}, ValueError, r"`k` must have shape \(\.\.\., Lk\) \(at least 1 axes\); got \(\)"),
        ({"u": (3, 0)}, ValueError, r"`u` has shape \(3, 0\): its time axis \(the last\) must not be empty"),
        ({"k": (3, 0)}, ValueError, r"`k` has shape \(3, 0\): its time axis"),
        ({"k": (2, 5)}, ValueError, r"batch shapes do not broadcast: `u` has batch shape \(3,\) and `k` .*\(2,\)"),
        ({"D": (4,)}, ValueError, r"batch shapes do not broadcast: .* and `D` has batch shape \(4,\)"),
        ({"k_backward": (3, 4)}, ValueError, r"`k_backward` must have the shape of `k`, \(3, 5\); got \(3, 4"),
        ({"k_backward": 2.0}, TypeError, r"`k_backward` must be an array of shape \(\.\.\., Lk\) like `k`; got"),
        ({"u": "bool"}, TypeError, r"`u` has dtype .*bool.*; expected a real or complex floating dtype"),
        ({"k": "bool"}, TypeError, r"`k` has dtype .*bool"),
        ({"D": "bool"}, TypeError, r"`D` has dtype .*bool"),
        ({"k_backward": "bool"}, TypeError, r"`k_backward` has dtype .*bool"),
        ({"D": True}, TypeError, r"`D` must be None, a number or an array; got True"),
        ({"D": "1"}, TypeError, r"`D` must be None, a number or an array; got '1'"),
        ({"D": [1.0]}, TypeError, r"`D` must be an array \(or a number\); got list"),
        # issue 17: NaN/inf and half precision refused by name
        ({"u": "nan"}, ValueError, r"`u` must be finite; got 1 non-finite entry"),
        ({"k": "inf"}, ValueError, r"`k` must be finite; got 1 non-finite entry"),
        ({"D": "nan"}, ValueError, r"`D` must be finite"),
        ({"k_backward": "inf"}, ValueError, r"`k_backward` must be finite"),
        ({"D": float("nan")}, ValueError, r"`D` must be finite"),
        ({"u": "float16"}, TypeError, r"`u` has dtype .*float16.*; half precision is not supported"),
        ({"mode": "same"}, ValueError, r"`mode` must be one of \[.*; got 'same'"),
        ({"mimo": "yes"}, TypeError, r"`mimo` must be True or False; got 'yes'"),
    ],
)
def test_siso_argument_errors(xp, change, exc, match):
    u, k = _args(xp)
    kwargs = {"u": u, "k": k, "mode": "causal", "D": None, "k_backward": None}
    for name, value in change.items():
        template = {"u": u, "k": k, "D": u, "k_backward": k}.get(name)
        if value == "0d":
            value = as_xp(xp, 1.0)
        elif value == "bool":
            value = xp.astype(template, xp.bool)
        elif isinstance(value, tuple):
            value = as_xp(xp, np.ones(value))
        elif value in ("nan", "inf"):
            if not checks_values(xp):
                pytest.skip(SKIPS_VALUE_CHECKS)
            bad = np.ones((3,) if name == "D" else tuple(template.shape))
            bad.flat[1] = float(value)
            value = as_xp(xp, bad)
        elif value == "float16":
            if not hasattr(xp, "float16"):
                pytest.skip("the namespace has no float16")
            value = xp.astype(template, xp.float16)
        kwargs[name] = value
    with pytest.raises(exc, match=match):
        fftconv(kwargs.pop("u"), kwargs.pop("k"), **kwargs)


@pytest.mark.parametrize(
    ("u_shape", "k_shape", "D_shape", "match"),
    [
        ((6,), (4, 2, 5), None, r"`u` must have shape \(\.\.\., M, Lu\) \(at least 2 axes\); got \(6,\)"),
        ((2, 6), (2, 5), None, r"`k` must have shape \(\.\.\., P, M, Lk\) \(at least 3 axes\); got \(2, 5\)"),
        ((3, 6), (4, 2, 5), None, r"`u` has shape \(3, 6\); its axis -2 must match M = k.shape\[-2\] = 2"),
        ((2, 2, 6), (3, 4, 2, 5), None, r"batch shapes do not broadcast: `u` .*\(2,\) and `k` .*\(3,\)"),
        ((2, 6), (4, 2, 5), (4,), r"`D` must be a number or have shape \(\.\.\., P, M\) = \(\.\.\., 4, 2\) .*; got \(4,\)"),
        ((2, 6), (4, 2, 5), (3, 2), r"`D` must be a number or have shape .*; got \(3, 2\)"),
        ((2, 2, 6), (4, 2, 5), (3, 4, 2), r"batch shapes do not broadcast: .*`D` has batch shape \(3,\)"),
    ],
)
def test_mimo_shape_errors(xp, u_shape, k_shape, D_shape, match):
    u, k = as_xp(xp, np.ones(u_shape)), as_xp(xp, np.ones(k_shape))
    D = None if D_shape is None else as_xp(xp, np.ones(D_shape))
    with pytest.raises(ValueError, match=match):
        fftconv(u, k, D=D, mimo=True)


def test_mixed_namespaces_are_rejected():
    import array_api_strict

    u = np.ones((2, 5))
    with pytest.raises(TypeError, match=r"`u` and `k` are from different namespaces"):
        fftconv(u, array_api_strict.asarray(u))
    with pytest.raises(TypeError, match=r"`u` and `D` are from different namespaces"):
        fftconv(u, u, D=array_api_strict.asarray(np.ones(2)))


@pytest.mark.parametrize(
    ("G", "L", "exc", "match"),
    [
        ((8,), 0, ValueError, r"`L` must be a positive integer; got 0"),
        ((8,), 2.5, ValueError, r"`L` must be a positive integer; got 2.5"),
        ((8,), True, ValueError, r"`L` must be a positive integer; got True"),
        ((7,), 8, ValueError, r"`G` must hold L = 8 samples \(full spectrum\) or L // 2 \+ 1 = 5 \(rfft half"),
        ((2, 6), 8, ValueError, r"\(rfft half spectrum\) on its last axis; got shape \(2, 6\)"),
        ((), 8, ValueError, r"`G` must have shape \(\.\.\., K\); got \(\)"),
        ("bool", 8, TypeError, r"`G` has dtype .*bool"),
        (3.0, 8, TypeError, r"`G` must be an array of shape \(\.\.\., K\); got float"),
        ("nan", 8, ValueError, r"`G` must be finite; got 1 non-finite entry"),
        ((8,), "8", ValueError, r"`L` must be a positive integer; got '8'"),
    ],
)
def test_kernel_from_samples_errors(xp, G, L, exc, match):
    if isinstance(G, tuple):
        G = as_xp(xp, np.ones(G))
    elif G == "bool":
        G = as_xp(xp, np.ones(8, dtype=bool))
    elif G == "nan":
        if not checks_values(xp):
            pytest.skip(SKIPS_VALUE_CHECKS)
        G = as_xp(xp, np.array([1.0, np.nan] + [0.0] * 6))
    with pytest.raises(exc, match=match):
        kernel_from_samples(G, L)


@pytest.mark.parametrize("n", [0, -3, 2.0, True, "8", None])
def test_next_fast_len_errors(n):
    with pytest.raises(ValueError, match=r"`n` must be a positive integer; got"):
        next_fast_len(n)
