"""Exact rebalancing on Spark with `DataFrame.mapInArrow`: the same protocol as
examples/dask/rebalance_dask.py, every computing step a `rebalance dist` command.

UNTESTED HERE: pyspark cannot be installed on the machines this project is built on; CI runs the
Dask driver only. The recipe follows the protocol step by step; please report what breaks.

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

    route = plan["route"]
    if plan.get("neighbours") or (route == "synthesize" and plan.get("clean")) or (plan.get("clean") or {}).get("rounds"):
        # This recipe does the random, plain synthesize and one-pass clean routes only.
        raise NotImplementedError(f"{plan['method']}: this recipe lacks the steps of its route (neighbours before synth, cleaning the synthetic rows, ENN rounds); examples/dask/rebalance_dask.py has them")
    if route == "random":
        # 3. rank (map) -> threshold (reduce) -> select (map).
        def rank(it):
            i = index_of[TaskContext.get().partitionId()]
            with tempfile.TemporaryDirectory() as d:
                _spill(it, f"{d}/part.arrow", arrow_schema)
                dist("rank", f"{d}/part.arrow", "--plan", p("plan.json"), "--index", i, "-o", p(f"ranks-{i:05d}.json"))
            yield pa.RecordBatch.from_pydict({"i": [i]})

        n = df.mapInArrow(rank, "i long").count()
        dist("threshold", *[p(f"ranks-{i:05d}.json") for i in range(n)], "--plan", p("plan.json"), "-o", p("thresholds.json"))
        return df.mapInArrow(per_partition("select", "--thresholds", p("thresholds.json")), df.schema)
    if route == "synthesize":
        # 4. gather (map, into SHARED) -> synth (one task: here the driver) -> originals pass through.
        def gather(it):
            i = index_of[TaskContext.get().partitionId()]
            with tempfile.TemporaryDirectory() as d:
                _spill(it, f"{d}/part.arrow", arrow_schema)
                dist("gather", f"{d}/part.arrow", "--plan", p("plan.json"), "--index", i, "-o", p(f"gathered-{i:05d}.arrow"))
            yield pa.RecordBatch.from_pydict({"i": [i]})

        n = df.mapInArrow(gather, "i long").count()
        dist("synth", *[p(f"gathered-{i:05d}.arrow") for i in range(n)], "--plan", p("plan.json"), "-o", p("synthetic.arrow"))
        synthetic = spark.createDataFrame(pa.Table.from_batches(list(_batches(p("synthetic.arrow")))).to_pandas(), df.schema)
        return df.unionByName(synthetic)
    if route == "clean":
        # 5. points (map) -> knn (tasks over partitions) -> merge -> clean (reduce) -> select (map).
        def points(it):
            i = index_of[TaskContext.get().partitionId()]
            with tempfile.TemporaryDirectory() as d:
                _spill(it, f"{d}/part.arrow", arrow_schema)
                dist("points", f"{d}/part.arrow", "--plan", p("plan.json"), "--index", i, "-o", p(f"points-{i:05d}.bin"))
            yield pa.RecordBatch.from_pydict({"i": [i]})

        n = df.mapInArrow(points, "i long").count()
        pts = [p(f"points-{i:05d}.bin") for i in range(n)]
        sc = spark.sparkContext
        if plan["clean"]["method"] == "tomek-links":
            for rnd, ids in ((1, []), (2, ["--ids", p("partners.json")])):
                sc.parallelize(range(n), n).foreach(lambda j, ids=ids, rnd=rnd: dist("knn", *pts, "--plan", p("plan.json"), *ids, "--against", pts[j], "-o", p(f"knn{rnd}-{j:05d}.bin")))
                dist("merge", *[p(f"knn{rnd}-{j:05d}.bin") for j in range(n)], "-o", p(f"nn{rnd}.bin"))
                if rnd == 1:
                    dist("partners", p("nn1.bin"), "--plan", p("plan.json"), "-o", p("partners.json"))
            merged = [p("nn1.bin"), p("nn2.bin")]
        else:
            sc.parallelize(range(n), n).foreach(lambda i: dist("knn", pts[i], "--plan", p("plan.json"), "--against", *pts, "-o", p(f"nn-{i:05d}.bin")))
            merged = [p(f"nn-{i:05d}.bin") for i in range(n)]
        dist("clean", *merged, "--plan", p("plan.json"), "-o", p("removed.json"))
        return df.mapInArrow(per_partition("select", "--removed", p("removed.json")), df.schema)
    raise ValueError(f"unknown route {route}")
