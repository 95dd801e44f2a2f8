"""lti_ops.testing.check_kernel / check_recurrence / check_discretization: they pass right
implementations (NumPy, torch, JAX, array_api_strict, S4's DPLR algorithm) and catch the
classic bugs with a message naming the shrunk example, the error and a hint."""

import doctest
import math
import pathlib
import re
import sys
import types

import numpy as np
import pytest
from array_api_compat import array_namespace

from lti_ops.testing import check_discretization, check_kernel, check_recurrence

# The xp-fixture tests check the plumbing of each namespace; few examples of few shapes
# (eager JAX compiles every operation for every new shape). Numerics: NumPy and torch tests.
FEW = {"max_examples": 6, "max_channels": 1, "max_modes": 2, "max_length": 2}
DOC = pathlib.Path(__file__).parent.parent / "docs" / "testing.md"
MINIMAL = r"H=1, N=1, L=1, source='lin'\n  lam = \[\[-0.5\+0.j\]\]\n  B = \[\[1.\+0.j\]\]"


# --------------------------------------------------------------------------- right implementations
# Written once against the Array API, so each runs on the namespace it is given.


def discretize(lam, B, dt, method="zoh"):
    xp = array_namespace(lam)
    x = dt[:, None] * lam
    if method == "zoh":
        return xp.exp(x), (xp.exp(x) - 1) / lam * B
    return (1 + x / 2) / (1 - x / 2), dt[:, None] * B / (1 - x / 2)


def kernel(lam, B, C, dt, L, method="zoh"):
    xp = array_namespace(lam)
    lbar, bbar = discretize(lam, B, dt, method)
    powers = xp.exp(xp.log(lbar)[..., None] * xp.arange(L, dtype=dt.dtype))
    return 2 * xp.real(xp.sum((C * bbar)[..., None] * powers, axis=-2))


def step(lam, B, C, dt, x, u, method="zoh"):
    xp = array_namespace(lam)
    lbar, bbar = discretize(lam, B, dt, method)
    x = lbar * x + bbar * u[..., None]
    return 2 * xp.real(xp.sum(C * x, axis=-1)), x


