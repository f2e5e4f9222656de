/**
 * Human-facing renderings of an EvaluationResult (aligned text table, markdown report with plot
 * links) and the `--fail-under` CI gates.
 *
 * Gate rule: a gate applies to the best-ranked row (rank 1: highest mean PR-AUC). The question a
 * CI step asks is "is the best setup we found still good enough?"; requiring every row to pass
 * would make adding a weak sampler to the comparison fail the build. `checkFailUnder(..., 'all')`
 * lists every failing row for diagnostics. A gate compares the mean over folds (>= passes);
 * an undefined mean fails.
 */
import { UsageError } from '../core/errors.js';
import { escapeControls } from '../core/text.js';
import {
  METRIC_NAMES,
  type EvaluationResult,
  type FailedSetup,
  type MetricName,
  type MetricSummary,
  type PairedInterval,
  type ResultRow,
  type SetupVerdict,
} from './result.js';
import { prPlotSvg, rocPlotSvg } from './svg.js';

/** Columns of the text and markdown tables, after rank, sampler and model. */
export const TABLE_METRICS = ['pr_auc', 'roc_auc', 'f1', 'recall', 'precision', 'gmean', 'balanced_accuracy', 'mcc'] as const satisfies readonly MetricName[];

/** Metrics a `--fail-under` gate may name (every reported metric but the threshold itself). */
export const GATE_METRICS: readonly MetricName[] = METRIC_NAMES.filter((m) => m !== 'threshold');

export interface Gate {
  readonly metric: MetricName;
  readonly min: number;
}

/** `0.812 ± 0.034`, or `n/a` when the metric was undefined on every fold. */
export function formatSummary(s: MetricSummary, digits = 3): string {
  if (s.mean === null) return 'n/a';
  return `${s.mean.toFixed(digits)} ± ${(s.std ?? 0).toFixed(digits)}`;
}

/** `+0.051 [+0.012, +0.090]`: a paired difference and its interval; `-` when there is none. */
export function formatInterval(iv: PairedInterval | null, digits = 3): string {
  if (!iv) return '-';
  const f = (v: number): string => (v >= 0 ? '+' : '-') + Math.abs(v).toFixed(digits);
  return `${f(iv.difference)} [${f(iv.lower)}, ${f(iv.upper)}]`;
}

/** The verdict cell: the effect vs 'none', and 'best' / '~best' (not distinguishable from the best). */
export function verdictCell(v: SetupVerdict): string {
  const effect = v.effect === 'baseline' ? 'baseline' : v.effect;
  return v.rank === 1 ? `${effect}, best` : v.tiedWithBest ? `${effect}, ~best` : effect;
}

/** The metric columns: the table metrics, with the ranking metric first when it is not one of them. */
function tableMetrics(result: EvaluationResult): MetricName[] {
  const by = result.settings.rankBy;
  return (TABLE_METRICS as readonly MetricName[]).includes(by) ? [...TABLE_METRICS] : [by, ...TABLE_METRICS];
}

function header(result: EvaluationResult): string[] {
  const v = result.verdict;
  return ['rank', 'sampler', 'model', ...tableMetrics(result), `${v.metric} vs ${v.baseline} (${Math.round(v.confidence * 100)}% CI)`, 'verdict'];
}

function cells(result: EvaluationResult, row: ResultRow, i: number): string[] {
  const v = result.verdict.setups[i];
  return [
    String(row.rank),
    row.sampler,
    row.model,
    ...tableMetrics(result).map((m) => formatSummary(row.metrics[m])),
    formatInterval(v.vsBaseline),
    verdictCell(v),
  ];
}

/** Which columns are numeric (right-aligned). */
function numeric(head: readonly string[]): boolean[] {
  return head.map((h, j) => h !== 'sampler' && h !== 'model' && j < head.length - 1);
}

const setupName = (x: { sampler: string; model: string }): string => `${x.sampler} + ${x.model}`;

/** `kmeans-smote + logistic failed at fold 3/5 (repeat 1) in the sampler: <message> [CODE]`. */
export function formatFailure(f: FailedSetup, folds: number, repeats: number): string {
  return `${setupName(f)} failed at fold ${f.fold}/${folds} (repeat ${f.repeat}/${repeats}) in the ${f.stage}: ${f.message} [${f.code}]`;
}

/**
 * The verdict in words, one line each: how it was computed, which setups help or hurt their
 * model, which cannot be told apart from the best, and the failed setups. Text and markdown
 * reports both print these lines.
 */
