/**
 * WGSL source of the kNN candidate kernels.
 *
 * Reference rows are scanned in ascending global index, a tile of them at a time staged in
 * workgroup memory, and each query keeps a private top-KC list ordered by (float32 distance,
 * index): a new row enters only when strictly closer than the current last entry, and equal
 * distances keep the lower index first. The host re-ranks the candidates exactly in float64
 * (see rerank.ts), so the kernel only has to find a superset of the true top-k, and proves that
 * it did with a per-query bound on the float32 error; queries it cannot prove take the collect
 * pass or an exact CPU scan.
 *
 * Rows are stored centered near the indexed points' mean (checks.ts sampleCenter), with the
 * squared norm in slot `dim`, as vec4s (rowStride, zero padding). The top-k kernel uses the expansion
 * |q|^2 + |r|^2 - 2 q.r: one fused multiply-add per coordinate, twice the rate of differences.
 * On data offset far from the origin that expansion cancels catastrophically (the issue that
 * made us avoid it at first); centering removes the offset, and the error bound covers what is
 * left. The collect kernel and the kernel for more than 128 features sum squared differences
 * (norm slot masked), whose error is relative to the distance itself.
 *
 * The candidate state lives in storage buffers between dispatches, so one query batch can be
 * swept over any number of reference ranges (buffer-size and dispatch-length limits).
 */

/** Shape constants baked into one compiled kernel. */
export interface KernelShape {
  /** Feature count. */
  readonly dim: number;
  /** Candidates kept per query (k + extra, at most the number of rows available). */
  readonly kc: number;
  /** Reference rows staged per workgroup tile; 0 reads references straight from storage. */
  readonly tileRows: number;
  /** Invocations per workgroup. */
  readonly workgroupSize: number;
  /**
   * Queries each invocation answers ('topk' mode with private queries only; default 1): every
   * reference row read from workgroup memory serves all of them, which halves (2) or quarters (4)
   * the loads and index arithmetic per distance. Costs registers: see queriesPerThreadFor.
   */
  readonly queriesPerThread?: number;
  /**
   * Where the top-k kernel for private queries keeps each query's candidate list while it scans:
   * 'registers' (default: private arrays, copied from and to the candidate buffers once per
   * dispatch) or 'storage' (in the candidate buffers themselves, touched only by an insertion,
   * which is rare once the list is full: only the list's last distance stays in a register, so
   * an invocation needs about 2 kc fewer registers per query and more of them fit on a GPU core).
   * Same candidates either way. The collect kernel and the kernel for more than 128 features
   * always use private arrays.
   */
  readonly lists?: 'registers' | 'storage';
  /**
   * 'topk' (default): keep the kc best candidates. 'collect': list, up to kc per query, every row
   * whose float32 distance is at most the query's bound (with the total count, which may exceed
   * kc); the second pass for queries whose top-k candidates could not be proven complete.
   */
  readonly mode?: 'topk' | 'collect';
}

/** Marks an empty candidate slot (index) and the initial candidate distance. */
export const NO_INDEX = 0xffffffff;
/** The largest finite float32: the distance of an empty slot. */
export const EMPTY_DISTANCE = 3.4028234663852886e38;

/** Byte size of the per-dispatch parameter block (8 x u32). */
export const PARAMS_BYTES = 32;

/**
 * Field order of the parameter block, as written by the host.
 * queryStart: first query row in the query buffer; queryCount: queries in this batch;
 * refStart/refCount: the reference rows (in the reference buffer) this dispatch scans;
 * refBase: global index of row refStart; selfBase: global index of query row queryStart when
 * querying the indexed points themselves, else NO_INDEX; init: 1 on the first dispatch of a
 * batch (start from empty lists), 0 to continue from the stored lists.
 */
export const PARAM_FIELDS = ['queryStart', 'queryCount', 'refStart', 'refCount', 'refBase', 'selfBase', 'init', 'pad'] as const;

/** `dim` rounded up to a multiple of 4. */
export function paddedDim(dim: number): number {
  return Math.ceil(dim / 4) * 4;
}

