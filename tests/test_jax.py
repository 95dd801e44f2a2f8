"""JAX as a first-class backend: single precision with x64 off, vmap, pytrees, tracing rules.

The identity tests of the other modules run on JAX with x64 on (the ``jax`` backend) and,
for the training-loop primitives, under ``jax.jit`` (the ``jax-jit`` backend). This module
covers what those cannot: JAX's default mode (x64 off, where float64 does not exist and a
request for it would silently give float32), ``jax.vmap`` over the containers, and the
rule that value checks are skipped, never wrong, under tracing.
"""

import numpy as np
import pytest

import lti_ops
from lti_ops.testing import assert_close, to_numpy, tolerance

jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")

H, N, L = 3, 4, 64


def _x64(enabled):
    before = jax.config.jax_enable_x64
    jax.config.update("jax_enable_x64", enabled)
    yield
    jax.config.update("jax_enable_x64", before)


@pytest.fixture
def x32():
    """JAX in its default mode, x64 off, for the duration of a test."""
    yield from _x64(False)


@pytest.fixture
def x64():
    """JAX with x64 on (float64 available), for the duration of a test."""
    yield from _x64(True)


def _params(dtype="complex64", seed=0):
    """S4D-style (lam, b, c, P, dt, h, u) in NumPy, single or double precision."""
    rng = np.random.default_rng(seed)
    cplx = lambda *s: rng.standard_normal(s) + 1j * rng.standard_normal(s)  # noqa: E731
    real = "float32" if dtype == "complex64" else "float64"
    lam = (-rng.uniform(0.1, 1.0, (H, N)) + 1j * rng.uniform(-3, 3, (H, N))).astype(dtype)
    return {
        "lam": lam, "b": cplx(H, N).astype(dtype), "c": cplx(H, N).astype(dtype),
        "P": (0.3 * cplx(H, N, 1)).astype(dtype), "dt": np.exp(rng.uniform(-3, -1, H)).astype(real),
        "h": (cplx(H, 8) / 4).astype(dtype), "u": rng.standard_normal((2, H, L)).astype(real),
    }


def _diag(p, conj_sym=True):
    return lti_ops.Diagonal.siso(p["lam"], p["b"], p["c"], conj_sym=conj_sym)


def _dplr(p):
    return lti_ops.DPLR.siso(p["lam"], p["P"], p["P"], p["b"], p["c"], conj_sym=True)


# the training-loop primitives as functions of a parameter dict; each returns one array
PRIMITIVES = {
    "discretize": lambda p: lti_ops.discretize(_diag(p), p["dt"], "zoh").lam,
    "discretize_dplr": lambda p: lti_ops.discretize(_dplr(p), p["dt"], "s4_bilinear").P,
    "ssm_kernel": lambda p: lti_ops.ssm_kernel(_diag(p), L, dt=p["dt"], method="zoh"),
    "ssm_kernel_dplr": lambda p: lti_ops.ssm_kernel(_dplr(p), L, dt=p["dt"], method="s4_bilinear"),
    "markov_parameters": lambda p: lti_ops.markov_parameters(_diag(p, False), L, dt=p["dt"], method="zoh"),
    "transfer_function": lambda p: lti_ops.transfer_function(_dplr(p), 1j * p["lam"][..., :3].imag + 0.5),
    "fftconv": lambda p: lti_ops.fftconv(p["u"], lti_ops.ssm_kernel(_diag(p), L, dt=p["dt"], method="zoh")[:, 0, 0]),
    "scan": lambda p: lti_ops.scan(lti_ops.discretize(_diag(p), p["dt"], "zoh"), p["u"])[0],
    "hope_transfer": lambda p: lti_ops.hope_transfer(p["h"], p["dt"], L),
    "hope_kernel": lambda p: lti_ops.hope_kernel(p["h"], p["dt"], L, n_nodes=4 * L),
    "hope_conv": lambda p: lti_ops.hope_conv(p["u"], p["h"], p["dt"], mode="circular"),
    "c_tilde": lambda p: lti_ops.c_tilde(lti_ops.discretize(_dplr(p), p["dt"], "s4_bilinear"), L).C,
}


