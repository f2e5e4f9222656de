/**
 * `rebalance backends`: which kNN and tensor backends work on this machine, and why not.
 */
import { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { WebgpuProbe } from '../../neighbors/webgpu/device.js';
import { mlpThreads } from '../../models/mlp-wasm.js';
import type { CliContext } from '../common.js';

interface BackendReport {
  readonly knn: {
    readonly cpu: { readonly available: true; readonly threads: number; readonly simd: boolean };
    readonly webgpu: unknown;
  };
  readonly tf: Record<string, { available: boolean; reason?: string; install?: string }>;
}

function hasSimd(): boolean {
  // The smallest module using a v128 instruction: validates only where WebAssembly SIMD exists.
  const bytes = Uint8Array.from([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);
  try {
    const wasm = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly;
    return wasm.validate(bytes);
  } catch {
    return false;
  }
}

function installed(name: string): boolean {
  try {
    createRequire(import.meta.url).resolve(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * Probes WebGPU in a child process: Dawn's native code writes warnings (about limits, missing
 * drivers) straight to file descriptor 2, which nothing in this process can silence; the child's
 * stderr is shown only with REBALANCE_DEBUG=1. From the sources (tests) it probes in-process.
 */
async function probeQuietly(signal: AbortSignal): Promise<WebgpuProbe> {
  const url = new URL('../../neighbors/webgpu/device.js', import.meta.url);
  const debug = process.env.REBALANCE_DEBUG === '1';
  if (debug || !existsSync(fileURLToPath(url))) {
    const { probeWebgpu } = await import('../../neighbors/webgpu/index.js');
    return probeWebgpu();
  }
  const script = `const m = await import(${JSON.stringify(url.href)}); const r = await m.probeWebgpu(); process.stdout.write(JSON.stringify(r), () => process.exit(0));`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'], signal, timeout: 120_000 });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const failed = (why: string): WebgpuProbe => ({ available: false, reason: `the WebGPU probe failed (${why}); REBALANCE_DEBUG=1 shows its output` });
    child.on('error', (e) => resolve(failed(e.message)));
    child.on('close', (code) => {
      try {
        resolve(JSON.parse(out) as WebgpuProbe);
      } catch {
        const line = err.split('\n').find((l) => l.trim() !== '' && !/^Warning:|^\s+at /.test(l));
        resolve(failed(line?.trim() ?? `exit code ${code}`));
      }
    });
  });
}

export function backendsCommand(ctx: CliContext): Command {
  return new Command('backends')
    .description('show which kNN (cpu, webgpu) and tensor (tfjs) backends work here, and what to install otherwise')
    .option('--json', 'print JSON')
    .action(async (flags: { json?: boolean }) => {
      const { defaultRerankThreads, PARALLEL_RERANK_MIN } = await import('../../neighbors/webgpu/index.js');
      const webgpu = await probeQuietly(ctx.signal);
      const tf: BackendReport['tf'] = {
        wasm: installed('@tensorflow/tfjs-backend-wasm') ? { available: true } : { available: false, reason: 'package missing', install: 'npm install @tensorflow/tfjs-backend-wasm' },
        cpu: installed('@tensorflow/tfjs')
          ? { available: true }
          : { available: false, reason: 'package missing (a dependency of rebalance: reinstall)', install: 'npm install @tensorflow/tfjs' },
        tensorflow:
          installed('@tensorflow/tfjs-node-gpu') || installed('@tensorflow/tfjs-node')
            ? { available: true }
            : { available: false, reason: 'optional native TensorFlow binding not installed', install: 'npm install @tensorflow/tfjs-node (or @tensorflow/tfjs-node-gpu for CUDA 11)' },
        webgpu: installed('@tensorflow/tfjs-backend-webgpu')
          ? { available: true }
          : { available: false, reason: 'package not installed', install: 'npm install @tensorflow/tfjs-backend-webgpu' },
      };
      const out: BackendReport = { knn: { cpu: { available: true, threads: availableParallelism(), simd: hasSimd() }, webgpu }, tf };
      if (flags.json) {
        ctx.stdout.write(JSON.stringify(out, null, 2) + '\n');
        return;
      }
      const lines: string[] = ['kNN backends:'];
      lines.push(`  cpu     available: ${out.knn.cpu.threads} worker threads, WebAssembly SIMD ${out.knn.cpu.simd ? 'yes' : 'no (scalar fallback)'}`);
      if (webgpu.available && webgpu.adapter) {
        const a = webgpu.adapter;
        lines.push(`  webgpu  available: ${a.description || a.device || a.vendor} (${a.backendType}${a.software ? ', software rasterizer: correct but slower than cpu; auto never picks it' : ''})`);
        const l = webgpu.limits ?? {};
        lines.push(`          limits: ${Object.entries(l).map(([k, v]) => `${k}=${v}`).join(', ')}`);
        lines.push(`          exact re-rank: searches of ${PARALLEL_RERANK_MIN}+ queries on up to ${defaultRerankThreads()} worker threads (--threads caps them)`);
      } else {
        lines.push(`  webgpu  unavailable: ${webgpu.reason ?? 'no adapter'}`);
        if (webgpu.install) lines.push(`          to enable: ${webgpu.install}`);
      }
      lines.push(`mlp engine:\n  simd       available: WebAssembly SIMD kernels on up to ${mlpThreads()} worker threads (default; --tf-backend picks tfjs instead)`);
      lines.push('tensor backends (models):');
      for (const [name, r] of Object.entries(tf)) {
        lines.push(`  ${name.padEnd(10)} ${r.available ? 'available' : `unavailable: ${r.reason}${r.install ? `; ${r.install}` : ''}`}`);
      }
      ctx.stdout.write(lines.join('\n') + '\n');
    });
}
