/**
 * WebGPU adapter and device setup through the `webgpu` package (Dawn's dawn.node).
 *
 * Order: the platform's native backend first (Vulkan on Linux: real GPUs), then OpenGL ES in
 * compatibility mode (Mesa llvmpipe on CPU-only machines, so CI runs the real kernels). The
 * device is requested with the adapter's own limits for everything the kNN search sizes by.
 * `probeWebgpu` reports what exists, for `rebalance backends`, without throwing.
 *
 * Dawn's two native limit warnings ("maxDynamicUniformBuffersPerPipelineLayout artificially reduced
 * from 90 to 16 ...", and the storage-buffer one from 80) on Mesa llvmpipe: Mesa reports
 * GL_MAX_UNIFORM_BUFFER_BINDINGS = 90 and GL_MAX_SHADER_STORAGE_BUFFER_BINDINGS = 80 (combined over
 * its six shader stages), Dawn's GL backend takes them as the adapter's dynamic-buffer limits and
 * PhysicalDeviceBase::Initialize -> NormalizeLimits clamps them to 16 with dawn::WarningLog, an
 * unconditional fprintf(stderr). It runs inside the first requestAdapter (adapter discovery),
 * before any adapter option, device request (requiredLimits) or toggle applies, and dawn.node has
 * no log switch (its create() flags: backend, adapter, validate, verbose, enable/disable-dawn-
 * features), so they cannot be avoided in a process that uses the adapter: `backends`
 * probes in a child process, `auto` never discovers llvmpipe without a Vulkan loader, and an
 * explicit --knn-backend webgpu run on llvmpipe prints them once (the instance is cached).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BackendUnavailableError } from '../../core/errors.js';

/** What to install when no adapter is found (one line). */
export const WEBGPU_INSTALL_HINT =
  'for a GPU install its driver and the Vulkan loader (apt-get install libvulkan1 plus the NVIDIA/AMD/Intel driver); ' +
  'for the CPU fallback install Mesa EGL (apt-get install libegl1 libegl-mesa0 libgl1-mesa-dri libegl-dev) and keep EGL_PLATFORM=surfaceless';

/** Limits requested from the adapter (at the adapter's maximum). */
export const REQUESTED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
] as const;

/** Limits reported by `probeWebgpu` and read by the search plan. */
export const REPORTED_LIMITS = [...REQUESTED_LIMITS, 'minUniformBufferOffsetAlignment', 'maxUniformBufferBindingSize'] as const;

export type BackendType = 'vulkan' | 'metal' | 'd3d12' | 'opengles';

export interface AdapterSummary {
  readonly vendor: string;
  readonly architecture: string;
  readonly device: string;
  readonly description: string;
  readonly backendType: BackendType;
  /** True for software rasterizers (llvmpipe, lavapipe, SwiftShader, WARP). */
  readonly software: boolean;
}

export interface WebgpuProbe {
  readonly available: boolean;
  readonly adapter?: AdapterSummary;
  readonly limits?: Record<string, number>;
  readonly reason?: string;
  readonly install?: string;
}

/** An open device with everything the search needs to know about it. */
export interface WebgpuDevice {
  /** The Dawn instance (dawn.node tears the device down if the instance is collected). */
  readonly instance: GPU;
  readonly device: GPUDevice;
  readonly adapter: AdapterSummary;
  readonly limits: Record<string, number>;
  /** Usage and map-mode flags (GPUBufferUsage, GPUMapMode) from the dawn.node globals. */
  readonly usage: { readonly MAP_READ: number; readonly COPY_SRC: number; readonly COPY_DST: number; readonly UNIFORM: number; readonly STORAGE: number };
  readonly mapRead: number;
  /** Set (with the reason) once the device is lost or an uncaptured error was seen. */
  readonly lostReason: () => string | null;
}

export interface OpenOptions {
  /** Refuse software adapters (llvmpipe and the like). */
  readonly requireGpu?: boolean;
  readonly log?: (message: string) => void;
  /**
   * Compile the kernels with Dawn's robustness transforms (default false). They clamp every array
   * index and add a 64-bit iteration guard to every loop: in our top-k kernel's inner loop (one
   * reference row) that is 8 clamps and the guard next to ~86 instructions for two queries (seen
   * in Dawn's dump_shaders output). Our kernels are trusted code that indexes within bounds by
   * construction (the plan's sizes; tests on every variant), every loop ends, and the host
   * re-ranks candidates from the points themselves (an out-of-range row sends the query to an
   * exact scan), so the transforms are off (Dawn's disable_robustness) unless this asks for them.
   */
  readonly robustKernels?: boolean;
  /** More Dawn toggles to enable (dawn.node's enable-dawn-features), e.g. 'dump_shaders'. */
  readonly dawnToggles?: readonly string[];
}

