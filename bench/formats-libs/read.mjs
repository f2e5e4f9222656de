import { openAsBlob } from 'node:fs';
import { tableFromIPC } from 'apache-arrow';
const [lib, path] = process.argv.slice(2);
const t0 = performance.now();
let rows = 0, sum = 0;
let peak = 0; const tick = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
if (lib === 'wasm') {
  const pw = await import('parquet-wasm/node');
  const f = await pw.ParquetFile.fromFile(await openAsBlob(path));
  const n = f.metadata().numRowGroups();
  for (let g = 0; g < n; g++) {
    const t = await f.read({ rowGroups: [g], batchSize: 65536 });
    const at = tableFromIPC(t.intoIPCStream());
    for (const b of at.batches) { rows += b.numRows; const c = b.getChildAt(0).toArray(); for (let i = 0; i < c.length; i++) sum += c[i]; }
  }
} else if (lib === 'hyp') {
  const hp = await import('hyparquet');
  const { decompress } = await import('fzstd');
  const file = await hp.asyncBufferFromFile(path);
  const md = await hp.parquetMetadataAsync(file);
  let start = 0;
  for (const rg of md.row_groups) {
    const end = start + Number(rg.num_rows);
    await hp.parquetRead({ file, metadata: md, rowStart: start, rowEnd: end, compressors: { ZSTD: (input, n) => decompress(input, new Uint8Array(n)) }, onComplete: (data) => { rows += data.length; for (const r of data) sum += r[0]; } });
    start = end;
  }
} else if (lib === 'duck') {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const db = await DuckDBInstance.create(':memory:'); const c = await db.connect();
  const r = await c.runAndReadAll(`SELECT count(*), sum(f0) FROM read_parquet('${path}')`); const v = r.getRows()[0]; rows = Number(v[0]); sum = v[1];
}
clearInterval(tick); peak = Math.max(peak, process.memoryUsage().rss);
console.log(lib, rows, sum.toFixed?.(3) ?? sum, ((performance.now() - t0) / 1000).toFixed(2) + 's', (peak / 2 ** 20).toFixed(0) + 'MB');
