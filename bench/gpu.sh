#!/bin/sh
# kNN on a real GPU: webgpu backend (Vulkan) vs cpu backend, one table; then `rebalance resample`
# end to end with --knn-backend cpu vs webgpu (ENN, Tomek links, SMOTE on 200k x 30), a second
# table. For an NVIDIA machine with the driver and the Vulkan loader (libvulkan1); needs only a
# node binary ($NODE, or node on PATH) and this project directory with node_modules and dist/
# (built here when missing and possible). Arguments go to bench/gpu-knn.mjs:
#   sh bench/gpu.sh                       # 100000x30 and 1000000x30, k=6
#   sh bench/gpu.sh --sizes 200000x30 --k 6 --peer python3 --variants 'workgroupSize=64'
#   GPU_RESAMPLE=0 sh bench/gpu.sh        # kNN table only
# Finishes within 10 minutes: kNN stops itself at 360 s of measurements (--budget), the resample
# part at 180 s (GPU_RESAMPLE_BUDGET).
set -eu
cd "$(dirname "$0")/.."
NODE="${NODE:-node}"
if ! command -v "$NODE" >/dev/null 2>&1; then
  echo "gpu.sh: no node binary: set NODE=/path/to/node (Node >= 20)" >&2
  exit 1
fi
if [ ! -f dist/neighbors/webgpu/index.js ]; then
  if [ -f node_modules/typescript/bin/tsc ]; then
    echo "gpu.sh: dist/ missing, building" >&2
    "$NODE" scripts/build.mjs >&2 || true
  fi
  if [ ! -f dist/neighbors/webgpu/index.js ]; then
    echo "gpu.sh: dist/neighbors/webgpu/index.js missing: copy a built dist/ here" >&2
    exit 1
  fi
fi
if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | sed 's/^/nvidia-smi: /'
fi
limit() { if command -v timeout >/dev/null 2>&1; then timeout "$@"; else shift; "$@"; fi; }
status=0
limit 400 "$NODE" bench/gpu-knn.mjs --budget 360 "$@" || status=$?
if [ "${GPU_RESAMPLE:-1}" != 0 ]; then
  limit 190 "$NODE" bench/gpu-resample.mjs --budget "${GPU_RESAMPLE_BUDGET:-180}" ${GPU_RESAMPLE_ARGS:-} || status=$?
fi
exit $status
