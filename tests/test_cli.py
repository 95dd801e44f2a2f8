"""The ``lti-ops`` command: ``analyze`` (built-in set and user files), ``info``, ``--version``.

Run through click's CliRunner in-process (``check`` is tested with ``lti_ops._selfcheck``).
Sizes are small (H = 2, N = 8, L = 256) except one run of ``analyze`` on the true defaults.
"""

import json
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner

import lti_ops
from lti_ops._cli import main

SMALL = ("-H", "2", "-N", "8", "-L", "256")
BUILTIN_NAMES = ("HiPPO-LegS", "HiPPO-FouT", "S4D-Lin", "S4D-Inv", "S4D-LegS", "HOPE")
PNG = b"\x89PNG\r\n\x1a\n"


def invoke(*args, env=None):
    return CliRunner(env=env).invoke(main, [str(a) for a in args])


def analyze_json(*args):
    """Run ``analyze --format json``; stdout must be the JSON document alone.

    FORCE_COLOR makes rich draw its progress bar as on a terminal, so that a bar on stdout
    would break the JSON.
    """
    result = invoke("analyze", "--format", "json", *args, env={"FORCE_COLOR": "1"})
    assert result.exit_code == 0, (result.output, result.exception)
    return json.loads(result.stdout)


def bad(*args, match):
    """Run a command that must fail on its input: exit 2, no traceback, a message naming it."""
    result = invoke(*args)
    assert result.exit_code == 2, (result.output, result.exception)
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    for word in (match,) if isinstance(match, str) else match:
        assert word in result.output, (word, result.output)
    return result.output


# --- layers written to files --------------------------------------------------------------

H, N = 2, 4


def _layer(seed=0):
    """A small stable diagonal layer: lam (H, N) complex, B, C (H, N) complex, log_dt (H,)."""
    rng = np.random.default_rng(seed)
    lam = -np.exp(rng.uniform(-1, 0, (H, N))) + 1j * np.pi * np.arange(N)
    B = rng.standard_normal((H, N)) + 1j * rng.standard_normal((H, N))
    C = rng.standard_normal((H, N)) + 1j * rng.standard_normal((H, N))
    log_dt = np.log(np.array([0.01, 0.1]))
    return {"lam": lam, "B": B, "C": C, "log_dt": log_dt}


def _pairs(z):
    return np.stack([z.real, z.imag], axis=-1)


def _npz(tmp_path, name="layer.npz", **arrays):
    path = tmp_path / name
    np.savez(path, **arrays)
    return path


def _hsv(path, *args):
    doc = analyze_json("--params", path, "-L", "64", *args)
    (model,) = doc["models"]
    return np.array(model["hankel_singular_values"], dtype=float)


def _check_model(model, L=256):
    """Structure and the theorems σ₁ ≤ ‖G‖∞ ≤ 2 Σ σ_i (D = 0) of one model's JSON entry."""
    Hm, n = model["channels"], model["state_size"]
    poles = model["poles"]
    assert np.array(poles["real"]).shape == np.array(poles["imag"]).shape == (Hm, n)
    z = np.array(poles["real"]) + 1j * np.array(poles["imag"])
    np.testing.assert_allclose(poles["spectral_radius"], np.abs(z).max(axis=1), rtol=1e-12)
    np.testing.assert_allclose(poles["stability_margin"], 1 - np.array(poles["spectral_radius"]),
                               rtol=1e-12, atol=1e-15)
    assert len(poles["stable"]) == Hm and all(isinstance(s, bool) for s in poles["stable"])
    hsv = np.array(model["hankel_singular_values"], dtype=float)
    assert hsv.shape == (Hm, n)
    assert np.all(np.isfinite(hsv)) and np.all(hsv >= 0)
    assert np.all(np.diff(hsv, axis=1) <= 1e-12 * hsv[:, :1])  # descending
    ranks = model["epsilon_ranks"]
    assert set(ranks) == {"0.01", "0.0001", "1e-06"}
    for eps, r in ranks.items():
        assert len(r) == Hm and all(0 <= k <= n for k in r)
        expect = [int(np.sum(s > float(eps) * s[0])) for s in hsv]
        assert r == expect or all(abs(a - b) <= 1 for a, b in zip(r, expect)), (eps, r, expect)
    norms = {k: np.array(v, dtype=float) for k, v in model["norms"].items()}
    for k in ("hankel", "h2", "hinf"):
        assert norms[k].shape == (Hm,) and np.all(np.isfinite(norms[k])) and np.all(norms[k] > 0)
    np.testing.assert_allclose(norms["hankel"], hsv[:, 0], rtol=1e-12)
    assert np.all(norms["hankel"] <= norms["hinf"] * (1 + 1e-6))
    assert np.all(norms["hinf"] <= 2 * hsv.sum(axis=1) * (1 + 1e-6))
    window = model["memory"]["window"]
    assert len(window) == Hm and all(isinstance(w, int) and 0 <= w <= L for w in window)
    order = model["balanced_truncation"]["order"]
    assert len(order) == Hm and all(isinstance(k, int) and 0 <= k <= n for k in order)
    assert model["kernel"]["length"] == L


