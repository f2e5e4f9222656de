/**
 * A worker thread of the parallel counting pass (dataset/scan-parallel.ts): scans one byte range
 * of a CSV file (scan-range.ts scanCsvRange) and posts its part back.
 */
import { parentPort } from 'node:worker_threads';
import { scanCsvRange, type RangeRequest } from './scan-range.js';

parentPort?.once('message', (m: RangeRequest) => {
  scanCsvRange(m).then(
    (part) => {
      const transfer: ArrayBuffer[] = [part.rawLabels.buffer as ArrayBuffer, part.badRows.buffer as ArrayBuffer];
      for (const c of part.columns) transfer.push(c.missingRows.buffer as ArrayBuffer, c.nonFiniteRows.buffer as ArrayBuffer);
      parentPort!.postMessage({ part }, transfer);
    },
    (e: unknown) => parentPort!.postMessage({ error: String((e as Error)?.message ?? e) }),
  );
});
