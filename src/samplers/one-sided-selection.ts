/**
 * One-sided selection (imbalanced-learn `OneSidedSelection`, Kubat & Matwin 1997). For each class
 * being cleaned: a store of every minority row plus one row of the class drawn from
 * `rng.fork('one-sided-selection/' + className)` classifies the class's other rows by k-NN vote
 * (k = nNeighbors, default 1; ties to the lower class code); the seed and the misclassified rows
 * are kept. Then Tomek links among all kept rows remove the cleaned classes' members of links.
 * The minority and the classes not cleaned are kept whole (bar Tomek links when cleaned).
 */
import { DataError } from '../core/errors.js';
import { CLEANING, defineSampler } from './define.js';
import { tomekLinksOnRows } from './tomek-links.js';
import { cleanClassMask, minorityClass } from './shared/classes.js';
import { queryNeighbors } from './shared/neighbours.js';
import { condenseOptions } from './shared/options.js';
import { condenseEachClass } from './shared/per-class.js';
import { maskToRows, rowsOfClass } from './shared/rows.js';

/** `one-sided-selection`: options.nNeighbors (1), options.classes; seeded per class. */
export const oneSidedSelectionDefinition = defineSampler({
  ...CLEANING,
  name: 'one-sided-selection',
  summary: 'one-sided selection: 1-NN condensation from one seed, then Tomek links',
  bind: (options) => condenseOptions('one-sided-selection', options),
  async run(data, plan, rng, ctx, { k, classes }) {
    const mask = cleanClassMask(data, plan, classes);
    const nClasses = data.classNames.length;
    const minority = rowsOfClass(data.labels, minorityClass(data.labels, nClasses));
    const votes = new Int32Array(nClasses);
    const keep = await condenseEachClass(data, mask, rng, 'one-sided-selection', ctx, async (c, classRows, pos) => {
      const seed = classRows[pos];
      const store = Int32Array.from([...minority, seed]);
      if (store.length < k) {
        throw new DataError(
          'REBALANCE_CLASS_TOO_SMALL',
          `one-sided-selection needs at least ${k} rows in the minority class plus one seed, found ${store.length}; lower nNeighbors to ${store.length}`,
        );
      }
      const others = Int32Array.from(classRows.filter((_, i) => i !== pos));
      const kept = [seed];
      await queryNeighbors(data, store, others, k, ctx, (first, count, idx) => {
        for (let q = 0; q < count; q++) {
          votes.fill(0);
          for (let t = 0; t < k; t++) votes[data.labels[store[idx[q * k + t]]]]++;
          let best = 0;
          for (let v = 1; v < nClasses; v++) if (votes[v] > votes[best]) best = v;
          if (best !== c) kept.push(others[first + q]);
        }
      });
      return kept;
    });
    const kept = maskToRows(keep);
    const indices = kept.length >= 2 ? await tomekLinksOnRows(data, kept, mask, ctx) : kept;
    return { indices, synthetic: null, plan };
  },
});
