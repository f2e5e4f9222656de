/**
 * Combined over- and under-sampling (imbalanced-learn `SMOTETomek`, `SMOTEENN`, Batista et al.
 * 2003/2004): a SMOTE-family over-sampler (options.first, default 'smote') grows the classes of
 * the plan, then Tomek links or ENN (3 neighbours, kind_sel 'all') clean the original and
 * synthetic rows together with strategy 'all' (every class may lose rows), as imbalanced-learn
 * does. The over-sampler gets the same `rng` (its synthetic rows equal a plain run's) and the
 * same options; the cleaning step is deterministic.
 *
 * Output: the kept input rows, then the kept synthetic rows (provenance preserved).
 */
import type { Rng } from '../core/rng.js';
import type { Dataset, Resampled, Sampler, SamplerContext, SamplerDefinition, SamplingPlan, SyntheticBlock } from '../types.js';
import { adasynDefinition } from './adasyn.js';
import { borderlineSmoteDefinition } from './borderline-smote.js';
import { defineSampler } from './define.js';
import { ennOnRows } from './enn.js';
import { kmeansSmoteDefinition } from './kmeans-smote.js';
import { enumOption, intOption } from './shared/options.js';
import { allRows } from './shared/rows.js';
import { smoteNcDefinition } from './smote-nc.js';
import { smoteDefinition } from './smote.js';
import { smotenDefinition } from './smoten.js';
import { svmSmoteDefinition } from './svm-smote.js';
import { tomekLinksOnRows } from './tomek-links.js';

/** The over-samplers a combined method may start with (options.first). */
export const FIRST_SAMPLERS: Readonly<Record<string, SamplerDefinition>> = {
  smote: smoteDefinition,
  'borderline-smote': borderlineSmoteDefinition,
  adasyn: adasynDefinition,
  'smote-nc': smoteNcDefinition,
  smoten: smotenDefinition,
  'svm-smote': svmSmoteDefinition,
  'kmeans-smote': kmeansSmoteDefinition,
};

/**
 * The input rows (`rows`, then `dups`) followed by the synthetic rows, as one Dataset for the
 * cleaning step's neighbour search. Row p < rows.length + dups.length is an input row.
 */
export function stackWithSynthetic(data: Dataset, rows: Int32Array, dups: Int32Array, s: SyntheticBlock | null): Dataset {
  const nIn = rows.length + dups.length;
  const nOut = nIn + (s ? s.nRows : 0);
  const features = data.features.map((col, j) => {
    const out = new Float64Array(nOut);
    for (let i = 0; i < rows.length; i++) out[i] = col[rows[i]];
    for (let i = 0; i < dups.length; i++) out[rows.length + i] = col[dups[i]];
    if (s) out.set(s.features[j], nIn);
    return out;
  });
  const labels = new Int32Array(nOut);
  for (let i = 0; i < rows.length; i++) labels[i] = data.labels[rows[i]];
  for (let i = 0; i < dups.length; i++) labels[rows.length + i] = data.labels[dups[i]];
  if (s) labels.set(s.labels, nIn);
  const { rowIds: _drop, ...rest } = data;
  void _drop;
  return { ...rest, nRows: nOut, features, labels, passthrough: new Map() };
}

type Cleaner = (stacked: Dataset, rows: Int32Array, mask: Uint8Array, ctx: SamplerContext) => Promise<Int32Array>;

/** Runs the bound over-sampler `first`, then `clean` on everything with every class cleanable; maps kept rows back. */
export async function overThenClean(
  first: Sampler,
  clean: Cleaner,
  data: Dataset,
  plan: SamplingPlan,
  rng: Rng,
  ctx: SamplerContext,
): Promise<Resampled> {
  const over = await first.fitResample(data, plan, rng, ctx);
  const dups = over.duplicates ?? new Int32Array(0);
  const stacked = stackWithSynthetic(data, over.indices, dups, over.synthetic);
  const everyClass = new Uint8Array(data.classNames.length).fill(1);
  const kept = await clean(stacked, allRows(stacked.nRows), everyClass, ctx);
  const nRows = over.indices.length;
  const nIn = nRows + dups.length;
  const keptRows: number[] = [];
  const keptDups: number[] = [];
  const keptSynth: number[] = [];
  for (const p of kept) {
    if (p < nRows) keptRows.push(over.indices[p]);
    else if (p < nIn) keptDups.push(dups[p - nRows]);
    else keptSynth.push(p - nIn);
  }
  const s = over.synthetic;
  const synthetic: SyntheticBlock | null =
    s && keptSynth.length > 0
      ? {
          nRows: keptSynth.length,
          features: s.features.map((col) => Float64Array.from(keptSynth, (i) => col[i])),
          labels: Int32Array.from(keptSynth, (i) => s.labels[i]),
          sourceRow: Int32Array.from(keptSynth, (i) => s.sourceRow[i]),
          neighborRow: Int32Array.from(keptSynth, (i) => s.neighborRow[i]),
        }
      : null;
  const result: Resampled = { indices: Int32Array.from(keptRows), synthetic, plan: over.plan };
  return keptDups.length > 0 ? { ...result, duplicates: Int32Array.from(keptDups) } : result;
}

function combined(name: 'smote-tomek' | 'smote-enn', summary: string, nNeighbors: number | null): SamplerDefinition {
  return defineSampler({
    name,
    kind: 'over',
    scope: 'all',
    needs: { knn: true, features: 'numeric', syntheticCells: true },
    summary,
    defaultStrategy: 'auto',
    bind(options) {
      const first = enumOption(name, 'first', options.first, 'smote', Object.keys(FIRST_SAMPLERS));
      // The over-sampler reads (and validates) its own options from the same object.
      const over = FIRST_SAMPLERS[first].create(options);
      const k = nNeighbors === null ? 1 : intOption(name, 'nNeighbors', options.nNeighbors, nNeighbors);
      const clean: Cleaner =
        nNeighbors === null
          ? (d, rows, mask, ctx) => tomekLinksOnRows(d, rows, mask, ctx)
          : (d, rows, mask, ctx) => ennOnRows(d, rows, k, 'all', mask, ctx, name);
      return { over, clean };
    },
    run: (data, plan, rng, ctx, { over, clean }) => overThenClean(over, clean, data, plan, rng, ctx),
  });
}

/** `smote-tomek`: SMOTE (options.first) then Tomek links removing both members of every link. */
export const smoteTomekDefinition: SamplerDefinition = combined(
  'smote-tomek',
  'SMOTE then Tomek links on all classes (both members of every link removed)',
  null,
);

/** `smote-enn`: SMOTE (options.first) then ENN (options.nNeighbors, default 3) on all classes. */
export const smoteEnnDefinition: SamplerDefinition = combined('smote-enn', 'SMOTE then edited nearest neighbours on all classes', 3);