interface Route {
  readonly createArgs: string[];
  readonly adapterOptions: GPURequestAdapterOptions | undefined;
  readonly backendType: BackendType;
}

function nativeBackend(): BackendType {
  if (process.platform === 'darwin') return 'metal';
  if (process.platform === 'win32') return 'd3d12';
  return 'vulkan';
}

const ROUTES: readonly Route[] = [
  { createArgs: [], adapterOptions: { powerPreference: 'high-performance' }, backendType: nativeBackend() },
  { createArgs: ['backend=opengles'], adapterOptions: { featureLevel: 'compatibility' }, backendType: 'opengles' },
];

const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader|microsoft basic render|warp/i;

type WebgpuModule = { create: (args: string[]) => GPU; globals: Record<string, unknown> };
let modulePromise: Promise<WebgpuModule> | null = null;
/**
 * One Dawn instance per route for the process: creating one loads the native drivers (and Dawn
 * prints "Couldn't load Vulkan" to stderr each time on machines without it), and devices keep
 * working only while their instance is alive.
 */
const instances = new Map<string, GPU>();

/** Loads dawn.node once (dynamic import: commands that never use the GPU never load it). */
async function loadModule(): Promise<WebgpuModule> {
  modulePromise ??= import('webgpu').then((m) => m as unknown as WebgpuModule);
  return modulePromise;
}

