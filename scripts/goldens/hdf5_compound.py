#!/usr/bin/env python3
"""Fixture for NeuroCore's complex-compound and character-sequence reads (HDF5Complex.swift,
HDF5Strings.readCharacterSequences), written by h5py the way numpy and MATLAB v7.3 store them.

Regenerate (from the repository root):

    python3 scripts/goldens/hdf5_compound.py

Writes Tests/NeuroCoreTests/Goldens/hdf5_compound.h5. The values are fixed here and restated in
Tests/NeuroCoreTests/HDF5CompoundTests.swift.
"""
import os

import h5py
import numpy as np

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(REPO, "Tests", "NeuroCoreTests", "Goldens", "hdf5_compound.h5")


def main():
    if os.path.exists(OUT):
        os.remove(OUT)
    with h5py.File(OUT, "w") as f:
        # numpy complex: h5py's compound {r, i}
        f["c128"] = np.array([[1 + 2j, -3.5 + 0.25j, 0 - 1j]])
        f["c64"] = np.array([1.5 - 2.5j, 3 + 4j], dtype=np.complex64)
        # MATLAB's compound {real, imag}, here with int16 members and the members stored imag first
        matlab = np.dtype([("imag", "<i2"), ("real", ">i2")])
        f["matlab_int16"] = np.array([(7, -1), (-8, 300)], dtype=matlab)
        f["not_complex"] = np.array([(1.0, 2.0)], dtype=[("x", "<f8"), ("y", "<f8")])
        g = f.create_group("s")
        vlen_char = h5py.vlen_dtype(np.dtype("S1"))
        names = np.empty(3, dtype=object)
        for k, n in enumerate(["zeta", "alpha", "mid"]):
            names[k] = np.array(list(n), dtype="S1")
        g.attrs.create("MATLAB_fields", names, dtype=vlen_char)
        ints = np.empty(2, dtype=object)
        ints[0] = np.frombuffer("héllo".encode(), dtype=np.int8)
        ints[1] = np.array([], dtype=np.int8)
        g.attrs.create("int8_sequences", ints, dtype=h5py.vlen_dtype(np.dtype("int8")))
        floats = np.empty(1, dtype=object)
        floats[0] = np.array([1.0, 2.0])
        g.attrs.create("float_sequences", floats, dtype=h5py.vlen_dtype(np.dtype("float64")))


if __name__ == "__main__":
    main()
