"""Exact rebalancing on Ray Data: the same protocol as examples/dask/rebalance_dask.py, every
computing step a `rebalance dist` command on Arrow IPC files.

UNTESTED HERE: ray cannot be installed on the machines this project is built on; CI runs the Dask
driver only (every route below is untested here: random, synthesize, synthesize + neighbours incl.
borderline-2, synthesize + clean, clean incl. the ENN rounds, nearmiss). The steps are those of the Dask
driver, in its order; --scale is not wired here. Please report what breaks.

Global row ids need the order of the blocks, so the steps run as Ray tasks over the dataset's
ordered Arrow blocks (`Dataset.to_arrow_refs()`); the pass-through map of the SMOTE route is a
plain `map_batches(batch_format="pyarrow")`. Requirements: the `rebalance` CLI on every node
(REBALANCE=/path/to/bin/rebalance.js run by node, or an installed `rebalance`), and SHARED: a
folder every node sees, for the plan and the small exchange files.

    import ray
    from rebalance_ray import rebalance
    out = rebalance(ray.data.read_parquet("s3://bucket/table/"), "tomek-links", shared="/mnt/shared/job-1")
"""
import json
import os
import subprocess
import tempfile

import pyarrow as pa
import pyarrow.ipc as ipc
import ray

REBALANCE = os.environ.get("REBALANCE", "rebalance")


def dist(*args):
    cmd = (["node", REBALANCE] if REBALANCE.endswith(".js") else [REBALANCE]) + ["dist", *map(str, args)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"rebalance dist {args[0]} failed ({r.returncode}): {r.stderr.strip()}")
    return r.stdout


def _write(table, path):
    with ipc.new_file(path, table.schema) as w:
        w.write_table(table)


def _read(path):
    with pa.memory_map(path) as src:
        return ipc.open_file(src).read_all()


@ray.remote
def _step(step, block, index, plan, extra, out):
    """Runs one partition step on a block; returns its Arrow output (or None for side files)."""
    with tempfile.TemporaryDirectory() as d:
        _write(block, f"{d}/part.arrow")
        target = out or f"{d}/out.arrow"
        args = [step, f"{d}/part.arrow", "-o", target]
        if plan:
            args += ["--plan", plan, "--index", index]
        dist(*args, *extra)
        return _read(target) if out is None else None


@ray.remote
def _run(*args):
    return dist(*args)


