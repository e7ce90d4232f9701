#!/usr/bin/env python3
"""h5py golden for NeuroCore's HDF5 object references.

Regenerate (from the repository root):

    python3 scripts/goldens/hdf5_references.py

Runs the Swift test `HDF5ReferencesGoldenTests` with NEUROSWIFT_H5REF_FIXTURE set, so the wrapper
writes its reference fixture (`HDF5ReferencesTests.writeFixture`) to a temporary path, then opens
it with h5py: every attribute and dataset holding object references must come back as
`h5py.Reference` values; each is dereferenced with `f[ref]` and its `.name` recorded in
Tests/NeuroCoreTests/Goldens/hdf5_references.json, which the Swift test compares with its own
reading. Pass --fixture PATH to describe an existing file instead of running swift test.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUTPUT = os.path.join(REPO, "Tests", "NeuroCoreTests", "Goldens", "hdf5_references.json")


def resolve(f, ref):
    if not isinstance(ref, h5py.Reference):
        raise TypeError(f"expected h5py.Reference, got {type(ref).__name__}")
    if not ref:
        raise ValueError("null reference")
    return f[ref].name


def describe(path):
    attributes, datasets, kinds = {}, {}, {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            key = "/" + name if name else "/"
            for attr_name in obj.attrs:
                dtype = obj.attrs.get_id(attr_name).dtype
                if h5py.check_ref_dtype(dtype) is None:
                    continue
                values = np.asarray(obj.attrs[attr_name], dtype=object).ravel()
                attributes.setdefault(key, {})[attr_name] = [resolve(f, v) for v in values]
            if isinstance(obj, h5py.Dataset):
                kind = h5py.check_ref_dtype(obj.dtype)
                if kind is not None:
                    kinds[key] = "object" if kind is h5py.Reference else "region"
                    datasets[key] = [resolve(f, v) for v in obj[()].ravel()]

        visit("", f)
        f.visititems(visit)
    return attributes, datasets, kinds


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fixture", help="describe this file instead of running swift test")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        fixture = args.fixture
        if fixture is None:
            fixture = os.path.join(scratch, "references.h5")
            env = dict(os.environ, NEUROSWIFT_H5REF_FIXTURE=fixture)
            subprocess.run(
                ["swift", "test", "--filter", "HDF5ReferencesGoldenTests"], cwd=REPO, env=env, check=True,
                stdout=subprocess.DEVNULL)
        if not os.path.exists(fixture):
            sys.exit(f"the Swift test did not write {fixture}")
        attributes, datasets, kinds = describe(fixture)
    golden = {
        "h5pyVersion": h5py.__version__,
        "hdf5Version": h5py.version.hdf5_version,
        "referenceAttributes": attributes,
        "referenceDatasets": datasets,
        "referenceKinds": kinds,
    }
    with open(OUTPUT, "w") as f:
        json.dump(golden, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