def torch_s4_kernel(lam, P, B, C, dt, L):
    """S4's DPLR algorithm: C~ = C(I - Abar^L), Cauchy sums and Woodbury at the roots of
    unity (S4's bilinear generating function), inverse real FFT."""
    import torch

    def full(x):
        return torch.cat([x, x.conj()], -1)

    lamf, Pf, Bf = full(lam), full(P), full(B)
    d = dt.to(lam.dtype)[:, None]
    A = torch.diag_embed(lamf) - Pf.mT @ Pf.conj()
    eye = torch.eye(A.shape[-1], dtype=lam.dtype)
    Abar = torch.linalg.solve(eye - d[..., None] / 2 * A, eye + d[..., None] / 2 * A)
    Ct = full(C) - (full(C)[:, None, :] @ torch.linalg.matrix_power(Abar, L))[:, 0, :]
    omega = torch.exp(-2j * math.pi * torch.arange(L // 2 + 1, dtype=dt.dtype) / L).to(lam.dtype)
    R = 1 / (2 * (1 - omega) / (1 + omega) - d[..., None] * lamf[..., None])  # (H, 2N, K)
    dP = d[:, None] * Pf                                                    # (H, r, 2N)
    k00 = (Ct * Bf)[..., None].mul(R).sum(-2)
    k01 = (Ct[:, None] * dP)[..., None].mul(R[:, None]).sum(-2)             # (H, r, K)
    k10 = (Pf.conj() * Bf[:, None])[..., None].mul(R[:, None]).sum(-2)      # (H, r, K)
    k11 = (Pf.conj()[:, :, None] * dP[:, None])[..., None].mul(R[:, None, None]).sum(-2)
    M = (torch.eye(P.shape[1], dtype=lam.dtype)[..., None] + k11).permute(0, 3, 1, 2)
    G = k00 - (k01.mT * torch.linalg.solve(M, k10.mT[..., None])[..., 0]).sum(-1)
    return torch.fft.irfft(G * d * 2 / (1 + omega), n=L)


# --------------------------------------------------------------------------- check_kernel passes


@pytest.mark.parametrize("method", ["zoh", "s4_bilinear"])
def test_check_kernel_passes_a_right_kernel(xp, dtype, method):
    check_kernel(lambda *a: kernel(*a, method=method), method=method, xp=xp, dtype=dtype, **FEW)


def test_check_kernel_passes_a_native_torch_kernel_in_both_precisions():
    torch = pytest.importorskip("torch")

    def s4d_kernel(lam, B, C, dt, L):
        dtA = dt[:, None] * lam
        V = torch.exp(dtA[..., None] * torch.arange(L))
        return 2 * torch.einsum("hn,hnl->hl", C * B * (torch.exp(dtA) - 1) / lam, V).real

    check_kernel(s4d_kernel, xp=torch, max_examples=20)
    check_kernel(s4d_kernel, xp="torch", dtype="float32", max_examples=20, max_length=256)


def test_check_kernel_passes_a_native_jax_kernel():
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    jnp = jax.numpy

    @jax.jit
    def weights(lam, B, C, dt):
        return C * B * jnp.expm1(dt[:, None] * lam) / lam, dt[:, None] * lam

    def s4d_kernel(lam, B, C, dt, L):
        W, x = weights(lam, B, C, dt)
        return 2 * jnp.einsum("hn,hnl->hl", W, jnp.exp(x[..., None] * jnp.arange(L))).real

    check_kernel(s4d_kernel, xp="jax", max_examples=5, max_channels=1, max_modes=2, max_length=4)


def test_check_kernel_passes_complex_and_dss_kernels():
    def full_sum(lam, B, C, dt, L):  # conj_sym=False: the complex sum over the listed modes
        x = dt[:, None] * lam
        return np.einsum("hn,hnl->hl", C * B * np.expm1(x) / lam, np.exp(x[..., None] * np.arange(L)))

    check_kernel(full_sum, conj_sym=False, max_examples=20)

    def dss(lam, B, C, dt, L):  # S4D's DSS normalization; like the S4 code it sums Re
        x = dt[:, None] * lam
        W = C * B * np.expm1(x) / (lam * np.expm1(L * x))
        return np.einsum("hn,hnl->hl", W, np.exp(x[..., None] * np.arange(L))).real

    check_kernel(dss, method="dss", max_examples=20)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_check_kernel_passes_s4s_dplr_algorithm(dtype):
    torch = pytest.importorskip("torch")
    check_kernel(torch_s4_kernel, structure="dplr", method="s4_bilinear", xp=torch, dtype=dtype,
                 sources=["legs", "legt", "random"], max_examples=15, max_channels=2,
                 max_modes=4, max_length=32)


def test_check_kernel_finds_s4s_zero_mode_hazard():
    """FouT's zero mode sits on the node z = 0 of S4's Cauchy sums: the kernel is NaN there."""
    torch = pytest.importorskip("torch")
    with pytest.raises(AssertionError, match=r"source='fout'\n  lam = \[\[0.\+0.j\]\](.|\n)*user nan"):
        check_kernel(torch_s4_kernel, structure="dplr", method="s4_bilinear", xp=torch,
                     sources=["fout"], max_examples=5)


# --------------------------------------------------------------------------- check_kernel catches


def _delayed(lam, B, C, dt, L):
    K = kernel(lam, B, C, dt, L)
    return np.concatenate([np.zeros_like(K[:, :1]), K[:, :-1]], axis=1)


BUGS = {
    "missing factor 2": (lambda *a: kernel(*a) / 2, "a factor 2 too small"),
    "one-step delay": (_delayed, "delayed by one step: K_k = C Abar\\^k Bbar starts at k = 0"),
    "powers from 1": (lambda lam, B, C, dt, L: kernel(lam, B, C, dt, L + 1)[:, 1:],
                      "advanced by one step: the powers of Abar must start at 0"),
    "dt ignored": (lambda lam, B, C, dt, L: kernel(lam, B, C, np.ones_like(dt), L),
                   "lti_ops's for Δ = 1: is dt applied"),
    "dt missing in Bbar": (lambda lam, B, C, dt, L: kernel(lam, B, C, dt, L) / dt[:, None],
                           "divided by Δ in each channel"),
    "conjugated C": (lambda lam, B, C, dt, L: kernel(lam, B, np.conj(C), dt, L), "in K at channel"),
    "bilinear for zoh": (lambda *a: kernel(*a, method="s4_bilinear"), "in K at channel"),
}


@pytest.mark.parametrize("bug", BUGS)
def test_check_kernel_catches_a_bug_and_names_the_minimal_example(bug):
    user, hint = BUGS[bug]
    with pytest.raises(AssertionError, match="smallest failing example") as info:
        check_kernel(user, max_examples=30)
    message = str(info.value)
    assert "check_kernel: user_kernel disagrees with lti_ops.ssm_kernel" in message
    assert "H=1, N=1" in message and "dt = [" in message and "max |error|" in message
    assert "> tolerance" in message and "channel 0, time" in message
    assert re.search(hint, message), message


def test_check_kernel_catches_the_bugs_in_float32_torch_too():
    torch = pytest.importorskip("torch")

    def delayed(lam, B, C, dt, L):
        K = kernel(lam, B, C, dt, L)
        return torch.cat([torch.zeros_like(K[:, :1]), K[:, :-1]], dim=1)

    for user, hint in ((delayed, "delayed by one step"), (lambda *a: kernel(*a) / 2, "factor 2"),
                       (lambda *a: kernel(*a, method="s4_bilinear"), "channel 0")):
        with pytest.raises(AssertionError, match=f"dtype='float32'(.|\n)*{hint}"):
            check_kernel(user, xp=torch, dtype="float32", max_examples=30)


def test_check_kernel_reports_the_exact_minimal_example_and_a_hint():
    with pytest.raises(AssertionError, match=MINIMAL + r"(.|\n)*dt = \[0.001\]") as info:
        check_kernel(lambda *a: kernel(*a) / 2, max_examples=10)
    assert str(info.value).endswith("is 2*Re of their sum")


def test_check_kernel_catches_a_float32_downcast_and_wrong_outputs():
    with pytest.raises(AssertionError, match=r"returned dtype float32 for float64 parameters"):
        check_kernel(lambda *a: kernel(*a).astype(np.float32), max_examples=5)
    check_kernel(lambda *a: kernel(*a).astype(np.float32), rtol=1e-5, check_dtype=False, max_examples=5)
    with pytest.raises(AssertionError, match=r"returned an array of shape \(1, 1, 1\); it must have shape \(1, 1\)"):
        check_kernel(lambda *a: kernel(*a)[:, None], max_examples=5)
    with pytest.raises(AssertionError, match=r"returned tuple, not an array"):
        check_kernel(lambda *a: (kernel(*a), None), max_examples=5)
    with pytest.raises(AssertionError, match=r"returned dtype complex128; it must be real floating"):
        check_kernel(lambda *a: kernel(*a) + 0j, max_examples=5)
    with pytest.raises(AssertionError, match=r"max \|error\| nan"):
        check_kernel(lambda *a: kernel(*a) * np.nan, max_examples=5)


def test_check_kernel_catches_a_dplr_kernel_without_its_low_rank_term():
    torch = pytest.importorskip("torch")

    def diagonal_only(lam, P, B, C, dt, L):
        return torch_s4_kernel(lam, 0 * P, B, C, dt, L)

    with pytest.raises(AssertionError, match=r"structure='dplr'(.|\n)*rank=1(.|\n)*P = (.|\n)*the low-rank term -P P\^H is missing"):
        check_kernel(diagonal_only, structure="dplr", method="s4_bilinear", xp=torch, max_examples=10)


def test_user_exceptions_propagate():
    def broken(lam, B, C, dt, L):
        raise KeyError("inside the user's kernel")

    with pytest.raises(KeyError, match="inside the user's kernel"):
        check_kernel(broken, max_examples=5)


# --------------------------------------------------------------------------- check_recurrence


@pytest.mark.parametrize("method", ["zoh", "s4_bilinear"])
def test_check_recurrence_passes_a_right_step(xp, dtype, method):
    check_recurrence(lambda *a: step(*a, method=method), method=method, xp=xp, dtype=dtype,
                     max_batch=1, **FEW)


def test_check_recurrence_passes_a_custom_state_layout():
    def split_step(lam, B, C, dt, state, u):  # state: (real part, imaginary part)
        y, x = step(lam, B, C, dt, state[0] + 1j * state[1], u)
        return y, (x.real, x.imag)

    check_recurrence(split_step, init_state=lambda b, h, n: (np.zeros((b, h, n)),) * 2,
                     max_examples=15)


def _control_step(lam, B, C, dt, x, u):
    y = 2 * np.sum(C * x, axis=-1).real  # read out first, then update
    return y, step(lam, B, C, dt, x, u)[1]


STEP_BUGS = {
    "control convention": (_control_step, "delayed by one step: y_k was read out before u_k"),
    "missing factor 2": (lambda *a: (step(*a)[0] / 2, step(*a)[1]), "y is a factor 2 too small"),
    "dt ignored": (lambda lam, B, C, dt, x, u: step(lam, B, C, np.ones_like(dt), x, u), "in y at batch"),
}


@pytest.mark.parametrize("bug", STEP_BUGS)
def test_check_recurrence_catches_a_bug(bug):
    user, hint = STEP_BUGS[bug]
    with pytest.raises(AssertionError, match=r"check_recurrence: user_step run over u disagrees") as info:
        check_recurrence(user, max_examples=30)
    assert "H=1, N=1, L=1, batch=1" in str(info.value) and "u = [[[" in str(info.value)
    assert hint in str(info.value), str(info.value)


def test_check_recurrence_checks_its_outputs():
    with pytest.raises(AssertionError, match=r"user_step must return a pair \(y, x_next\); got ndarray"):
        check_recurrence(lambda *a: step(*a)[0], max_examples=5)
    with pytest.raises(AssertionError, match=r"user_step's y returned an array of shape \(1, 1, 1\)"):
        check_recurrence(lambda *a: (step(*a)[0][..., None], step(*a)[1]), max_examples=5)


# --------------------------------------------------------------------------- check_discretization


@pytest.mark.parametrize("method", ["zoh", "s4_bilinear"])
def test_check_discretization_passes_a_right_one(xp, dtype, method):
    few = {k: v for k, v in FEW.items() if k != "max_length"}
    check_discretization(lambda *a: discretize(*a, method=method), method=method, xp=xp,
                         dtype=dtype, **few)


def test_check_discretization_passes_control_bilinear_and_tustin():
    def tustin(lam, B, dt):
        x = dt[:, None] * lam
        return (1 + x / 2) / (1 - x / 2), np.sqrt(dt)[:, None] * B / (1 - x / 2)

    check_discretization(lambda *a: discretize(*a, method="bilinear"), method="bilinear", max_examples=10)
    check_discretization(tustin, method="tustin", max_examples=10)


DISCRETIZATION_BUGS = {
    "dt ignored": (lambda lam, B, dt: discretize(lam, B, np.ones_like(dt)), "lam_bar is exp(lam)"),
    "extra dt in B_bar": (lambda lam, B, dt: (discretize(lam, B, dt)[0], discretize(lam, B, dt)[1] * dt[:, None]),
                          "B_bar is Δ times lti_ops's"),
    "euler B_bar": (lambda lam, B, dt: (discretize(lam, B, dt)[0], dt[:, None] * B), "in B_bar at channel 0, mode 0"),
    "bilinear for zoh": (lambda *a: discretize(*a, method="s4_bilinear"), "in lam_bar at channel 0, mode 0"),
}


@pytest.mark.parametrize("bug", DISCRETIZATION_BUGS)
def test_check_discretization_catches_a_bug(bug):
    user, hint = DISCRETIZATION_BUGS[bug]
    with pytest.raises(AssertionError, match=r"user_discretize disagrees with lti_ops.discretize") as info:
        check_discretization(user, max_examples=30)
    assert "H=1, N=1, source='lin'" in str(info.value) and hint in str(info.value), str(info.value)


def test_check_discretization_checks_its_outputs():
    with pytest.raises(AssertionError, match=r"must return a pair \(lam_bar, B_bar\); got ndarray"):
        check_discretization(lambda *a: discretize(*a)[0], max_examples=5)
    with pytest.raises(AssertionError, match=r"user_discretize's B_bar returned dtype float64; it must be complex \(the imaginary part"):
        check_discretization(lambda *a: (discretize(*a)[0], discretize(*a)[1].real), max_examples=5)


# --------------------------------------------------------------------------- the documented example


def test_the_doc_pages_buggy_torch_layer_is_caught():
    """Runs the examples of docs/testing.md up to and including the failing check."""
    pytest.importorskip("torch")
    examples = doctest.DocTestParser().get_examples(DOC.read_text())
    namespace = {}
    for example in examples:
        if example.exc_msg is None:
            exec(example.source, namespace)
            continue
        with pytest.raises(AssertionError) as info:
            exec(example.source, namespace)
        assert "check_kernel(s4d_kernel, xp=torch)" in example.source
        break
    message = str(info.value)
    assert re.search(MINIMAL, message) and "dt = [0.001]" in message
    assert "channel 0, time 0" in message and "a factor 2 too small" in message


# --------------------------------------------------------------------------- argument errors


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"structure": "dense"}, ValueError, r"`structure` must be one of \['diagonal', 'dplr'\]; got 'dense'"),
    ({"method": "gbt"}, ValueError, r"`method` must be one of .*; got 'gbt'"),
    ({"structure": "dplr", "method": "dss"}, ValueError, r"`method` must be one of .*; got 'dss'"),
    ({"conj_sym": 1}, TypeError, r"`conj_sym` must be True or False; got 1"),
    ({"dtype": "float16"}, ValueError, r"`dtype` must be 'float32' or 'float64' .*; got 'float16'"),
    ({"xp": "no_such_array_library"}, ImportError, r"`xp`='no_such_array_library' names an array library"),
    ({"xp": 3}, TypeError, r"`xp` must be an array library with `asarray`"),
    ({"max_examples": 0}, ValueError, r"`max_examples` must be a positive integer; got 0"),
    ({"max_length": 2.5}, ValueError, r"`max_length` must be a positive integer; got 2.5"),
    ({"rtol": -1.0}, ValueError, r"`rtol` must be a positive finite number or None; got -1.0"),
    ({"check_dtype": "yes"}, TypeError, r"`check_dtype` must be True or False"),
    ({"dt_range": (0.1,)}, ValueError, r"`dt_range` must be a pair \(dt_min, dt_max\)"),
    ({"dt_range": (0.1, 0.01)}, ValueError, r"`dt_range\[0\]` must not exceed `dt_range\[1\]`"),
    ({"sources": ["lin", "fout"]}, ValueError, r"`sources` must be a non-empty selection of .*'fout'"),
])
def test_check_kernel_validates_its_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        check_kernel(kernel, **kwargs)