# --- 1. the built-in set -------------------------------------------------------------------

def test_builtin_json_small():
    doc = analyze_json(*SMALL)
    assert doc["backend"] == "numpy" and doc["length"] == 256
    names = [m["name"] for m in doc["models"]]
    assert len(names) >= 6 and set(BUILTIN_NAMES) <= set(names)
    for model in doc["models"]:
        assert model["channels"] == 2 and model["state_size"] == 8
        _check_model(model)


def test_builtin_json_defaults():
    """The true defaults (H = 8, N = 64, L = 4096): about 2 s after the kernels compile."""
    doc = analyze_json()
    assert set(BUILTIN_NAMES) <= {m["name"] for m in doc["models"]}
    for model in doc["models"]:
        assert model["channels"] == 8 and model["state_size"] == 64
        _check_model(model, L=4096)


def test_builtin_model_selection_and_text():
    doc = analyze_json(*SMALL, "--model", "S4D-Lin", "--model", "HOPE")
    assert [m["name"] for m in doc["models"]] == ["S4D-Lin", "HOPE"]
    result = invoke("analyze", *SMALL, "--model", "S4D-Inv")
    assert result.exit_code == 0, result.output
    assert "S4D-Inv" in result.stdout and "diagonal" in result.stdout
    assert "…" not in result.stdout  # a pipe's table is not cut to 80 columns


# --- 2. user files of each layout ----------------------------------------------------------

def test_diagonal_matches_library(tmp_path):
    layer = _layer()
    hsv = _hsv(_npz(tmp_path, **layer))
    dt = np.exp(layer["log_dt"])
    sys_ = lti_ops.Diagonal.siso(layer["lam"], layer["B"], layer["C"], conj_sym=True)
    expect = np.asarray(lti_ops.hankel_singular_values(lti_ops.discretize(sys_, dt, "zoh")))
    assert hsv.shape == expect.shape
    np.testing.assert_allclose(hsv, expect, rtol=0, atol=1e-10)
    # dt instead of log_dt: the same layer
    layer_dt = {k: v for k, v in layer.items() if k != "log_dt"} | {"dt": dt}
    np.testing.assert_allclose(_hsv(_npz(tmp_path, "dt.npz", **layer_dt)), hsv, atol=1e-12)


@pytest.mark.parametrize("rank", [None, 1, 2])
def test_dplr(tmp_path, rank):
    layer = _layer()
    rng = np.random.default_rng(1)
    shape = (H, N) if rank is None else (rank, H, N)
    layer["P"] = 0.1 * (rng.standard_normal(shape) + 1j * rng.standard_normal(shape))
    (model,) = analyze_json("--params", _npz(tmp_path, **layer), "-L", "64")["models"]
    assert model["structure"] == "dplr" and model["discretization"] == "bilinear"
    _check_model(model, L=64)


