// Benchmark: one MLP fit (hidden 64,32, PReLU, batch 200, early stopping) on the evaluate bench's
// 20k x 16 table, in the calling thread, per training engine. Script, not a test.
// usage: node scripts/build.mjs && node bench/mlp.mjs [--engines simd,wasm] [--rows 20000]
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generate } from './gen.mjs';
import { readTable } from '../dist/api.js';
import { createMlp } from '../dist/models/mlp.js';
import { createRng } from '../dist/core/rng.js';

const { values } = parseArgs({ options: { engines: { type: 'string', default: 'simd,wasm' }, rows: { type: 'string', default: '20000' } } });
const rows = Number(values.rows);
const dir = join(tmpdir(), 'rebalance-bench');
mkdirSync(dir, { recursive: true });
const input = join(dir, `eval-${rows}x16.csv`);
if (!existsSync(input)) await generate({ rows, features: 16, minority: 0.05, seed: 7, out: input });
const data = await readTable(input);
process.env.REBALANCE_MLP_THREADS = '0'; // time the engine, not the thread hand-off
console.log('| engine | seconds | epochs | best epoch | best validation loss |');
console.log('|---|---:|---:|---:|---:|');
for (const engine of values.engines.split(',')) {
  const t = performance.now();
  const fitted = await createMlp({ tfBackend: engine }).fit(data, createRng(1), { positive: 1 });
  const s = (performance.now() - t) / 1000;
  const i = fitted.info;
  console.log(`| ${i.backend} | ${s.toFixed(2)} | ${i.epochs} | ${i.bestEpoch} | ${i.bestValidationLoss.toFixed(7)} |`);
}
