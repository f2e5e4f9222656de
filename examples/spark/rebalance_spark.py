"""Exact rebalancing on Spark with `DataFrame.mapInArrow`: the same protocol as
examples/dask/rebalance_dask.py, every computing step a `rebalance dist` command.

UNTESTED HERE: pyspark cannot be installed on the machines this project is built on; CI runs the
Dask driver only (every route below is untested here: random, synthesize, synthesize + neighbours
incl. borderline-2, synthesize + clean, clean incl. the ENN rounds, nearmiss). The recipe follows the Dask
driver's steps in its order; --scale is not wired here. Please report what breaks.

Requirements: the `rebalance` CLI on every executor (REBALANCE=/path/to/bin/rebalance.js run by
node, or an installed `rebalance`), pyarrow, and SHARED: a folder every executor and the driver
see (NFS, a FUSE mount of the object store) for the small plan/threshold/points files.

The partitioning of `df` must be the same in every stage (global row ids are partition order +
row order): read it from files with a fixed split, or checkpoint it first.

    from rebalance_spark import rebalance
    out = rebalance(spark, df.checkpoint(), "smote", seed=7, shared="/mnt/shared/job-1")
"""
import json
import os
import subprocess
import tempfile

import pyarrow as pa
import pyarrow.ipc as ipc
from pyspark import TaskContext

REBALANCE = os.environ.get("REBALANCE", "rebalance")


def dist(*args):
    cmd = (["node", REBALANCE] if REBALANCE.endswith(".js") else [REBALANCE]) + ["dist", *map(str, args)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"rebalance dist {args[0]} failed ({r.returncode}): {r.stderr.strip()}")
    return r.stdout


def _spill(batches, path, schema=None):
    """The partition's Arrow batches as one Arrow IPC file (what every step reads)."""
    writer = None
    for b in batches:
        if writer is None:
            writer = ipc.new_file(path, b.schema)
        writer.write_batch(b)
    if writer is None:
        writer = ipc.new_file(path, schema)
    writer.close()


def _batches(path):
    with pa.memory_map(path) as src:
        reader = ipc.open_file(src)
        for i in range(reader.num_record_batches):
            yield reader.get_batch(i)


