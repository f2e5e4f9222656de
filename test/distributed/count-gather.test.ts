/**
 * Two shortcuts of the synthesize route (issue #16's time bar): count --gather keeps the small
 * classes' rows in the count pass (distributed/count-gather.ts), and select copies a plain CSV
 * pass-through partition as bytes (distributed/verbatim.ts). Each must give exactly what the
 * step it replaces gives: the gather step's file, the row pass's output.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatherKeeper } from '../../src/distributed/count-gather.js';
import { countPartition, type PartitionSummary } from '../../src/distributed/partition.js';
import { makePlan, type DistPlan } from '../../src/distributed/plan.js';
import { gatherPartition, passThrough } from '../../src/distributed/steps.js';
import { openTable } from '../../src/dataset/cell-semantics.js';
import { scanTable, type ScanOptions } from '../../src/dataset/scan.js';
import { runCli } from '../helpers/cli-in-process.js';
import { HEADER, labelCounts, rowMultiset, runLocal, sortedEntries, tableRows, writeArrowSplit, writeSplit } from './tables.js';

let dir: string;
let rows: string[];
let split8: string[];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rebalance-cg-'));
  rows = tableRows(2400);
  split8 = writeSplit(mkdtempSync(join(dir, 'p8-')), rows, [150, 400, 700, 1000, 1234, 1600, 2000]);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function dist(args: string[]): Promise<void> {
  const r = await runCli(['dist', ...args]);
  expect(r.code, r.stderr).toBe(0);
}

const readJson = <T>(f: string): T => JSON.parse(readFileSync(f, 'utf8')) as T;

describe('count --gather', () => {
  it("keeps every class but each partition's largest, whole and byte for byte the gather step's file; the plan says countGathered", async () => {
    const work = mkdtempSync(join(dir, 'w-'));
    const w = (n: string): string => join(work, n);
    const sums = split8.map((_, i) => w(`s${i}.json`));
    for (let i = 0; i < split8.length; i++) await dist(['count', split8[i], '-o', sums[i], '--gather', w(`cg${i}.csv`)]);
    for (const s of sums) expect([...readJson<PartitionSummary>(s).gathered!.classes].sort()).toEqual(['fraud', 'review']);
    await dist(['plan', ...sums, '-m', 'smote', '-o', w('plan.json')]);
    expect(readJson<DistPlan>(w('plan.json')).countGathered).toBe(true);
    for (let i = 0; i < split8.length; i++) {
      await dist(['gather', split8[i], '--plan', w('plan.json'), '--index', String(i), '-o', w(`g${i}.csv`)]);
      expect(readFileSync(w(`cg${i}.csv`))).toEqual(readFileSync(w(`g${i}.csv`)));
    }
    // Counted without --gather: no `gathered`, and the plan does not say countGathered.
    await dist(['count', split8[0], '-o', w('plain.json')]);
    expect(readJson<PartitionSummary>(w('plain.json')).gathered).toBeUndefined();
    await dist(['plan', w('plain.json'), ...sums.slice(1), '-m', 'smote', '-o', w('plan2.json')]);
    expect(readJson<DistPlan>(w('plan2.json')).countGathered).toBeUndefined();
  });

  it('a plan growing fewer classes than were kept falls back to the gather step; the output still equals one machine', async () => {
    const work = mkdtempSync(join(dir, 'min-'));
    const out = await runLocal(split8, work, 'smote', { seed: 4, plan: ['--strategy', 'minority'] });
    expect(readJson<DistPlan>(join(work, 'plan.json')).countGathered).toBeUndefined();
    const whole = join(dir, 'all.csv');
    writeFileSync(whole, [HEADER, ...rows].join('\n') + '\n');
    const single = join(work, 'single.csv');
    const r = await runCli(['resample', whole, '-m', 'smote', '--strategy', 'minority', '--seed', '4', '-o', single, '-q', '--knn-backend', 'cpu']);
    expect(r.code, r.stderr).toBe(0);
    expect(sortedEntries(rowMultiset(out))).toEqual(sortedEntries(rowMultiset([single])));
    expect(labelCounts(rowMultiset(out)).fraud).toBeGreaterThan(labelCounts(rowMultiset([single])).review);
  });

  it('a partition sorted by label keeps its small class first or last; a dropped row, an Arrow partition and the byte budget list none', async () => {
    const d = mkdtempSync(join(dir, 'sorted-'));
    const ok = rows.filter((r) => r.endsWith(',ok')).slice(0, 900);
    const fraud = rows.filter((r) => r.endsWith(',fraud')).slice(0, 100);
    for (const [name, body] of [['first', [...fraud, ...ok]], ['last', [...ok, ...fraud]]] as const) {
      const f = join(d, `${name}.csv`);
      writeFileSync(f, [HEADER, ...body].join('\n') + '\n');
      const s = await countPartition(f, {}, {}, join(d, `${name}-g.csv`));
      expect(s.gathered?.classes, name).toEqual(['fraud']);
      expect(readFileSync(join(d, `${name}-g.csv`), 'utf8')).toBe([HEADER, ...fraud].join('\n') + '\n');
    }
    // A bad row the pass skips: the partition drops a row, nothing is listed and no file written.
    const bad = join(d, 'bad.csv');
    writeFileSync(bad, [HEADER, ...fraud, '1,2', ...ok].join('\n') + '\n');
    const sb = await countPartition(bad, {}, { onBadRow: 'skip' }, join(d, 'bad-g.csv'));
    expect(sb.rows).toBe(1000);
    expect(sb.gathered).toBeUndefined();
    expect(existsSync(join(d, 'bad-g.csv'))).toBe(false);
    // Arrow: the pass reads cells, not bytes.
    const [arrow] = writeArrowSplit(mkdtempSync(join(dir, 'arrow-')), rows.slice(0, 300), []);
    expect((await countPartition(arrow, {}, {}, join(d, 'a-g.arrow'))).gathered).toBeUndefined();
    // The byte budget: past it the class holding the most bytes leaves (here both small classes).
    const three = join(d, 'three.csv');
    writeFileSync(three, [HEADER, ...rows.slice(0, 600)].join('\n') + '\n');
    const listed = async (keeper: GatherKeeper): Promise<string[] | null> => {
      const source = await openTable(three, {}, {});
      try {
        return keeper.complete(await scanTable(source, { records: keeper } satisfies ScanOptions));
      } finally {
        await source.close();
      }
    };
    expect(await listed(new GatherKeeper())).toEqual(['fraud', 'review']);
    const fraudBytes = rows.slice(0, 600).filter((r) => r.endsWith(',fraud')).reduce((t, r) => t + r.length, 0);
    expect(await listed(new GatherKeeper(fraudBytes + 40))).toEqual(['fraud']);
    expect(await listed(new GatherKeeper(10))).toEqual([]);
  });
});

describe('count --gather, property', () => {
  it('on random tables, splits, orders and strategies: whenever the plan says countGathered, each kept file is the gather step\'s file byte for byte', async () => {
    const dd = mkdtempSync(join(dir, 'cgp-'));
    let t = 0;
    let used = 0;
    const table = fc.record({
      sizes: fc.tuple(fc.integer({ min: 6, max: 40 }), fc.integer({ min: 6, max: 120 }), fc.integer({ min: 150, max: 400 })),
      order: fc.constantFrom('shuffled', 'sorted', 'reversed'),
      cuts: fc.uniqueArray(fc.integer({ min: 1, max: 200 }), { maxLength: 5 }),
      strategy: fc.constantFrom('auto', 'minority', 'not majority', 'all', 'not minority'),
      seed: fc.integer({ min: 1, max: 1000 }),
    });
    await fc.assert(
      fc.asyncProperty(table, async ({ sizes, order, cuts, strategy, seed }) => {
        const names = ['fraud', 'review', 'ok'];
        let body = names.flatMap((name, c) => Array.from({ length: sizes[c] }, (_, i) => `${(i * 7919 + seed * (c + 1)) % 1000 / 8},${(i + c) % 5},${name}`));
        if (order === 'shuffled') body = body.map((r, i) => [(i * 2654435761 + seed) % 4294967296, r] as const).sort((a, b) => a[0] - b[0]).map((x) => x[1]);
        if (order === 'reversed') body.reverse();
        const bounds = [0, ...[...cuts].filter((c) => c < body.length).sort((a, b) => a - b), body.length];
        const w = mkdtempSync(join(dd, `t${t++}-`));
        const parts: string[] = [];
        for (let i = 0; i + 1 < bounds.length; i++) {
          const f = join(w, `p${i}.csv`);
          writeFileSync(f, ['x,y,label', ...body.slice(bounds[i], bounds[i + 1])].join('\n') + '\n');
          parts.push(f);
        }
        const summaries: PartitionSummary[] = [];
        for (let i = 0; i < parts.length; i++) summaries.push(await countPartition(parts[i], {}, {}, join(w, `cg${i}.csv`)));
        const plan = makePlan(summaries, { method: 'smote', seed: 1, strategy: strategy as never });
        if (!plan.countGathered) return;
        used++;
        for (let i = 0; i < parts.length; i++) {
          await gatherPartition({ input: parts[i], index: i, plan, output: join(w, `g${i}.csv`) });
          expect(readFileSync(join(w, `cg${i}.csv`)).equals(readFileSync(join(w, `g${i}.csv`))), `partition ${i}`).toBe(true);
        }
      }),
      { numRuns: 40, seed: 7 },
    );
    expect(used).toBeGreaterThan(5);
  });
});

/** Count and plan one partition file (smote: every row passes through), then the pass-through both ways. */
async function bothWays(file: string, opts: { out?: string; scan?: ScanOptions } = {}): Promise<{ copied: boolean; copy: Buffer; rows: Buffer } | null> {
  let summary: PartitionSummary;
  try {
    summary = await countPartition(file, {}, opts.scan ?? {});
  } catch {
    return null; // not a table the count step takes
  }
  if (Object.keys(summary.classes).length < 2) return null;
  const plan = makePlan([summary], { method: 'smote', seed: 1, options: { kNeighbors: 1 } });
  const ext = opts.out ?? '.csv';
  const a = `${file}.copy${ext}`;
  const b = `${file}.rows${ext}`;
  const step = { input: file, index: 0, plan, scan: opts.scan };
  const ra = await passThrough({ ...step, output: a });
  const rb = await passThrough({ ...step, output: b }, { copy: false });
  expect(rb.copied).toBe(false);
  expect({ ...ra, copied: false }).toEqual(rb);
  const load = (f: string): Buffer => (f.endsWith('.gz') ? gunzipSync(readFileSync(f)) : readFileSync(f));
  return { copied: ra.copied, copy: load(a), rows: load(b) };
}