@pytest.mark.parametrize("batched", [True, False])
def test_dense(tmp_path, batched):
    rng = np.random.default_rng(2)
    n, m, p = 3, 2, 2
    A = rng.standard_normal((H, n, n)) - 3 * np.eye(n)
    B, C = rng.standard_normal((H, n, m)), rng.standard_normal((H, p, n))
    D, dt = np.zeros((H, p, m)), np.array([0.05, 0.2])
    if not batched:
        A, B, C, D, dt = A[0], B[0], C[0], D[0], dt[:1]
    (model,) = analyze_json("--params", _npz(tmp_path, A=A, B=B, C=C, D=D, dt=dt),
                            "-L", "64")["models"]
    assert model["structure"] == "dense" and model["channels"] == (H if batched else 1)
    _check_model(model, L=64)


@pytest.mark.parametrize("kind", ["complex", "real"])
@pytest.mark.parametrize("dt", [0.3, np.array([0.3, 0.7])], ids=["scalar", "per-channel"])
def test_hope(tmp_path, kind, dt):
    h = np.asarray(lti_ops.hope_init(6, H=H, rng=np.random.default_rng(3)))
    h = h if kind == "complex" else h.real.copy()
    (model,) = analyze_json("--params", _npz(tmp_path, h=h, dt=dt), "-L", "64")["models"]
    assert model["structure"] == "hope" and model["channels"] == H
    _check_model(model, L=64)


def test_s4_names_map_to_lambda(tmp_path):
    """S4's A_real/A_imag (λ = -exp(A_real) - i A_imag) and s4d.py's log_A_real (+i A_imag)."""
    layer = _layer()
    lam, dt = layer["lam"], np.exp(layer["log_dt"])
    reference = _hsv(_npz(tmp_path, "ref.npz", **layer))
    s4 = {"A_real": np.log(-lam.real), "A_imag": -lam.imag, "log_dt": layer["log_dt"],
          "B": _pairs(layer["B"])[None], "C": _pairs(layer["C"])[None]}
    np.testing.assert_allclose(_hsv(_npz(tmp_path, "s4.npz", **s4)), reference, rtol=1e-9,
                               atol=1e-12)
    # state-spaces' inv_dt (H, 1) is log Δ too
    s4_inv = {k: v for k, v in s4.items() if k != "log_dt"} | {"inv_dt": np.log(dt)[:, None]}
    np.testing.assert_allclose(_hsv(_npz(tmp_path, "inv.npz", **s4_inv)), reference, rtol=1e-9,
                               atol=1e-12)
    # the standalone s4d.py: log_A_real, A_imag = +Im λ, C (H, N, 2) with B folded into it
    s4d = {"log_A_real": np.log(-lam.real), "A_imag": lam.imag, "log_dt": layer["log_dt"],
           "C": _pairs(layer["B"] * layer["C"])}
    np.testing.assert_allclose(_hsv(_npz(tmp_path, "s4d.npz", **s4d)), reference, rtol=1e-9,
                               atol=1e-12)
    # the sign matters: the mirrored λ̄ file is a different layer unless Im λ = 0
    flipped = s4d | {"A_imag": -lam.imag}
    assert not np.allclose(_hsv(_npz(tmp_path, "flip.npz", **flipped)), reference, rtol=1e-6)


def test_s4_dplr(tmp_path):
    layer = _layer()
    lam = layer["lam"]
    rng = np.random.default_rng(4)
    P = 0.1 * (rng.standard_normal((1, H, N)) + 1j * rng.standard_normal((1, H, N)))
    s4 = {"A_real": np.log(-lam.real), "A_imag": -lam.imag, "log_dt": layer["log_dt"],
          "B": _pairs(layer["B"])[None], "C": _pairs(layer["C"])[None], "P": _pairs(P)}
    (model,) = analyze_json("--params", _npz(tmp_path, **s4), "-L", "64")["models"]
    assert model["structure"] == "dplr"
    _check_model(model, L=64)


