/**
 * PR and ROC plots of an EvaluationResult as standalone SVG strings (pure; the CLI writes them).
 * One plot per model, one polyline per sampler (pooled out-of-fold scores), with axes, ticks,
 * a legend carrying each curve's AUC and the no-skill reference (the positive rate for PR,
 * the diagonal for ROC). All text is XML-escaped.
 */
import type { EvaluationResult } from './result.js';

/** One curve: coordinates in [0, 1] (values outside are clamped), its legend name and AUC. */
export interface PlotSeries {
  readonly name: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
  readonly auc: number | null;
  /**
   * Draw as a post step (matplotlib's drawstyle="steps-post"): from point i hold y_i until
   * x_{i+1}, then jump. For PR curves in scikit-learn order (recall decreasing) this is the
   * precision that average precision integrates; a straight line would overstate it.
   */
  readonly steps?: boolean;
}

export interface CurvePlotSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  /** Name of the area metric in the legend, e.g. 'AP' or 'AUC'. */
  readonly aucName: string;
  readonly series: readonly PlotSeries[];
  /** The no-skill line from (x1, y1) to (x2, y2), in data units. */
  readonly reference: { readonly x1: number; readonly y1: number; readonly x2: number; readonly y2: number; readonly label: string };
}

/** Geometry of every plot (SVG user units). The plot area is the square [LEFT, LEFT+SIZE] x [TOP, TOP+SIZE]. */
export const PLOT_GEOMETRY = { width: 640, height: 420, left: 64, top: 44, size: 320 } as const;

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

/** Escapes the five XML special characters. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);
const fmt = (v: number): string => String(Math.round(v * 100) / 100);
const px = (x: number): string => fmt(PLOT_GEOMETRY.left + clamp01(x) * PLOT_GEOMETRY.size);
const py = (y: number): string => fmt(PLOT_GEOMETRY.top + (1 - clamp01(y)) * PLOT_GEOMETRY.size);

/** Renders one plot. */
export function curvePlotSvg(spec: CurvePlotSpec): string {
  const { width, height, left, top, size } = PLOT_GEOMETRY;
  const right = left + size;
  const bottom = top + size;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<title>${escapeXml(spec.title)}</title>`);
  out.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${left + size / 2}" y="${top - 16}" text-anchor="middle" font-size="14">${escapeXml(spec.title)}</text>`);
  // Grid, ticks and tick labels.
  out.push('<g class="axes" stroke="#000000" stroke-width="1">');
  for (let t = 0; t <= 5; t++) {
    const v = t / 5;
    out.push(`<line x1="${px(v)}" y1="${top}" x2="${px(v)}" y2="${bottom}" stroke="#e5e5e5"/>`);
    out.push(`<line x1="${left}" y1="${py(v)}" x2="${right}" y2="${py(v)}" stroke="#e5e5e5"/>`);
    out.push(`<line x1="${px(v)}" y1="${bottom}" x2="${px(v)}" y2="${bottom + 5}"/>`);
    out.push(`<line x1="${left - 5}" y1="${py(v)}" x2="${left}" y2="${py(v)}"/>`);
  }
  out.push(`<rect x="${left}" y="${top}" width="${size}" height="${size}" fill="none"/>`);
  out.push('</g>');
  out.push('<g class="tick-labels" fill="#000000">');
  for (let t = 0; t <= 5; t++) {
    const v = t / 5;
    out.push(`<text x="${px(v)}" y="${bottom + 18}" text-anchor="middle">${v.toFixed(1)}</text>`);
    out.push(`<text x="${left - 8}" y="${Number(py(v)) + 4}" text-anchor="end">${v.toFixed(1)}</text>`);
  }
  out.push('</g>');
  out.push(`<text x="${left + size / 2}" y="${bottom + 38}" text-anchor="middle">${escapeXml(spec.xLabel)}</text>`);
  out.push(
    `<text x="${left - 44}" y="${top + size / 2}" text-anchor="middle" transform="rotate(-90 ${left - 44} ${top + size / 2})">${escapeXml(spec.yLabel)}</text>`,
  );
  // Reference line.
  const r = spec.reference;
  out.push(
    `<line class="reference" x1="${px(r.x1)}" y1="${py(r.y1)}" x2="${px(r.x2)}" y2="${py(r.y2)}" stroke="#888888" stroke-dasharray="5 4"/>`,
  );
  // Curves.
  spec.series.forEach((s, i) => {
    const pts: string[] = [];
    const n = Math.min(s.x.length, s.y.length);
    for (let j = 0; j < n; j++) {
      if (s.steps && j > 0) pts.push(`${px(s.x[j])},${py(s.y[j - 1])}`);
      pts.push(`${px(s.x[j])},${py(s.y[j])}`);
    }
    out.push(
      `<polyline class="curve" data-series="${escapeXml(s.name)}" points="${pts.join(' ')}" fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="2"/>`,
    );
  });
  // Legend.
  const lx = right + 20;
  out.push('<g class="legend">');
  spec.series.forEach((s, i) => {
    const y = top + 10 + i * 20;
    const auc = s.auc === null ? 'n/a' : s.auc.toFixed(3);
    out.push(`<line x1="${lx}" y1="${y}" x2="${lx + 24}" y2="${y}" stroke="${COLORS[i % COLORS.length]}" stroke-width="2"/>`);
    out.push(`<text x="${lx + 30}" y="${y + 4}">${escapeXml(`${s.name} (${spec.aucName} ${auc})`)}</text>`);
  });
  const ry = top + 10 + spec.series.length * 20;
  out.push(`<line x1="${lx}" y1="${ry}" x2="${lx + 24}" y2="${ry}" stroke="#888888" stroke-dasharray="5 4"/>`);
  out.push(`<text x="${lx + 30}" y="${ry + 4}">${escapeXml(r.label)}</text>`);
  out.push('</g>');
  out.push('</svg>');
  return out.join('\n') + '\n';
}

function rowsOf(result: EvaluationResult, model: string) {
  // Legend in the order samplers were given, not by rank, so colours match across plots.
  return result.settings.samplers
    .map((s) => result.results.find((r) => r.sampler === s && r.model === model))
    .filter((r): r is NonNullable<typeof r> => r !== undefined);
}

/** Precision-recall curves of `model`, one per sampler, with the positive-rate baseline. */
export function prPlotSvg(result: EvaluationResult, model: string): string {
  const rows = rowsOf(result, model);
  const rate = rows.length ? rows[0].pooled.positiveRate : 0;
  return curvePlotSvg({
    title: `Precision-recall: ${model} (${result.dataset.positive} positive)`,
    xLabel: 'Recall',
    yLabel: 'Precision',
    aucName: 'AP',
    series: rows.map((r) => ({ name: r.sampler, x: r.pooled.pr.x, y: r.pooled.pr.y, auc: r.pooled.prAuc, steps: true })),
    reference: { x1: 0, y1: rate, x2: 1, y2: rate, label: `no skill (${rate.toFixed(3)})` },
  });
}

/** ROC curves of `model`, one per sampler, with the chance diagonal. */
export function rocPlotSvg(result: EvaluationResult, model: string): string {
  const rows = rowsOf(result, model);
  return curvePlotSvg({
    title: `ROC: ${model} (${result.dataset.positive} positive)`,
    xLabel: 'False positive rate',
    yLabel: 'True positive rate',
    aucName: 'AUC',
    series: rows.map((r) => ({ name: r.sampler, x: r.pooled.roc.x, y: r.pooled.roc.y, auc: r.pooled.rocAuc })),
    reference: { x1: 0, y1: 0, x2: 1, y2: 1, label: 'chance (0.500)' },
  });
}
