/**
 * An imbalanced classification report: imbalanced-learn's classification_report_imbalanced
 * (columns pre rec spe f1 geo iba sup, a support-weighted "avg / total" row, same text layout
 * with digits=2, alpha=0.1), for class codes 0..classNames.length-1 (every class is listed,
 * as imblearn does when called with labels=range(n) and target_names=classNames).
 */
import { confusionMatrix } from './confusion.js';
import { IBA_ALPHA, indexBalancedAccuracy } from './threshold-metrics.js';

export interface ReportScores {
  readonly pre: number;
  readonly rec: number;
  readonly spe: number;
  readonly f1: number;
  readonly geo: number;
  readonly iba: number;
  readonly sup: number;
}

export interface ReportRow extends ReportScores {
  readonly class: string;
}

export interface ImbalancedReport {
  readonly rows: ReportRow[];
  /** Support-weighted averages; `sup` is the total. */
  readonly avg: ReportScores;
  readonly text: string;
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);

/** Python's "{:0.Nf}": like toFixed, but an exact tie (e.g. 0.125 at 2 digits) rounds half to even. */
export function formatFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  const exact = Math.abs(x).toFixed(100);
  const tail = exact.slice(exact.indexOf('.') + 1 + digits);
  if (/^50*$/.test(tail)) {
    const scaled = Math.floor(Math.abs(x) * 10 ** digits);
    const even = scaled % 2 === 0 ? scaled : scaled + 1;
    return (x < 0 ? '-' : '') + (even / 10 ** digits).toFixed(digits);
  }
  return x.toFixed(digits);
}

const pad = (s: string, width: number): string => (s.length >= width ? s : ' '.repeat(width - s.length) + s);

/** Per-class and averaged pre/rec/spe/f1/geo/iba/sup, and imblearn's text table. */
export function classificationReportImbalanced(
  yTrue: Int32Array,
  yPred: Int32Array,
  classNames: readonly string[],
): ImbalancedReport {
  const k = classNames.length;
  const cm = confusionMatrix(yTrue, yPred, k);
  const n = yTrue.length;
  const rows: ReportRow[] = [];
  for (let c = 0; c < k; c++) {
    let sup = 0;
    let predicted = 0;
    for (let j = 0; j < k; j++) {
      sup += cm[c * k + j];
      predicted += cm[j * k + c];
    }
    const tp = cm[c * k + c];
    const fp = predicted - tp;
    const tn = n - sup - fp;
    const pre = ratio(tp, predicted);
    const rec = ratio(tp, sup);
    const spe = ratio(tn, tn + fp);
    const f1 = ratio(2 * tp, predicted + sup);
    const geo = Math.sqrt(rec * spe);
    rows.push({ class: classNames[c], pre, rec, spe, f1, geo, iba: indexBalancedAccuracy(rec, spe, IBA_ALPHA), sup });
  }
  const keys = ['pre', 'rec', 'spe', 'f1', 'geo', 'iba'] as const;
  const avgScores: Record<(typeof keys)[number], number> = { pre: 0, rec: 0, spe: 0, f1: 0, geo: 0, iba: 0 };
  for (const key of keys) {
    let s = 0;
    for (const r of rows) s += r[key] * r.sup;
    avgScores[key] = n === 0 ? NaN : s / n;
  }
  const avg: ReportScores = { ...avgScores, sup: n };

  const heading = 'avg / total';
  const digits = 2;
  const width = Math.max(...classNames.map((c) => c.length), heading.length, digits);
  const line = (cells: string[]): string =>
    pad(cells[0], width) + '  ' + cells.slice(1).map((c) => pad(c, 9)).join(' ') + '\n';
  let text = line(['', ...keys, 'sup']) + '\n';
  for (const r of rows) text += line([r.class, ...keys.map((key) => formatFixed(r[key], digits)), String(r.sup)]);
  text += '\n';
  text += line([heading, ...keys.map((key) => formatFixed(avg[key], digits)), String(n)]);
  return { rows, avg, text };
}