describe('select: a pass-through partition as a byte copy', () => {
  const body = (n: number): string[] => Array.from({ length: n }, (_, i) => `${i / 4},${(i * 7) % 5},${i % 3 === 0 ? 'x' : 'y'}`);
  const cases: [string, string, boolean, string?][] = [
    ['plain', ['a,b,label', ...body(12)].join('\n') + '\n', true],
    ['no line break at the end', ['a,b,label', ...body(12)].join('\n'), true],
    ['a byte-order mark', '\ufeff' + ['a,b,label', ...body(12)].join('\n') + '\n', true],
    ['TSV', ['a\tb\tlabel', ...body(12).map((l) => l.replaceAll(',', '\t'))].join('\n') + '\n', true, '.tsv'],
    ['TSV to CSV (re-encoded)', ['a\tb\tlabel', ...body(12).map((l) => l.replaceAll(',', '\t'))].join('\n') + '\n', false],
    ['gzip output', ['a,b,label', ...body(12)].join('\n') + '\n', true, '.csv.gz'],
    ['CRLF', ['a,b,label', ...body(12)].join('\r\n') + '\r\n', false],
    ['one CRLF line among LF lines', ['a,b,label', ...body(6), '5,1,x\r', ...body(6)].join('\n') + '\n', false],
    ['a lone CR', ['a,b,label', ...body(6), '5,2,y\r6,1,x', ...body(6)].join('\n') + '\n', false],
    ['a quoted field', ['a,b,label', ...body(6), '"1.5",2,x', ...body(6)].join('\n') + '\n', false],
    ['a blank line', ['a,b,label', ...body(6), '', ...body(6)].join('\n') + '\n', false],
    ['a line of spaces', ['a,b,label', ...body(6), '  ', ...body(6)].join('\n') + '\n', false],
    ['Arrow output', ['a,b,label', ...body(12)].join('\n') + '\n', false, '.arrow'],
  ];
  for (const [name, text, copied, out] of cases) {
    it(`${name}: ${copied ? 'copied' : 'the row pass'}, the same bytes`, async () => {
      const file = join(mkdtempSync(join(dir, 'v-')), name.includes('TSV') ? 'p.tsv' : 'p.csv');
      writeFileSync(file, text);
      const r = await bothWays(file, { out });
      expect(r).not.toBeNull();
      expect(r!.copied).toBe(copied);
      expect(r!.copy.equals(r!.rows)).toBe(true);
    });
  }

  it('an interrupt stops the copy and leaves no output', async () => {
    const d = mkdtempSync(join(dir, 'v3-'));
    const file = join(d, 'p.csv');
    writeFileSync(file, ['a,b,label', ...body(12)].join('\n') + '\n');
    const plan = makePlan([await countPartition(file)], { method: 'smote', seed: 1, options: { kNeighbors: 1 } });
    const reason = Object.assign(new Error('interrupted by SIGINT'), { name: 'AbortError' });
    const out = join(d, 'o.csv');
    await expect(passThrough({ input: file, index: 0, plan, output: out, read: { signal: AbortSignal.abort(reason) } })).rejects.toBe(reason);
    expect(existsSync(out)).toBe(false);
  });

  it('a compressed input and a row the count pass drops take the row pass', async () => {
    const d = mkdtempSync(join(dir, 'v2-'));
    const gz = join(d, 'p.csv.gz');
    writeFileSync(gz, gzipSync(['a,b,label', ...body(12)].join('\n') + '\n'));
    expect((await bothWays(gz))!.copied).toBe(false);
    const ragged = join(d, 'r.csv');
    writeFileSync(ragged, ['a,b,label', ...body(6), '1,2', ...body(6)].join('\n') + '\n');
    const r = await bothWays(ragged, { scan: { onBadRow: 'skip' } });
    expect(r!.copied).toBe(false);
    expect(r!.copy.equals(r!.rows)).toBe(true);
    const missing = join(d, 'm.csv');
    writeFileSync(missing, ['a,b,label', ...body(6), ',2,x', ...body(6)].join('\n') + '\n');
    const m = await bothWays(missing, { scan: { missing: 'drop' } });
    expect(m!.copied).toBe(false);
    expect(m!.copy.equals(m!.rows)).toBe(true);
  });

  it('property: on any CSV the count step takes, the copy (when it runs) writes the row pass bytes', async () => {
    const line = fc.oneof(
      { weight: 8, arbitrary: fc.tuple(fc.integer({ min: -9, max: 99 }), fc.integer({ min: 0, max: 9 }), fc.constantFrom('x', 'y')).map(([a, b, l]) => `${a / 4},${b},${l}`) },
      { weight: 1, arbitrary: fc.constantFrom('', ' ', '\t', '"2",1,x', '1,"a\nb",y', '1,2', '3,,x', '1e3,2,y', ' 4 ,5,x', '5,6,x\r', '7,1,y\r8,2,x') },
    );
    const dd = mkdtempSync(join(dir, 'prop-'));
    let n = 0;
    let copies = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 2, maxLength: 30 }), fc.constantFrom('\n', '\r\n'), fc.boolean(), async (lines, eol, lastEol) => {
        const file = join(dd, `c${n++}.csv`);
        writeFileSync(file, ['a,b,label', ...lines].join(eol) + (lastEol ? eol : ''));
        const r = await bothWays(file, { scan: { onBadRow: 'skip', missing: 'drop' } });
        if (r === null) return;
        if (r.copied) copies++;
        expect(r.copy.equals(r.rows)).toBe(true);
      }),
      { numRuns: 80, seed: 16 },
    );
    // The copy ran on some of them (so the equality above tested it).
    expect(copies).toBeGreaterThan(10);
  });
});
