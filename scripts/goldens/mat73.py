#!/usr/bin/env python3
"""Fixtures and golden values for the MAT v7.3 (HDF5) reader in Sources/Recording/MAT.

Regenerate (from the repository root):

    python3 scripts/goldens/mat73.py

Writes Tests/RecordingTests/Fixtures/mat73.mat with hdf5storage.savemat(format="7.3") (the MATLAB
layout: 512-byte user block, MATLAB_class attributes, reversed dimensions, char as UTF-16, cells as
references into #refs#, structs as groups (struct arrays: reference datasets per field), empties as dims vectors with MATLAB_empty) and the same
data as MAT v5 with scipy.io.savemat in mat73_as_v5.mat. Records, in
Tests/RecordingTests/Goldens/mat73.json, what scipy.io.loadmat(squeeze_me=False) reads from the v5
twin (the shapes/values the Swift MAT tree holds), after checking that hdf5storage.loadmat reads the
same arrays back from the v7.3 file.
"""
import json
import os
import sys

import h5py
import hdf5storage
import numpy as np
import scipy
import scipy.io as sio

sys.path.insert(0, os.path.dirname(__file__))
from arrays import describe_mat  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIX = os.path.join(REPO, "Tests", "RecordingTests", "Fixtures")
OUT = os.path.join(REPO, "Tests", "RecordingTests", "Goldens", "mat73.json")


def contents():
    cell = np.empty((1, 3), dtype=object)
    cell[0, 0] = np.array([[1.0, 2.0]])
    cell[0, 1] = "ab"
    cell[0, 2] = np.array([[7]], dtype=np.int32)
    # A 1×2 struct array: v7.3 stores each field as references, one per element.
    sarr = np.zeros((1, 2), dtype=[("x", object), ("y", object)])
    sarr[0, 0] = (np.array([[1.0]]), "first")
    sarr[0, 1] = (np.array([[2.0, 3.0]]), "second")
    return {
        "dbl": np.arange(6.0).reshape(2, 3) + 0.5,
        "cube": np.arange(24.0).reshape(2, 3, 4),
        "sgl": np.array([[1.5, -2.25]], dtype=np.float32),
        "i8": np.array([[-128, 5, 127]], dtype=np.int8),
        "i16": np.array([[-7, 8], [9, -10]], dtype=np.int16),
        "u32": np.array([[1], [4000000000]], dtype=np.uint32),
        "i64": np.array([[-(2 ** 40), 3]], dtype=np.int64),
        "u64": np.array([[2 ** 63 + 5]], dtype=np.uint64),
        "flag": np.array([[True, False, True]]),
        "txt": "hello",
        "cel": cell,
        # Fields out of alphabetical order: MATLAB_fields, not the link names, fixes their order.
        "s": {"name": "x", "a": {"c": np.array([[1.0, 2.0, 3.0]]), "b": np.array([[5.0]])}},
        # Complex: HDF5 compounds {real, imag} in v7.3.
        "z": np.array([[1 + 2j, -3.5 + 0j], [0.25 - 1j, 4j]]),
        "zs": np.array([[1.5 - 2.5j, 3 + 4j, -1j]], dtype=np.complex64),
        "sarr": sarr,
        "empty": np.zeros((0, 3)),
    }


def main():
    data = contents()
    v73 = os.path.join(FIX, "mat73.mat")
    v5 = os.path.join(FIX, "mat73_as_v5.mat")
    for path in (v73, v5):  # hdf5storage merges into an existing file: start afresh
        if os.path.exists(path):
            os.remove(path)
    hdf5storage.savemat(v73, data, format="7.3", oned_as="row", store_python_metadata=False)
    sio.savemat(v5, data, oned_as="row")
    back = hdf5storage.loadmat(v73)
    for k in ["dbl", "cube", "sgl", "i8", "i16", "u32", "i64", "u64", "flag", "empty"]:
        assert back[k].dtype == data[k].dtype and np.array_equal(back[k], data[k]), k
    with h5py.File(v73, "r") as f:
        assert f["dbl"].shape == (3, 2) and f["dbl"].attrs["MATLAB_class"] == b"double"
        assert [b"".join(n).decode() for n in f["s"].attrs["MATLAB_fields"]] == ["name", "a"]
        assert f["z"].dtype.names == ("real", "imag")
    for k in ["z", "zs"]:
        assert back[k].dtype == data[k].dtype and np.array_equal(back[k], data[k]), k
    m = sio.loadmat(v5, squeeze_me=False)
    out = {
        "versions": {"numpy": np.__version__, "scipy": scipy.__version__, "h5py": h5py.__version__,
                     "hdf5storage": hdf5storage.__version__},
        "names": sorted(k for k in m if not k.startswith("__")),
        "variables": {k: describe_mat(v) for k, v in m.items() if not k.startswith("__")},
    }
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