export function verdictLines(result: EvaluationResult): string[] {
  const v = result.verdict;
  const { folds, repeats } = result.settings;
  const pct = `${Math.round(v.confidence * 1000) / 10}%`;
  const out: string[] = [];
  out.push(
    `verdict on ${v.metric}: each setup minus the same model with sampler '${v.baseline}' on the same ${folds} folds x ${repeats} repeat(s); ` +
      `${pct} intervals by the corrected resampled t-test (Nadeau & Bengio), 'helps' only when the whole interval is above 0`,
  );
  const list = (effect: string): string[] => v.setups.filter((s) => s.effect === effect).map(setupName);
  const helps = list('helps');
  const hurts = list('hurts');
  const unclear = list('no evidence');
  if (helps.length) out.push(`helps: ${helps.join(', ')}`);
  if (hurts.length) out.push(`hurts: ${hurts.join(', ')}`);
  if (unclear.length) out.push(`no evidence either way: ${unclear.join(', ')}`);
  if (!result.settings.samplers.includes(v.baseline)) {
    out.push(`no comparison: add '${v.baseline}' to the samplers to compare each model with and without resampling`);
  } else {
    const noBase = list('no baseline');
    if (noBase.length) out.push(`no '${v.baseline}' baseline (it failed): ${noBase.join(', ')}`);
  }
  if (v.setups.length > 1) {
    const tied = v.setups.filter((s) => s.tiedWithBest && s.rank !== 1).map(setupName);
    out.push(
      tied.length
        ? `not distinguishable from the best (${setupName(v.setups[0])}) at ${pct}: ${tied.join(', ')}`
        : `the best (${setupName(v.setups[0])}) is ahead of every other setup at ${pct}`,
    );
  }
  for (const f of result.failed) out.push(formatFailure(f, folds, repeats));
  for (const x of result.skipped ?? []) out.push(`not run: ${setupName(x)} (${x.reason})`);
  return out;
}

/** The ranked results as an aligned plain-text table (mean ± std over folds), one line per row. */
export function formatTable(result: EvaluationResult): string {
  const HEADER = header(result);
  const NUMERIC = numeric(HEADER);
  const rows = [HEADER, ...result.results.map((r, i) => cells(result, r, i))];
  const width = HEADER.map((_, j) => Math.max(...rows.map((r) => [...r[j]].length)));
  const line = (r: string[]): string =>
    r.map((c, j) => (NUMERIC[j] ? c.padStart(width[j]) : c.padEnd(width[j]))).join('  ').trimEnd();
  const rule = width.map((w) => '-'.repeat(w)).join('  ');
  return [line(rows[0]), rule, ...rows.slice(1).map(line)].join('\n') + '\n';
}

/** File-name-safe form of a model name. */
function slug(name: string): string {
  const s = name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
  return s || 'model';
}

export interface PlotFile {
  /** Relative path, e.g. `plots/pr-logistic.svg`; the markdown report links to exactly these. */
  readonly path: string;
  readonly model: string;
  readonly kind: 'pr' | 'roc';
  readonly svg: string;
}

/** The PR and ROC plot of every model, with the relative paths the markdown report links to. */
export function plotFiles(result: EvaluationResult): PlotFile[] {
  const used = new Set<string>();
  const out: PlotFile[] = [];
  for (const model of result.settings.models) {
    let base = slug(model);
    for (let i = 2; used.has(base); i++) base = `${slug(model)}-${i}`;
    used.add(base);
    out.push({ path: `plots/pr-${base}.svg`, model, kind: 'pr', svg: prPlotSvg(result, model) });
    out.push({ path: `plots/roc-${base}.svg`, model, kind: 'roc', svg: rocPlotSvg(result, model) });
  }
  return out;
}

/** Text in a markdown table cell or line: one line, `\` and `|` escaped, control characters shown escaped. */
const mdCell = (s: string): string => escapeControls(s.replace(/\r?\n/g, ' '), true).replace(/\\/g, '\\\\').replace(/\|/g, '\\|');

/**
 * A name as a markdown code span that it cannot break out of: fenced by one backtick more than its
 * longest run of backticks (CommonMark), padded when it starts or ends with one; control
 * characters shown escaped, '|' escaped (the span may sit in a table cell).
 */
