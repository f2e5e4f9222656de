#!/bin/sh
# Prepares what a bare GPU machine without Node or network needs to run bench/gpu.sh, in two
# git-ignored folders of the repository root (add them to .git/info/exclude):
#   .gl/   the Vulkan/GL loader .debs (libvulkan1 ...), downloaded for amd64 with apt-get
#   .gpu/  node.xz (this machine's node binary), nm.tar.xz (runtime node_modules: no tfjs, no dev
#          tools, webgpu's linux-x64 build only), run.sh (copy of bench/gpu-device.sh)
# Then carry .gl, .gpu and dist to the machine and run `bash .gpu/run.sh` there (about 35 MB).
set -eu
cd "$(dirname "$0")/.."
[ -f dist/neighbors/webgpu/index.js ] || node scripts/build.mjs
mkdir -p .gl .gpu /tmp/amd64/partial
o='-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64'
# shellcheck disable=SC2086
apt-get $o update >/dev/null
(cd .gl && apt-get $o download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2)
tar -cf - \
  --exclude='node_modules/@tensorflow' --exclude='node_modules/typescript' --exclude='node_modules/binaryen' \
  --exclude='node_modules/assemblyscript' --exclude='node_modules/@rolldown' --exclude='node_modules/rolldown' \
  --exclude='node_modules/core-js' --exclude='node_modules/lightningcss*' --exclude='node_modules/vite' \
  --exclude='node_modules/vitest' --exclude='node_modules/@vitest' --exclude='node_modules/@types' \
  --exclude='node_modules/fast-check' --exclude='node_modules/webgpu/dist/darwin-universal' \
  --exclude='node_modules/webgpu/dist/linux-arm64' --exclude='node_modules/webgpu/dist/win32-*' \
  node_modules | xz -T0 -6 > .gpu/nm.tar.xz
xz -T0 -6 -c "$(command -v node)" > .gpu/node.xz
cp bench/gpu-device.sh .gpu/run.sh
du -sh .gl .gpu dist