def _on_jax(p):
    return {k: jnp.asarray(v) for k, v in p.items()}


@pytest.mark.parametrize("name", sorted(PRIMITIVES))
def test_single_precision_with_x64_off_under_jit(x32, name):
    """x64 off: float32/complex64 in and out, no float64 requested anywhere (a request
    warns, and warnings are errors here), and the NumPy float32 values."""
    p = _params("complex64")
    want = to_numpy(PRIMITIVES[name](p))
    got = jax.jit(PRIMITIVES[name])(_on_jax(p))
    assert str(got.dtype) == str(want.dtype)
    assert_close(got, want, rtol=tolerance("float32", n=L, cond=10))


@pytest.mark.parametrize("name", ["ssm_kernel", "ssm_kernel_dplr", "fftconv", "scan", "hope_kernel"])
def test_single_precision_gradients_with_x64_off_are_finite(x32, name):
    p = _on_jax(_params("complex64"))
    loss = lambda q: jnp.sum(jnp.abs(PRIMITIVES[name](q)) ** 2)  # noqa: E731
    grads = jax.jit(jax.grad(loss))(p)
    used = {k: g for k, g in grads.items() if bool(jnp.any(g != 0))}
    assert used, "no parameter received a gradient"
    for key, g in used.items():
        assert g.dtype == p[key].dtype, key
        assert bool(jnp.all(jnp.isfinite(g))), key


@pytest.mark.parametrize("name", sorted(PRIMITIVES))
def test_vmap_over_a_leading_axis_equals_the_batched_call(x64, name):
    """vmap over two parameter sets stacked on a new axis = the function on each."""
    p, q = _params("complex128", seed=1), _params("complex128", seed=2)
    stacked = {k: jnp.stack([jnp.asarray(p[k]), jnp.asarray(q[k])]) for k in p}
    got = jax.vmap(PRIMITIVES[name])(stacked)
    for i, one in enumerate((p, q)):
        assert_close(got[i], to_numpy(PRIMITIVES[name](one)), rtol=1e-12)


def test_containers_are_pytrees_through_jit_grad_and_vmap(x64):
    p = _on_jax(_params("complex128"))
    sys = lti_ops.discretize(_diag(p), p["dt"], "zoh")
    leaves, tree = jax.tree_util.tree_flatten(sys)
    assert len(leaves) == 5  # lam, B, C, D and the per-channel dt
    again = jax.tree_util.tree_unflatten(tree, leaves)
    assert type(again) is lti_ops.Diagonal and again.conj_sym and again.dt is sys.dt
    out = jax.jit(lambda s: lti_ops.discretize(s, 0.1, "bilinear"))(_dplr(p))
    assert type(out) is lti_ops.DPLR and out.dt == 0.1 and out.conj_sym
    grad = jax.grad(lambda s: jnp.sum(lti_ops.ssm_kernel(s, L) ** 2))(sys)
    assert type(grad) is lti_ops.Diagonal and grad.lam.shape == (H, N)
    spec = jax.tree_util.tree_map(lambda x: 0 if x.shape and x.shape[0] == H else None, sys)
    per_channel = jax.vmap(lambda s: lti_ops.ssm_kernel(s, L), in_axes=(spec,))(sys)
    assert_close(per_channel, to_numpy(lti_ops.ssm_kernel(sys, L)), rtol=1e-13)


def test_value_checks_are_skipped_never_wrong_under_tracing(x64):
    """Eagerly a node on a pole raises; traced, the same call gives inf/NaN (never a finite
    wrong number), and shape/option errors are still raised while tracing."""
    sys = lti_ops.Diagonal.siso(jnp.asarray([-1.0 + 0j]), jnp.ones(1, complex), jnp.ones(1, complex))
    pole = jnp.asarray([-1.0 + 0j])
    with pytest.raises(ValueError, match="coincides with a pole"):
        lti_ops.transfer_function(sys, pole)
    traced = jax.jit(lambda s, z: lti_ops.transfer_function(s, z))(sys, pole)
    assert not bool(jnp.all(jnp.isfinite(traced)))
    with pytest.raises(ValueError, match="`method` must be one of"):
        jax.jit(lambda s: lti_ops.discretize(s, 0.1, "nonsense"))(sys)
    with pytest.raises(ValueError, match="`points` must have shape"):
        jax.jit(lambda s: lti_ops.transfer_function(s, jnp.asarray(1.0 + 0j)))(sys)


