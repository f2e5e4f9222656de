// Benchmark: the CLI end to end (`rebalance resample`), --knn-backend cpu vs webgpu, same CSV,
// same machine; each output is checked byte for byte against the other. Part of bench/gpu.sh.
// Times are wall-clock seconds of the whole command (CSV parse, kNN, write).
//
//   node bench/gpu-resample.mjs                         # 200000 rows x 30, enn,tomek-links,smote
//   node bench/gpu-resample.mjs --rows 50000 --methods enn --budget 120
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '200000' },
    features: { type: 'string', default: '30' },
    minority: { type: 'string', default: '0.1' },
    methods: { type: 'string', default: 'enn,tomek-links,smote' },
    budget: { type: 'string', default: '240' },
  },
});
const started = performance.now();
const left = () => Number(values.budget) * 1000 - (performance.now() - started);
const cli = join(root, 'bin', 'rebalance.js');

const dir = mkdtempSync(join(tmpdir(), 'rebalance-gpu-resample-'));
try {
  const input = join(dir, 'in.csv');
  const { generate } = await import('./gen.mjs');
  await generate({ rows: Number(values.rows), features: Number(values.features), minority: Number(values.minority), seed: 1, out: input });

  const run = (method, backend) => {
    const out = join(dir, `${method}-${backend}.csv`);
    const t = performance.now();
    const r = spawnSync(process.execPath, [cli, 'resample', input, '-m', method, '--knn-backend', backend, '--seed', '1', '-o', out], {
      encoding: 'utf8',
      timeout: Math.floor(Math.max(1000, left())),
    });
    const seconds = (performance.now() - t) / 1000;
    if (r.status !== 0) return { error: `exit ${r.status ?? r.signal}${r.error ? ` (${r.error.code ?? r.error.message})` : ''}: ${(r.stderr || '').trim().split('\n').filter((l) => l.trim()).pop() ?? ''}` };
    const bytes = readFileSync(out);
    const hash = createHash('sha256').update(bytes).digest('hex');
    rmSync(out);
    const note = (r.stderr || '').split('\n').find((l) => l.startsWith('rebalance: webgpu:')) ?? '';
    return { seconds, hash, size: bytes.length, note };
  };

  const rows = [];
  for (const method of values.methods.split(',')) {
    if (left() < 20000) {
      rows.push(`| ${method} | ${values.rows} | ${values.features} | skipped (time budget) | - | - | - |`);
      continue;
    }
    const cpu = run(method, 'cpu');
    const gpu = run(method, 'webgpu');
    if (cpu.error || gpu.error) {
      rows.push(`| ${method} | ${values.rows} | ${values.features} | ${cpu.error ?? cpu.seconds.toFixed(2)} | ${gpu.error ?? gpu.seconds.toFixed(2)} | - | - |`);
      continue;
    }
    const same = cpu.hash === gpu.hash ? `yes (${cpu.size} bytes)` : 'NO';
    rows.push(`| ${method} | ${values.rows} | ${values.features} | ${cpu.seconds.toFixed(2)} | ${gpu.seconds.toFixed(2)} | ${(cpu.seconds / gpu.seconds).toFixed(1)}x | ${same} |`);
    console.log(`done: ${method} cpu ${cpu.seconds.toFixed(2)} s, webgpu ${gpu.seconds.toFixed(2)} s, same ${same}${gpu.note ? ` (${gpu.note.trim()})` : ''}`);
  }
  console.log('');
  console.log('| method | rows | features | cpu seconds | webgpu seconds | speed-up | identical output |');
  console.log('|:---|---:|---:|---:|---:|---:|:---|');
  for (const r of rows) console.log(r);
  if (rows.some((r) => r.includes('| NO'))) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
