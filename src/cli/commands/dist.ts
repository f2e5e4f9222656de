/**
 * `rebalance dist <step>`: the steps of exact rebalancing on a distributed engine (Dask, Spark,
 * Ray). Each step is a map over partition files or a small reduce; an engine only schedules
 * them (examples/dask/rebalance_dask.py). See src/distributed/ and README "Beyond one machine".
 */
import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { DataError, UsageError } from '../../core/errors.js';
import { addInputOptions, addKnnOptions, addSeedOption, readOptions, scanOptions, type CliContext, type InputFlags, type KnnFlags } from '../common.js';
import { intIn } from '../parse.js';
import { addSamplerOptions, checkClassesOption, samplerOptionsFrom } from '../sampler-options.js';
import { parseStrategy } from '../strategy-text.js';

const STEPS = `
Protocol (every step reads files and writes one file; partitions are CSV or Arrow files of one table, in order):
  count     each partition            -> summary.json          (map)
  plan      all summaries             -> plan.json             (reduce; -m METHOD --strategy --seed)
  random-under / random-over:
    rank      each partition          -> ranks.json            (map)
    threshold all ranks               -> thresholds.json       (reduce)
    select    each partition          -> output partition      (map; --thresholds)
  SMOTE-type methods (smote, smoten, smote-nc, random-over --shrinkage):
    gather    each partition          -> its rows of the grown classes (map)
    synth     all gathered files      -> the synthetic rows, one more partition (one task, or one per
                                         worker with --slice i/n: n more partitions)
    select    each partition          -> output partition      (map: every row passes through, a plain CSV
                                                                file as a byte copy; select --gather does the
                                                                gather step in the same pass)
    count --gather g.csv (CSV) keeps the small classes' rows in the count pass: when the plan says
    "countGathered": true they are the grown classes, synth reads those files and select needs no --gather
  borderline-smote, adasyn: before synth, the gathered rows' m nearest rows of the whole table:
    points    each partition          -> points.bin            (map)
    knn       all points (the grown classes are the queries) x one group of partitions -> partial top-k (map)
    merge     the partials            -> neighbours            (reduce)
    synth     ... --neighbours merged.bin
    borderline-2 (--variant borderline-2), after that merge: the other classes' rows nearest to the danger rows:
    knn       all points --danger merged.bin x one group of partitions -> partial top-k (map)
    merge     the partials            -> other.bin             (reduce)
    gather    each partition --fetch other.bin -> its grown classes' rows and the rows other.bin names (map)
    synth     those gathered files ... --neighbours merged.bin --fetched other.bin
  smote-tomek, smote-enn (--first smote | borderline-smote | adasyn):
    gather, points (map), [knn + merge as above], synth --points synth.bin -> the synthetic rows and their points,
    then the cleaning below over every points file + synth.bin, then select --removed on each partition and on
    the synthetic rows (select SYNTHETIC --index N, N = the number of partitions)
  near-miss (--near-miss-version 1|2|3, --n-neighbors, --n-neighbors-ver3):
    gather    each partition          -> its minority rows     (map; none when the plan says "countGathered":
                                                                count --gather kept them, pass those files)
    score     each partition --minority <every gathered file>
                                      -> scores.json           (map: its rows' sums against the minority, the
                                                                candidates per class; version 3: also the
                                                                minority rows' nearest rows here, per class)
    threshold all scores              -> chosen.json           (reduce: version 3 merges those lists into the
                                                                shortlist; the kept or dropped ids per class)
    select    each partition          -> output partition      (map; --thresholds chosen.json)
  tomek-links / enn / neighbourhood-cleaning-rule / renn / all-knn:
    points    each partition          -> points.bin            (map)
    knn       query points x one partition's points -> partial top-k (map over partitions; enn: partition pairs)
    merge     the partials of one query set -> neighbours      (reduce; enn: knn --against all points merges in the task)
    partners  tomek-links: merged lists -> partners.json, queried in a second knn round
    clean     all merged lists        -> removed.json          (reduce)
              renn / all-knn: ENN rounds: knn --round S and clean --round S (S: the previous clean's file, none
              for the first round) until that file says "done": true
    select    each partition          -> output partition      (map; --removed)
    --scale standard|minmax (cleaning methods), before points:
      moments   minmax: each partition -> its min/max (map); standard: a chain over the partitions in order,
                twice (running sums, then squared deviations), each link --carry the previous one
      scaler    the moments files      -> scaler.json           (reduce), then points --scaler scaler.json
  batch     several steps in one process (a worker's share of a map), from a JSON list of argument lists

Example (two CSV partitions, random under-sampling):
  $ rebalance dist count p0.csv -o s0.json && rebalance dist count p1.csv -o s1.json
  $ rebalance dist plan s0.json s1.json -m random-under --seed 7 -o plan.json
  $ rebalance dist rank p0.csv --plan plan.json --index 0 -o r0.json   (and p1 -> r1.json)
  $ rebalance dist threshold r0.json r1.json --plan plan.json -o t.json
  $ rebalance dist select p0.csv --plan plan.json --index 0 --thresholds t.json -o out0.csv`;

