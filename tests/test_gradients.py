r"""Gradients through the training-loop primitives, on torch and JAX (issue 13, item 2).

* torch: ``torch.autograd.gradcheck`` (float64 / complex128, small sizes) of each function's
  output, made real (real and imaginary parts of every output array, flattened), with respect
  to each parameter in turn.
* JAX: ``jax.grad`` of the real functional ``F = sum(w * real_view(output))`` (w fixed random
  weights) against (a) a central finite difference of the JAX function along a random
  direction, complex for complex parameters, and (b) torch's gradient of the same functional;
  a few cases again under ``jax.jit``.
* Finite gradients in float32 at the S4D-Lin/Inv/LegS, NPLR-LegS and HOPE initializations
  (L = 4096, N = 64), and no warning from ``hope_kernel``/``hope_conv`` when Δ needs a gradient.

Complex-gradient conventions (``test_complex_gradient_conventions`` pins them): for a real F of
z = x + iy, torch's ``z.grad`` is :math:`\partial F/\partial x + i\,\partial F/\partial y`
(twice the conjugate Wirtinger derivative) and ``jax.grad`` returns its conjugate,
:math:`\partial F/\partial x - i\,\partial F/\partial y`. The derivative along v is
:math:`\mathrm{Re}\sum \overline{g_{torch}}\,v = \mathrm{Re}\sum g_{jax}\,v`.
"""

import functools
import warnings
import zlib

import array_api_compat
import numpy as np
import pytest

import lti_ops

H, N, L, NH = 2, 3, 12, 5  # channels, modes, kernel length, HOPE Markov parameters
FD_STEP = 1e-6
# Off a zero mode by t the Woodbury route meets a resolvent of size 1/t at z = 1: rounding
# error eps/t^2 in the central difference, balanced against its t^2 truncation at t = 1e-4
FD_STEPS = {"ssm_kernel[dplr-zero-mode]": 1e-4}


# --------------------------------------------------------------------------- problem


def _cnormal(rng, shape, scale=1.0):
    return scale * (rng.standard_normal(shape) + 1j * rng.standard_normal(shape))


@functools.lru_cache(maxsize=None)
def _params():
    """Float64 / complex128 NumPy values of every parameter the cases use."""
    rng = np.random.default_rng(20241)
    lam = -rng.uniform(0.3, 1.0, (H, N)) + 1j * rng.uniform(-3, 3, (H, N))
    return {
        "lam": lam,
        "lam0": np.where(np.arange(N) == 0, 0j, lam),  # a zero mode in each channel
        "lamd": np.exp(0.4 * lam),  # discrete poles, |lamd| < 0.9
        # poles near -1, which Tustin at the shift q ~ 1 maps near 0: few Markov parameters
        "lam_fast": -rng.uniform(0.8, 1.2, (H, N)) + 1j * rng.uniform(-0.3, 0.3, (H, N)),
        "B": _cnormal(rng, (H, N)),
        "C": _cnormal(rng, (H, N)),
        "P": _cnormal(rng, (H, N, 1), 0.3),
        "dt": rng.uniform(0.1, 0.6, H),
        "dt_hope": np.array([0.4, 2.5]),  # one long-memory (< 1) and one short (> 1) channel
        "h": _cnormal(rng, (H, NH), 0.5),
        "u": rng.standard_normal((H, L)),
        "k": rng.standard_normal((H, L)),
        "D": rng.standard_normal(H),
        "A": -1.5 * np.eye(3) + 0.3 * rng.standard_normal((3, 3)),
        "Bm": rng.standard_normal((3, 2)),
        "Cm": rng.standard_normal((2, 3)),
        "s": 0.1 + 1j * np.linspace(-2.0, 2.0, 5),  # continuous-time points, poles far away
    }


def _fields(sys, names=None):
    return [getattr(sys, name) for name in (names or type(sys)._CORE)]


def _diag(p, lam="lam", **kw):
    return lti_ops.Diagonal.siso(p[lam], p["B"], p["C"], **kw)


def _dplr(p, lam="lam", **kw):
    """S4's DPLR with P = Q tied (one parameter, as S4 stores it)."""
    return lti_ops.DPLR.siso(p[lam], p["P"], p["P"], p["B"], p["C"], **kw)


def _dense(p):
    return lti_ops.StateSpace(p["A"], p["Bm"], p["Cm"])


def _kernel(sys, p, method):
    return [lti_ops.ssm_kernel(sys, L, dt=p["dt"], method=method)]