/**
 * Floats per stored row: the dim (centered) coordinates, then the row's squared norm in slot
 * `dim`, zero-padded to a multiple of 4 (rows are vec4 arrays). See search.ts prepareRows.
 */
export function rowStride(dim: number): number {
  return paddedDim(dim + 1);
}

/** Above this dimension the query is read from storage instead of private memory. */
export const PRIVATE_QUERY_MAX_DIM = 128;

/**
 * Queries per invocation a top-k kernel can hold in registers: each query costs its padded
 * coordinates plus 2 * kc candidate words (lists in registers); stay within about 128 such
 * registers (GPUs spill beyond ~255 per invocation and lose occupancy well before). With the
 * lists in storage a query costs its coordinates and four partial sums, within about 160.
 * `wanted` caps it (1, 2 or 4).
 */
export function queriesPerThreadFor(dim: number, kc: number, wanted: number, lists: 'registers' | 'storage' = 'registers'): number {
  if (dim > PRIVATE_QUERY_MAX_DIM) return 1;
  const [cost, budget] = lists === 'storage' ? [rowStride(dim) + 4, 160] : [rowStride(dim) + 2 * kc, 128];
  let q = 1;
  while (q * 2 <= Math.min(4, wanted) && q * 2 * cost <= budget) q *= 2;
  return q;
}

