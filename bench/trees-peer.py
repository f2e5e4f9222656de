#!/usr/bin/env python3
"""The peer of bench/trees.mjs: pandas.read_csv then a scikit-learn tree model's fit.
usage: trees-peer.py INPUT.csv (gbdt | random-forest) [N_ESTIMATORS]"""
import sys
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier

src, model = sys.argv[1:3]
df = pd.read_csv(src)
X, y = df.drop(columns=["label"]), df["label"]
if model == "gbdt":
    HistGradientBoostingClassifier(random_state=42).fit(X, y)
else:
    RandomForestClassifier(n_estimators=int(sys.argv[3]) if len(sys.argv) > 3 else 100, n_jobs=-1, random_state=42).fit(X, y)
