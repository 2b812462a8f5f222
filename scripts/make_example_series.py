#!/usr/bin/env python3
"""Writes the generated series that ship with LayerLoom for its anomaly-detection example.

  python3 scripts/make_example_series.py resources/data

machine_normal.csv     60 days of hourly readings of a machine's temperature (degrees C): a
                       daily pattern (warm while it works, cool at night), a calmer weekend
                       and noise. What the autoencoder learns as normal.
machine_incidents.csv  the next 30 days of the same machine, with three incidents:
                       a level jump (a failing fan: +6 degrees from its day 8, 10:00, for 30
                       hours), a flat stretch (the sensor stuck at its reading from day 19,
                       09:00, for 20 hours) and a spike (one reading 15 degrees too high on
                       day 24, 14:00).
Both have a `time` column (YYYY-MM-DD HH:00) and a `temperature` column. The noise is seeded, so
that every run writes the same files. Plain Python 3, nothing to install.
"""
import datetime
import math
import random
import sys
from pathlib import Path

START = datetime.datetime(2026, 1, 5)  # a Monday


def temperature(hour_index: int, rng: random.Random) -> float:
    hour = hour_index % 24
    weekday = (hour_index // 24) % 7
    working = 1 / (1 + math.exp(-(hour - 7) * 1.5)) - 1 / (1 + math.exp(-(hour - 18) * 1.5))
    load = 0.45 if weekday >= 5 else 1.0
    return 41 + 12 * working * load + 1.2 * math.sin(2 * math.pi * hour / 24) + rng.gauss(0, 0.35)


def write(path: Path, first_hour: int, values: list) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write("time,temperature\n")
        for i, v in enumerate(values):
            stamp = START + datetime.timedelta(hours=first_hour + i)
            out.write(f"{stamp:%Y-%m-%d %H:%M},{v:.2f}\n")


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "resources/data")
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20261205)
    normal_days, incident_days = 60, 30
    write(folder / "machine_normal.csv", 0, [temperature(h, rng) for h in range(normal_days * 24)])

    first = normal_days * 24
    values = [temperature(first + h, rng) for h in range(incident_days * 24)]
    for h in range(7 * 24 + 10, 7 * 24 + 10 + 30):  # the level jump
        values[h] += 6
    stuck = 18 * 24 + 9
    for h in range(stuck, stuck + 20):  # the flat stretch
        values[h] = values[stuck]
    values[23 * 24 + 14] += 15  # the spike
    write(folder / "machine_incidents.csv", first, values)


if __name__ == "__main__":
    main()