async function readJson(path: string): Promise<unknown> {
  const { ioErrorFrom } = await import('../../io/fs-errors.js');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw ioErrorFrom(e, path, 'read');
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new DataError('REBALANCE_BAD_DIST_FILE', `${path} is not valid JSON; give the file the previous dist step wrote`);
  }
}

async function loadPlan(path: string) {
  const { checkPlan } = await import('../../distributed/plan.js');
  return checkPlan(await readJson(path), path);
}

async function writeJson(path: string, value: unknown): Promise<void> {
  const { writeJsonAtomic } = await import('../../io/json.js');
  await writeJsonAtomic(path, value);
}

function sub(ctx: CliContext, name: string, description: string): Command {
  const c = new Command(name).description(description);
  c.exitOverride();
  c.configureOutput({
    writeOut: (s) => ctx.stdout.write(s),
    writeErr: (s) => ctx.stderr.write(s),
    outputError: (s, write) => write(`rebalance dist ${name}: ${s.replace(/^error: /, '')}`),
  });
  c.showHelpAfterError(`(run 'rebalance dist ${name} --help' for usage)`);
  return c;
}

interface PartFlags extends InputFlags {
  plan: string;
  index: number;
  output: string;
  format?: string;
}

function partitionCommand(ctx: CliContext, name: string, description: string, output: string): Command {
  const c = sub(ctx, name, description)
    .argument('<partition>', 'the partition file (CSV or Arrow)')
    .requiredOption('--plan <file>', "the plan file ('rebalance dist plan')")
    .requiredOption('--index <i>', 'the position of this partition in the plan (0-based)', intIn(0))
    .requiredOption('-o, --output <file>', output);
  addInputOptions(c);
  return c;
}

function step(flags: PartFlags, input: string, plan: Awaited<ReturnType<typeof loadPlan>>, ctx: CliContext) {
  return { input, index: flags.index, plan, output: flags.output, format: flags.format, read: readOptions(flags, ctx.signal), scan: scanOptions(flags, ctx.signal), version: ctx.version };
}