def test_safetensors(tmp_path):
    safetensors_numpy = pytest.importorskip("safetensors.numpy")
    layer = _layer()
    reference = _hsv(_npz(tmp_path, **layer))
    s4 = {"A_real": np.log(-layer["lam"].real), "A_imag": -layer["lam"].imag,
          "log_dt": layer["log_dt"], "B": _pairs(layer["B"])[None], "C": _pairs(layer["C"])[None]}
    path = tmp_path / "layer.safetensors"
    safetensors_numpy.save_file({k: np.ascontiguousarray(v) for k, v in s4.items()}, str(path))
    np.testing.assert_allclose(_hsv(path), reference, rtol=1e-9, atol=1e-12)
    f32 = {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in s4.items()}
    safetensors_numpy.save_file(f32, str(tmp_path / "f32.safetensors"))
    np.testing.assert_allclose(_hsv(tmp_path / "f32.safetensors"), reference, rtol=1e-4,
                               atol=1e-5)


def test_safetensors_bfloat16(tmp_path):
    safetensors_numpy = pytest.importorskip("safetensors.numpy")
    ml_dtypes = pytest.importorskip("ml_dtypes")
    layer = _layer()
    s4 = {"A_real": np.log(-layer["lam"].real), "A_imag": -layer["lam"].imag,
          "log_dt": layer["log_dt"], "B": _pairs(layer["B"])[None], "C": _pairs(layer["C"])[None]}
    bf16 = {k: np.ascontiguousarray(v).astype(ml_dtypes.bfloat16) for k, v in s4.items()}
    path = tmp_path / "bf16.safetensors"
    try:
        safetensors_numpy.save_file(bf16, str(path))
    except Exception as exc:  # a writer without bfloat16 support
        pytest.skip(f"safetensors cannot write bfloat16: {exc}")
    # the reader upcasts exactly: the same as the float32 copies of the bfloat16 values
    exact = {k: v.astype(np.float32) for k, v in bf16.items()}
    np.testing.assert_allclose(_hsv(path), _hsv(_npz(tmp_path, "exact.npz", **exact)),
                               rtol=1e-12, atol=1e-14)


# --- 3. --out -----------------------------------------------------------------------------

def test_out_writes_report(tmp_path):
    out = tmp_path / "report"
    result = invoke("analyze", "--params", _npz(tmp_path, **_layer()), "-L", "64",
                    "--out", out, "--format", "json")
    assert result.exit_code == 0, (result.output, result.exception)
    json.loads(result.stdout)  # "wrote ..." goes to stderr under --format json
    for name in ("report.md", "results.json", "kernels.png", "hsv.png", "magnitude.png",
                 "basis.png"):
        assert (out / name).stat().st_size > 0, name
        if name.endswith(".png"):
            assert (out / name).read_bytes()[:8] == PNG, name
    assert json.loads((out / "results.json").read_text())["models"][0]["name"] == "layer"
    assert "![" in (out / "report.md").read_text()


# --- 4. bad input --------------------------------------------------------------------------

