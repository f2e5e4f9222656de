/**
 * The counting pass of a big CSV file on worker threads: the file is cut into record-aligned byte
 * ranges (io/csv-ranges.ts), each scanned by scan-range.ts scanCsvRange (the first on this thread, the
 * others on worker threads), and the parts
 * merged in file order (scan-range.ts mergePartials), so the profile is the one a sequential pass gives
 * whatever the thread count. Only for files named on the command line (not stdin), at least
 * REBALANCE_SCAN_PARALLEL_BYTES (32 MiB) big, with REBALANCE_SCAN_THREADS above 1 (default 1). Anything unusual - a '"' in the file, a bad row under --on-bad-row error, a
 * worker that fails, no worker file (TypeScript sources under test) - returns null: the caller
 * scans sequentially, which also gives the right error.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { recordRanges } from '../io/csv-ranges.js';
import type { CsvByteAccess } from '../io/source.js';
import { scanCsvRange, type PartialScan, type RangeRequest } from './scan-range.js';

/**
 * Threads of a parallel counting pass: REBALANCE_SCAN_THREADS ('auto': the cores, at most 8),
 * else 1. Off by default: on the shared 2-core machine 2 threads were slower in every measurement
 * (a worker costs ~0.2 CPU s to start, and the pass took ~0.5 CPU s more); see BENCHMARKS.md.
 */
export function scanThreads(): number {
  const env = process.env.REBALANCE_SCAN_THREADS;
  if (env === 'auto') return Math.min(8, availableParallelism());
  const v = Number(env);
  if (Number.isInteger(v) && v >= 1) return Math.min(v, 64);
  return 1;
}

/** The smallest file scanned in parallel: REBALANCE_SCAN_PARALLEL_BYTES, else 32 MiB. */
function minBytes(): number {
  const v = Number(process.env.REBALANCE_SCAN_PARALLEL_BYTES);
  return Number.isFinite(v) && v >= 0 ? v : 32 * 1024 * 1024;
}

export interface ParallelScan {
  readonly nCols: number;
  readonly labelIndex: number;
  readonly categorical: readonly boolean[];
  readonly onBadRow: 'error' | 'skip';
  readonly signal?: AbortSignal;
}

export async function scanParallel(csv: CsvByteAccess, o: ParallelScan): Promise<PartialScan[] | null> {
  const threads = scanThreads();
  if (csv.path === undefined || threads < 2 || csv.size < minBytes()) return null;
  const url = new URL('./scan-worker.js', import.meta.url);
  if (!existsSync(fileURLToPath(url))) return null;
  const bounds = await recordRanges(csv.path, csv.size, threads);
  if (bounds.length < 3) return null;
  const workers: Worker[] = [];
  try {
    const parts = await Promise.all(
      bounds.slice(0, -1).map((start, i) => {
        const request: RangeRequest = {
          path: csv.path!,
          start,
          end: bounds[i + 1],
          header: i === 0 && csv.header,
          delimiter: csv.delimiter,
          size: bounds[i + 1] - start,
          naValues: [...csv.naValues],
          nCols: o.nCols,
          labelIndex: o.labelIndex,
          categorical: o.categorical,
        };
        // The first range on this thread (no worker to start), the others on workers.
        if (i === 0) return scanCsvRange(request).catch(() => null);
        return new Promise<PartialScan | null>((resolve) => {
          const w = new Worker(url);
          workers.push(w);
          w.once('message', (m: { part?: PartialScan; error?: string }) => resolve(m.part ?? null));
          w.once('error', () => resolve(null));
          w.once('exit', () => resolve(null));
          o.signal?.addEventListener('abort', () => resolve(null), { once: true });
          w.postMessage(request);
        });
      }),
    );
    o.signal?.throwIfAborted();
    if (parts.some((p) => p === null || p.quoted)) return null;
    if (o.onBadRow === 'error' && parts.some((p) => p!.badRows.length > 0)) return null;
    return parts as PartialScan[];
  } finally {
    for (const w of workers) void w.terminate();
  }
}
