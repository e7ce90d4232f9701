#!/usr/bin/env python3
"""Golden stream for NeuroCore's SeededGenerator, from an independent implementation.

SplitMix64 (Steele, Lea & Flood 2014) expands the seed into the four words of xoshiro256**
(Blackman & Vigna 2018), exactly as documented in Sources/NeuroCore/Random/SeededGenerator.swift;
split() seeds a child with the parent's next output XOR 0xD1B54A32D192ED03. The Swift tests compare
these values bit for bit, so the stream is pinned on every platform.

Writes Tests/NeuroCoreTests/Goldens/xoshiro.json. Run from the repository root:
    python3 scripts/goldens/xoshiro.py
"""
import json
from pathlib import Path

MASK = (1 << 64) - 1


def splitmix64(state):
    """Yields SplitMix64 outputs starting from `state`."""
    while True:
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        yield z ^ (z >> 31)


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK


class Xoshiro256StarStar:
    def __init__(self, seed):
        mixer = splitmix64(seed)
        self.s = [next(mixer) for _ in range(4)]
        if not any(self.s):
            self.s[0] = 0x9E3779B97F4A7C15

    def next(self):
        s = self.s
        result = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def split(self):
        return Xoshiro256StarStar(self.next() ^ 0xD1B54A32D192ED03)

    def unit_interval(self):
        return (self.next() >> 11) * 2.0**-53


def hexes(values):
    return [f"{v:016x}" for v in values]


def main():
    mixer = splitmix64(42)
    splitmix = [next(mixer) for _ in range(4)]

    g42 = Xoshiro256StarStar(42)
    seed42 = [g42.next() for _ in range(8)]

    g0 = Xoshiro256StarStar(0)
    seed0 = [g0.next() for _ in range(4)]

    parent = Xoshiro256StarStar(42)
    child = parent.split()
    child_values = [child.next() for _ in range(4)]
    parent_after_split = [parent.next() for _ in range(4)]

    g = Xoshiro256StarStar(42)
    units = [g.unit_interval() for _ in range(4)]

    golden = {
        "description": "SplitMix64-seeded xoshiro256** outputs as 16-digit hex, from scripts/goldens/xoshiro.py",
        "splitMix64State42": hexes(splitmix),
        "seed42": hexes(seed42),
        "seed0": hexes(seed0),
        "seed42SplitChild": hexes(child_values),
        "seed42ParentAfterSplit": hexes(parent_after_split),
        "seed42UnitInterval": units,
    }
    out = Path(__file__).resolve().parents[2] / "Tests/NeuroCoreTests/Goldens/xoshiro.json"
    out.write_text(json.dumps(golden, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