def _scan(p, method):
    return list(lti_ops.scan(_diag(p, "lamd", dt=1.0, conj_sym=True), p["u"], method=method))


def _hsv(sys, **kw):
    return [lti_ops.hankel_singular_values(sys, **kw)]


# name -> (output arrays of the parameter dict, the parameters differentiated)
CASES = {
    "ssm_kernel[diagonal]": (lambda p: _kernel(_diag(p, conj_sym=True), p, "zoh"), ("lam", "B", "C", "dt")),
    "ssm_kernel[dplr]": (
        lambda p: _kernel(_dplr(p, conj_sym=True), p, "s4_bilinear"),
        ("lam", "P", "B", "C", "dt"),
    ),
    # a zero mode meets the generating function's node z = 1: the dense route serves it
    "ssm_kernel[dplr-zero-mode]": (
        lambda p: _kernel(_dplr(p, "lam0", conj_sym=True), p, "s4_bilinear"),
        ("lam0", "P", "dt"),
    ),
    "hope_kernel": (lambda p: [lti_ops.hope_kernel(p["h"], p["dt_hope"], L)], ("h", "dt_hope")),
    "hope_kernel[n_nodes]": (
        lambda p: [lti_ops.hope_kernel(p["h"], p["dt_hope"], L, n_nodes=4 * L)],
        ("h", "dt_hope"),
    ),
    "fftconv": (lambda p: [lti_ops.fftconv(p["u"], p["k"], D=p["D"])], ("u", "k", "D")),
    "transfer_function[diagonal]": (
        lambda p: [lti_ops.transfer_function(_diag(p), p["s"])],
        ("lam", "B", "C"),
    ),
    "transfer_function[dplr]": (
        lambda p: [lti_ops.transfer_function(_dplr(p, conj_sym=True), p["s"])],
        ("lam", "P", "B", "C"),
    ),
    "discretize[zoh]": (
        lambda p: _fields(lti_ops.discretize(_diag(p), p["dt"], "zoh"), ("lam", "B")),
        ("lam", "B", "dt"),
    ),
    "discretize[bilinear]": (
        lambda p: _fields(lti_ops.discretize(_diag(p), p["dt"], "bilinear")),
        ("lam", "B", "C", "dt"),
    ),
    "discretize[bilinear-dense]": (
        lambda p: _fields(lti_ops.discretize(_dense(p), p["dt"], "bilinear")),
        ("A", "Bm", "dt"),
    ),
    "discretize[s4_bilinear]": (
        lambda p: _fields(lti_ops.discretize(_dplr(p), p["dt"], "s4_bilinear")),
        ("lam", "P", "B", "dt"),
    ),
    "scan[sequential]": (lambda p: _scan(p, "sequential"), ("lamd", "B", "C", "u")),
    "scan[parallel]": (lambda p: _scan(p, "parallel"), ("lamd", "u")),
    "hankel_singular_values[continuous]": (lambda p: _hsv(_diag(p)), ("lam", "B", "C")),
    "hankel_singular_values[discrete]": (
        lambda p: _hsv(_diag(p, "lamd", dt=1.0, conj_sym=True)),
        ("lamd", "B", "C"),
    ),
    "hankel_singular_values[markov]": (
        lambda p: _hsv(_diag(p, "lam_fast"), method="markov"),
        ("lam_fast", "B", "C"),
    ),
}
PAIRS = [
    pytest.param(case, name, id=f"{case}-{name}")
    for case, (_, names) in CASES.items()
    if case != "hope_kernel[n_nodes]"
    for name in names
]
JIT_CASES = [
    "ssm_kernel[diagonal]",
    "ssm_kernel[dplr]",
    "hope_kernel[n_nodes]",
    "fftconv",
    "transfer_function[diagonal]",
    "discretize[zoh]",
]
BACKENDS = ["torch", "jax"]


# --------------------------------------------------------------------------- machinery


def _torch():
    return pytest.importorskip("torch")


def _jax():
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    return jax


def _real_view(arrays):
    """Real and imaginary parts of every array, flattened into one real vector."""
    xp = array_api_compat.array_namespace(*arrays)
    parts = []
    for a in arrays:
        a = xp.reshape(a, (-1,))
        parts += [xp.real(a), xp.imag(a)] if xp.isdtype(a.dtype, "complex floating") else [a]
    return xp.concat(parts)


