#!/usr/bin/env python3
"""h5py golden for NeuroCore's HDF5 wrapper.

Regenerate (from the repository root):

    python3 scripts/goldens/hdf5_h5py.py

The script runs the Swift test `HDF5H5pyGoldenTests` with NEUROSWIFT_H5PY_FIXTURE set, so the
Swift wrapper writes its deterministic fixture file (every numeric type at ranks 0-4, contiguous
and chunked+deflate, attributes of every type, UTF-8 strings) to a temporary path. It then opens
that file with h5py and records what h5py sees -- dtypes, shapes, chunks, compression, every value,
attribute values and strings -- in Tests/NeuroCoreTests/Goldens/hdf5_h5py.json. The Swift test
compares its own reading of the fixture with this JSON, proving h5py reads back the same values.

If ../shared/data is present, the shape, sums and a few elements of gcamp/trace_array from
calcium/flavell-swf702/2022-07-26-31-data.h5 are recorded too (`sharedData`).
Pass --fixture PATH to describe an existing fixture file instead of running swift test.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUTPUT = os.path.join(REPO, "Tests", "NeuroCoreTests", "Goldens", "hdf5_h5py.json")
SHARED_FILE = "calcium/flavell-swf702/2022-07-26-31-data.h5"
SHARED_DATASET = "gcamp/trace_array"


def text(value, dtype):
    """Exact text of one element: str(int) for integers, repr(float) for floats, decoded strings."""
    if h5py.check_string_dtype(dtype) is not None:
        return value.decode("utf-8") if isinstance(value, bytes) else str(value)
    if dtype.kind in "iu":
        return str(int(value))
    if dtype.kind == "f":
        return repr(float(value))
    raise ValueError(f"unexpected dtype {dtype}")


def dtype_name(dtype):
    """numpy-style name, with 'str' for variable-length strings (as HDF5ElementType prints)."""
    info = h5py.check_string_dtype(dtype)
    if info is not None:
        return "str" if info.length is None else "fixed-length str"
    return dtype.name


def compression(dataset):
    parts = []
    if dataset.shuffle:
        parts.append("shuffle")
    if dataset.compression == "gzip":
        parts.append(f"deflate({dataset.compression_opts})")
    elif dataset.compression is not None:
        parts.append(dataset.compression)
    return "+".join(parts) if parts else None


def describe_fixture(path):
    datasets, attributes = {}, {}

    def visit(name, obj):
        key = "/" + name if name else "/"
        if len(obj.attrs):
            entry = {}
            for attr_name in obj.attrs:
                attr = obj.attrs.get_id(attr_name)
                values = np.asarray(obj.attrs[attr_name]).ravel()
                entry[attr_name] = {
                    "dtype": dtype_name(attr.dtype),
                    "shape": list(attr.shape),
                    "values": [text(v, attr.dtype) for v in values],
                }
            attributes[key] = entry
        if isinstance(obj, h5py.Dataset):
            data = obj[()]
            flat = np.asarray(data).ravel()
            record = {
                "dtype": dtype_name(obj.dtype),
                "shape": list(obj.shape),
                "chunks": list(obj.chunks) if obj.chunks else None,
                "compression": compression(obj),
                "values": [text(v, obj.dtype) for v in flat],
            }
            if obj.dtype.kind == "f":
                record["sum"] = math.fsum(float(v) for v in flat)
            datasets[key] = record

    with h5py.File(path, "r") as f:
        visit("", f)
        f.visititems(visit)
    return datasets, attributes


def describe_shared():
    root = os.path.join(os.path.dirname(REPO), "shared", "data")
    path = os.path.join(root, SHARED_FILE)
    if not os.path.exists(path):
        return None
    with h5py.File(path, "r") as f:
        dataset = f[SHARED_DATASET]
        data = dataset[()].astype(np.float64)
        picks = [(0, 0), (123, 45), (data.shape[0] - 1, data.shape[1] - 1)]
        return {
            "file": SHARED_FILE,
            "dataset": SHARED_DATASET,
            "dtype": dataset.dtype.name,
            "shape": list(data.shape),
            "sum": math.fsum(data.ravel()),
            "absSum": math.fsum(np.abs(data).ravel()),
            "sumOfSquares": math.fsum((data * data).ravel()),
            "elements": [{"index": list(i), "value": float(data[i])} for i in picks],
        }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fixture", help="describe this fixture file instead of running swift test")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        fixture = args.fixture
        if fixture is None:
            fixture = os.path.join(scratch, "fixture.h5")
            env = dict(os.environ, NEUROSWIFT_H5PY_FIXTURE=fixture)
            subprocess.run(
                ["swift", "test", "--filter", "HDF5H5pyGoldenTests/fixtureMatchesWhatH5pySees"], cwd=REPO, env=env, check=True,
                stdout=subprocess.DEVNULL)
        if not os.path.exists(fixture):
            sys.exit(f"the Swift test did not write {fixture}")
        datasets, attributes = describe_fixture(fixture)

    golden = {
        "h5pyVersion": h5py.version.version,
        "hdf5Version": h5py.version.hdf5_version,
        "datasets": datasets,
        "attributes": attributes,
        "sharedData": describe_shared(),
    }
    with open(OUTPUT, "w", encoding="utf-8") as out:
        json.dump(golden, out, indent=1, ensure_ascii=False, sort_keys=True)
        out.write("\n")
    print(f"wrote {OUTPUT}: {len(datasets)} datasets, {sum(map(len, attributes.values()))} attributes")


if __name__ == "__main__":
    main()
