#!/usr/bin/env python3
"""The peer pipeline rebalance is measured against: pandas.read_csv -> imbalanced-learn -> to_csv.
usage: peer.py INPUT.csv METHOD OUTPUT.csv   (METHOD: random-under | random-over | smote | tomek-links | enn)"""
import sys
import pandas as pd
from imblearn.over_sampling import RandomOverSampler, SMOTE
from imblearn.under_sampling import RandomUnderSampler, TomekLinks, EditedNearestNeighbours

src, method, out = sys.argv[1:4]
df = pd.read_csv(src)
X, y = df.drop(columns=["label"]), df["label"]
sampler = {
    "random-under": lambda: RandomUnderSampler(random_state=42),
    "random-over": lambda: RandomOverSampler(random_state=42),
    "smote": lambda: SMOTE(random_state=42),
    "tomek-links": lambda: TomekLinks(),
    "enn": lambda: EditedNearestNeighbours(),
}[method]()
Xr, yr = sampler.fit_resample(X, y)
Xr["label"] = yr
Xr.to_csv(out, index=False)