def _weights(case, like):
    """Fixed random weights of the functional, the same on every backend."""
    xp = array_api_compat.array_namespace(like)
    w = np.random.default_rng(zlib.crc32(case.encode())).standard_normal(like.shape)
    return xp.asarray(w, dtype=like.dtype)


def _functional(case, output=None):
    """``F(p) = sum(w * real_view(output(p)))``, a real scalar."""
    output = output or CASES[case][0]

    def F(p):
        r = _real_view(output(p))
        xp = array_api_compat.array_namespace(r)
        return xp.sum(_weights(case, r) * r)

    return F


def _torch_value_and_grad(F, params, names):
    """(F, {name: torch's gradient}) at NumPy `params`."""
    torch = _torch()
    t = {k: torch.tensor(v, requires_grad=k in names) for k, v in params.items()}
    value = F(t)
    grads = torch.autograd.grad(value, [t[k] for k in names])
    return float(value.detach()), {k: g.numpy() for k, g in zip(names, grads)}


def _jax_value_and_grad(F, params, names, *, jit=False):
    """(F, {name: jax.grad}) at NumPy `params`, optionally under ``jax.jit``."""
    jax = _jax()
    jnp = jax.numpy
    fixed = {k: jnp.asarray(v) for k, v in params.items() if k not in names}
    vg = jax.value_and_grad(lambda var: F({**fixed, **var}))
    value, grads = (jax.jit(vg) if jit else vg)({k: jnp.asarray(params[k]) for k in names})
    return float(value), {k: np.asarray(grads[k]) for k in names}


@functools.lru_cache(maxsize=None)
def _reference(case, backend):
    """Value and gradients of the case's functional w.r.t. all its parameters (cached)."""
    run = _torch_value_and_grad if backend == "torch" else _jax_value_and_grad
    return run(_functional(case), _params(), CASES[case][1])


def _direction(case, name):
    rng = np.random.default_rng(zlib.crc32(f"{case}/{name}".encode()))
    shape = _params()[name].shape
    if np.iscomplexobj(_params()[name]):
        return _cnormal(rng, shape)
    return rng.standard_normal(shape)


def _assert_grad_close(actual, desired, rtol=1e-9, what=""):
    scale = np.max(np.abs(desired))
    err = np.max(np.abs(actual - desired))
    assert err <= rtol * scale, f"{what}: gradient differs by {err:.3g} (scale {scale:.3g})"


HSV_CASES = [case for case in CASES if case.startswith("hankel_singular_values")]


@pytest.mark.parametrize("case", HSV_CASES)
def test_hsv_cases_have_distinct_values(case):
    """Singular values are differentiable where simple: the HSV cases keep them apart."""
    torch = _torch()
    sv = CASES[case][0]({k: torch.tensor(v) for k, v in _params().items()})[0].numpy()
    gaps = -np.diff(sv, axis=-1) / sv[..., :-1]  # relative to the larger neighbour
    assert np.all(sv > 0) and np.all(gaps > 1e-2), sv


# --------------------------------------------------------------------------- conventions


def test_complex_gradient_conventions():
    """F(z) = sum |z|^2 + Re(c z): torch gives 2z + conj(c), jax.grad its conjugate."""
    torch, jax = _torch(), _jax()
    z = np.array([1.0 + 2.0j, -0.5 + 0.25j])
    c = np.array([0.3 - 1.0j, 2.0 + 0.5j])
    expected = 2 * z + np.conj(c)
    tz = torch.tensor(z, requires_grad=True)
    (torch.sum(torch.abs(tz) ** 2) + torch.sum(torch.real(torch.tensor(c) * tz))).backward()
    jnp = jax.numpy
    g_jax = jax.grad(lambda z: jnp.sum(jnp.abs(z) ** 2 + jnp.real(c * z)))(jnp.asarray(z))
    np.testing.assert_allclose(tz.grad.numpy(), expected, rtol=1e-15)
    np.testing.assert_allclose(np.asarray(g_jax), np.conj(expected), rtol=1e-15)


# --------------------------------------------------------------------------- torch


@pytest.mark.parametrize(("case", "name"), PAIRS)
def test_torch_gradcheck(case, name):
    torch = _torch()
    output = CASES[case][0]
    fixed = {k: torch.tensor(v) for k, v in _params().items() if k != name}

    def f(x):
        return _real_view(output({**fixed, name: x}))

    x = torch.tensor(_params()[name], requires_grad=True)
    assert torch.autograd.gradcheck(f, (x,), eps=1e-6, atol=1e-7, rtol=1e-6)


