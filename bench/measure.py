#!/usr/bin/env python3
"""Runs one shell command and prints JSON {seconds, max_rss_mb, code}: wall time and the peak
resident memory of the largest process it started (getrusage RUSAGE_CHILDREN)."""
import json, resource, subprocess, sys, time

cmd = sys.argv[1]
t = time.perf_counter()
p = subprocess.run(cmd, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
dt = time.perf_counter() - t
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"seconds": dt, "max_rss_mb": rss, "code": p.returncode, "stderr": p.stderr.decode("utf8", "replace")[-2000:]}))