def rebalance(ds, method, strategy=None, seed=42, shared=None, plan_args=()):
    shared = shared or tempfile.mkdtemp(prefix="rebalance-ray-")
    os.makedirs(shared, exist_ok=True)
    p = lambda name: os.path.join(shared, name)  # noqa: E731
    blocks = ds.to_arrow_refs()  # ordered: block i holds rows offset_i .. offset_i + rows_i
    n = len(blocks)
    # count (map) -> plan (reduce)
    ray.get([_step.remote("count", b, i, None, [], p(f"summary-{i:05d}.json")) for i, b in enumerate(blocks)])
    cmd = ["plan", *[p(f"summary-{i:05d}.json") for i in range(n)], "-m", method, "--seed", seed, "-o", p("plan.json"), *plan_args]
    if strategy is not None:
        cmd += ["--strategy", strategy]
    ray.get(_run.remote(*cmd))
    plan_file = p("plan.json")
    plan = json.load(open(plan_file))
    route = plan["route"]

    def each(step, outs, extra=()):
        """A partition step on every block, its output a file in SHARED."""
        ray.get([_step.remote(step, b, i, plan_file, list(extra), outs[i]) for i, b in enumerate(blocks)])

    def one(*args):
        ray.get(_run.remote(*args))

    def broadcast(pts, out_prefix, extra):
        """The query rows of every points file against each partition's points (one task each), merged."""
        partial = [p(f"{out_prefix}-{j:05d}.bin") for j in range(len(pts))]
        ray.get([_run.remote("knn", *pts, "--plan", plan_file, *extra, "--against", pts[j], "-o", partial[j]) for j in range(len(pts))])
        one("merge", *partial, "-o", p(f"{out_prefix}.bin"))
        return p(f"{out_prefix}.bin")

    def clean_steps(pts):
        """The cleaning over the points files (the Dask driver's _clean); returns the file for select --removed."""
        kind = plan["clean"]["method"]
        if kind == "tomek-links":
            nn1 = broadcast(pts, "nn1", [])
            one("partners", nn1, "--plan", plan_file, "-o", p("partners.json"))
            nn2 = broadcast(pts, "nn2", ["--ids", p("partners.json")])
            one("clean", nn1, nn2, "--plan", plan_file, "-o", p("removed.json"))
            return p("removed.json")

        def enn_round(extra, tag):
            # Each partition's query rows against every partition, merged in the task.
            merged = [p(f"nn{tag}-{i:05d}.bin") for i in range(len(pts))]
            ray.get([_run.remote("knn", pts[i], "--plan", plan_file, *extra, "--against", *pts, "-o", merged[i]) for i in range(len(pts))])
            return merged

        if kind in ("renn", "all-knn"):
            # ENN rounds over the rows left until the state file says done.
            state, r = None, 0
            while True:
                r += 1
                merged = enn_round(["--round", state] if state else [], f"-r{r:03d}")
                nxt = p(f"round-{r:03d}.json")
                one("clean", *merged, "--plan", plan_file, "--round", *([state] if state else []), "-o", nxt)
                state = nxt
                if json.load(open(nxt))["done"]:
                    return nxt
        one("clean", *enn_round([], ""), "--plan", plan_file, "-o", p("removed.json"))
        return p("removed.json")

    select_extra = []
    if route == "random":
        each("rank", [p(f"ranks-{i:05d}.json") for i in range(n)])
        one("threshold", *[p(f"ranks-{i:05d}.json") for i in range(n)], "--plan", plan_file, "-o", p("thresholds.json"))
        select_extra = ["--thresholds", p("thresholds.json")]
    elif route == "synthesize":
        clean = plan.get("clean")
        neighbours = plan.get("neighbours")
        # borderline-2: the gather waits for the danger rows' other-class neighbours (gather --fetch).
        fetch = bool(neighbours and neighbours.get("other"))
        gathered = [p(f"gathered-{i:05d}.arrow") for i in range(n)]
        if not fetch:
            each("gather", gathered)
        pts = [p(f"points-{i:05d}.bin") for i in range(n)]
        if neighbours or clean:
            each("points", pts)
        synth_extra = []
        if neighbours:
            # borderline-smote / adasyn: the grown classes' m nearest rows of the whole table.
            nn = broadcast(pts, "nn-synth", ["--synth"] if clean else [])
            synth_extra += ["--neighbours", nn]
            if fetch:
                danger = broadcast(pts, "nn-danger", ["--danger", nn])
                each("gather", gathered, ["--fetch", danger])
                synth_extra += ["--fetched", danger]
        if clean:
            # smote-tomek / smote-enn: the synthetic rows are partition n of the cleaning.
            one("synth", *gathered, "--plan", plan_file, "-o", p("synthetic.arrow"), "--points", p("points-synth.bin"), *synth_extra)
            select_extra = ["--removed", clean_steps(pts + [p("points-synth.bin")])]
            one("select", p("synthetic.arrow"), "--plan", plan_file, "--index", n, "-o", p("synthetic-kept.arrow"), *select_extra)
            out = ray.get([_step.remote("select", b, i, plan_file, select_extra, None) for i, b in enumerate(blocks)])
            return ray.data.from_arrow(out + [_read(p("synthetic-kept.arrow"))])
        one("synth", *gathered, "--plan", plan_file, "-o", p("synthetic.arrow"), *synth_extra)
        # The original rows pass through unchanged; the synthetic rows are one more block.
        originals = ds.map_batches(lambda t: t, batch_format="pyarrow")
        return originals.union(ray.data.from_arrow(_read(p("synthetic.arrow"))))
    elif route == "nearmiss":
        # near-miss: gather the minority -> score (map; version 3 also its partial shortlist) ->
        # threshold (reduce) -> select (map).
        gathered = [p(f"gathered-{i:05d}.arrow") for i in range(n)]
        each("gather", gathered)
        scores = [p(f"scores-{i:05d}.json") for i in range(n)]
        each("score", scores, ["--minority", *gathered])
        one("threshold", *scores, "--plan", plan_file, "-o", p("chosen.json"))
        select_extra = ["--thresholds", p("chosen.json")]
    elif route == "clean":
        pts = [p(f"points-{i:05d}.bin") for i in range(n)]
        each("points", pts)
        select_extra = ["--removed", clean_steps(pts)]
    out = ray.get([_step.remote("select", b, i, plan_file, select_extra, None) for i, b in enumerate(blocks)])
    return ray.data.from_arrow(out)