# --------------------------------------------------------------------------- JAX


@pytest.mark.parametrize(("case", "name"), PAIRS)
def test_jax_grad_matches_finite_differences(case, name):
    jnp = _jax().numpy
    F = _functional(case)
    _, grads = _reference(case, "jax")
    p, v, t = _params(), _direction(case, name), FD_STEPS.get(case, FD_STEP)
    at = {k: jnp.asarray(x) for k, x in p.items()}
    plus = F({**at, name: jnp.asarray(p[name] + t * v)})
    minus = F({**at, name: jnp.asarray(p[name] - t * v)})
    fd = float(plus - minus) / (2 * t)
    ad = float(np.real(np.sum(grads[name] * v)))  # jax.grad convention (module docstring)
    scale = float(np.sum(np.abs(grads[name]) * np.abs(v)))
    assert abs(fd - ad) <= 1e-6 * scale, f"directional derivative {ad} vs finite difference {fd}"


@pytest.mark.parametrize(("case", "name"), PAIRS)
def test_jax_grad_matches_torch(case, name):
    value_t, grads_t = _reference(case, "torch")
    value_j, grads_j = _reference(case, "jax")
    assert abs(value_j - value_t) <= 1e-12 * max(1.0, abs(value_t))
    _assert_grad_close(np.conj(grads_j[name]), grads_t[name], what=f"{case} d/d{name}")


@pytest.mark.parametrize("case", JIT_CASES)
def test_jit_grad_matches_torch(case):
    value_t, grads_t = _reference(case, "torch")
    value_j, grads_j = _jax_value_and_grad(_functional(case), _params(), CASES[case][1], jit=True)
    assert abs(value_j - value_t) <= 1e-12 * max(1.0, abs(value_t))
    for name in CASES[case][1]:
        _assert_grad_close(np.conj(grads_j[name]), grads_t[name], what=f"{case} d/d{name}")


def test_jax_grad_of_a_container_is_a_container_of_gradients():
    jax = _jax()
    jnp = jax.numpy
    p = {k: jnp.asarray(v) for k, v in _params().items()}
    w = _weights("container", jnp.zeros((H, 1, 1, L)))

    def of_system(sys):
        return jnp.sum(w * lti_ops.ssm_kernel(sys, L, dt=p["dt"], method="zoh"))

    def of_arrays(lam, B, C):
        return of_system(lti_ops.Diagonal(lam, B, C, jnp.zeros((H, 1, 1)), conj_sym=True))

    sys = lti_ops.Diagonal.siso(p["lam"], p["B"], p["C"], conj_sym=True)
    g = jax.grad(of_system)(sys)
    ref = jax.grad(of_arrays, argnums=(0, 1, 2))(sys.lam, sys.B, sys.C)
    assert type(g) is lti_ops.Diagonal and g.conj_sym
    for got, want in zip((g.lam, g.B, g.C), ref):
        np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-13)


@pytest.mark.parametrize("backend", BACKENDS)
def test_transfer_function_at_a_pole_raises_under_autodiff(backend):
    """The node-on-pole check reads detached values, so an eager jax.grad raises like torch
    instead of returning inf/NaN (only under jax.jit are the values unknown)."""
    p = {**_params(), "s": np.array([_params()["lam"][0, 1], 2j])}
    run = _torch_value_and_grad if backend == "torch" else _jax_value_and_grad
    with pytest.raises(ValueError, match="coincides with a pole"):
        run(_functional("transfer_function[diagonal]"), p, ("lam", "B"))


# --------------------------------------------------------------------------- initializations

H_INIT, N_INIT, L_INIT = 4, 64, 4096


def _init_dt():
    return lti_ops.init_dt(H_INIT, rng=1, dtype="float32")  # log-uniform in [1e-3, 1e-1]


def _s4d(kind):
    sys = lti_ops.s4d_init(kind, N_INIT, H=H_INIT, dtype="float32", rng=0)
    return {"lam": sys.lam, "B": sys.B[..., 0], "C": sys.C[..., 0, :], "dt": _init_dt()}