/** The shape constants, parameter block and point bindings every kernel starts with. */
function header(dim4: number, kc: number, workgroupSize: number, tileRows: number, more = ''): string {
  return `const DIM4: u32 = ${dim4}u;
const KC: u32 = ${kc}u;
const WG: u32 = ${workgroupSize}u;${more ? `\n${more}` : ''}
const NONE: u32 = 0xffffffffu;
const EMPTY: f32 = 3.4028234663852886e38f;
${tileRows > 0 ? `const TILE: u32 = ${tileRows}u;\n// Vec4 loads per invocation to fill one tile.\nconst LOADS: u32 = ${Math.ceil((tileRows * dim4) / workgroupSize)}u;` : ''}

${COMMON_BINDINGS}`;
}

/**
 * The sweep over this dispatch's reference rows, TILE at a time: the workgroup copies a tile into
 * workgroup memory (element e of the tile written to `tileElement`), then runs `scan` over its
 * `rows` rows (t0 = the tile's first row). The copy loop has a constant trip count (LOADS, with a
 * bound check for the last, partial tile), so a GPU compiler can unroll it and keep all of an
 * invocation's loads in flight at once instead of waiting for each before issuing the next.
 */
function tileSweep(tileElement: string, scan: string): string {
  return `
  for (var t0 = 0u; t0 < p.refCount; t0 += TILE) {
    let rows = min(TILE, p.refCount - t0);
    let base = (p.refStart + t0) * DIM4;
    let filled = rows * DIM4;
    workgroupBarrier();
    for (var l = 0u; l < LOADS; l++) {
      let e = l * WG + lid;
      if (e < filled) {
        ${tileElement} = refs[base + e];
      }
    }
    workgroupBarrier();${scan}
  }`;
}

const COMMON_BINDINGS = `struct Params {
  queryStart: u32,
  queryCount: u32,
  refStart: u32,
  refCount: u32,
  refBase: u32,
  selfBase: u32,
  init: u32,
  pad: u32,
}

@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> refs: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> queries: array<vec4<f32>>;`;

/**
 * WGSL that inserts row `gi` at distance `s` into the sorted candidate list of a query when
 * strictly closer than worst{sfx} (equal distances: lower index first) and is not the query's
 * own row. `dist(t)` and `idx(t)` are the list's t-th entries (private arrays or storage).
 */
function insertCandidate(sfx: string, self: string, indent: string, dist = (t: string): string => `bd${sfx}[${t}]`, idx = (t: string): string => `bi${sfx}[${t}]`): string {
  return `if (s < worst${sfx} && gi != ${self}) {
  var cd = s;
  var ci = gi;
  for (var t = 0u; t < KC; t++) {
    let td = ${dist('t')};
    let ti = ${idx('t')};
    if (cd < td || (cd == td && ci < ti)) {
      ${dist('t')} = cd;
      ${idx('t')} = ci;
      cd = td;
      ci = ti;
    }
  }
  worst${sfx} = ${dist('KC - 1u')};
}`
    .split('\n')
    .map((line) => indent + line)
    .join('\n');
}

/** WGSL for a kernel of the given shape (entry point `main`). */
export function knnKernelSource(shape: KernelShape): string {
  const { dim, kc, tileRows, workgroupSize } = shape;
  const collect = shape.mode === 'collect';
  for (const [name, v] of Object.entries(shape)) {
    if (name !== 'mode' && name !== 'lists' && (!Number.isInteger(v) || v < 0)) throw new RangeError(`kernel shape ${name} must be a non-negative integer, got ${v}`);
  }
  if (dim < 1 || kc < 1 || workgroupSize < 1) throw new RangeError('kernel shape: dim, kc and workgroupSize must be >= 1');
  if (shape.lists !== undefined && shape.lists !== 'registers' && shape.lists !== 'storage') throw new RangeError(`kernel shape lists must be 'registers' or 'storage', got ${String(shape.lists)}`);
  if (!collect && dim <= PRIVATE_QUERY_MAX_DIM) return topkKernelSource(shape);
  if ((shape.queriesPerThread ?? 1) !== 1) throw new RangeError('kernel shape: queriesPerThread > 1 needs top-k mode and private queries');
  const tiled = tileRows > 0;
  const privateQuery = dim <= PRIVATE_QUERY_MAX_DIM;
  const dim4 = rowStride(dim) / 4;
  const qAt = (j: string): string => `queries[qo + ${j}]`;
  const rAt = (r: string, j: string): string => (tiled ? `tile[${r} * DIM4 + ${j}]` : `refs[(p.refStart + ${r}) * DIM4 + ${j}]`);

  // Private queries are unrolled into one register per vec4 (q0, q1, ...) so no driver has to
  // prove a loop-indexed array can live in registers; the sum keeps feature order either way.
  // Direct differences skip the norm slot (vec4 NJ, component NC), which is not a coordinate.
  const nj = Math.floor(dim / 4);
  const nc = dim % 4;
  const distance = (r: string): string =>
    privateQuery
      ? Array.from({ length: dim4 }, (_, j) => {
          const ref = tiled ? `tile[rb + ${j}u]` : `refs[rb + ${j}u]`;
          return `\n        { var df = q${j} - ${ref};${j === nj ? ` df[${nc}u] = 0.0;` : ''} s += dot(df, df); }`;
        }).join('')
      : `
        for (var j = 0u; j < DIM4; j++) {
          var df = ${qAt('j')} - ${rAt(r, 'j')};
          if (j == ${nj}u) { df[${nc}u] = 0.0; }
          s += dot(df, df);
        }`;
  const rowBase = (r: string): string => (tiled ? `${r} * DIM4` : `(p.refStart + ${r}) * DIM4`);
  const scanRow = (r: string, gi: string): string => `
        var s = 0.0;${privateQuery ? `\n        let rb = ${rowBase(r)};` : ''}${distance(r)}
        let gi = ${gi};${collect ? `
        if (s <= bound && gi != selfIdx) {
          if (cnt < KC) { found[slot + 1u + cnt] = gi; }
          cnt += 1u;
        }` : `
${insertCandidate('', 'selfIdx', '        ')}`}`;

  const body = tiled
    ? tileSweep(
        'tile[e]',
        `
    if (live) {
      for (var r = 0u; r < rows; r++) {${scanRow('r', 'p.refBase + t0 + r')}
      }
    }`,
      )
    : `
  if (live) {
    for (var r = 0u; r < p.refCount; r++) {${scanRow('r', 'p.refBase + r')}
    }
  }`;

  const queryRegs = privateQuery ? Array.from({ length: dim4 }, (_, j) => `var q${j} = vec4<f32>();`).join('\n  ') : '';
  const loadQuery = privateQuery ? Array.from({ length: dim4 }, (_, j) => `q${j} = queries[qo + ${j}u];`).join(' ') : '';
  const stateBindings = collect
    ? `@group(0) @binding(3) var<storage, read> qinfo: array<vec2<u32>>;
@group(0) @binding(4) var<storage, read_write> found: array<u32>;`
    : `@group(0) @binding(3) var<storage, read_write> candDist: array<f32>;
@group(0) @binding(4) var<storage, read_write> candIdx: array<u32>;`;
  const load = collect
    ? `var cnt = 0u;
  var bound = 0.0;
  var selfIdx = NONE;
  if (live) {
    ${loadQuery}
    let m = qinfo[qi];
    bound = bitcast<f32>(m.x);
    selfIdx = m.y;
    if (p.init == 0u) { cnt = found[slot]; }
  }`
    : `var bd: array<f32, KC>;
  var bi: array<u32, KC>;
  if (live) {
    ${loadQuery}
    if (p.init != 0u) {
      for (var t = 0u; t < KC; t++) { bd[t] = EMPTY; bi[t] = NONE; }
    } else {
      for (var t = 0u; t < KC; t++) { bd[t] = candDist[slot + t]; bi[t] = candIdx[slot + t]; }
    }
  }
  var worst = bd[KC - 1u];
  let selfIdx = select(NONE, p.selfBase + qi, p.selfBase != NONE);`;
  const store = collect
    ? `if (live) { found[slot] = cnt; }`
    : `if (live) {
    for (var t = 0u; t < KC; t++) { candDist[slot + t] = bd[t]; candIdx[slot + t] = bi[t]; }
  }`;

  return `// rebalance kNN ${collect ? 'collect' : 'candidates'}: dim=${dim} kc=${kc} tile=${tileRows} wg=${workgroupSize}
${header(dim4, kc, workgroupSize, tileRows)}
${stateBindings}
${tiled ? 'var<workgroup> tile: array<vec4<f32>, TILE * DIM4>;' : ''}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let qi = gid.x;
  let live = qi < p.queryCount;
  let slot = qi * ${collect ? '(KC + 1u)' : 'KC'};
  let qo = (p.queryStart + qi) * DIM4;
  ${queryRegs}
  ${load}
${body}
  ${store}
}
`;
}

/**
 * The top-k kernel for private (register) queries: invocation `lid` of workgroup `w` answers
 * queries w * WG * QPT + u * WG + lid for u < QPT. Each tile row is read from workgroup memory
 * once per vec4 and used by every query of the invocation.
 *
 * Distances are |q|^2 + |r|^2 - 2 q.r over centered coordinates, one fused multiply-add per
 * coordinate: the query's norm slot is read as nq and replaced by -1/2, so the dot product of the
 * stored rows is q.r - |r|^2 / 2 and s = nq - 2 * dot. This expansion loses accuracy when |q| and
 * |r| are large next to |q - r|; the data are centered near the indexed mean before upload and the
 * host bounds the error per query by c (|q| + max |r|)^2 (rerank.ts expansionSlack), so
 * candidates it cannot prove go to the exact passes: never a wrong neighbour, only slower. The
 * products accumulate into a vec4 of four independent sums, added at the end. An invocation whose
 * query is past the batch keeps worst = -EMPTY, so it never inserts and never stores.
 */
function topkKernelSource(shape: KernelShape): string {
  const { dim, kc, tileRows, workgroupSize } = shape;
  const qpt = shape.queriesPerThread ?? 1;
  if (![1, 2, 4].includes(qpt)) throw new RangeError(`kernel shape queriesPerThread must be 1, 2 or 4, got ${qpt}`);
  const tiled = tileRows > 0;
  const dim4 = rowStride(dim) / 4;
  const nj = Math.floor(dim / 4);
  const nc = dim % 4;
  const us = Array.from({ length: qpt }, (_, u) => u);
  const js = Array.from({ length: dim4 }, (_, j) => j);
  const each = (f: (u: number) => string, sep = '\n'): string => us.map(f).join(sep);

  const inStorage = shape.lists === 'storage';
  // Candidate list u: private arrays bd/bi, or the query's slots of the candidate buffers.
  const listDist = (u: number) => (t: string): string => (inStorage ? `candDist[slot${u} + ${t}]` : `bd${u}[${t}]`);
  const listIdx = (u: number) => (t: string): string => (inStorage ? `candIdx[slot${u} + ${t}]` : `bi${u}[${t}]`);
  const setup = each(
    (u) => `  let qi${u} = first + ${u}u * WG;
  let slot${u} = qi${u} * KC;
  ${js.map((j) => `var q${u}_${j} = vec4<f32>();`).join(' ')}${inStorage ? '' : `
  var bd${u}: array<f32, KC>;
  var bi${u}: array<u32, KC>;`}
  var nq${u} = 0.0;
  var worst${u} = -EMPTY;
  let self${u} = select(NONE, p.selfBase + qi${u}, p.selfBase != NONE);
  if (qi${u} < p.queryCount) {
    let qo = (p.queryStart + qi${u}) * DIM4;
    ${js.map((j) => `q${u}_${j} = queries[qo + ${j}u];`).join(' ')}
    nq${u} = q${u}_${nj}[${nc}u];
    q${u}_${nj}[${nc}u] = -0.5;
    if (p.init != 0u) {
      for (var t = 0u; t < KC; t++) { ${listDist(u)('t')} = EMPTY; ${listIdx(u)('t')} = NONE; }
    }${inStorage ? '' : ` else {
      for (var t = 0u; t < KC; t++) { bd${u}[t] = candDist[slot${u} + t]; bi${u}[t] = candIdx[slot${u} + t]; }
    }`}
    worst${u} = ${listDist(u)('KC - 1u')};
  }`,
  );
  const rowAt = (j: number): string => (tiled ? `tile[r][${j}u]` : `refs[rb + ${j}u]`);
  const accumulate = js
    .map((j) => `          { let rv = ${rowAt(j)}; ${each((u) => `a${u} = fma(q${u}_${j}, rv, a${u});`, ' ')} }`)
    .join('\n');
  const insert = each(
    (u) => `          {
            let s = nq${u} - 2.0 * ((a${u}.x + a${u}.y) + (a${u}.z + a${u}.w));
${insertCandidate(String(u), `self${u}`, '            ', listDist(u), listIdx(u))}
          }`,
  );
  const scan = (rows: string, gi: string): string => `
        for (var r = 0u; r < ${rows}; r++) {${tiled ? '' : '\n          let rb = (p.refStart + r) * DIM4;'}
          ${each((u) => `var a${u} = vec4<f32>();`, ' ')}
${accumulate}
          let gi = ${gi};
${insert}
        }`;
  const body = tiled
    ? tileSweep('tile[e / DIM4][e % DIM4]', scan('rows', 'p.refBase + t0 + r'))
    : scan('p.refCount', 'p.refBase + r');
  const store = inStorage
    ? ''
    : each(
        (u) => `  if (qi${u} < p.queryCount) {
    for (var t = 0u; t < KC; t++) { candDist[slot${u} + t] = bd${u}[t]; candIdx[slot${u} + t] = bi${u}[t]; }
  }`,
      );
  return `// rebalance kNN candidates: dim=${dim} kc=${kc} tile=${tileRows} wg=${workgroupSize} qpt=${qpt} lists=${inStorage ? 'storage' : 'registers'}
${header(dim4, kc, workgroupSize, tileRows, `const QPT: u32 = ${qpt}u;`)}
@group(0) @binding(3) var<storage, read_write> candDist: array<f32>;
@group(0) @binding(4) var<storage, read_write> candIdx: array<u32>;
${tiled ? 'var<workgroup> tile: array<array<vec4<f32>, DIM4>, TILE>;' : ''}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let first = wid.x * (WG * QPT) + lid;
${setup}
${body}
${store}
}
`;
}
