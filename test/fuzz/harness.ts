/**
 * Fuzz harness: runs the CLI in-process (src/cli/main.ts `run`) with in-memory stdout/stderr and
 * a per-case hang backstop, and checks the reliability contract on every outcome:
 * a documented exit code (never 1), at most one stderr line without a stack trace, and the
 * output file present only after exit 0, with no `.tmp` files left behind.
 */
import { Dictionary, Int32, Utf8, tableFromArrays, tableToIPC, vectorFromArray } from 'apache-arrow';
import { existsSync, readdirSync } from 'node:fs';
import { Writable } from 'node:stream';
import { run } from '../../src/cli/main.js';
import { noStack } from '../helpers/cli.js';

export interface CaseResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Number of fast-check runs for a property, scaled by REBALANCE_FUZZ_RUNS (npm run fuzz). */
export function fuzzRuns(defaultRuns: number, share = 1): number {
  const env = Number(process.env.REBALANCE_FUZZ_RUNS);
  return Number.isFinite(env) && env > 0 ? Math.max(1, Math.round(env * share)) : defaultRuns;
}

function sink(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      cb();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

/**
 * How long one case may run before it counts as a hang: a backstop far above any case's real
 * time (tens of ms to a few s), so a loaded machine never turns a slow case into a failure.
 * The work of each test is bounded by its case count, not by time.
 */
export const HANG_MS = 120_000;

/** Runs `rebalance <args>` in-process; rejects when it takes longer than `limitMs` (a hang). */
export async function runInProcess(args: readonly string[], limitMs = HANG_MS): Promise<CaseResult> {
  const out = sink();
  const err = sink();
  const controller = new AbortController();
  const ctx = { stdout: out.stream, stderr: err.stream, signal: controller.signal, version: '0.0.0-test' };
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error(`hang: rebalance ${args.join(' ')} took more than ${limitMs} ms`));
    }, limitMs);
  });
  try {
    const code = await Promise.race([run(['node', 'rebalance', ...args], ctx), hang]);
    return { code, stdout: out.text(), stderr: err.text() };
  } finally {
    clearTimeout(timer);
  }
}

/** Every documented exit code but 1 (internal bug). */
export const DOCUMENTED = [0, 2, 3, 4, 5, 130] as const;

/** The contract every case must meet; returns a description of the first violation, or null. */
export function violation(r: { code: number | null; stderr: string; signal?: string | null }, allowed: readonly number[], outPath: string, dir: string): string | null {
  if (r.signal) return `killed by ${r.signal}`;
  if (r.code === 1) return `internal error (exit 1): ${r.stderr}`;
  if (r.code === null || !allowed.includes(r.code)) return `exit ${r.code} not in [${allowed.join(',')}]: ${r.stderr}`;
  const lines = r.stderr.split('\n').filter((l) => l.length > 0);
  if (r.code !== 0 && lines.length > 1) return `stderr has ${lines.length} lines: ${r.stderr}`;
  if (!noStack(r.stderr)) return `stack trace on stderr: ${r.stderr}`;
  if (r.code !== 0 && existsSync(outPath)) return `output ${outPath} exists after exit ${r.code}`;
  if (r.code === 0 && !existsSync(outPath)) return `output ${outPath} missing after exit 0`;
  const tmp = readdirSync(dir).filter((f) => f.endsWith('.tmp'));
  if (tmp.length > 0) return `temp files left: ${tmp.join(', ')}`;
  return null;
}

/** The small Arrow table the Arrow fuzz tests mutate (10 rows: float, int, dictionary label). */
export const ARROW_LABELS = ['a', 'b', 'a', 'b', 'a', 'a', 'a', 'b', 'a', 'a'];
export const ARROW_TABLE = tableFromArrays({
  f0: Float64Array.from(ARROW_LABELS.map((_, i) => i * 1.5)),
  f1: Int32Array.from(ARROW_LABELS.map((_, i) => 10 - i)),
  // tableFromArrays passes a Vector through unchanged at run time; its declared type lists only arrays.
  label: vectorFromArray(ARROW_LABELS, new Dictionary(new Utf8(), new Int32())) as unknown as string[],
});
/** ARROW_TABLE as an IPC file and as an IPC stream. */
export const ARROW_FILE = Buffer.from(tableToIPC(ARROW_TABLE, 'file'));
export const ARROW_STREAM = Buffer.from(tableToIPC(ARROW_TABLE, 'stream'));
