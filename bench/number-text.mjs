// Synthetic-value formatting (#20): ns per number for 2.9M SMOTE-like doubles (x + step * (y - x)
// of 5-decimal normal draws, 100k rows x 29 columns) written as CSV lines:
//   js     : the lines as RowWriter wrote them before (formatNumber per value, string concatenation)
//   string : String(x) alone per value (the floor of any JavaScript formatting)
//   wasm   : io/number-text.ts GeneratedLines (values in WebAssembly memory, lines as bytes)
// Checks that js and wasm write the same bytes. Uses dist/ (node scripts/build.mjs first).
// usage: node bench/number-text.mjs [--rows 100000] [--cols 29] [--repeat 3]
import { parseArgs } from 'node:util';
import { createRng } from '../dist/core/rng.js';
import { formatNumber } from '../dist/io/cells.js';
import { GeneratedLines } from '../dist/io/number-text.js';

const { values: opt } = parseArgs({ options: { rows: { type: 'string', default: '100000' }, cols: { type: 'string', default: '29' }, repeat: { type: 'string', default: '3' } } });
const rows = Number(opt.rows);
const cols = Number(opt.cols);
const repeat = Number(opt.repeat);
const rng = createRng(7);
const five = () => Math.round(rng.nextNormal() * 1e5) / 1e5;
const data = new Float64Array(rows * cols);
for (let i = 0; i < data.length; i++) {
  const x = five();
  data[i] = x + rng.nextFloat() * (five() - x);
}
const n = rows * cols;

function js() {
  const lines = [];
  for (let r = 0; r < rows; r++) {
    let line = formatNumber(data[r * cols]);
    for (let j = 1; j < cols; j++) line += ',' + formatNumber(data[r * cols + j]);
    lines.push(line + '\n');
  }
  return Buffer.from(lines.join(''), 'latin1');
}
function string() {
  let len = 0;
  for (let i = 0; i < n; i++) len += String(data[i]).length;
  return len;
}
const lines = await GeneratedLines.create({ columns: Array.from({ length: cols }, (_, j) => ({ op: 'number', slot: j })), width: cols, delimiter: 44, provenance: false });
function wasm() {
  const parts = [];
  for (let from = 0; from < rows; from += lines.capacity) {
    const m = Math.min(lines.capacity, rows - from);
    lines.values.set(data.subarray(from * cols, (from + m) * cols));
    const out = lines.format(0, m);
    if (out.rows !== m) throw new Error('unexpected fallback');
    parts.push(Buffer.from(out.bytes));
  }
  return Buffer.concat(parts);
}
if (!js().equals(wasm())) throw new Error('js and wasm bytes differ');
const time = (f) => {
  let best = Infinity;
  for (let k = 0; k < repeat; k++) {
    const t0 = process.cpuUsage();
    f();
    const t = process.cpuUsage(t0);
    best = Math.min(best, (t.user + t.system) * 1e3);
  }
  return best / n;
};
const res = { js: time(js), string: time(string), wasm: time(wasm) };
console.log(`${n} numbers (${rows} rows x ${cols}), best of ${repeat}, CPU ns per number: js ${res.js.toFixed(1)}, String(x) alone ${res.string.toFixed(1)}, wasm lines ${res.wasm.toFixed(1)} (${(res.js / res.wasm).toFixed(1)}x)`);