def _nplr_legs():
    d = lti_ops.nplr("legs", N_INIT, dtype="float32")
    C = _cnormal(np.random.default_rng(2), (H_INIT, N_INIT // 2), 2**-0.5).astype(np.complex64)
    tile = lambda x: np.ascontiguousarray(np.broadcast_to(x, (H_INIT,) + x.shape))  # noqa: E731
    return {"lam": tile(d.lam), "P": tile(d.P), "B": tile(d.B[..., 0]), "C": C, "dt": _init_dt()}


def _s4d_kernel(p):
    sys = lti_ops.Diagonal.siso(p["lam"], p["B"], p["C"], conj_sym=True)
    return [lti_ops.ssm_kernel(sys, L_INIT, dt=p["dt"], method="zoh")]


# name -> (float32 NumPy parameters, output arrays of them)
INITS = {
    "S4D-Lin": (lambda: _s4d("lin"), _s4d_kernel),
    "S4D-Inv": (lambda: _s4d("inv"), _s4d_kernel),
    "S4D-LegS": (lambda: _s4d("legs"), _s4d_kernel),
    "nplr-legs": (
        _nplr_legs,
        lambda p: [lti_ops.ssm_kernel(_dplr(p, conj_sym=True), L_INIT, dt=p["dt"], method="s4_bilinear")],
    ),
    "hope_init": (
        lambda: {"h": lti_ops.hope_init(N_INIT, H=H_INIT, dtype="float32", rng=0), "dt": _init_dt()},
        lambda p: [lti_ops.hope_kernel(p["h"], p["dt"], L_INIT)],
    ),
}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("init", list(INITS))
def test_float32_gradients_are_finite_at_initializations(init, backend):
    """JAX runs under jax.jit (the training setting, and 4x faster to compile than eager
    here) except for HOPE, whose default node count reads Δ: an eager jax.grad."""
    build, output = INITS[init]
    params = build()
    if backend == "torch":
        run = _torch_value_and_grad
    else:
        run = functools.partial(_jax_value_and_grad, jit=init != "hope_init")
    value, grads = run(_functional(init, output), params, tuple(params))
    assert np.isfinite(value)
    for name, g in grads.items():
        assert g.dtype == params[name].dtype, name
        assert np.all(np.isfinite(g)), f"d/d{name} has {np.sum(~np.isfinite(g))} non-finite entries"
        assert np.any(g != 0), f"d/d{name} is zero"


# --------------------------------------------------------------------------- warnings


def _hope_call(func, p, xp):
    if func == "hope_kernel":
        return lti_ops.hope_kernel(p["h"], p["dt_hope"], L)
    return lti_ops.hope_conv(xp.asarray(_params()["u"]), p["h"], p["dt_hope"])


@pytest.fixture
def torch_scalar_reads(monkeypatch):
    """Names of the scalar conversions (float, int, bool, item) applied to tensors that
    require grad; torch warns about float() only once per process, so a second call, or a
    test after another that warned, would see no warning."""
    torch = _torch()
    reads = []
    for method in ("__float__", "__int__", "__bool__", "item"):
        original = getattr(torch.Tensor, method)

        def spy(self, *args, _original=original, _method=method):
            if self.requires_grad:
                reads.append(_method)
            return _original(self, *args)

        monkeypatch.setattr(torch.Tensor, method, spy)
    return reads


@pytest.mark.parametrize("func", ["hope_kernel", "hope_conv"])
def test_hope_with_a_torch_dt_requiring_grad_does_not_warn(func, torch_scalar_reads):
    torch = _torch()
    p = {k: torch.tensor(_params()[k], requires_grad=True) for k in ("h", "dt_hope")}
    xp = array_api_compat.array_namespace(p["h"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(2):  # every call, not just the first
            torch.sum(torch.abs(_hope_call(func, p, xp)) ** 2).backward()
    assert not caught, [str(w.message) for w in caught]
    assert not torch_scalar_reads, f"{func} read a tensor requiring grad as a Python scalar"
    assert torch.all(torch.isfinite(p["dt_hope"].grad))


@pytest.mark.parametrize("func", ["hope_kernel", "hope_conv"])
def test_hope_under_eager_jax_grad_does_not_warn(func):
    jax = _jax()
    jnp = jax.numpy
    h = jnp.asarray(_params()["h"])

    def F(dt):
        return jnp.sum(jnp.abs(_hope_call(func, {"h": h, "dt_hope": dt}, jnp)) ** 2)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        g = jax.grad(F)(jnp.asarray(_params()["dt_hope"]))
    assert not caught, [str(w.message) for w in caught]
    assert np.all(np.isfinite(np.asarray(g)))
