#!/usr/bin/env python3
"""numpy / nibabel golden: do the reference Python readers open files NeuroSwift writes?

Regenerate (from the repository root):

    python3 scripts/goldens/pyread.py

The script runs the Swift test `PythonReadsSwiftFilesTests` with NEUROSWIFT_PYREAD_FIXTURES set,
so NeuroSwift's writers (NPYFile.write, NPZFile.write, NIfTIFile.write) put their deterministic
fixtures in a temporary folder: .npy files of several dtypes (float32/float64/int16/uint8/uint16/
bool/complex64/complex128/int64) in C and Fortran order, 0-d to 3-d; a stored and a deflated .npz;
NIfTI-1 and NIfTI-2 images as .nii and .nii.gz (a scaled int16 3-D image and a float32 4-D volume
series with a sheared affine and a TR). It then loads them with `np.load` and `nib.load` and records
what those saw -- dtypes, shapes, headers, every element, sums, affines, zooms (TR), units,
scaling (on-disk header and data proxy), nibabel's diagnosis of the on-disk header -- in Tests/RecordingTests/Goldens/pyread.json. The Swift test
compares that JSON with the arrays and images it wrote.
Pass --fixtures DIR to describe an existing fixture folder instead of running swift test.
"""
import argparse
import json
import math
import os
import platform
import subprocess
import tempfile
import zipfile

import nibabel as nib
import numpy as np

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUTPUT = os.path.join(REPO, "Tests", "RecordingTests", "Goldens", "pyread.json")
TEST = "PythonReadsSwiftFilesTests/numpyAndNibabelReadTheWrittenFiles"


def summarise(array, header=None):
    """dtype, shape, C-order elements (real and imaginary parts) and the float64 sum of real parts."""
    flat = np.asarray(array).ravel(order="C")
    real = flat.real if np.iscomplexobj(flat) else flat
    real = real.astype(np.float64)
    out = {
        "dtype": array.dtype.name,
        "shape": list(array.shape),
        "sum": math.fsum(real.tolist()),
        "values": real.tolist(),
    }
    if np.iscomplexobj(flat):
        out["imag"] = flat.imag.astype(np.float64).tolist()
    if header is not None:
        out["header"] = header
    return out


def npy_header(path):
    """The .npy header as numpy's format module parses it."""
    with open(path, "rb") as f:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
        else:
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
    return {"version": list(version), "descr": np.lib.format.dtype_to_descr(dtype),
            "fortran_order": bool(fortran), "shape": list(shape)}


def describe_nifti(path):
    img = nib.load(path)
    hdr = img.header
    fdata = img.get_fdata()
    # The image's header has scaling and vox_offset reset on load (they move to the data proxy),
    # so the on-disk header is read separately for those fields and for nibabel's diagnosis.
    with nib.openers.ImageOpener(path) as f:
        disk = type(hdr).from_fileobj(f)
    slope, inter = disk.get_slope_inter()
    diagnosis = type(disk).diagnose_binaryblock(disk.binaryblock)
    return {
        "image_class": type(img).__name__,
        "magic": hdr["magic"].item().decode("ascii"),
        "sizeof_hdr": int(hdr["sizeof_hdr"]),
        "vox_offset": float(disk["vox_offset"]),
        "proxy_offset": int(img.dataobj.offset),
        "proxy_slope": float(img.dataobj.slope),
        "proxy_inter": float(img.dataobj.inter),
        "shape": list(img.shape),
        "data_dtype": np.dtype(img.get_data_dtype()).name,
        "fdata": fdata.ravel(order="F").tolist(),
        "fdata_sum": math.fsum(fdata.ravel().tolist()),
        "affine": img.affine.tolist(),
        "zooms": [float(z) for z in hdr.get_zooms()],
        "xyzt_units": list(hdr.get_xyzt_units()),
        "slope": None if slope is None else float(slope),
        "inter": None if inter is None else float(inter),
        "sform_code": int(hdr["sform_code"]),
        "qform_code": int(hdr["qform_code"]),
        "descrip": hdr["descrip"].item().decode("ascii"),
        "diagnosis": diagnosis,
    }


def describe(folder):
    names = sorted(os.listdir(folder))
    npy = {}
    for name in (n for n in names if n.endswith(".npy")):
        path = os.path.join(folder, name)
        npy[name] = summarise(np.load(path), npy_header(path))
    npz = {}
    for name in (n for n in names if n.endswith(".npz")):
        path = os.path.join(folder, name)
        with zipfile.ZipFile(path) as z:
            bad = z.testzip()
            if bad is not None:
                raise SystemExit(f"{name}: CRC mismatch in {bad}")
            types = {info.filename: info.compress_type for info in z.infolist()}
        with np.load(path) as archive:
            npz[name] = {"files": list(archive.files), "compress_types": types,
                         "arrays": {k: summarise(archive[k]) for k in archive.files}}
    nifti = {n: describe_nifti(os.path.join(folder, n)) for n in names if n.endswith((".nii", ".nii.gz"))}
    return {
        "python_version": platform.python_version(),
        "numpy_version": np.__version__,
        "nibabel_version": nib.__version__,
        "npy": npy,
        "npz": npz,
        "nifti": nifti,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", help="describe this fixture folder instead of running swift test")
    args = parser.parse_args()
    if args.fixtures:
        result = describe(args.fixtures)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            folder = os.path.join(tmp, "fixtures")
            env = dict(os.environ, NEUROSWIFT_PYREAD_FIXTURES=folder)
            subprocess.run(["swift", "test", "--filter", TEST], cwd=REPO, env=env, check=True,
                           stdout=subprocess.DEVNULL)
            result = describe(folder)
    with open(OUTPUT, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    print(f"wrote {OUTPUT}: {len(result['npy'])} npy, {len(result['npz'])} npz, {len(result['nifti'])} NIfTI")


if __name__ == "__main__":
    main()
