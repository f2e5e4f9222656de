// Builds rebalance: WebAssembly kernels (when their build script exists), then TypeScript -> dist/.
// Runs from `npm install` (prepare), `npm run build` and before `npm test`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

function run(label, args) {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`build: ${label} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
}

if (!existsSync(tsc)) {
  console.error('build: typescript is not installed; run `npm install` (devDependencies are needed to build).');
  process.exit(1);
}
const wasm = join(root, 'scripts', 'build-wasm.mjs');
if (existsSync(wasm)) run('wasm kernels', [wasm]);
run('tsc', [tsc, '-p', 'tsconfig.json']);