def test_bad_files(tmp_path):
    bad("analyze", "--params", tmp_path / "missing.npz", match=["no such file", "missing.npz"])
    (tmp_path / "layer.pt").write_bytes(b"x")
    bad("analyze", "--params", tmp_path / "layer.pt", match=[".npz or .safetensors", "layer.pt"])
    (tmp_path / "junk.npz").write_bytes(b"not a zip archive at all")
    bad("analyze", "--params", tmp_path / "junk.npz", match=["junk.npz", "not a readable .npz"])
    raw = _npz(tmp_path, **_layer()).read_bytes()
    (tmp_path / "half.npz").write_bytes(raw[:len(raw) // 2])
    bad("analyze", "--params", tmp_path / "half.npz", match="half.npz")
    flipped = bytearray(raw)
    flipped[raw.find(b"\x93NUMPY") + 200] ^= 0xFF  # a stored member's data: bad CRC
    (tmp_path / "crc.npz").write_bytes(bytes(flipped))
    bad("analyze", "--params", tmp_path / "crc.npz", match="crc.npz")
    (tmp_path / "junk.safetensors").write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json}")
    bad("analyze", "--params", tmp_path / "junk.safetensors", match="not a valid .safetensors")
    (tmp_path / "list.safetensors").write_bytes(b"\x02\x00\x00\x00\x00\x00\x00\x00[]")
    bad("analyze", "--params", tmp_path / "list.safetensors", match="not a valid .safetensors")
    obj = np.empty(2, dtype=object)
    obj[:] = [np.ones(2), "x"]
    path = tmp_path / "obj.npz"
    np.savez(path, **(_layer() | {"C": obj}))
    bad("analyze", "--params", path, match=["'C'", "object array"])


def _without(layer, *names):
    return {k: v for k, v in layer.items() if k not in names}


@pytest.mark.parametrize("case, match", [
    ("nan_C", ["'C'", "non-finite"]),
    ("inf_lam", ["'lam'", "non-finite"]),
    ("int_B", ["'B'", "int64", "floating"]),
    ("shape_C", ["'C'", "shape (2, 3)", "(2, 4)"]),
    ("missing_C", ["missing array 'C'"]),
    ("dt_and_log_dt", ["exactly one of", "'dt' and 'log_dt'"]),
    ("no_dt", ["exactly one of", "got none"]),
    ("negative_dt", ["'dt'", "positive"]),
    ("shape_P", ["'P'", "shape"]),
    ("shape_P3", ["'P'", "(r, H, N)"]),
    ("shape_dt", ["'dt'", "(2,)"]),
    ("complex_dt", ["'log_dt'", "real floating"]),
    ("no_layout", ["no known layout", "'lam'", "weights"]),
    ("s4_pairs", ["'C'", "(H, N)"]),
])
def test_bad_arrays(tmp_path, case, match):
    layer = _layer()
    arrays = {
        "nan_C": layer | {"C": np.where(np.arange(N) == 1, np.nan, layer["C"])},
        "inf_lam": layer | {"lam": np.where(np.arange(N) == 0, -np.inf, layer["lam"])},
        "int_B": layer | {"B": np.ones((H, N), dtype=np.int64)},
        "shape_C": layer | {"C": layer["C"][:, :3]},
        "missing_C": _without(layer, "C"),
        "dt_and_log_dt": layer | {"dt": np.exp(layer["log_dt"])},
        "no_dt": _without(layer, "log_dt"),
        "negative_dt": _without(layer, "log_dt") | {"dt": np.array([0.1, -0.1])},
        "shape_P": layer | {"P": np.ones((H, N + 1), complex)},
        "shape_P3": layer | {"P": np.ones((2, H + 1, N), complex)},
        "shape_dt": _without(layer, "log_dt") | {"dt": np.full(3, 0.1)},
        "complex_dt": layer | {"log_dt": layer["log_dt"] + 0j},
        "no_layout": {"weights": np.ones(3)},
        "s4_pairs": {"A_real": np.zeros((H, N)), "A_imag": np.zeros((H, N)),
                     "log_dt": layer["log_dt"], "C": np.ones((H, N + 1, 2))},
    }[case]
    out = bad("analyze", "--params", _npz(tmp_path, **arrays), "-L", "16", match=match)
    assert "layer.npz" in out


def test_bad_options(tmp_path):
    path = _npz(tmp_path, **_layer())
    bad("analyze", "--params", path, "--eps", "small", match=["--eps", "'small'"])
    bad("analyze", "--params", path, "--eps", "1e-2,2", match=["--eps", "(0, 1]"])
    bad("analyze", "--params", path, "--eps", "0", match=["--eps", "(0, 1]"])
    bad("analyze", "--params", path, "--eps", "nan", match="--eps")
    bad("analyze", *SMALL, "--model", "S5", match=["--model", "S5", "HiPPO-LegS"])
    bad("analyze", "--params", path, "--model", "HOPE", match=["--model", "--params"])
    bad("analyze", "--params", path, "--backend", "tensorflow", match=["--backend", "tensorflow"])
    bad("analyze", "--params", path, "--dtype", "float16", match="--dtype")


def test_unusable_backend(tmp_path):
    """CuPy missing, or installed without a usable GPU: exit 2 and say so."""
    try:
        import cupy
    except ImportError:
        match = ["cupy", "not installed"]
    else:
        try:
            cupy.cuda.runtime.getDeviceCount()
        except Exception:
            match = ["--backend cupy", "no usable CUDA device"]
        else:
            pytest.skip("cupy has a usable GPU")
    bad("analyze", "--params", _npz(tmp_path, **_layer()), "--backend", "cupy", match=match)


def test_ignored_arrays_reported(tmp_path):
    path = _npz(tmp_path, **(_layer() | {"extra": np.ones(3), "kernel.weight": np.ones(2)}))
    doc = analyze_json("--params", path, "-L", "16")
    assert doc["ignored_arrays"] == ["extra", "kernel.weight"]
    result = invoke("analyze", "--params", path, "-L", "16")
    assert result.exit_code == 0, result.output
    assert "ignored arrays" in result.stdout and "extra" in result.stdout


def test_unstable_channel_is_null_not_an_error(tmp_path):
    layer = _layer()
    layer["lam"] = layer["lam"].copy()
    layer["lam"][1, 0] = 0.5 + 1j  # channel 1 grows, and its output sees the mode
    (model,) = analyze_json("--params", _npz(tmp_path, **layer), "-L", "16")["models"]
    assert model["poles"]["stable"] == [True, False]
    assert model["norms"]["hinf"][1] is None and model["hankel_singular_values"][1][0] is None
    assert model["norms"]["hinf"][0] > 0
    assert any("channels [1]" in w for w in model["warnings"])


# --- 5. the program -----------------------------------------------------------------------

def test_python_m_help():
    result = subprocess.run([sys.executable, "-m", "lti_ops", "--help"], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    for command in ("analyze", "check", "info", "bench"):
        assert command in result.stdout


def test_version():
    result = invoke("--version")
    assert result.exit_code == 0
    assert "lti-ops, version" in result.output


def test_info_lists_numba_kernels():
    pytest.importorskip("numba")
    from lti_ops import _dispatch

    result = invoke("info")
    assert result.exit_code == 0, (result.output, result.exception)
    assert _dispatch.REGISTRY.load("numba") is None
    kernels = sorted(_dispatch.REGISTRY.primitives("numba"))
    assert kernels
    (line,) = [l for l in result.output.splitlines() if l.strip().startswith("numba ")
               and "(serves" in l]
    assert all(k in line for k in kernels), line
    assert "engines and their kernels" in result.output


# --- 6. other backends --------------------------------------------------------------------

@pytest.mark.parametrize("backend, dtype", [("torch", "float64"), ("torch", "float32"),
                                            ("jax", "float32")])
def test_backend_matches_numpy(tmp_path, backend, dtype):
    pytest.importorskip({"torch": "torch", "jax": "jax"}[backend])
    path = _npz(tmp_path, **_layer())
    reference = _hsv(path)
    hsv = _hsv(path, "--backend", backend, "--dtype", dtype)
    rtol, atol = (1e-10, 1e-12) if dtype == "float64" else (1e-4, 1e-4)
    scale = reference[:, :1]  # per channel: the small σ_i are relative to σ₁ in float32
    np.testing.assert_allclose(hsv / scale, reference / scale, rtol=rtol, atol=atol)


# --- check ------------------------------------------------------------------------------

@pytest.mark.parametrize("backend", ["numpy", "torch"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_check_passes(backend, dtype):
    result = invoke("check", "--backend", backend, "--dtype", dtype)
    assert result.exit_code == 0, result.output
    lines = [l for l in result.stdout.splitlines() if l.startswith(("PASS", "FAIL"))]
    assert len(lines) >= 10 and all(l.startswith("PASS") for l in lines)
    assert all(" err " in l and " tol " in l for l in lines)
    assert f"hold on {backend} {dtype}" in result.stdout


def test_check_failure_exits_1(monkeypatch):
    real = lti_ops.h2_norm
    monkeypatch.setattr(lti_ops, "h2_norm", lambda *a, **k: 1.01 * real(*a, **k))
    result = invoke("check", "--backend", "torch", "--only", "Parseval / H2")
    assert result.exit_code == 1, result.output
    assert result.stdout.startswith("FAIL") and "0 of 1 identities hold" in result.stdout


def test_check_bad_input_exits_2():
    bad("check", "--only", "no such identity", match="no such identity")
    bad("check", "--backend", "numpy", "--kernel", "cupy", match="kernel")