def rebalance(spark, df, method, strategy=None, seed=42, shared=None, plan_args=()):
    shared = shared or tempfile.mkdtemp(prefix="rebalance-spark-")
    os.makedirs(shared, exist_ok=True)
    arrow_schema = pa.schema([])  # filled from the first batch each task sees
    p = lambda name: os.path.join(shared, name)  # noqa: E731

    # 1. count (map): one summary per partition, keyed by partition id.
    def count(it):
        pid = TaskContext.get().partitionId()
        with tempfile.TemporaryDirectory() as d:
            _spill(it, f"{d}/part.arrow", arrow_schema)
            dist("count", f"{d}/part.arrow", "-o", f"{d}/s.json")
            yield pa.RecordBatch.from_pydict({"pid": [pid], "summary": [open(f"{d}/s.json").read()]})

    summaries = sorted(df.mapInArrow(count, "pid long, summary string").collect())
    files = []
    for pid, text in summaries:
        files.append(p(f"summary-{pid:05d}.json"))
        with open(files[-1], "w") as f:
            f.write(text)
    # 2. plan (reduce, on the driver).
    cmd = ["plan", *files, "-m", method, "--seed", seed, "-o", p("plan.json"), *plan_args]
    if strategy is not None:
        cmd += ["--strategy", strategy]
    dist(*cmd)
    plan = json.load(open(p("plan.json")))
    index_of = {pid: i for i, (pid, _) in enumerate(summaries)}

    def per_partition(step, *extra, out_ext=".arrow"):
        """A mapInArrow function running one partition step and yielding its output rows."""

        def fn(it):
            i = index_of[TaskContext.get().partitionId()]
            with tempfile.TemporaryDirectory() as d:
                _spill(it, f"{d}/part.arrow", arrow_schema)
                dist(step, f"{d}/part.arrow", "--plan", p("plan.json"), "--index", i, "-o", f"{d}/out{out_ext}", *extra)
                if out_ext == ".arrow":
                    yield from _batches(f"{d}/out.arrow")
                else:  # a side file in SHARED
                    yield pa.RecordBatch.from_pydict({"i": [i]})

        return fn

    n = len(summaries)
    sc = spark.sparkContext

    def each(step, out_name, *extra):
        """A partition step on every partition (mapInArrow), its output a file in SHARED: out_name(i)."""

        def fn(it):
            i = index_of[TaskContext.get().partitionId()]
            with tempfile.TemporaryDirectory() as d:
                _spill(it, f"{d}/part.arrow", arrow_schema)
                dist(step, f"{d}/part.arrow", "--plan", p("plan.json"), "--index", i, "-o", out_name(i), *extra)
            yield pa.RecordBatch.from_pydict({"i": [i]})

        df.mapInArrow(fn, "i long").count()
        return [out_name(i) for i in range(n)]

    def tasks(arg_lists):
        """Steps on files in SHARED (knn), one Spark task each."""
        sc.parallelize(arg_lists, len(arg_lists)).foreach(lambda args: dist(*args))

    def broadcast(pts, prefix, extra):
        """The query rows of every points file against each partition's points (one task each), merged."""
        partial = [p(f"{prefix}-{j:05d}.bin") for j in range(len(pts))]
        tasks([["knn", *pts, "--plan", p("plan.json"), *extra, "--against", pts[j], "-o", partial[j]] for j in range(len(pts))])
        dist("merge", *partial, "-o", p(f"{prefix}.bin"))
        return p(f"{prefix}.bin")

    def clean_steps(pts):
        """The cleaning over the points files (the Dask driver's _clean); returns the file for select --removed."""
        kind = plan["clean"]["method"]
        if kind == "tomek-links":
            nn1 = broadcast(pts, "nn1", [])
            dist("partners", nn1, "--plan", p("plan.json"), "-o", p("partners.json"))
            nn2 = broadcast(pts, "nn2", ["--ids", p("partners.json")])
            dist("clean", nn1, nn2, "--plan", p("plan.json"), "-o", p("removed.json"))
            return p("removed.json")

        def enn_round(extra, tag):
            # Each partition's query rows against every partition, merged in the task.
            merged = [p(f"nn{tag}-{i:05d}.bin") for i in range(len(pts))]
            tasks([["knn", pts[i], "--plan", p("plan.json"), *extra, "--against", *pts, "-o", merged[i]] for i in range(len(pts))])
            return merged

        if kind in ("renn", "all-knn"):
            # ENN rounds over the rows left until the state file says done.
            state, r = None, 0
            while True:
                r += 1
                merged = enn_round(["--round", state] if state else [], f"-r{r:03d}")
                nxt = p(f"round-{r:03d}.json")
                dist("clean", *merged, "--plan", p("plan.json"), "--round", *([state] if state else []), "-o", nxt)
                state = nxt
                if json.load(open(nxt))["done"]:
                    return nxt
        dist("clean", *enn_round([], ""), "--plan", p("plan.json"), "-o", p("removed.json"))
        return p("removed.json")

    def frame(path):
        return spark.createDataFrame(pa.Table.from_batches(list(_batches(path))).to_pandas(), df.schema)

    route = plan["route"]
    if route == "random":
        # 3. rank (map) -> threshold (reduce) -> select (map).
        ranks = each("rank", lambda i: p(f"ranks-{i:05d}.json"))
        dist("threshold", *ranks, "--plan", p("plan.json"), "-o", p("thresholds.json"))
        return df.mapInArrow(per_partition("select", "--thresholds", p("thresholds.json")), df.schema)
    if route == "synthesize":
        # 4. gather (map, into SHARED) -> [neighbours] -> synth (one task: here the driver) -> originals pass through.
        clean = plan.get("clean")
        neighbours = plan.get("neighbours")
        # borderline-2: the gather waits for the danger rows' other-class neighbours (gather --fetch).
        fetch = bool(neighbours and neighbours.get("other"))
        gathered = [p(f"gathered-{i:05d}.arrow") for i in range(n)]
        if not fetch:
            each("gather", lambda i: gathered[i])
        pts = [p(f"points-{i:05d}.bin") for i in range(n)]
        if neighbours or clean:
            each("points", lambda i: pts[i])
        synth_extra = []
        if neighbours:
            # borderline-smote / adasyn: the grown classes' m nearest rows of the whole table.
            nn = broadcast(pts, "nn-synth", ["--synth"] if clean else [])
            synth_extra += ["--neighbours", nn]
            if fetch:
                danger = broadcast(pts, "nn-danger", ["--danger", nn])
                each("gather", lambda i: gathered[i], "--fetch", danger)
                synth_extra += ["--fetched", danger]
        if clean:
            # smote-tomek / smote-enn: the synthetic rows are partition n of the cleaning.
            dist("synth", *gathered, "--plan", p("plan.json"), "-o", p("synthetic.arrow"), "--points", p("points-synth.bin"), *synth_extra)
            removed = clean_steps(pts + [p("points-synth.bin")])
            dist("select", p("synthetic.arrow"), "--plan", p("plan.json"), "--index", n, "-o", p("synthetic-kept.arrow"), "--removed", removed)
            return df.mapInArrow(per_partition("select", "--removed", removed), df.schema).unionByName(frame(p("synthetic-kept.arrow")))
        dist("synth", *gathered, "--plan", p("plan.json"), "-o", p("synthetic.arrow"), *synth_extra)
        return df.unionByName(frame(p("synthetic.arrow")))
    if route == "nearmiss":
        # 6. near-miss: gather the minority (map, into SHARED) -> score (map; version 3 also its
        # partial shortlist) -> threshold (reduce) -> select (map).
        gathered = each("gather", lambda i: p(f"gathered-{i:05d}.arrow"))
        scores = each("score", lambda i: p(f"scores-{i:05d}.json"), "--minority", *gathered)
        dist("threshold", *scores, "--plan", p("plan.json"), "-o", p("chosen.json"))
        return df.mapInArrow(per_partition("select", "--thresholds", p("chosen.json")), df.schema)
    if route == "clean":
        # 5. points (map) -> knn (tasks over partitions) -> merge -> clean (reduce) -> select (map).
        pts = each("points", lambda i: p(f"points-{i:05d}.bin"))
        removed = clean_steps(pts)
        return df.mapInArrow(per_partition("select", "--removed", removed), df.schema)
    raise ValueError(f"unknown route {route}")
