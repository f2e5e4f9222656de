/**
 * Gathering rows of a scanned table into an in-memory Dataset (Float64 feature columns).
 */
import type { Cell } from '../io/batch.js';
import { cellText } from '../io/cells.js';
import type { TableProfile } from '../dataset/scan.js';
import type { Dataset } from '../types.js';
import { extractorFor, featureColumns, featureKind } from './columns.js';

/** Gathers Float64 features of the rows a predicate selects (by class code). */
export class DatasetBuilder {
  private readonly extract: ((v: Cell) => number)[];
  private readonly colIndex: number[];
  private readonly features: Float64Array[];
  private readonly labels: Int32Array;
  private readonly rowIds: Int32Array;
  private n = 0;

  private readonly passCols: { name: string; index: number; values: (string | null)[] }[];

  constructor(
    private readonly profile: TableProfile,
    private readonly accept: (code: number) => boolean,
    withPassthrough = false,
  ) {
    this.passCols = withPassthrough
      ? profile.columns.filter((c) => c.role === 'passthrough').map((c) => ({ name: c.name, index: c.index, values: [] }))
      : [];
    const feats = featureColumns(profile);
    this.extract = feats.map(extractorFor);
    this.colIndex = feats.map((c) => c.index);
    let total = 0;
    profile.counts.forEach((n, c) => {
      if (accept(c)) total += n;
    });
    this.features = feats.map(() => new Float64Array(total));
    this.labels = new Int32Array(total);
    this.rowIds = new Int32Array(total);
  }

  add(cells: Cell[], row: number, code: number): void {
    if (!this.accept(code)) return;
    const i = this.n++;
    for (let f = 0; f < this.extract.length; f++) this.features[f][i] = this.extract[f](cells[this.colIndex[f]]);
    this.labels[i] = code;
    this.rowIds[i] = row;
    for (const p of this.passCols) {
      const v = cells[p.index];
      p.values.push(v === null || v === undefined || v === '' ? null : cellText(v));
    }
  }

  finish(): Dataset {
    const feats = featureColumns(this.profile);
    return {
      nRows: this.n,
      featureNames: feats.map((c) => c.name),
      features: this.features,
      featureKinds: feats.map(featureKind),
      categories: feats.map((c) => c.categories),
      labels: this.labels,
      classNames: this.profile.classNames,
      passthrough: new Map(this.passCols.map((p) => [p.name, p.values])),
      rowIds: this.rowIds,
    };
  }
}
