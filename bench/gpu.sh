#!/bin/sh
# kNN on a real GPU: webgpu backend (Vulkan) vs cpu backend, one table. For an NVIDIA machine with
# the driver and the Vulkan loader (libvulkan1); needs only a node binary ($NODE, or node on PATH)
# and this project directory with node_modules and dist/ (built here when missing and possible).
#   sh bench/gpu.sh                       # 100000x30 and 1000000x30, k=6
#   sh bench/gpu.sh --sizes 200000x30 --k 6
# Finishes within 10 minutes (the script stops itself at 540 s of measurements).
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
if command -v timeout >/dev/null 2>&1; then
  exec timeout 590 "$NODE" bench/gpu-knn.mjs "$@"
fi
exec "$NODE" bench/gpu-knn.mjs "$@"