function summarize(adapter: GPUAdapter, backendType: BackendType): AdapterSummary {
  const info = adapter.info;
  const text = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`;
  const fallback = (info as unknown as { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    backendType,
    software: fallback || SOFTWARE.test(text),
  };
}

function readLimits(limits: GPUSupportedLimits): Record<string, number> {
  const out: Record<string, number> = {};
  const src = limits as unknown as Record<string, number>;
  for (const name of REPORTED_LIMITS) out[name] = Number(src[name]);
  return out;
}

/** Human name of an adapter for logs: device, else description. */
export function adapterName(a: AdapterSummary): string {
  return [a.vendor, a.device || a.description].filter((s) => s).join(' ') || 'unknown adapter';
}

interface Found {
  /** The Dawn instance: must stay referenced while its adapter or device is in use. */
  readonly instance: GPU;
  readonly adapter: GPUAdapter;
  readonly summary: AdapterSummary;
}

/**
 * Linux: whether the dynamic loader can find the Vulkan loader (libvulkan.so.1): in
 * LD_LIBRARY_PATH, the ld.so cache or the usual library folders. Without it Dawn's Vulkan
 * backend only prints "Couldn't load Vulkan ..." from native code to the terminal (fd 2, which
 * no JavaScript can silence), so the route is skipped instead; REBALANCE_DEBUG=1 tries it anyway.
 */
export function vulkanLoaderPresent(env: NodeJS.ProcessEnv = process.env): boolean {
  if (process.platform !== 'linux') return true;
  const lib = 'libvulkan.so.1';
  const dirs = [
    ...(env.LD_LIBRARY_PATH ?? '').split(':').filter((d) => d !== ''),
    '/lib', '/usr/lib', '/lib64', '/usr/lib64', '/usr/local/lib',
    `/usr/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu`,
    `/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu`,
  ];
  if (dirs.some((d) => existsSync(join(d, lib)))) return true;
  try {
    return readFileSync('/etc/ld.so.cache').includes(lib);
  } catch {
    return false;
  }
}

async function findAdapter(options: OpenOptions): Promise<Found | { reason: string }> {
  // dawn.node's GL backend needs a display-less EGL; must be set before create().
  process.env.EGL_PLATFORM ??= 'surfaceless';
  let mod: WebgpuModule;
  try {
    mod = await loadModule();
  } catch (e) {
    return { reason: `the webgpu package (dawn.node) did not load: ${(e as Error).message.split('\n')[0]}` };
  }
  const seen: string[] = [];
  const toggles = [...(options.robustKernels ? [] : ['disable_robustness']), ...(options.dawnToggles ?? [])];
  for (const route of ROUTES) {
    if (route.backendType === 'vulkan' && process.env.REBALANCE_DEBUG !== '1' && !vulkanLoaderPresent()) {
      seen.push('vulkan: libvulkan.so.1 not found');
      continue;
    }
    let adapter: GPUAdapter | null = null;
    let instance: GPU;
    try {
      const args = toggles.length > 0 ? [...route.createArgs, `enable-dawn-features=${toggles.join(',')}`] : route.createArgs;
      const key = args.join(' ');
      instance = instances.get(key) ?? mod.create(args);
      instances.set(key, instance);
      adapter = await instance.requestAdapter(route.adapterOptions);
    } catch (e) {
      seen.push(`${route.backendType}: ${(e as Error).message.split('\n')[0]}`);
      continue;
    }
    if (!adapter) {
      seen.push(`${route.backendType}: no adapter`);
      continue;
    }
    const summary = summarize(adapter, route.backendType);
    if (options.requireGpu && summary.software) {
      seen.push(`${route.backendType}: only the software adapter ${adapterName(summary)}`);
      continue;
    }
    return { instance, adapter, summary };
  }
  return { reason: seen.join('; ') };
}

/** Reports whether a WebGPU adapter exists here and its limits; never throws. */
export async function probeWebgpu(options: OpenOptions = {}): Promise<WebgpuProbe> {
  const found = await findAdapter(options);
  if ('reason' in found) return { available: false, reason: found.reason, install: WEBGPU_INSTALL_HINT };
  return { available: true, adapter: found.summary, limits: readLimits(found.adapter.limits) };
}

/**
 * Opens a device on the first working route. Throws BackendUnavailableError
 * REBALANCE_NO_ADAPTER (with what to install) when there is no adapter, and
 * REBALANCE_WEBGPU_FAILED when the adapter refuses a device.
 */
export async function openWebgpuDevice(options: OpenOptions = {}): Promise<WebgpuDevice> {
  const found = await findAdapter(options);
  if ('reason' in found) {
    throw new BackendUnavailableError(
      'REBALANCE_NO_ADAPTER',
      `expected a WebGPU adapter${options.requireGpu ? ' on a hardware GPU' : ''}, found none (${found.reason}); ${WEBGPU_INSTALL_HINT}, or use --knn-backend cpu`,
    );
  }
  const { instance, adapter, summary } = found;
  const adapterLimits = adapter.limits as unknown as Record<string, number>;
  const requiredLimits: Record<string, number> = {};
  for (const name of REQUESTED_LIMITS) {
    const v = adapterLimits[name];
    if (typeof v === 'number' && Number.isFinite(v)) requiredLimits[name] = v;
  }
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredLimits, label: 'rebalance-knn' });
  } catch (e) {
    throw new BackendUnavailableError(
      'REBALANCE_WEBGPU_FAILED',
      `expected a WebGPU device on ${adapterName(summary)}, the adapter refused one (${(e as Error).message.split('\n')[0]}); use --knn-backend cpu`,
      { cause: e },
    );
  }
  let lost: string | null = null;
  void device.lost.then((info) => {
    lost ??= `device lost (${info.reason}: ${info.message})`;
  });
  device.onuncapturederror = (ev: GPUUncapturedErrorEvent) => {
    lost ??= `uncaptured ${ev.error.constructor?.name ?? 'GPU'} error: ${ev.error.message.split('\n')[0]}`;
  };
  options.log?.(`webgpu: ${adapterName(summary)} via ${summary.backendType}${summary.software ? ' (software)' : ''}`);
  const mod = await loadModule();
  const bufferUsage = mod.globals.GPUBufferUsage as Record<string, number> | undefined;
  const mapMode = mod.globals.GPUMapMode as Record<string, number> | undefined;
  return {
    instance,
    device,
    adapter: summary,
    limits: readLimits(device.limits),
    usage: {
      MAP_READ: bufferUsage?.MAP_READ ?? 1,
      COPY_SRC: bufferUsage?.COPY_SRC ?? 4,
      COPY_DST: bufferUsage?.COPY_DST ?? 8,
      UNIFORM: bufferUsage?.UNIFORM ?? 64,
      STORAGE: bufferUsage?.STORAGE ?? 128,
    },
    mapRead: mapMode?.READ ?? 1,
    lostReason: () => lost,
  };
}
