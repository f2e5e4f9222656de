/**
 * Test helper: runs the built CLI (bin/rebalance.js -> dist/) as a user would.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(here, '../..');
export const BIN = join(ROOT, 'bin', 'rebalance.js');

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly stdoutBytes: Buffer;
}

export function cli(
  args: readonly string[],
  options: { input?: string | Buffer; cwd?: string; env?: Record<string, string>; timeout?: number; killSignal?: NodeJS.Signals } = {},
): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    input: options.input,
    env: { ...process.env, REBALANCE_DEBUG: '', ...options.env },
    timeout: options.timeout ?? 60_000,
    killSignal: options.killSignal,
    maxBuffer: 256 * 1024 * 1024,
  });
  return {
    code: r.status,
    signal: r.signal,
    stdout: r.stdout.toString('utf8'),
    stderr: r.stderr.toString('utf8'),
    stdoutBytes: r.stdout,
  };
}

/** A fresh temp folder, removed by the returned cleanup. */
export function tempDir(prefix = 'rebalance-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** True when stderr carries no stack trace. */
export function noStack(stderr: string): boolean {
  return !/\n\s+at .+\(.+:\d+:\d+\)/.test(stderr) && !/^\s+at /m.test(stderr);
}
