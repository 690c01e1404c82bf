"""Collects validation-loss curves from run folders into a markdown table.

Usage: python3 scripts/collect_curves.py runs/sweep-adamw-0.003 runs/sweep-muon-0.02 ... > table.md
Each run's metrics.csv rows that carry a validation loss become one column; final.json adds the final evaluation.
"""
import csv
import json
import os
import sys


def curve(run):
    with open(os.path.join(run, "metrics.csv")) as f:
        rows = [r for r in csv.DictReader(f) if r["val_loss"]]
    points = {int(r["step"]): float(r["val_loss"]) for r in rows}
    final_path = os.path.join(run, "final.json")
    final = json.load(open(final_path))["loss"] if os.path.exists(final_path) else None
    return points, final


def main(runs):
    curves = {os.path.basename(r.rstrip("/")): curve(r) for r in runs}
    steps = sorted({s for points, _ in curves.values() for s in points})
    names = list(curves)
    print("| step | " + " | ".join(names) + " |")
    print("|---:|" + "---:|" * len(names))
    for s in steps:
        cells = [f"{curves[n][0][s]:.4f}" if s in curves[n][0] else "" for n in names]
        print(f"| {s} | " + " | ".join(cells) + " |")
    finals = [f"**{curves[n][1]:.4f}**" if curves[n][1] is not None else "" for n in names]
    print("| final | " + " | ".join(finals) + " |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: collect_curves.py RUN_DIR [RUN_DIR ...]")
    main(sys.argv[1:])
