/**
 * How a kNN search is cut to fit a WebGPU device: rows per uploaded buffer, queries per batch,
 * reference rows per dispatch, rows per workgroup tile and invocations per workgroup.
 * Pure arithmetic over the device limits, so it is tested without a GPU and tests can force
 * tiny batches (many batches, tiles, chunks and dispatches) on small data.
 */

import { queriesPerThreadFor, rowStride } from './kernels.js';

/** The device limits the plan respects (a subset of GPUSupportedLimits). */
export interface PlanLimits {
  readonly maxStorageBufferBindingSize: number;
  readonly maxBufferSize: number;
  readonly maxComputeWorkgroupStorageSize: number;
  readonly maxComputeInvocationsPerWorkgroup: number;
  readonly maxComputeWorkgroupSizeX: number;
  readonly maxComputeWorkgroupsPerDimension: number;
  readonly minUniformBufferOffsetAlignment: number;
}

/** Caller overrides (each clamped to what the limits allow); for tests and tuning. */
export interface PlanOverrides {
  /** Rows per uploaded point buffer (the unit a reference sweep binds). */
  readonly rowsPerChunk?: number;
  /** Queries per batch (one candidate read-back each). */
  readonly queriesPerBatch?: number;
  /** Reference rows scanned by one dispatch. */
  readonly refsPerDispatch?: number;
  /** Reference rows per workgroup-memory tile (0 = no tile, read storage directly). */
  readonly tileRows?: number;
  /** Invocations per workgroup. */
  readonly workgroupSize?: number;
  /** Queries per invocation in the top-k kernel (1, 2 or 4; lowered to what registers allow). */
  readonly queriesPerThread?: number;
  /** Where the top-k kernel keeps candidate lists while it scans (kernels.ts KernelShape.lists). */
  readonly candidateLists?: 'registers' | 'storage';
}

export interface SearchPlan {
  readonly rowsPerChunk: number;
  readonly queriesPerBatch: number;
  readonly refsPerDispatch: number;
  readonly tileRows: number;
  readonly workgroupSize: number;
  /** Queries per invocation of the top-k kernel (the collect kernel always uses 1). */
  readonly queriesPerThread: number;
  /** Where the top-k kernel keeps candidate lists while it scans. */
  readonly candidateLists: 'registers' | 'storage';
  /** Byte stride between parameter blocks in the uniform buffer. */
  readonly paramsStride: number;
}

/** Largest buffer we bind: keeps every u32 element index below 2^31. */
const MAX_BIND_BYTES = 2 ** 31;
/** Default tile budget: small enough for several resident workgroups per GPU core. */
const DEFAULT_TILE_BYTES = 16384;
const MAX_TILE_ROWS = 512;
const DEFAULT_WORKGROUP = 128;
/** Queries per invocation when registers allow (see queriesPerThreadFor). */
const DEFAULT_QUERIES_PER_THREAD = 2;
/**
 * 2^18 queries = 1024 workgroups of 128 x 2 queries: about two full waves on an H100/H200 (132
 * cores), and small enough that the CPU re-ranks one batch while the GPU runs the next (the
 * re-rank of 1M queries in one batch took ~1.5 s of an 8.6 s self-query on an H200 when nothing
 * overlapped it).
 */
const DEFAULT_QUERIES_PER_BATCH = 2 ** 18;
/** About this many multiply-adds per dispatch, so no single dispatch runs for long. */
const DISPATCH_WORK = 2 ** 37;

function positive(name: string, v: number | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || v < 0) throw new RangeError(`plan override ${name} must be a non-negative integer, got ${v}`);
  return v;
}

/** Plans a search of `dim`-dimensional points keeping `kc` candidates per query. */
export function planSearch(limits: PlanLimits, dim: number, kc: number, overrides: PlanOverrides = {}): SearchPlan {
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`dim must be a positive integer, got ${dim}`);
  if (!Number.isInteger(kc) || kc < 1) throw new RangeError(`kc must be a positive integer, got ${kc}`);
  const rowBytes = rowStride(dim) * 4;
  const bindBytes = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize, MAX_BIND_BYTES);

  const maxRows = Math.floor(bindBytes / rowBytes);
  if (maxRows < 1) throw new RangeError(`one row of ${dim} features (${rowBytes} bytes) exceeds the device's ${bindBytes}-byte buffer binding limit`);
  const rowsPerChunk = Math.max(1, Math.min(maxRows, positive('rowsPerChunk', overrides.rowsPerChunk) || maxRows));

  const wgMax = Math.min(limits.maxComputeInvocationsPerWorkgroup, limits.maxComputeWorkgroupSizeX);
  const workgroupSize = Math.max(1, Math.min(wgMax, positive('workgroupSize', overrides.workgroupSize) || DEFAULT_WORKGROUP));

  const tileMax = Math.min(Math.floor(limits.maxComputeWorkgroupStorageSize / rowBytes), MAX_TILE_ROWS);
  const tileDefault = Math.min(tileMax, Math.max(Math.floor(DEFAULT_TILE_BYTES / rowBytes), tileMax > 0 ? 1 : 0));
  const tileOverride = positive('tileRows', overrides.tileRows);
  const tileRows = tileOverride === undefined ? tileDefault : Math.min(tileOverride, tileMax);

  const qptOverride = positive('queriesPerThread', overrides.queriesPerThread);
  const candidateLists = overrides.candidateLists ?? 'registers';
  if (candidateLists !== 'registers' && candidateLists !== 'storage') {
    throw new RangeError(`plan override candidateLists must be 'registers' or 'storage', got ${String(candidateLists)}`);
  }
  const queriesPerThread = queriesPerThreadFor(dim, kc, qptOverride || DEFAULT_QUERIES_PER_THREAD, candidateLists);

  const candMax = Math.floor(bindBytes / (kc * 4));
  const dispatchMax = limits.maxComputeWorkgroupsPerDimension * workgroupSize;
  const qCap = Math.min(candMax, dispatchMax, rowsPerChunk);
  const queriesPerBatch = Math.max(1, Math.min(qCap, positive('queriesPerBatch', overrides.queriesPerBatch) || DEFAULT_QUERIES_PER_BATCH));

  const unit = Math.max(1, tileRows);
  const byWork = Math.max(unit, Math.floor(DISPATCH_WORK / (queriesPerBatch * dim) / unit) * unit);
  const refsPerDispatch = Math.max(1, Math.min(rowsPerChunk, positive('refsPerDispatch', overrides.refsPerDispatch) || byWork));

  const align = Math.max(16, limits.minUniformBufferOffsetAlignment);
  const paramsStride = Math.ceil(32 / align) * align;
  return { rowsPerChunk, queriesPerBatch, refsPerDispatch, tileRows, workgroupSize, queriesPerThread, candidateLists, paramsStride };
}
