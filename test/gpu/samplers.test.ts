/**
 * Every sampler that searches neighbours gives byte-identical results on the cpu and webgpu
 * backends, on the shared datasets (the real WGSL kernels: llvmpipe in CI). Skipped without an
 * adapter unless REBALANCE_REQUIRE_GPU=1 (then webgpu-knn.test.ts fails the run).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { classCounts } from '../../src/dataset/make.js';
import { materialize } from '../../src/dataset/materialize.js';
import { createCpuBackend } from '../../src/neighbors/cpu.js';
import { createWebgpuBackend, probeWebgpu } from '../../src/neighbors/webgpu/index.js';
import { SAMPLERS } from '../../src/samplers/registry.js';
import { resolveStrategy } from '../../src/samplers/strategy.js';
import type { Dataset, KnnBackend } from '../../src/types.js';
import { cli, tempDir } from '../helpers/cli.js';
import { loadDataset } from '../helpers/datasets.js';

const probe = await probeWebgpu();
/** Methods that never search neighbours through ctx.knn. */
const NO_KNN = new Set(['random-under', 'random-over', 'smoten', 'smote-nc']);
const REFUSES = new Set(['adasyn/glass', 'kmeans-smote/glass']);

describe.runIf(probe.available)('samplers: cpu and webgpu agree byte for byte', () => {
  let gpu: KnnBackend;
  let cpu: KnnBackend;
  const data: Record<string, Dataset> = {};
  beforeAll(async () => {
    gpu = await createWebgpuBackend();
    cpu = createCpuBackend({ threads: 1 });
    for (const name of ['pima', 'glass', 'wine']) data[name] = loadDataset(name);
  });
  afterAll(async () => {
    await gpu.dispose();
    await cpu.dispose();
  });

  const run = async (method: string, d: Dataset, knn: KnnBackend): Promise<string> => {
    const def = SAMPLERS.find((s) => s.name === method)!;
    const plan = resolveStrategy(def.defaultStrategy ?? 'auto', classCounts(d.labels, d.classNames.length), def.kind, d.classNames);
    const res = await def.create({ kAuto: true }).fitResample(d, plan, createRng(3).fork(`sampler/${method}`), { knn, log: () => undefined, totalRows: d.nRows });
    const out = materialize(d, res);
    return JSON.stringify([Array.from(out.labels), out.features.map((f) => Array.from(f))]);
  };

  for (const def of SAMPLERS.filter((s) => !NO_KNN.has(s.name))) {
    for (const name of ['pima', 'glass', 'wine']) {
      if (REFUSES.has(`${def.name}/${name}`)) continue;
      it(`${def.name} on ${name}`, async () => {
        expect(await run(def.name, data[name], gpu)).toBe(await run(def.name, data[name], cpu));
      });
    }
  }
});

describe.runIf(probe.available)('the CLI with --knn-backend webgpu', () => {
  it('rebalance backends lists the adapter, its limits and the re-rank threads; --json parses', () => {
    const text = cli(['backends']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/webgpu {2}available: .*\n {10}limits: maxStorageBufferBindingSize=\d+/);
    expect(text.stdout).toMatch(/exact re-rank: searches of 16384\+ queries on up to \d+ worker threads/);
    const json = cli(['backends', '--json']);
    expect(JSON.parse(json.stdout).knn.webgpu.available).toBe(true);
  });

  // As a user runs it: the process must end by itself (the backend's worker threads never keep
  // it alive) and write the same bytes as the cpu backend.
  it('resample with ENN and SMOTE exits 0 with the cpu backend\'s output', () => {
    const { dir, cleanup } = tempDir();
    try {
      for (const method of ['enn', 'smote']) {
        const outs = ['cpu', 'webgpu'].map((backend) => {
          const out = `${dir}/${method}-${backend}.csv`;
          // --threads caps the cpu search and the webgpu re-rank; the bytes must not depend on it.
          const threads = method === 'smote' ? ['--threads', '1'] : [];
          const r = cli(['resample', 'examples/pima.csv', '--label', 'label', '-m', method, '--knn-backend', backend, ...threads, '-o', out], { timeout: 30_000, killSignal: 'SIGKILL' });
          expect(r.signal, `${method} ${backend}: ${r.stderr}`).toBeNull();
          expect(r.code, r.stderr).toBe(0);
          expect(r.stderr).not.toContain('a handle kept the process open');
          return readFileSync(out);
        });
        expect(outs[1].equals(outs[0]), method).toBe(true);
      }
    } finally {
      cleanup();
    }
  });
});
