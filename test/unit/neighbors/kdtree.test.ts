import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/core/rng.js';
import { buildKdTree, KD_NODE_INTS } from '../../../src/neighbors/kdtree.js';

describe('buildKdTree', () => {
  it('boxes are the exact min/max of their points, children split the parent, leaves are small', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.boolean(),
        (n, dim, leafSize, seed, ties) => {
          const rng = createRng(seed);
          const pts = new Float32Array(n * dim);
          for (let i = 0; i < pts.length; i++) pts[i] = ties ? rng.nextInt(3) : rng.nextNormal();
          const tree = buildKdTree(pts, dim, leafSize);
          expect(Array.from(tree.perm).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
          for (let p = 0; p < n; p++) {
            expect(Array.from(tree.points.subarray(p * dim, p * dim + dim))).toEqual(
              Array.from(pts.subarray(tree.perm[p] * dim, tree.perm[p] * dim + dim)),
            );
          }
          const leafRows = new Int32Array(n);
          for (let node = 0; node < tree.nodeCount; node++) {
            const [start, end, left, right] = tree.nodes.subarray(node * KD_NODE_INTS, node * KD_NODE_INTS + 4);
            for (let j = 0; j < dim; j++) {
              let lo = Infinity;
              let hi = -Infinity;
              for (let p = start; p < end; p++) {
                lo = Math.min(lo, tree.points[p * dim + j]);
                hi = Math.max(hi, tree.points[p * dim + j]);
              }
              expect(tree.bounds[node * 2 * dim + j]).toBe(lo);
              expect(tree.bounds[node * 2 * dim + dim + j]).toBe(hi);
            }
            if (left < 0) {
              for (let p = start; p < end; p++) leafRows[p]++;
              if (end - start > leafSize) {
                // An oversized leaf only when all its points coincide.
                for (let j = 0; j < dim; j++) expect(tree.bounds[node * 2 * dim + j]).toBe(tree.bounds[node * 2 * dim + dim + j]);
              }
            } else {
              expect(tree.nodes[left * KD_NODE_INTS]).toBe(start);
              expect(tree.nodes[left * KD_NODE_INTS + 1]).toBe(tree.nodes[right * KD_NODE_INTS]);
              expect(tree.nodes[right * KD_NODE_INTS + 1]).toBe(end);
            }
          }
          expect(Array.from(leafRows).every((c) => c === 1)).toBe(true);
        },
      ),
      { seed: 5, numRuns: 60 },
    );
  });
});