def test_hope_kernel_asks_for_n_nodes_when_dt_is_traced(x64):
    h = jnp.ones((2, 4), complex)
    with pytest.raises(ValueError, match="pass n_nodes"):
        jax.jit(lambda dt: lti_ops.hope_kernel(h, dt, 16))(jnp.asarray([0.5, 2.0]))
    eager = lti_ops.hope_kernel(h, jnp.asarray([0.5, 2.0]), 16, n_nodes=256)
    traced = jax.jit(lambda dt: lti_ops.hope_kernel(h, dt, 16, n_nodes=256))(jnp.asarray([0.5, 2.0]))
    assert_close(traced, to_numpy(eager), rtol=1e-13)
    grad = jax.grad(lambda dt: jnp.sum(jnp.abs(lti_ops.hope_kernel(h, dt, 16)) ** 2))(jnp.asarray([0.5, 2.0]))
    assert bool(jnp.all(jnp.isfinite(grad)))  # eager grad reads dt through stop_gradient


CREATORS = {
    "hippo": lambda **kw: lti_ops.hippo("legs", 8, **kw).A,
    "nplr": lambda **kw: lti_ops.nplr("legs", 8, **kw).lam,
    "s4d_init": lambda **kw: lti_ops.s4d_init("lin", 8, H=2, rng=0, **kw).lam,
    "init_dt": lambda **kw: lti_ops.init_dt(4, rng=0, **kw),
    "hope_init": lambda **kw: lti_ops.hope_init(8, H=2, rng=0, **kw),
    "roots_of_unity": lambda **kw: lti_ops.roots_of_unity(8, **kw),
    "bilinear_nodes": lambda **kw: lti_ops.bilinear_nodes(8, 0.1, **kw),
    "mobius_nodes": lambda **kw: lti_ops.mobius_nodes(8, 0.5, **kw),
}


@pytest.mark.parametrize("name", sorted(CREATORS))
def test_creation_functions_default_to_single_precision_with_x64_off(x32, name):
    """With x64 off JAX has no float64: the default is float32/complex64 (no truncation
    warning, which is an error here), and asking for double precision raises, naming it."""
    out = CREATORS[name](xp=jnp)
    assert str(out.dtype) in ("float32", "complex64")
    wide = "complex128" if name in ("roots_of_unity", "bilinear_nodes", "mobius_nodes") else "float64"
    with pytest.raises(ValueError, match=rf"`dtype` {wide} is not available on this device"):
        CREATORS[name](xp=jnp, dtype=wide)


def test_state_and_io_selection_with_x64_off(x32):
    """modred and sys[outputs, inputs] build their index arrays in JAX's indexing dtype (int32
    with x64 off): asking for int64 warned and truncated, an error under this suite's filters."""
    A = jnp.asarray(np.array([[-1.0, 0.2], [0.1, -3.0]], np.float32))
    B, C = jnp.ones((2, 2), jnp.float32), jnp.ones((2, 2), jnp.float32)
    sys = lti_ops.StateSpace(A, B, C, jnp.zeros((2, 2), jnp.float32))
    diag = lti_ops.Diagonal(jnp.asarray(np.array([-1.0, -2.0], np.float32)), B, C, jnp.zeros((2, 2), jnp.float32))
    assert lti_ops.modred(sys, [1]).A.dtype == jnp.float32
    assert lti_ops.modred(diag, [1]).lam.shape == (1,)
    assert sys[0, 1].D.shape == (1, 1)
    assert_close(lti_ops.modred(sys, [1], method="truncate").A, np.array([[-1.0]]), rtol=0)