export function mdCode(name: string): string {
  const s = escapeControls(name, true).replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(s.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = s.startsWith('`') || s.endsWith('`') || s.length === 0 ? ' ' : '';
  return `${fence}${pad}${s}${pad}${fence}`;
}

export interface MarkdownOptions {
  /** 'links' (default): `![](plots/...)` to the files of `plotFiles`; 'inline': the SVG itself; 'none'. */
  readonly plots?: 'links' | 'inline' | 'none';
}

/** A markdown report: dataset and settings, the leakage note, the ranked table and the plots. */
export function markdownReport(result: EvaluationResult, options: MarkdownOptions = {}): string {
  const { dataset: d, settings: s } = result;
  const plots = options.plots ?? 'links';
  const out: string[] = [];
  out.push('# rebalance evaluate', '');
  const classes = d.classes.map((c, i) => `${mdCode(c)} ${d.counts[i]}`).join(', ');
  out.push(`- **Dataset:** ${d.rows} rows, ${d.features} features; classes ${classes}; positive class ${mdCode(d.positive)}`);
  const threshold =
    s.threshold === 'default' ? 'default (0.5)' : s.threshold === 'best-f1' ? 'best F1 on the un-resampled training fold' : String(s.threshold);
  out.push(
    `- **Validation:** stratified ${s.folds}-fold cross-validation, ${s.repeats} repeat(s), seed ${s.seed ?? 'not recorded'}, threshold ${threshold}, k=${s.k}`,
  );
  out.push(`- **Samplers:** ${s.samplers.map(mdCode).join(', ')}`);
  out.push(`- **Models:** ${s.models.map(mdCode).join(', ')}`);
  out.push('', `> Leakage: ${result.note}.`, '');
  const HEADER = header(result);
  const NUMERIC = numeric(HEADER);
  out.push(`Mean ± standard deviation over folds, ranked by mean ${s.rankBy}.`, '');
  out.push(`| ${HEADER.map(mdCell).join(' | ')} |`);
  out.push(`|${NUMERIC.map((n) => (n ? '---:' : ':---')).join('|')}|`);
  result.results.forEach((row, i) => out.push(`| ${cells(result, row, i).map(mdCell).join(' | ')} |`));
  out.push('', '## Verdict', '');
  for (const l of verdictLines(result)) out.push(`- ${mdCell(l)}`);
  out.push('');
  if (plots !== 'none') {
    out.push('## Curves (pooled out-of-fold scores)', '');
    for (const f of plotFiles(result)) {
      const alt = `${f.kind === 'pr' ? 'Precision-recall' : 'ROC'} curves of ${f.model}`;
      if (f.kind === 'pr') out.push(`### ${mdCell(f.model)}`, '');
      out.push(plots === 'links' ? `![${mdCell(alt).replace(/[[\]]/g, '')}](${f.path})` : f.svg.trimEnd(), '');
    }
  }
  return out.join('\n');
}

/**
 * Parses `--fail-under` (`pr_auc=0.6,recall=0.5`).
 * @throws UsageError REBALANCE_BAD_FAIL_UNDER naming the valid metrics
 */
export function parseFailUnder(spec: string): Gate[] {
  const valid = GATE_METRICS.join(', ');
  const bad = (what: string): UsageError =>
    new UsageError('REBALANCE_BAD_FAIL_UNDER', `expected --fail-under as metric=value[,metric=value...] with metric one of ${valid} and value in [-1, 1], ${what}`);
  const parts = spec.split(',').map((p) => p.trim()).filter((p) => p.length > 0);
  if (parts.length === 0) throw bad(`got '${spec}'`);
  const gates: Gate[] = [];
  for (const part of parts) {
    const eq = part.indexOf('=');
    if (eq < 0) throw bad(`got '${part}' (no '=')`);
    const metric = part.slice(0, eq).trim().toLowerCase().replace(/-/g, '_');
    const text = part.slice(eq + 1).trim();
    if (!(GATE_METRICS as readonly string[]).includes(metric)) throw bad(`got unknown metric '${part.slice(0, eq).trim()}'`);
    const min = text === '' ? NaN : Number(text);
    if (!Number.isFinite(min) || min < -1 || min > 1) throw bad(`got '${text}' for ${metric}`);
    if (gates.some((g) => g.metric === metric)) throw bad(`got ${metric} twice`);
    gates.push({ metric: metric as MetricName, min });
  }
  return gates;
}

/**
 * Checks gates. `scope` 'best' (the CLI rule) checks the best-ranked row only; 'all' every row.
 * @returns one line per failing (row, gate), empty when every gate passes
 */
export function checkFailUnder(result: EvaluationResult, gates: readonly Gate[], scope: 'best' | 'all' = 'best'): string[] {
  const rows = scope === 'best' ? result.results.filter((r) => r.rank === 1) : result.results;
  const failures: string[] = [];
  for (const row of rows) {
    for (const g of gates) {
      const mean = row.metrics[g.metric].mean;
      if (mean === null || !(mean >= g.min)) {
        const got = mean === null ? 'undefined' : mean.toFixed(4);
        failures.push(`${row.sampler} + ${row.model} (rank ${row.rank}): ${g.metric} ${got} < ${g.min}`);
      }
    }
  }
  return failures;
}
