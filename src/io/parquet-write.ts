/**
 * Parquet output through parquet-wasm's streaming writer (transformParquetStream): rows become
 * fixed-size apache-arrow record batches (arrow-write.ts's builder: the input's Arrow types,
 * dates and timestamps exact), each handed to the WebAssembly writer as IPC bytes and written as
 * one row group, snappy-compressed. The Arrow schema is stored in the file (ARROW:schema), so
 * readers (polars, pyarrow, DuckDB) get the same types back. Memory: about one batch in flight.
 */
import { tableToIPC, Table } from 'apache-arrow';
import { arrowBatchBuilder } from './arrow-write.js';
import type { Cell } from './batch.js';
import type { ByteTarget } from './output.js';
import { loadParquetWasm } from './parquet-read.js';
import type { RowSink, SinkColumn, SinkOptions } from './sink.js';

export function createParquetSink(target: ByteTarget, columns: readonly SinkColumn[], options: SinkOptions = {}): RowSink {
  const pw = loadParquetWasm();
  const builder = arrowBatchBuilder(columns, options, 'Parquet');
  const batchRows = options.arrowBatchRows ?? 65536;
  const props = new pw.WriterPropertiesBuilder()
    .setCompression(pw.Compression.SNAPPY)
    .setMaxRowGroupSize(batchRows)
    .setCreatedBy('rebalance (parquet-wasm)')
    .build();

  let controller!: ReadableStreamDefaultController<unknown>;
  let wantMore: (() => void) | null = null;
  const batches = new ReadableStream<unknown>(
    {
      start(c) {
        controller = c;
      },
      pull() {
        const w = wantMore as (() => void) | null;
        wantMore = null;
        w?.();
      },
    },
    { highWaterMark: 1 },
  );
  let failure: unknown = null;
  let written = 0;
  const pump = (async () => {
    try {
      const bytes = await pw.transformParquetStream(batches as ReadableStream, props);
      const reader = bytes.getReader();
      for (;;) {
        const r = await reader.read();
        if (r.done) break;
        await target.write(r.value as Uint8Array);
      }
    } catch (e) {
      failure ??= e;
      const w = wantMore as (() => void) | null;
      wantMore = null;
      w?.();
    }
  })();
  const check = (): void => {
    if (builder.invalid) throw builder.invalid;
    if (failure) throw failure instanceof Error ? failure : new Error(`Parquet writer failed: ${String(failure)}`);
  };
  /** Hands one batch to the writer; waits while the writer has one queued already. */
  const send = async (): Promise<void> => {
    const ipc = tableToIPC(new Table(builder.flush()), 'stream');
    const table = pw.Table.fromIPCStream(ipc);
    for (const b of table.recordBatches()) controller.enqueue(b);
    written++;
    if ((controller.desiredSize ?? 1) <= 0 && !failure) await new Promise<void>((r) => (wantMore = r));
    check();
  };

  return {
    async write(cells: readonly Cell[]) {
      check();
      builder.append(cells);
      if (builder.rows >= batchRows) await send();
    },
    async finish() {
      check();
      // A table with no rows still gets its schema written.
      if (builder.rows > 0 || written === 0) await send();
      controller.close();
      await pump;
      check();
      await target.commit();
    },
    async abort() {
      try {
        controller.error(new Error('aborted'));
      } catch {
        /* already closed */
      }
      await pump.catch(() => undefined);
      await target.abort();
    },
  };
}