def test_checkers_validate_the_user_function_and_their_own_options():
    with pytest.raises(TypeError, match=r"`user_kernel` must be callable; got str"):
        check_kernel("kernel")
    with pytest.raises(TypeError, match=r"`user_step` must be callable; got NoneType"):
        check_recurrence(None)
    with pytest.raises(TypeError, match=r"`user_discretize` must be callable; got int"):
        check_discretization(1)
    with pytest.raises(TypeError, match=r"`init_state` must be None or callable; got int"):
        check_recurrence(step, init_state=0)
    with pytest.raises(ValueError, match=r"`max_batch` must be a positive integer; got 0"):
        check_recurrence(step, max_batch=0)
    with pytest.raises(ValueError, match=r"`method` must be one of .*; got 'dss'"):
        check_discretization(discretize, method="dss")


def test_dtype_may_be_named_by_any_library():
    torch = pytest.importorskip("torch")
    for dtype in (np.float32, np.dtype("float32"), torch.float32):
        check_kernel(kernel, dtype=dtype, max_examples=3)
    with pytest.raises(AssertionError, match=r"dtype='float64'"):
        check_kernel(lambda *a: kernel(*a) / 2, dtype=torch.float64, max_examples=3)


def test_a_library_that_cannot_hold_the_dtype_is_refused_up_front():
    lossy = types.SimpleNamespace(__name__="lossy", asarray=lambda x: np.asarray(x).astype(
        np.complex64 if np.iscomplexobj(x) else np.float32))
    with pytest.raises(ValueError, match=r"`xp`=.* turns float64 parameters into float32"):
        check_kernel(kernel, xp=lossy)
    check_kernel(kernel, xp=lossy, dtype="float32", max_examples=5)


def test_without_hypothesis_the_checkers_say_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "hypothesis", None)
    with pytest.raises(ImportError, match=r'pip install "lti-ops\[testing\]"'):
        check_kernel(kernel)


def test_the_reference_uses_the_parameters_as_rounded_to_dtype():
    """The float32 user's parameters are rounded; the reference is computed from exactly
    those values, so a user computing exactly in float64 from them agrees to 1e-12."""
    import lti_ops

    def exact(lam, B, C, dt, L):
        wide = [x.astype(np.complex128 if np.iscomplexobj(x) else np.float64) for x in (lam, B, C, dt)]
        sys = lti_ops.Diagonal.siso(*wide[:3], conj_sym=True)
        return lti_ops.ssm_kernel(sys, L, dt=wide[3], method="zoh", kernel="xp")[:, 0, 0, :]

    check_kernel(exact, dtype="float32", check_dtype=False, rtol=1e-12, max_examples=20)

