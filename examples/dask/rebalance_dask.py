#!/usr/bin/env python3
"""Exact rebalancing of a table split into partition files, on Dask distributed.

    python3 examples/dask/rebalance_dask.py INPUT_DIR -m METHOD [--strategy S] [--seed N]
        [--workers N] -o OUTPUT_DIR

INPUT_DIR holds the partitions of one table as files (CSV, Arrow; Parquet where rebalance reads
it), in name order. OUTPUT_DIR receives part-NNNNN.<ext> (the input's format), plan.json and
summary.json. Every computing step is a `rebalance dist` command (node bin/rebalance.js); this
driver only schedules them on a LocalCluster (or on the Client you pass to run()):

    count (map) -> plan (reduce) -> route:
      random      rank (map) -> threshold (reduce) -> select (map)
      synthesize  select --gather (map: rows pass through, grown classes gathered) -> synth (one
                  task: the synthetic rows, one more partition)
                  smote, smoten, smote-nc on CSV: count --gather keeps the small classes in the
                  count pass; when the plan says countGathered, synth (one slice per worker) and
                  the pass-through selects (byte copies of plain CSV) run as one stage
                  borderline-smote / adasyn: also points (map) -> knn (the grown classes' rows x
                  each group of partitions) -> merge -> synth --neighbours
                  borderline-2: select (map) first; after that merge, knn --danger (the danger
                  rows x each group, rows outside their class) -> merge -> gather --fetch (map)
                  -> synth --fetched
                  smote-tomek / smote-enn: gather (map) -> [the above] -> synth --points -> the
                  cleaning below over every partition + the synthetic rows -> select --removed
      nearmiss    gather (map: the minority rows; on CSV usually kept by count --gather) -> score
                  (map: each partition's rows against the gathered minority; version 3 also its
                  partial shortlist) -> threshold (reduce: the kept or dropped ids per class) ->
                  select (map)
      clean       points (map) -> knn (map; tomek: one query set x each partition, two rounds;
                  enn, ncr: partition x partition) -> merge (reduce) -> clean (reduce) -> select (map)
                  renn / all-knn: ENN rounds (knn --round, clean --round) until the state says done

Importable: `from rebalance_dask import run` then run(input_dir, output_dir, method, ...).
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_BIN = str(HERE.parent.parent / "bin" / "rebalance.js")
PARTITION_EXTS = (".csv", ".tsv", ".arrow", ".arrows", ".feather", ".ipc", ".parquet")


class StepError(RuntimeError):
    """A rebalance step failed; carries its exit code and stderr."""

    def __init__(self, args, code, stderr):
        super().__init__(f"rebalance {' '.join(args[:2])} failed (exit {code}): {stderr.strip()}")
        self.code = code
        self.stderr = stderr


def dist_step(args, rebalance_bin=DEFAULT_BIN, node="node", node_flags=()):
    """Runs `rebalance dist ARGS...` and returns (stdout, stderr) (runs on a Dask worker)."""
    # A batch runs several steps in one process; --expose-gc lets it free each step's garbage.
    cmd = [node, *node_flags, *(["--expose-gc"] if args and args[0] == "batch" else []), rebalance_bin, "dist", *[str(a) for a in args]]
    env = dict(os.environ)
    # One process per task and one task per worker process (its kNN threads: run() passes --threads).
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise StepError([str(a) for a in args], r.returncode, r.stderr)
    return r.stdout, r.stderr


def partition_files(input_dir):
    files = sorted(p for p in Path(input_dir).iterdir() if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in PARTITION_EXTS)
    if not files:
        raise ValueError(f"no partition files (*{', *'.join(PARTITION_EXTS)}) in {input_dir}")
    exts = {p.suffix.lower() for p in files}
    if len(exts) != 1:
        raise ValueError(f"partition files of several formats in {input_dir}: {sorted(exts)}; use one format")
    return files


def _workers(client):
    try:
        return max(1, len(client.scheduler_info()["workers"]))
    except Exception:  # noqa: BLE001
        return 2


def _read_json(path):
    with open(path, encoding="utf8") as f:
        return json.load(f)


def run(input_dir, output_dir, method, strategy=None, seed=42, workers=2, client=None, plan_args=(), input_args=(), knn_args=(), rebalance_bin=DEFAULT_BIN, node="node", keep_work=False, batch=True, scale=None):
    """Rebalances the partitions of INPUT_DIR into OUTPUT_DIR; returns the summary (also written as summary.json).

    client: a dask.distributed Client to schedule on (default: a LocalCluster of `workers` processes).
    plan_args: extra flags of `rebalance dist plan` (sampler options: ['--n-neighbors', '3'], ...).
    input_args: flags every step that reads a partition gets (['--label', 'y'], ...).
    knn_args: flags of the steps that search neighbours (['--knn-backend', 'cpu'], ...).
    batch: run each worker's share of a map stage in one process (`rebalance dist batch`): one
    process start per worker and stage instead of one per partition; the steps are the same.
    scale: 'standard' or 'minmax' (resample --scale): cleaning methods, borderline-smote and
    adasyn get the whole table's scaler from the partitions (minmax: a map and a reduce;
    standard: a chain over the partitions in order, twice); smote, smoten, smote-nc pass it to synth.
    """
    parts = partition_files(input_dir)
    ext = parts[0].suffix.lower()
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("part-*"):
        old.unlink()
    work = Path(tempfile.mkdtemp(prefix="rebalance-dask-"))
    own = None
    knn_args = list(knn_args)
    node_flags = []
    if client is None:
        from dask.distributed import Client, LocalCluster

        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None)
        own = Client(cluster)
        client = own
    try:
        # The workers of a machine share its cores: each task's kNN gets its share (--threads), and
        # a task with one core runs V8's garbage collector and compiler on its own thread too
        # (--single-threaded), instead of helper threads that compete with the other workers.
        if "--threads" not in knn_args:
            cores = _cores_per_task(client)
            knn_args += ["--threads", str(cores)]
            if cores == 1:
                node_flags = ["--single-threaded"]
        return _run(client, parts, ext, out, work, method, strategy, seed, list(plan_args), list(input_args), knn_args, rebalance_bin, node, batch, scale, node_flags)
    finally:
        if own is not None:
            own.close()
            own.cluster.close()
        if not keep_work:
            shutil.rmtree(work, ignore_errors=True)


def _cores_per_task(client):
    """The cores of each worker's machine divided among the workers on it (the fewest over the cluster)."""
    try:
        hosts = {}
        for addr, w in client.scheduler_info()["workers"].items():
            hosts.setdefault(w.get("host", addr), []).append(addr)
        cpus = client.run(os.cpu_count)
        return max(1, min((cpus.get(a) or 1) // len(addrs) for addrs in hosts.values() for a in addrs))
    except Exception:  # noqa: BLE001
        return 1


def _groups(points, client):
    """Each knn task searches a group of partitions one at a time (one partition's points in memory)."""
    g = min(len(points), _workers(client))
    return [points[i::g] for i in range(g)]


def _scaler(scale, n, base, plan_file, w, each, one):
    """--scale: the moments steps and the scaler reduce; returns the points/synth flags."""
    if not scale:
        return []
    if scale == "minmax":
        moments = [w(f"minmax-{i:05d}.json") for i in range(n)]
        each([["moments", *base(i), "--scale", "minmax", "-o", moments[i]] for i in range(n)])
        one(["scaler", *moments, "--plan", plan_file, "-o", w("scaler.json")])
    else:
        # fitScaler sums in row order: a chain over the partitions, twice (sums, then squares).
        carry = []
        for p in range(2):
            for i in range(n):
                nxt = w(f"chain-{p}-{i:05d}.json")
                one(["moments", *base(i), "--scale", "standard", *carry, "-o", nxt])
                carry = ["--carry", nxt]
        one(["scaler", carry[1], "--plan", plan_file, "-o", w("scaler.json")])
    return ["--scaler", w("scaler.json")]


def _clean(points, plan, plan_file, w, each, one, client, knn_args):
    """The cleaning steps over the points files; returns the file for select --removed."""
    method = plan["clean"]["method"]
    if method == "tomek-links":
        groups = _groups(points, client)
        # Round 1: the rows outside the largest class (small), broadcast against every group.
        r1 = [w(f"knn1-{g:05d}.bin") for g in range(len(groups))]
        each([["knn", *points, "--plan", plan_file, "--against", *grp, "-o", r1[g], *knn_args] for g, grp in enumerate(groups)])
        one(["merge", *r1, "-o", w("nn1.bin")])
        one(["partners", w("nn1.bin"), "--plan", plan_file, "-o", w("partners.json")])
        # Round 2: their nearest rows of the largest class.
        r2 = [w(f"knn2-{g:05d}.bin") for g in range(len(groups))]
        each([["knn", *points, "--plan", plan_file, "--ids", w("partners.json"), "--against", *grp, "-o", r2[g], *knn_args] for g, grp in enumerate(groups)])
        one(["merge", *r2, "-o", w("nn2.bin")])
        one(["clean", w("nn1.bin"), w("nn2.bin"), "--plan", plan_file, "-o", w("removed.json")])
        return w("removed.json")

    # The ENN family: each partition's query rows against every partition (the partition x
    # partition blocks, one row of blocks per task, merged in the task).
    def enn_round(extra, tag):
        merged = [w(f"nn{tag}-{i:05d}.bin") for i in range(len(points))]
        each([["knn", points[i], "--plan", plan_file, *extra, "--against", *points, "-o", merged[i], *knn_args] for i in range(len(points))])
        return merged

    if method in ("renn", "all-knn"):
        # Rounds over the rows left: each round's state names the removed rows and the next k.
        state = None
        r = 0
        while True:
            r += 1
            merged = enn_round(["--round", state] if state else [], f"-r{r:03d}")
            nxt = w(f"round-{r:03d}.json")
            one(["clean", *merged, "--plan", plan_file, "--round", *([state] if state else []), "-o", nxt])
            state = nxt
            if _read_json(nxt)["done"]:
                return nxt
    one(["clean", *enn_round([], ""), "--plan", plan_file, "-o", w("removed.json")])
    return w("removed.json")


def _run(client, parts, ext, out, work, method, strategy, seed, plan_args, input_args, knn_args, rebalance_bin, node, batch, scale, node_flags=()):
    stage = [0]

    def each(arg_lists):
        arg_lists = [[str(a) for a in args] for args in arg_lists]
        n_tasks = min(len(arg_lists), _workers(client))
        if batch and len(arg_lists) > n_tasks:
            # One process per worker: task t runs steps t, t + n_tasks, ... of this stage.
            stage[0] += 1
            tasks = []
            for t in range(n_tasks):
                f = work / f"batch-{stage[0]:03d}-{t:03d}.json"
                f.write_text(json.dumps(arg_lists[t::n_tasks]))
                tasks.append(["batch", str(f)])
            arg_lists = tasks
        futures = client.map(dist_step, arg_lists, rebalance_bin=rebalance_bin, node=node, node_flags=node_flags, pure=False)
        return [tell(r) for r in client.gather(futures)]

    def one(args):
        return tell(client.submit(dist_step, args, rebalance_bin=rebalance_bin, node=node, node_flags=node_flags, pure=False).result())

    told = set()

    def tell(result):
        """
        The steps' notices on stderr (what a single-machine run prints: near-miss's short
        shortlist, column roles, the kNN backend): each once, lines that differ only in their
        numbers (one per partition) counting as one.
        """
        out, err = result
        for line in err.splitlines():
            shape = re.sub(r"[0-9]+", "#", line)
            if line.strip() and shape not in told:
                told.add(shape)
                print(line, file=sys.stderr)
        return out

    n = len(parts)
    w = lambda name: str(work / name)  # noqa: E731
    summaries = [w(f"summary-{i:05d}.json") for i in range(n)]
    # SMOTE-type methods: the count pass also keeps each CSV partition's small classes; when the
    # plan says those are the grown classes (countGathered), synth reads them and no gather pass runs.
    gather_at_count = ext in (".csv", ".tsv") and (method in ("smote", "smoten", "smote-nc", "near-miss") or (method == "random-over" and "--shrinkage" in plan_args))
    counted = [w(f"counted-{i:05d}{ext}") for i in range(n)]
    each([["count", p, "-o", s, *(["--gather", g] if gather_at_count else []), *input_args] for p, s, g in zip(parts, summaries, counted)])
    plan_file = str(out / "plan.json")
    plan_cmd = ["plan", *summaries, "-m", method, "--seed", str(seed), "-o", plan_file, *plan_args]
    if strategy is not None:
        plan_cmd += ["--strategy", str(strategy)]
    one(plan_cmd)
    plan = _read_json(plan_file)
    route = plan["route"]
    outputs = [str(out / f"part-{i:05d}{ext}") for i in range(n)]
    results = [w(f"result-{i:05d}.json") for i in range(n)]
    base = lambda i: [parts[i], "--plan", plan_file, "--index", str(i), *input_args]  # noqa: E731
    select_extra = []
    if route == "random":
        if any(0 < p["m"] < p["n"] for p in plan["picks"]):
            ranks = [w(f"ranks-{i:05d}.json") for i in range(n)]
            each([["rank", *base(i), "-o", ranks[i]] for i in range(n)])
            one(["threshold", *ranks, "--plan", plan_file, "-o", w("thresholds.json")])
            select_extra = ["--thresholds", w("thresholds.json")]
    elif route == "synthesize":
        gathered = [w(f"gathered-{i:05d}{ext}") for i in range(n)]
        clean = plan.get("clean")
        # borderline-2: the gather waits for the danger rows' other-class neighbours (gather --fetch below).
        fetch = bool((plan.get("neighbours") or {}).get("other"))
        if fetch and not clean:
            each([["select", *base(i), "-o", outputs[i], "--summary-json", results[i]] for i in range(n)])
        elif clean and not fetch:
            # The output partitions wait for the removed rows: gather alone first.
            each([["gather", *base(i), "-o", gathered[i]] for i in range(n)])
        elif plan.get("countGathered"):
            # The count pass gathered: the pass-through selects (byte copies of plain CSV) run beside synth below.
            gathered = counted
        elif not clean:
            # One pass per partition: the rows pass through and the grown classes are gathered.
            each([["select", *base(i), "-o", outputs[i], "--gather", gathered[i], "--summary-json", results[i]] for i in range(n)])
        scaler = []
        if plan.get("neighbours") or clean:
            points = [w(f"points-{i:05d}.bin") for i in range(n)]
            # borderline-smote / adasyn --scale: the whole table's scaler for the points and synth.
            scaler = _scaler(scale, n, base, plan_file, w, each, one) if plan.get("neighbours") and not clean else []
            each([["points", *base(i), "-o", points[i], *scaler] for i in range(n)])
        synth_extra = []
        if plan.get("neighbours"):
            # The rows of the grown classes (small) broadcast against each group of partitions.
            groups = _groups(points, client)
            partial = [w(f"knn-synth-{g:05d}.bin") for g in range(len(groups))]
            flag = ["--synth"] if clean else []
            each([["knn", *points, "--plan", plan_file, *flag, "--against", *grp, "-o", partial[g], *knn_args] for g, grp in enumerate(groups)])
            one(["merge", *partial, "-o", w("nn-synth.bin")])
            synth_extra += ["--neighbours", w("nn-synth.bin")]
            if fetch:
                # borderline-2: the danger rows against the rows outside their class, then the
                # gather with the rows those lists name (k per danger row).
                other = [w(f"knn-danger-{g:05d}.bin") for g in range(len(groups))]
                each([["knn", *points, "--plan", plan_file, "--danger", w("nn-synth.bin"), "--against", *grp, "-o", other[g], *knn_args] for g, grp in enumerate(groups)])
                one(["merge", *other, "-o", w("nn-danger.bin")])
                each([["gather", *base(i), "--fetch", w("nn-danger.bin"), "-o", gathered[i]] for i in range(n)])
                synth_extra += ["--fetched", w("nn-danger.bin")]
        outputs.append(str(out / f"part-{n:05d}{ext}"))
        results.append(w(f"result-{n:05d}.json"))
        # synth takes --scale for smote / smoten / smote-nc (and with --scaler for borderline / adasyn); it refuses it, saying why, for the others.
        scaled = (["--scale", scale] if scale else []) + scaler
        if clean:
            synthetic = w(f"synthetic{ext}")
            one(["synth", *gathered, "--plan", plan_file, "-o", synthetic, "--points", w("points-synth.bin"), *synth_extra, *input_args, *knn_args, *scaled])
            removed = _clean(points + [w("points-synth.bin")], plan, plan_file, w, each, one, client, knn_args)
            select_extra = ["--removed", removed]
            one(["select", synthetic, "--plan", plan_file, "--index", str(n), "-o", outputs[n], "--summary-json", results[n], *select_extra, *input_args])
        else:
            # The synthetic rows in one slice per worker: every slice draws the same rows and
            # writes its share, so the writing (most of synth's time) runs on all workers.
            slices = max(1, _workers(client))
            for j in range(1, slices):
                outputs.append(str(out / f"part-{n + j:05d}{ext}"))
                results.append(w(f"result-{n + j:05d}.json"))
            synth = ["synth", *gathered, "--plan", plan_file, *synth_extra, *input_args, *knn_args, *scaled]
            passing = [["select", *base(i), "-o", outputs[i], "--summary-json", results[i]] for i in range(n)] if plan.get("countGathered") else []
            if slices == 1 and not passing:
                one([*synth, "-o", outputs[n], "--summary-json", results[n]])
            else:
                each(passing + [[*synth, "-o", outputs[n + j], "--summary-json", results[n + j], *(["--slice", f"{j}/{slices}"] if slices > 1 else [])] for j in range(slices)])
    elif route == "nearmiss":
        # The minority rows (small) go to every score task (version 3: it also sends the minority
        # rows' nearest rows of each cut class in its partition; threshold merges them).
        # On CSV the count pass usually kept them (countGathered): no gather pass.
        gathered = counted if plan.get("countGathered") else [w(f"gathered-{i:05d}{ext}") for i in range(n)]
        if not plan.get("countGathered"):
            each([["gather", *base(i), "-o", gathered[i]] for i in range(n)])
        scores = [w(f"scores-{i:05d}.json") for i in range(n)]
        each([["score", *base(i), "--minority", *gathered, "-o", scores[i], *knn_args] for i in range(n)])
        one(["threshold", *scores, "--plan", plan_file, "-o", w("chosen.json")])
        select_extra = ["--thresholds", w("chosen.json")]
    elif route == "clean":
        points = [w(f"points-{i:05d}.bin") for i in range(n)]
        scaler = _scaler(scale, n, base, plan_file, w, each, one)
        each([["points", *base(i), "-o", points[i], *scaler] for i in range(n)])
        select_extra = ["--removed", _clean(points, plan, plan_file, w, each, one, client, knn_args)]
    if route != "synthesize" or plan.get("clean"):
        each([["select", *base(i), "-o", outputs[i], "--summary-json", results[i], *select_extra] for i in range(n)])
    written = [_read_json(r) for r in results]
    after = {}
    for r in written:
        for name, count in r["classes"].items():
            after[name] = after.get(name, 0) + count
    summary = {
        "method": plan["method"],
        "route": route,
        "seed": seed,
        "partitionsIn": n,
        "partitionsOut": len(outputs),
        "rowsRead": plan["totalRows"],
        "rowsWritten": sum(r["rowsWritten"] for r in written),
        "classes": [{"name": c, "before": plan["counts"][i], "after": after.get(c, 0)} for i, c in enumerate(plan["classNames"])],
        "outputs": [os.path.basename(o) for o in outputs],
    }
    with open(out / "summary.json", "w", encoding="utf8") as f:
        json.dump(summary, f, indent=2)
        f.write("\n")
    return summary


def main(argv=None):
    ap = argparse.ArgumentParser(description="Exact rebalancing of partition files on a Dask LocalCluster (every step is a rebalance command).")
    ap.add_argument("input_dir")
    ap.add_argument("-m", "--method", required=True, help="random-under, random-over, smote, smoten, smote-nc, borderline-smote, adasyn, smote-tomek, smote-enn, tomek-links, enn, renn, all-knn, neighbourhood-cleaning-rule, near-miss")
    ap.add_argument("--strategy", default=None)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--workers", type=int, default=2, help="worker processes of the LocalCluster (default 2)")
    ap.add_argument("-o", "--output", required=True, help="output directory")
    ap.add_argument("--label", default=None, help="label column (default: label/class/target/y)")
    ap.add_argument("-k", "--k-neighbors", type=int, default=None, help="SMOTE family: neighbours")
    ap.add_argument("--n-neighbors", type=int, default=None, help="enn, renn, all-knn, ncr, smote-enn, near-miss: neighbours")
    ap.add_argument("--m-neighbors", type=int, default=None, help="borderline-smote: neighbours deciding danger")
    ap.add_argument("--variant", default=None, help="borderline-smote: borderline-1|borderline-2; enn/renn/all-knn/ncr: all|mode")
    ap.add_argument("--first", default=None, help="smote-tomek / smote-enn: smote, borderline-smote or adasyn")
    ap.add_argument("--max-iter", type=int, default=None, help="renn: maximum rounds")
    ap.add_argument("--allow-minority", action="store_true", help="all-knn")
    ap.add_argument("--threshold-cleaning", type=float, default=None, help="neighbourhood-cleaning-rule")
    ap.add_argument("--near-miss-version", type=int, default=None, help="near-miss: 1, 2 or 3")
    ap.add_argument("--n-neighbors-ver3", type=int, default=None, help="near-miss version 3: shortlist per minority row")
    ap.add_argument("--knn-backend", default=None, help="auto, cpu, webgpu")
    ap.add_argument("--scale", default=None, choices=["standard", "minmax"], help="scale features for distances (as resample --scale)")
    ap.add_argument("--scheduler", default=None, help="address of an existing Dask scheduler instead of a LocalCluster")
    ap.add_argument("--no-batch", action="store_true", help="one process per step instead of one per worker and stage")
    a = ap.parse_args(argv)
    plan_args = []
    if a.k_neighbors is not None:
        plan_args += ["--k-neighbors", str(a.k_neighbors)]
    for flag, value in (("--n-neighbors", a.n_neighbors), ("--m-neighbors", a.m_neighbors), ("--variant", a.variant), ("--first", a.first), ("--max-iter", a.max_iter), ("--threshold-cleaning", a.threshold_cleaning), ("--near-miss-version", a.near_miss_version), ("--n-neighbors-ver3", a.n_neighbors_ver3)):
        if value is not None:
            plan_args += [flag, str(value)]
    if a.allow_minority:
        plan_args += ["--allow-minority"]
    input_args = ["--label", a.label] if a.label else []
    knn_args = ["--knn-backend", a.knn_backend] if a.knn_backend else []
    client = None
    if a.scheduler:
        from dask.distributed import Client

        client = Client(a.scheduler)
    try:
        s = run(a.input_dir, a.output, a.method, a.strategy, a.seed, a.workers, client, plan_args, input_args, knn_args, batch=not a.no_batch, scale=a.scale)
    except StepError as e:
        print(f"rebalance_dask: {e}", file=sys.stderr)
        return e.code if e.code in (2, 3, 4, 5) else 1
    print(json.dumps(s, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
