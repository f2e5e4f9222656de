#!/bin/bash
# Runs on the GPU machine (see bench/gpu-bundle.sh): unpacks the Vulkan/GL loaders, node and the
# runtime node_modules, prints the adapter, then bench/gpu.sh with scikit-learn and plan variants.
set -u
OUT="${OUT:-/tmp/out}"; mkdir -p "$OUT"
if [ -z "${SIM:-}" ]; then for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig; fi
unxz() { if command -v xz >/dev/null 2>&1; then xz -dc "$1"; else python3 -c "import lzma,sys,shutil; shutil.copyfileobj(lzma.open(sys.argv[1]), sys.stdout.buffer)" "$1"; fi; }
mkdir -p /tmp/nodebin && unxz .gpu/node.xz > /tmp/nodebin/node && chmod +x /tmp/nodebin/node
unxz .gpu/nm.tar.xz | tar -xf -
export PATH="/tmp/nodebin:$PATH" NODE=/tmp/nodebin/node
node --version; nproc; free -g | head -2
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv,noheader 2>&1
ldconfig -p | grep -i "libvulkan\|libEGL_nvidia" | head -4
ls /usr/share/vulkan/icd.d /etc/vulkan/icd.d /usr/local/nvidia/share/vulkan/icd.d 2>&1 | head
node bin/rebalance.js backends > "$OUT/backends.txt" 2>&1; cat "$OUT/backends.txt" | head -30
if [ -z "${SIM:-}" ] && ! grep -q "webgpu  available:.*(vulkan" "$OUT/backends.txt"; then
  echo "== retry with VK_DRIVER_FILES"
  export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
  node bin/rebalance.js backends 2>&1 | tee "$OUT/backends2.txt" | head -30
fi
set -o pipefail
sh bench/gpu.sh --peer python3 ${KNN_ARGS:-} --variants "${VARIANTS:-candidateLists=storage;candidateLists=storage,queriesPerThread=4;robustKernels=1;refsPerDispatch=65536;queriesPerBatch=1048576;rerankThreads=0;extra=4;workgroupSize=256;workgroupSize=64;queriesPerThread=1;tileRows=64}" 2>&1 | tee "$OUT/gpu.log"
echo "rc=$?"
