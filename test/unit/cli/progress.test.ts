import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { reporter, type CliContext } from '../../../src/cli/common.js';
import { ESTIMATE_AFTER_MS, formatTimeLeft, progressLine, REDRAW_MS, SHOW_AFTER_MS } from '../../../src/cli/progress.js';

function fakeStream(columns?: number): { write(t: string): void; columns?: number; text: () => string } {
  let out = '';
  return { write: (t: string) => void (out += t), columns, text: () => out };
}

describe('progressLine', () => {
  it('stays silent for a short task, then shows the share done and, later, the time left', () => {
    let now = 0;
    const s = fakeStream();
    const line = progressLine(s, () => now);
    line.update('kNN search', 0, 1000);
    now = SHOW_AFTER_MS - 1;
    line.update('kNN search', 100, 1000);
    expect(s.text()).toBe('');
    now = SHOW_AFTER_MS;
    line.update('kNN search', 250, 1000);
    expect(s.text()).toBe('\rrebalance: kNN search 25% (250 of 1,000 rows)\x1b[K');
    // 500 rows in 4 s since the task started: 500 left take about 4 s more.
    now = ESTIMATE_AFTER_MS + 1000;
    line.update('kNN search', 500, 1000);
    expect(s.text().endsWith('\rrebalance: kNN search 50% (500 of 1,000 rows), about 4 s left\x1b[K')).toBe(true);
    line.update('kNN search', 1000, 1000);
    expect(s.text().endsWith('\r\x1b[K')).toBe(true);
  });

  it('estimates from the rate since the first report, and starts over for a new task', () => {
    let now = 0;
    const s = fakeStream();
    const line = progressLine(s, () => now);
    line.update('kNN search', 600, 1000); // the first report came late: 600 already done
    now = 4000;
    line.update('kNN search', 700, 1000); // 100 rows in 4 s: 300 more take 12 s
    expect(s.text()).toContain('70% (700 of 1,000 rows), about 12 s left');
    now = 4100;
    line.update('kNN search', 10, 1000); // went back: the next search
    expect(s.text().endsWith('about 12 s left\x1b[K')).toBe(true); // not shown yet
  });

  it('clear() removes a shown line once, and the line fits the terminal width', () => {
    let now = 0;
    const s = fakeStream(30);
    const line = progressLine(s, () => now);
    line.clear();
    expect(s.text()).toBe('');
    line.update('kNN search', 0, 10);
    now = 2000;
    line.update('kNN search', 5, 10);
    expect(s.text()).toBe(`\r${'rebalance: kNN search 50% (5 of 10 rows)'.slice(0, 29)}\x1b[K`);
    line.clear();
    line.clear();
    expect(s.text().endsWith('\x1b[K\r\x1b[K')).toBe(true);
    expect(s.text().split('\r').length).toBe(3);
  });

  it('a task with no total yet shows its count; redraws come at most every REDRAW_MS', () => {
    let now = 0;
    const s = fakeStream();
    const line = progressLine(s, () => now);
    line.update('pass 1, reading', 16384, null);
    now = SHOW_AFTER_MS;
    line.update('pass 1, reading', 1234567, null);
    expect(s.text()).toBe('\rrebalance: pass 1, reading 1,234,567 rows\x1b[K');
    now += REDRAW_MS - 1;
    line.update('pass 1, reading', 1300000, null);
    expect(s.text().split('\r').length).toBe(2); // not redrawn yet
    now += 1;
    line.update('pass 1, reading', 1400000, null);
    expect(s.text().endsWith('\rrebalance: pass 1, reading 1,400,000 rows\x1b[K')).toBe(true);
    line.update('pass 1, reading', 1500000, 1500000); // the pass ends: the line goes
    expect(s.text().endsWith('\r\x1b[K')).toBe(true);
  });

  it('formats the time left', () => {
    expect(formatTimeLeft(200)).toBe('about 1 s left');
    expect(formatTimeLeft(42_000)).toBe('about 42 s left');
    expect(formatTimeLeft(150_000)).toBe('about 3 min left');
    expect(formatTimeLeft(2 * 3600_000 + 5 * 60_000)).toBe('about 2 h 5 min left');
  });
});

describe('reporter', () => {
  const context = (tty: boolean, stdoutTty = false): { ctx: CliContext; text: () => string } => {
    const stderr = new PassThrough();
    let out = '';
    stderr.on('data', (c: Buffer) => (out += c.toString()));
    Object.assign(stderr, { isTTY: tty });
    const stdout = Object.assign(new PassThrough(), { isTTY: stdoutTty });
    const ctx: CliContext = { stdout, stderr, signal: new AbortController().signal, version: 'test' };
    return { ctx, text: () => out };
  };

  it('gives no progress when stderr is not a terminal, with --quiet, or when data goes to the same terminal', () => {
    expect(reporter(context(false).ctx, false).knnProgress).toBeUndefined();
    expect(reporter(context(true).ctx, true).knnProgress).toBeUndefined();
    expect(reporter(context(true).ctx, false).knnProgress).toBeTypeOf('function');
    expect(reporter(context(true, true).ctx, false, true).line).toBeNull();
    expect(reporter(context(true, true).ctx, false, false).line).not.toBeNull();
    expect(reporter(context(true, false).ctx, false, true).line).not.toBeNull();
  });

  it('on a terminal, a notice first clears the progress line', async () => {
    const { ctx, text } = context(true);
    const r = reporter(ctx, false);
    const started = performance.now();
    r.knnProgress!(0, 100);
    while (performance.now() - started < SHOW_AFTER_MS + 20) await new Promise((res) => setTimeout(res, 50));
    r.knnProgress!(40, 100);
    r.log('kNN backend: cpu');
    r.end();
    await new Promise((res) => setImmediate(res));
    expect(text()).toBe('\rrebalance: kNN search 40% (40 of 100 rows)\x1b[K\r\x1b[Krebalance: kNN backend: cpu\n');
  });
});
