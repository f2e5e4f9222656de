import { openAsBlob, createWriteStream } from 'node:fs';
import { Writable } from 'node:stream';
import { tableFromIPC, tableToIPC, Table } from 'apache-arrow';
const [lib, path, out] = process.argv.slice(2);
const pw = await import('parquet-wasm/node');
// read input as apache-arrow batches first (not timed)
const f = await pw.ParquetFile.fromFile(await openAsBlob(path));
const batches = [];
for (let g = 0; g < f.metadata().numRowGroups(); g++) batches.push(...tableFromIPC((await f.read({ rowGroups: [g], batchSize: 65536 })).intoIPCStream()).batches);
global.gc?.();
const base = process.memoryUsage().rss;
let peak = 0; const tick = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 20);
const t0 = performance.now();
if (lib === 'wasm') {
  const props = new pw.WriterPropertiesBuilder().setCompression(pw.Compression[process.env.CODEC||"ZSTD"]).setMaxRowGroupSize(131072).setDictionaryEnabled(process.env.DICT==="1").build();
  let i = 0;
  const rs = new ReadableStream({ pull(c) { if (i >= batches.length) return c.close(); const t = pw.Table.fromIPCStream(tableToIPC(new Table(batches[i++]), 'stream')); for (const b of t.recordBatches()) c.enqueue(b); } });
  const bytes = await pw.transformParquetStream(rs, props);
  await bytes.pipeTo(Writable.toWeb(createWriteStream(out)));
} else {
  const hw = await import('hyparquet-writer');
  const z = await import('zstd-napi');
  const { ByteWriter } = hw;
  const ws = createWriteStream(out);
  const bw = new ByteWriter();
  const writer = { ...bw };
  // simple file writer: flush buffer after each row group
  class FW extends ByteWriter { flush() { const b = new Uint8Array(this.buffer, 0, this.offset); ws.write(Buffer.from(b)); this.offset = 0; } finish() { this.flush(); ws.end(); } }
  const w = new FW();
  const fields = batches[0].schema.fields;
  const pq = new hw.ParquetWriter({ writer: w, schema: hw.schemaFromColumnData({ columnData: fields.map((fl, j) => ({ name: fl.name, data: batches[0].getChildAt(j).toArray() })) }), codec: 'ZSTD', compressors: { ZSTD: (b) => z.compress(b) } });
  for (const b of batches) pq.write({ columnData: fields.map((fl, j) => ({ name: fl.name, data: Array.from(b.getChildAt(j)) })), rowGroupSize: 1e9 });
  pq.finish();
}
clearInterval(tick);
console.log(lib, ((performance.now() - t0) / 1000).toFixed(2) + 's', 'peak', (peak / 2 ** 20).toFixed(0) + 'MB', 'base', (base / 2 ** 20).toFixed(0));
