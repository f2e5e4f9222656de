import { beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { createRng } from '../../../src/core/rng.js';
import { evaluate } from '../../../src/evaluate/cross-validate.js';
import {
  GATE_METRICS,
  TABLE_METRICS,
  checkFailUnder,
  formatSummary,
  formatInterval,
  formatTable,
  verdictCell,
  verdictLines,
  markdownReport,
  parseFailUnder,
  plotFiles,
} from '../../../src/evaluate/report.js';
import type { EvaluationResult } from '../../../src/evaluate/result.js';
import { duplicateMinority, featureModel, noiseData, randomModel } from './fixtures.js';
import { parseXml } from './xml.js';

describe('reports', () => {
  let result: EvaluationResult;
  beforeAll(async () => {
    const data = noiseData(createRng(8), 200, 2, 0.15, 2);
    result = await evaluate(data, {
      samplers: ['none', 'random|over'],
      models: ['feature0', 'Random Model'],
      folds: 4,
      repeats: 1,
      positive: data.classNames.indexOf('pos'),
      threshold: 'default',
      rng: createRng(8),
      seed: 8,
      resample: duplicateMinority,
      createModel: (name) => (name === 'feature0' ? featureModel() : randomModel()),
      warn: () => {},
    });
  });

  it('formats an aligned, ranked text table of mean ± std', () => {
    const lines = formatTable(result).trimEnd().split('\n');
    expect(lines).toHaveLength(2 + result.results.length);
    expect(lines[0].split(/\s+/).slice(0, 3 + TABLE_METRICS.length)).toEqual(['rank', 'sampler', 'model', ...TABLE_METRICS]);
    expect(lines[0]).toMatch(/pr_auc vs none \(95% CI\)\s+verdict$/);
    expect(lines[1]).toMatch(/^[- ]+$/);
    // Every line has the same width and every column starts at the same offset.
    // No line is wider than the rule under the header (the last column, the verdict, is left-aligned).
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual([...lines[1]].length);
    const starts = [...lines[1].matchAll(/-+/g)].map((m) => m.index);
    for (const line of lines.slice(2)) for (const s of starts.slice(1)) expect(line[s! - 1]).toBe(' ');
    result.results.forEach((row, i) => {
      const line = lines[i + 2];
      expect(line.trimStart().startsWith(String(row.rank))).toBe(true);
      expect(line).toContain(row.sampler);
      expect(line).toContain(formatSummary(row.metrics.pr_auc));
      expect(line).toContain(formatSummary(row.metrics.mcc));
      expect(line).toContain(formatInterval(result.verdict.setups[i].vsBaseline));
      expect(line.endsWith(verdictCell(result.verdict.setups[i]))).toBe(true);
    });
    expect(formatSummary({ mean: 0.81234, std: 0.0345, folds: [] })).toBe('0.812 ± 0.035');
    expect(formatSummary({ mean: null, std: null, folds: [null] })).toBe('n/a');
  });

  it('says the verdict in words, the same lines in text and markdown, and lists failed setups', () => {
    expect(formatInterval({ difference: 0.0512, lower: -0.0123, upper: 0.1, pairs: 4 })).toBe('+0.051 [-0.012, +0.100]');
    expect(formatInterval(null)).toBe('-');
    const lines = verdictLines(result);
    expect(lines[0]).toContain('verdict on pr_auc');
    expect(lines[0]).toContain('4 folds x 1 repeat(s)');
    const best = result.verdict.setups[0];
    expect(lines.join('\n')).toContain(`(${best.sampler} + ${best.model})`);
    for (const s of result.verdict.setups) {
      if (s.effect === 'helps') expect(lines.find((l) => l.startsWith('helps:'))).toContain(`${s.sampler} + ${s.model}`);
      if (s.effect === 'no evidence') expect(lines.find((l) => l.startsWith('no evidence'))).toContain(`${s.sampler} + ${s.model}`);
    }
    const md = markdownReport(result);
    expect(md).toContain('## Verdict');
    for (const l of lines) expect(md).toContain(`- ${l.replace(/\|/g, '\\|')}`);
    const failed = {
      ...result,
      failed: [{ sampler: 'kmeans-smote', model: 'feature0', fold: 3, repeat: 1, stage: 'sampler' as const, code: 'REBALANCE_NO_CLUSTER', message: 'no cluster' }],
    };
    expect(verdictLines(failed).at(-1)).toBe('kmeans-smote + feature0 failed at fold 3/4 (repeat 1/1) in the sampler: no cluster [REBALANCE_NO_CLUSTER]');
    expect(markdownReport(failed)).toContain('- kmeans-smote + feature0 failed at fold 3/4');
  });

  it('writes a markdown report with settings, the leakage note, the table and plot links', () => {
    const md = markdownReport(result);
    expect(md).toContain('> Leakage: only training folds were resampled; test folds are untouched.');
    expect(md).toContain('stratified 4-fold cross-validation, 1 repeat(s), seed 8, threshold default (0.5), k=5');
    expect(md).toContain('positive class `pos`');
    const tableRows = md.split('\n').filter((l) => l.startsWith('| '));
    expect(tableRows).toHaveLength(1 + result.results.length);
    expect(tableRows[0]).toBe(`| rank | sampler | model | ${TABLE_METRICS.join(' | ')} | pr_auc vs none (95% CI) | verdict |`);
    // A '|' in a name is escaped so the row keeps its column count.
    for (const row of tableRows) expect(row.split(/(?<!\\)\|/).length).toBe(TABLE_METRICS.length + 7);
    expect(md).toContain('random\\|over');
    const files = plotFiles(result);
    expect(files.map((f) => f.path)).toEqual([
      'plots/pr-feature0.svg',
      'plots/roc-feature0.svg',
      'plots/pr-random-model.svg',
      'plots/roc-random-model.svg',
    ]);
    for (const f of files) {
      expect(md).toContain(`](${f.path})`);
      expect(parseXml(f.svg)[0].name).toBe('svg');
    }
    const inline = markdownReport(result, { plots: 'inline' });
    expect(inline.split('<svg ').length - 1).toBe(4);
    expect(inline).not.toContain('](plots/');
    expect(markdownReport(result, { plots: 'none' })).not.toContain('svg');
  });

  it('parses --fail-under gates', () => {
    expect(parseFailUnder('pr_auc=0.6,recall=0.5')).toEqual([
      { metric: 'pr_auc', min: 0.6 },
      { metric: 'recall', min: 0.5 },
    ]);
    expect(parseFailUnder(' balanced-accuracy = .7 , mcc=-0.1 ')).toEqual([
      { metric: 'balanced_accuracy', min: 0.7 },
      { metric: 'mcc', min: -0.1 },
    ]);
    for (const bad of ['', 'pr_auc', 'auc=0.5', 'pr_auc=', 'pr_auc=x', 'pr_auc=1.5', 'pr_auc=0.5,pr_auc=0.6', 'threshold=0.5']) {
      let err: unknown;
      try {
        parseFailUnder(bad);
      } catch (e) {
        err = e;
      }
      expect(err, bad).toBeInstanceOf(UsageError);
      expect((err as UsageError).code).toBe('REBALANCE_BAD_FAIL_UNDER');
      expect((err as UsageError).message).toContain(GATE_METRICS.join(', '));
      expect((err as UsageError).message).not.toContain('\n');
    }
  });

  it('applies gates to the best-ranked row (all rows on request)', () => {
    const best = result.results[0];
    const worst = result.results[result.results.length - 1];
    expect(best.model).toBe('feature0');
    const between = (best.metrics.pr_auc.mean! + worst.metrics.pr_auc.mean!) / 2;
    expect(checkFailUnder(result, [{ metric: 'pr_auc', min: between }])).toEqual([]);
    const failing = checkFailUnder(result, [{ metric: 'pr_auc', min: between }], 'all');
    expect(failing.length).toBeGreaterThan(0);
    expect(failing.some((f) => f.startsWith(`${worst.sampler} + ${worst.model} (rank ${worst.rank}): pr_auc`))).toBe(true);
    const above = best.metrics.pr_auc.mean! + 0.01;
    const fails = checkFailUnder(result, parseFailUnder(`pr_auc=${above},recall=0`));
    expect(fails).toEqual([`${best.sampler} + ${best.model} (rank 1): pr_auc ${best.metrics.pr_auc.mean!.toFixed(4)} < ${above}`]);
    expect(checkFailUnder(result, [{ metric: 'pr_auc', min: best.metrics.pr_auc.mean! }])).toEqual([]);
  });
});
