#!/usr/bin/env bash
# The GPU check of the CUDA engine, in one call on a machine with a CUDA device:
#   0. the environment, and one numba-cuda kernel launched on a CuPy array (toolchain check);
#   1. python -m pytest -q tests/test_cupy.py              (the kernels' parity tests, on the GPU)
#   2. python -m pytest -q -x -k cupy tests                (the whole suite's cupy fixture)
#   3. python -m benchmarks --gpu --out $OUT/benchmarks-gpu.md
# Every step's output is teed into $OUT/ (default ./gpu-check-out); a failing or timed-out
# step does not stop the next. Time limits per step keep the total under about 9 minutes
# (override them with LIMIT0 ... LIMIT3, in seconds; 0 skips a step).
# Installing CuPy, numba-cuda, torch and the test dependencies is not this script's job.
set -uo pipefail
cd "$(dirname "$0")/.."
OUT="${OUT:-$PWD/gpu-check-out}"
mkdir -p "$OUT"
export PYTHONPATH="$PWD:$PWD/backends${PYTHONPATH:+:$PYTHONPATH}"
unset NUMBA_ENABLE_CUDASIM
SUITE_STOP="${SUITE_STOP:--x}"  # e.g. SUITE_STOP=--maxfail=20 to see more failures of step 2
read -r -a EXTRA <<< "${PYTEST_ARGS:-}"  # e.g. PYTEST_ARGS="-n 8" (pytest-xdist) for steps 1 and 2
status=()

step() {  # step NAME SECONDS COMMAND...
    local name=$1 limit=$2
    shift 2
    if [ "$limit" = 0 ]; then
        status+=("$name: skipped")
        return
    fi
    echo "=== $name (limit ${limit}s): $*" | tee "$OUT/$name.log"
    local start=$SECONDS
    timeout --kill-after=10 "$limit" "$@" 2>&1 | tee -a "$OUT/$name.log"
    local rc=${PIPESTATUS[0]}
    echo "=== $name: exit $rc after $((SECONDS - start))s" | tee -a "$OUT/$name.log"
    status+=("$name: exit $rc ($((SECONDS - start))s)")
}

step 0-environment "${LIMIT0:-45}" bash -c '
nvidia-smi -L || true
python - <<EOF
import platform
print("Python", platform.python_version())
for name in ("numpy", "cupy", "numba", "numba_cuda", "torch", "array_api_compat", "hypothesis", "pytest"):
    try:
        print(name, __import__(name).__version__)
    except Exception as exc:
        print(name, "NOT AVAILABLE:", exc)
import cupy
from numba import cuda
print("numba-cuda sees a device:", cuda.is_available())
@cuda.jit
def twice(x, out):
    i = cuda.grid(1)
    if i < x.shape[0]:
        out[i] = 2 * x[i]
x = cupy.arange(5, dtype=cupy.float32)
out = cupy.empty_like(x)
twice[1, 32, cuda.external_stream(cupy.cuda.get_current_stream().ptr)](
    cuda.from_cuda_array_interface(x.__cuda_array_interface__, owner=x, sync=False),
    cuda.from_cuda_array_interface(out.__cuda_array_interface__, owner=out, sync=False))
print("numba-cuda kernel on CuPy arrays:", out.get().tolist())
from lti_ops import _dispatch
print("cupy engine load:", _dispatch.REGISTRY.load("cupy") or "ok")
EOF'

step 1-test_cupy "${LIMIT1:-200}" python -m pytest -p no:cacheprovider -q -ra "${EXTRA[@]}" tests/test_cupy.py

TIMEOUT_FLAG=()
if python -c "import pytest_timeout" 2>/dev/null; then
    TIMEOUT_FLAG=(--timeout=60)
fi
step 2-suite-cupy "${LIMIT2:-150}" python -m pytest -p no:cacheprovider -q -ra "$SUITE_STOP" "${EXTRA[@]}" "${TIMEOUT_FLAG[@]}" -k cupy \
    --ignore=tests/test_cupy.py tests

step 3-benchmarks-gpu "${LIMIT3:-150}" python -m benchmarks --gpu --out "$OUT/benchmarks-gpu.md"

printf '%s\n' "${status[@]}" | tee "$OUT/summary.txt"
