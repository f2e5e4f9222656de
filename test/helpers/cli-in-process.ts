/**
 * Test helper: runs the CLI in-process (src/cli/main.ts `run`, no build needed) with in-memory
 * stdout/stderr: exit code and messages as bin/rebalance.js would produce them, without the 1-2 s
 * of a process start. What needs a real process (stdin pipes, signals, a closed stdout, the
 * entry point's own exit handling) belongs in test/e2e with helpers/cli.ts.
 *
 * Note: data that a command writes to standard output (`resample` without -o) goes to the
 * process's stdout, not to the context's: give such commands `-o FILE` here.
 */
import { PassThrough } from 'node:stream';
import { run } from '../../src/cli/main.js';

export interface InProcessResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCli(args: readonly string[], options: { signal?: AbortSignal } = {}): Promise<InProcessResult> {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks: Buffer[] = [];
  const errChunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  err.on('data', (c: Buffer) => errChunks.push(c));
  const code = await run(['node', 'rebalance', ...args], { stdout: out, stderr: err, signal: options.signal ?? new AbortController().signal, version: 'test' });
  return { code, stdout: Buffer.concat(chunks).toString('utf8'), stderr: Buffer.concat(errChunks).toString('utf8') };
}
