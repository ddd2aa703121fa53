#!/usr/bin/env python3
"""Prints chosen measurements from an `eval --dump` file next to the labels, for calibration.
usage: measures.py DUMP LABELS RULE[.key] ..."""
import json, sys

dump, labels_path, wanted = sys.argv[1], sys.argv[2], sys.argv[3:]
labels = {}
with open(labels_path) as f:
    head = f.readline().rstrip("\n").split("\t")
    for line in f:
        c = dict(zip(head, line.rstrip("\n").split("\t")))
        labels[c["file"]] = (c["expected"], c["failing_rules"])
rows = []
for line in open(dump):
    r = json.loads(line)
    exp, rules = labels.get(r["file"], ("?", ""))
    cells = []
    for w in wanted:
        rule, _, key = w.partition(".")
        f = next((x for x in r["findings"] if x["rule"] == rule), None)
        if f is None:
            cells.append("-")
            continue
        m = f["measured"]
        v = m.get(key) if key and isinstance(m, dict) else m
        cells.append(f"{f['status'][:4]}:{json.dumps(v)}")
    rows.append((exp, rules, r["file"], r["verdict"], cells))
rows.sort(key=lambda x: (x[0], x[2]))
for exp, rules, file, verdict, cells in rows:
    print(f"{exp:6} {rules:8} {file[:34]:34} {verdict:6} " + "  ".join(cells))