export function distCommand(ctx: CliContext): Command {
  const cmd = new Command('dist').description('exact rebalancing of a table split into partition files, step by step, for Dask / Spark / Ray (see --help)');
  cmd.addHelpText('after', STEPS);

  const count = sub(ctx, 'count', "one partition's summary: rows, columns and kinds, class counts")
    .argument('<partition>', 'the partition file (CSV or Arrow)')
    .requiredOption('-o, --output <file>', 'the summary (JSON)')
    .option('--gather <file>', "CSV: also write the partition's rows of every class but its largest (small classes, whole) to this file, in the same pass; the summary lists those classes, and the plan says whether they are the grown ones (countGathered: synth reads these files, no gather pass)");
  addInputOptions(count);
  count.action(async (input: string, flags: InputFlags & { output: string; gather?: string }) => {
    const { countPartition } = await import('../../distributed/partition.js');
    await writeJson(flags.output, await countPartition(input, readOptions(flags, ctx.signal), scanOptions(flags, ctx.signal), flags.gather));
  });

  const plan = sub(ctx, 'plan', 'merge the summaries (in partition order) into the plan: global targets, row offsets, the route')
    .argument('<summaries...>', 'the summaries of every partition, in partition order')
    .requiredOption('-m, --method <name>', 'random-under, random-over, smote, smoten, smote-nc, borderline-smote, adasyn, smote-tomek, smote-enn, tomek-links, enn, renn, all-knn, neighbourhood-cleaning-rule or near-miss')
    .option('--strategy <s>', 'sampling strategy (default: auto), as for resample')
    .requiredOption('-o, --output <file>', 'the plan (JSON)');
  addSamplerOptions(plan);
  addSeedOption(plan);
  plan.action(async (files: string[], flags: { method: string; strategy?: string; seed: number; output: string }) => {
    const [{ makePlan }, { getSampler }] = await Promise.all([import('../../distributed/plan.js'), import('../../samplers/registry.js')]);
    const options = samplerOptionsFrom(flags);
    checkClassesOption(options, flags.strategy, [getSampler(flags.method)]);
    const summaries = await Promise.all(files.map(readJson));
    const p = makePlan(summaries as never, { method: flags.method, strategy: flags.strategy === undefined ? undefined : parseStrategy(flags.strategy), options, seed: flags.seed });
    await writeJson(flags.output, p);
  });

  const rank = partitionCommand(ctx, 'rank', "random route: this partition's extreme (key, row id) pairs per class", 'the ranks (JSON)');
  rank.action(async (input: string, flags: PartFlags) => {
    const [{ partitionCodes }, { rankPartition }] = await Promise.all([import('../../distributed/steps.js'), import('../../distributed/random.js')]);
    const p = await loadPlan(flags.plan);
    const { offset, codes } = await partitionCodes(step(flags, input, p, ctx));
    await writeJson(flags.output, rankPartition(p, offset, codes));
  });

  const threshold = sub(ctx, 'threshold', 'random route: merge the ranks of every partition into one threshold per class; near-miss: the score files into the kept rows per class')
    .argument('<ranks...>', 'the rank files (near-miss: the score files) of every partition')
    .requiredOption('--plan <file>', 'the plan file')
    .requiredOption('-o, --output <file>', 'the thresholds (JSON)');
  threshold.action(async (files: string[], flags: { plan: string; output: string }) => {
    const p = await loadPlan(flags.plan);
    if (p.route === 'nearmiss') {
      const { mergeNearMiss } = await import('../../distributed/near-miss.js');
      await writeJson(flags.output, mergeNearMiss(p, (await Promise.all(files.map(readJson))) as never, (m) => void ctx.stderr.write(`rebalance: ${m}\n`)));
      return;
    }
    const { mergeThresholds } = await import('../../distributed/random.js');
    await writeJson(flags.output, mergeThresholds(p, (await Promise.all(files.map(readJson))) as never));
  });

  const select = partitionCommand(ctx, 'select', "write this partition's output rows (random: by the thresholds; clean: all but the removed rows; synthesize: all rows)", 'the output partition (format from the extension, else the input format)')
    .option('--thresholds <file>', "random route and near-miss: the threshold step's file")
    .option('--removed <file>', "clean route: the clean step's file")
    .option('--format <format>', 'output format: csv, tsv, arrow, arrows')
    .option('--gather <file>', 'synthesize route: also write the rows of the grown classes to this file (the gather step, in the same pass)')
    .option('--summary-json <file>', 'write the rows written per class as JSON');
  select.action(async (input: string, flags: PartFlags & { thresholds?: string; removed?: string; gather?: string; summaryJson?: string }) => {
    const { selectPartition } = await import('../../distributed/steps.js');
    const p = await loadPlan(flags.plan);
    const thresholds = flags.thresholds ? ((await readJson(flags.thresholds)) as never) : null;
    let removed: Set<number> | undefined;
    if (flags.removed) {
      const { checkRoundState } = await import('../../distributed/knn.js');
      const state = checkRoundState(await readJson(flags.removed), flags.removed);
      if (state.done === false) throw new DataError('REBALANCE_PLAN_MISMATCH', `${flags.removed} is a round that is not the last ("done": false); run knn --round and clean --round until done, then pass that file`);
      removed = new Set(state.removed);
    }
    const result = await selectPartition(step(flags, input, p, ctx), { thresholds, removed, gather: flags.gather });
    if (flags.summaryJson) await writeJson(flags.summaryJson, result);
  });

  const gather = partitionCommand(ctx, 'gather', "synthesize route: this partition's rows of the classes being grown; near-miss: its minority rows", 'the gathered rows (same format as the input by default)')
    .option('--format <format>', 'output format: csv, tsv, arrow, arrows')
    .option('--fetch <merged>', "borderline-2: also the rows these merged lists name (knn --danger, merged): the danger rows' nearest rows of other classes");
  gather.action(async (input: string, flags: PartFlags & { fetch?: string }) => {
    const [{ gatherPartition }, { fetchIds, neighboursFromBlob }, { readBlob }] = await Promise.all([import('../../distributed/steps.js'), import('../../distributed/knn.js'), import('../../distributed/blob.js')]);
    const fetch = flags.fetch !== undefined ? new Set(fetchIds(neighboursFromBlob(await readBlob(flags.fetch), flags.fetch))) : undefined;
    await gatherPartition(step(flags, input, await loadPlan(flags.plan), ctx), fetch);
  });

  const synth = sub(ctx, 'synth', 'synthesize route: run the method once on the gathered rows; write the generated rows')
    .argument('<gathered...>', 'the gathered files of every partition, in partition order')
    .requiredOption('--plan <file>', 'the plan file')
    .requiredOption('-o, --output <file>', 'the synthetic rows (one more output partition)')
    .option('--format <format>', 'output format: csv, tsv, arrow, arrows')
    .option('--neighbours <file>', 'borderline-smote / adasyn: the merged knn lists of the gathered rows')
    .option('--points <file>', 'smote-tomek / smote-enn: also write the synthetic rows as a points file (for the cleaning)')
    .option('--slice <i/n>', 'write only slice i (0-based) of n of the generated rows: n synth tasks write the synthetic rows in parallel, as n partitions (not with --points)')
    .option('--scaler <file>', "borderline-smote / adasyn with --scale: the whole table's scaler ('rebalance dist scaler')")
    .option('--fetched <merged>', 'borderline-2: the merged lists gather --fetch used (the gathered files then hold those rows too)')
    .option('--summary-json <file>', 'write the rows written per class as JSON');
  addInputOptions(synth);
  addKnnOptions(synth);
  synth.action(async (files: string[], flags: InputFlags & KnnFlags & { plan: string; output: string; format?: string; neighbours?: string; points?: string; scaler?: string; fetched?: string; slice?: string; summaryJson?: string }) => {
    const slice = flags.slice === undefined ? undefined : parseSlice(flags.slice);
    const [{ synthesize }, { openKnn }, { neighboursFromBlob }, { readBlob }, { checkScaleState, scalerOf }] = await Promise.all([
      import('../../distributed/steps.js'),
      import('../../neighbors/open.js'),
      import('../../distributed/knn.js'),
      import('../../distributed/blob.js'),
      import('../../distributed/scale.js'),
    ]);
    const p = await loadPlan(flags.plan);
    if (flags.scale !== 'none' && p.clean) {
      throw new UsageError('REBALANCE_DIST_UNSUPPORTED', `--scale ${flags.scale} is not supported by the distributed ${p.method} (its scaler would cover the synthetic rows too); drop --scale or run 'rebalance resample' on one machine`);
    }
    if (flags.scale !== 'none' && p.neighbours && !flags.scaler) {
      throw new UsageError('REBALANCE_BAD_OPTION', `--scale ${flags.scale} with ${p.method}: pass --scaler, the whole table's scaler (moments -> scaler), the one the points were scaled with`);
    }
    if (flags.scaler && (flags.scale === 'none' || !p.neighbours)) throw new UsageError('REBALANCE_BAD_OPTION', `--scaler goes with --scale and borderline-smote / adasyn only; drop it`);
    const scaler = flags.scaler ? scalerOf(checkScaleState(await readJson(flags.scaler), flags.scaler), flags.scaler) : undefined;
    const neighbours = flags.neighbours ? neighboursFromBlob(await readBlob(flags.neighbours), flags.neighbours) : undefined;
    const fetched = flags.fetched ? neighboursFromBlob(await readBlob(flags.fetched), flags.fetched) : undefined;
    const log = (m: string): void => void ctx.stderr.write(`rebalance: ${m}\n`);
    const result = await synthesize({
      gathered: files,
      plan: p,
      output: flags.output,
      format: flags.format,
      read: readOptions(flags, ctx.signal),
      scan: scanOptions(flags, ctx.signal),
      knn: () => openKnn({ backend: flags.knnBackend, algorithm: flags.knnAlgorithm, threads: flags.threads, log, signal: ctx.signal }),
      scale: flags.scale,
      log,
      signal: ctx.signal,
      version: ctx.version,
      neighbours,
      points: flags.points,
      scaler,
      fetched,
      ...(slice ? { slice } : {}),
    });
    if (flags.summaryJson) await writeJson(flags.summaryJson, result);
  });

  const points = partitionCommand(ctx, 'points', "clean route: this partition's rows as (global id, class, Float32 features)", 'the points file').option(
    '--scaler <file>',
    "--scale standard|minmax: the scaler file ('rebalance dist scaler'); the points are scaled as one machine scales them",
  );
  points.action(async (input: string, flags: PartFlags & { scaler?: string }) => {
    const [{ partitionPoints, pointsToBlob }, { writeBlob }, { checkScaleState, checkScalable, scalerOf }] = await Promise.all([
      import('../../distributed/knn.js'),
      import('../../distributed/blob.js'),
      import('../../distributed/scale.js'),
    ]);
    const p = await loadPlan(flags.plan);
    const scaler = flags.scaler ? scalerOf(checkScaleState(await readJson(flags.scaler), flags.scaler), flags.scaler) : undefined;
    if (scaler) checkScalable(p);
    const pts = await partitionPoints(step(flags, input, p, ctx), scaler);
    await writeBlob(flags.output, ...pointsToBlob(pts));
  });

  const score = partitionCommand(ctx, 'score', "near-miss: this partition's cut-class rows scored against the gathered minority rows; the candidates per class", 'the scores (JSON)')
    .requiredOption('--minority <gathered...>', 'the gather step files of every partition (the minority rows), in partition order');
  addKnnOptions(score);
  score.action(async (input: string, flags: PartFlags & KnnFlags & { minority: string[] }) => {
    const [{ scorePartition }, { openKnn }] = await Promise.all([import('../../distributed/near-miss.js'), import('../../neighbors/open.js')]);
    if (flags.scale !== 'none') throw new UsageError('REBALANCE_DIST_UNSUPPORTED', `--scale ${flags.scale} is not supported by the distributed near-miss (its scaler would be the whole table's); drop --scale or run 'rebalance resample' on one machine`);
    const p = await loadPlan(flags.plan);
    const log = (m: string): void => void ctx.stderr.write(`rebalance: ${m}\n`);
    const knn = () => openKnn({ backend: flags.knnBackend, algorithm: flags.knnAlgorithm, threads: flags.threads, log, signal: ctx.signal });
    await writeJson(flags.output, await scorePartition({ ...step(flags, input, p, ctx), minority: flags.minority, knn, log, signal: ctx.signal }));
  });

  const moments = partitionCommand(ctx, 'moments', "--scale: this partition's share of the scaler (minmax: its min and max; standard: the next link of the chain of running sums)", 'the moments (JSON)')
    .requiredOption('--scale <mode>', 'standard or minmax, as resample --scale')
    .option('--carry <file>', 'standard: the previous link of the chain (none for partition 0 of the first pass)');
  moments.action(async (input: string, flags: PartFlags & { scale: string; carry?: string }) => {
    const { partitionMoments, checkScaleState } = await import('../../distributed/scale.js');
    if (flags.scale !== 'standard' && flags.scale !== 'minmax') throw new UsageError('REBALANCE_BAD_OPTION', `--scale ${flags.scale}: use standard or minmax`);
    const prev = flags.carry ? checkScaleState(await readJson(flags.carry), flags.carry) : null;
    await writeJson(flags.output, await partitionMoments(step(flags, input, await loadPlan(flags.plan), ctx), flags.scale, prev));
  });

  const scaler = sub(ctx, 'scaler', '--scale: the scaler from the moments files (minmax: every partition; standard: the last link of the chain)')
    .argument('<moments...>', 'the moments files')
    .requiredOption('--plan <file>', 'the plan file')
    .requiredOption('-o, --output <file>', 'the scaler (JSON)');
  scaler.action(async (files: string[], flags: { plan: string; output: string }) => {
    const { mergeScale, checkScaleState } = await import('../../distributed/scale.js');
    const p = await loadPlan(flags.plan);
    await writeJson(flags.output, mergeScale(p, await Promise.all(files.map(async (f) => checkScaleState(await readJson(f), f)))));
  });

  const knn = sub(ctx, 'knn', "clean route: the partial top-k of the query rows within one partition's points")
    .argument('<queries...>', 'points files holding the query rows (the query classes of the plan, or --ids)')
    .requiredOption('--plan <file>', 'the plan file')
    .requiredOption('--against <points...>', 'the points file(s) searched: one partition, or several searched one at a time and merged')
    .option('--ids <file>', "query only these global row ids (the partners step's file)")
    .option('--round <file>', "renn / all-knn: the previous round's clean file (its removed rows are left out; its next k and query classes)")
    .option('--synth', "smote-tomek / smote-enn with --first borderline-smote / adasyn: the search for the synth step (else: the cleaning's)")
    .option('--danger <merged>', "borderline-2: query the rows in danger by these merged lists (the synth search's) against the rows outside their class")
    .requiredOption('-o, --output <file>', 'the partial neighbour lists');
  addKnnOptions(knn);
  knn.action(async (files: string[], flags: KnnFlags & { plan: string; against: string[]; ids?: string; round?: string; synth?: boolean; danger?: string; output: string }) => {
    const [{ partialKnn, partialKnnOtherClass, dangerIds, mergeNeighbours, pointsFromBlob, neighboursFromBlob, selectQueries, neighboursToBlob, roundQuery, checkRoundState }, { readBlob, writeBlob }, { openKnn }] = await Promise.all([
      import('../../distributed/knn.js'),
      import('../../distributed/blob.js'),
      import('../../neighbors/open.js'),
    ]);
    if (flags.scale !== 'none') throw new UsageError('REBALANCE_DIST_UNSUPPORTED', `--scale ${flags.scale} does not go to the knn step: the points carry the scaling (moments -> scaler -> points --scaler); drop it here`);
    if (flags.danger !== undefined && (flags.ids !== undefined || flags.round !== undefined)) throw new UsageError('REBALANCE_BAD_OPTION', '--danger names its own queries: drop --ids / --round');
    const p = await loadPlan(flags.plan);
    const state = flags.round ? checkRoundState(await readJson(flags.round), flags.round) : null;
    const danger = flags.danger !== undefined ? dangerIds(p, neighboursFromBlob(await readBlob(flags.danger), flags.danger)) : undefined;
    const { k, queryClasses } = danger ? { k: p.neighbours!.other!.k, queryClasses: [] } : roundQuery(p, state, flags.synth === true);
    const ids = danger ? new Set(danger) : flags.ids ? new Set(((await readJson(flags.ids)) as { ids: number[] }).ids) : undefined;
    const classes = ids ? undefined : new Set(queryClasses.map((n) => p.classNames.indexOf(n)));
    const exclude = state && state.removed.length ? new Set(state.removed) : undefined;
    // One points file in memory at a time: each keeps only its query rows.
    const picked = [];
    for (const f of files) picked.push(selectQueries([pointsFromBlob(await readBlob(f), f)], { classes, ids, exclude }));
    const queries = selectQueries(picked, {});
    const backend = await openKnn({ backend: flags.knnBackend, algorithm: flags.knnAlgorithm, threads: flags.threads, signal: ctx.signal });
    try {
      // One partition's points in memory at a time; several partial lists merge as the merge step does.
      const parts = [];
      for (const f of flags.against) {
        const against = pointsFromBlob(await readBlob(f), f);
        if (danger) parts.push(await partialKnnOtherClass(queries, against, k, backend));
        else parts.push(await partialKnn(queries, exclude ? selectQueries([against], { exclude }) : against, k, backend));
      }
      await writeBlob(flags.output, ...neighboursToBlob(parts.length === 1 ? parts[0] : mergeNeighbours(parts, false)));
    } finally {
      await backend.dispose();
    }
  });

  const merge = sub(ctx, 'merge', 'clean route: merge the partial lists of one query set (one per partition) into the global top-k')
    .argument('<partials...>', 'the knn files of one query set against every partition')
    .requiredOption('-o, --output <file>', 'the merged neighbour lists');
  merge.action(async (files: string[], flags: { output: string }) => {
    const [{ mergeNeighbours, neighboursFromBlob, neighboursToBlob }, { readBlob, writeBlob }] = await Promise.all([import('../../distributed/knn.js'), import('../../distributed/blob.js')]);
    const parts = await Promise.all(files.map(async (f) => neighboursFromBlob(await readBlob(f), f)));
    await writeBlob(flags.output, ...neighboursToBlob(mergeNeighbours(parts)));
  });

  const partners = sub(ctx, 'partners', 'tomek-links: the rows of the largest class that are nearest neighbours of a query row (the second knn round)')
    .argument('<merged...>', 'the merged lists of the first round')
    .requiredOption('--plan <file>', 'the plan file')
    .requiredOption('-o, --output <file>', 'the partner ids (JSON)');
  partners.action(async (files: string[], flags: { plan: string; output: string }) => {
    const [{ tomekPartners, neighboursFromBlob }, { readBlob }] = await Promise.all([import('../../distributed/knn.js'), import('../../distributed/blob.js')]);
    const p = await loadPlan(flags.plan);
    const lists = await Promise.all(files.map(async (f) => neighboursFromBlob(await readBlob(f), f)));
    await writeJson(flags.output, { kind: 'rebalance-dist-ids', ids: tomekPartners(p, lists) });
  });

  const clean = sub(ctx, 'clean', 'clean route: the rows the method removes, from the merged neighbour lists')
    .argument('<merged...>', 'every merged list (tomek-links: both rounds)')
    .requiredOption('--plan <file>', 'the plan file')
    .option('--round [file]', 'renn / all-knn: one round; the previous round\'s file (none for the first round)')
    .requiredOption('-o, --output <file>', 'the removed row ids (JSON; renn / all-knn: the round state, "done": true after the last)');
  clean.action(async (files: string[], flags: { plan: string; round?: string | true; output: string }) => {
    const [{ cleanDecision, roundDecision, checkRoundState, neighboursFromBlob }, { readBlob }] = await Promise.all([import('../../distributed/knn.js'), import('../../distributed/blob.js')]);
    const p = await loadPlan(flags.plan);
    const lists = await Promise.all(files.map(async (f) => neighboursFromBlob(await readBlob(f), f)));
    if (flags.round !== undefined) {
      const prev = typeof flags.round === 'string' ? checkRoundState(await readJson(flags.round), flags.round) : null;
      await writeJson(flags.output, roundDecision(p, lists, prev));
      return;
    }
    await writeJson(flags.output, { kind: 'rebalance-dist-removed', removed: cleanDecision(p, lists) });
  });

  const batch = sub(ctx, 'batch', 'run several dist steps in this one process, one after the other (saves a process start per step)')
    .argument('<steps>', 'a JSON file: an array of steps, each the argument list of one dist step, e.g. [["count", "p0.csv", "-o", "s0.json"], ...]');
  batch.action(async (file: string) => {
    const steps = await readJson(file);
    if (!Array.isArray(steps) || !steps.every((s) => Array.isArray(s) && s.length > 0 && s.every((a) => typeof a === 'string') && s[0] !== 'batch')) {
      throw new DataError('REBALANCE_BAD_DIST_FILE', `${file} must hold an array of dist steps, each an array of strings such as ["count", "p0.csv", "-o", "s0.json"] (no nested batch)`);
    }
    const { createCli } = await import('../main.js');
    // One step at a time: memory is that of the largest step, as with one process per step.
    // With node --expose-gc (as the Dask driver starts it) each step's garbage goes before the next.
    const gc = (globalThis as { gc?: () => void }).gc;
    for (const args of steps as string[][]) {
      await createCli(ctx).parseAsync(['node', 'rebalance', 'dist', ...args]);
      gc?.();
    }
  });

  for (const c of [batch, count, plan, rank, threshold, select, gather, synth, score, moments, scaler, points, knn, merge, partners, clean]) cmd.addCommand(c);
  return cmd;
}

/** `--slice i/n`: 0 <= i < n, n >= 1. */
function parseSlice(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || !(count >= 1) || !(index < count) || count > 1 << 20) {
    throw new UsageError('REBALANCE_BAD_OPTION', `--slice takes i/n with 0 <= i < n (e.g. 0/2, 1/2), got '${text}'`);
  }
  return { index, count };
}
