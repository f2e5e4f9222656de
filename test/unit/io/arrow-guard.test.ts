/**
 * The Arrow trial decode (src/io/arrow-guard.ts): its time limit, its signal, and that stopping
 * the shared worker for one check does not lose the others.
 */
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError } from '../../../src/core/errors.js';
import { DEFAULT_GUARD_MS, arrowGuardLimitMs, guardArrowDecode } from '../../../src/io/arrow-guard.js';
import { tempDir } from '../../helpers/cli.js';

const { dir, cleanup } = tempDir('rebalance-arrow-guard-');
const fifos: string[] = [];
afterAll(() => {
  // Unblock the trial decodes still opening a FIFO (a writer lets their open() return), then clean up.
  for (const f of fifos) {
    try {
      closeSync(openSync(f, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      // no reader left
    }
  }
  cleanup();
});

/**
 * An input whose trial decode never progresses, whatever the load: a FIFO without a writer (the
 * worker's open() waits for one). A big valid file with a 1 ms limit raced: a main thread held
 * off the CPU longer than the decode took heard the worker's result before its timer.
 */
function stuckInput(): string {
  const path = join(dir, `stuck-${n++}.arrow`);
  execFileSync('mkfifo', [path]);
  fifos.push(path);
  return path;
}

let n = 0;
function arrowFile(rows: number): string {
  const path = join(dir, `${n++}.arrow`);
  const t = tableFromArrays({ x: Float64Array.from({ length: rows }, (_, i) => i), y: Int32Array.from({ length: rows }, (_, i) => i % 7) });
  writeFileSync(path, tableToIPC(t, 'file'));
  return path;
}

describe('arrowGuardLimitMs', () => {
  it('is the default or REBALANCE_ARROW_GUARD_MS, plus 1 s per 20 MB of file', () => {
    expect(arrowGuardLimitMs(0, {})).toBe(DEFAULT_GUARD_MS);
    expect(arrowGuardLimitMs(0, { REBALANCE_ARROW_GUARD_MS: '250' })).toBe(250);
    expect(arrowGuardLimitMs(20 * 1024 * 1024, { REBALANCE_ARROW_GUARD_MS: '250' })).toBe(1250);
    for (const bad of ['', '0', '-5', 'soon']) expect(arrowGuardLimitMs(0, { REBALANCE_ARROW_GUARD_MS: bad })).toBe(DEFAULT_GUARD_MS);
  });
});

describe('guardArrowDecode', () => {
  it('passes a valid file', async () => {
    await expect(guardArrowDecode(arrowFile(100), 'ok.arrow')).resolves.toBeUndefined();
  });

  it('rejects a file whose trial decode makes no progress within the limit, as a one-line data error naming the file and the setting', async () => {
    const e = await guardArrowDecode(stuckInput(), 'big.arrow', { limitMs: 50 }).then(
      () => null,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(DataError);
    expect((e as DataError).code).toBe('REBALANCE_BAD_ARROW');
    expect((e as DataError).message).toMatch(/no progress for 50 ms; set REBALANCE_ARROW_GUARD_MS/);
    expect((e as DataError).message).not.toMatch(/\n/);
    expect((e as DataError).where?.file).toBe('big.arrow');
  });

  it('a check stopped by its limit does not take the other checks of the shared worker with it', async () => {
    const small = arrowFile(50);
    const [slow, fine] = await Promise.allSettled([guardArrowDecode(stuckInput(), 'big.arrow', { limitMs: 50 }), guardArrowDecode(small, 'small.arrow')]);
    expect(slow.status).toBe('rejected');
    expect(fine.status).toBe('fulfilled');
    // and the next check gets a working worker
    await expect(guardArrowDecode(arrowFile(60), 'after.arrow')).resolves.toBeUndefined();
  });

  it('stops when its signal fires, with the signal reason', async () => {
    const controller = new AbortController();
    const reason = Object.assign(new Error('interrupted by SIGTERM'), { name: 'AbortError' });
    const p = guardArrowDecode(arrowFile(400_000), 'big.arrow', { signal: controller.signal, limitMs: 60_000 });
    controller.abort(reason);
    await expect(p).rejects.toBe(reason);
    const aborted = AbortSignal.abort(reason);
    await expect(guardArrowDecode(arrowFile(10), 'x.arrow', { signal: aborted })).rejects.toBe(reason);
  });
});
