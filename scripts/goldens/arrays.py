#!/usr/bin/env python3
"""Fixtures and golden values for the NPY / NPZ / MAT readers in Sources/Recording.

Regenerate (from the repository root):

    python3 scripts/goldens/arrays.py

(a) Writes tiny fixture files into Tests/RecordingTests/Fixtures/ with numpy and scipy.io: NPY files
    covering every numeric dtype family, both byte orders, C and Fortran order, ranks 0-3, format
    versions 1.0/2.0/3.0, an empty array, plus an object array and a structured array (which the
    reader must refuse); stored and deflated NPZ; MAT v5 via scipy.io.savemat (compressed and not)
    holding doubles, integer classes, single, logical, char (row and matrix), cell, nested struct,
    struct array, sparse, empty and complex values; a big-endian MAT v5 file encoded by hand below
    (scipy only writes native order); a MAT v7.3 file (HDF5 with a 512-byte user block, via h5py).
(b) Records what numpy / scipy read from the fixtures and, when ../shared/data exists, from the real
    files (suite2p plane0 arrays, nelpy spikes.mat, Triplett zebrafish .mat, EEGLAB test_raw.set),
    in Tests/RecordingTests/Goldens/arrays.json. Values are in C order (MAT values as scipy returns
    them with squeeze_me=False, i.e. MATLAB shapes read row-major).
"""
import json
import os
import struct

import h5py
import numpy as np
import scipy
import scipy.io as sio
import scipy.sparse as sp

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIX = os.path.join(REPO, "Tests", "RecordingTests", "Fixtures")
OUT = os.path.join(REPO, "Tests", "RecordingTests", "Goldens", "arrays.json")
SHARED = os.path.abspath(os.path.join(REPO, "..", "shared", "data"))


def describe(a):
    """Shape, dtype and every value (real, and imag if complex) of a small numpy array."""
    a = np.asarray(a)
    d = {"shape": list(a.shape), "dtype": a.dtype.str}
    flat = a.ravel(order="C")
    if np.iscomplexobj(a):
        d["values"] = [float(x) for x in flat.real]
        d["imag"] = [float(x) for x in flat.imag]
    elif a.dtype.kind == "u" and a.dtype.itemsize == 8:
        d["values"] = [float(x) for x in flat]
        d["exact"] = [str(int(x)) for x in flat]
    else:
        d["values"] = [float(x) for x in flat]
    return d


def summary(a, picks):
    a = np.asarray(a)
    return {
        "shape": list(a.shape),
        "dtype": a.dtype.str,
        "sum": float(a.astype(np.float64).sum()),
        "elements": [{"index": list(p), "value": float(a[tuple(p)])} for p in picks],
    }


# MARK: NPY fixtures

def npy_fixtures():
    out = {}

    def save(name, array, version=None, fortran=None):
        path = os.path.join(FIX, name)
        if fortran:
            array = np.asfortranarray(array)
        with open(path, "wb") as f:
            np.lib.format.write_array(f, array, version=version, allow_pickle=False)
        out[name] = describe(np.load(path))
        out[name]["fortran_order"] = bool(np.isfortran(array)) and array.ndim > 1
        out[name]["version"] = list(version) if version else [1, 0]

    rng = np.random.default_rng(3)
    save("f8_c.npy", rng.normal(size=(2, 3)))
    save("f4_be.npy", rng.normal(size=(3, 2)).astype(">f4"))
    save("i2_fortran.npy", np.arange(-6, 6, dtype="<i2").reshape(2, 3, 2), fortran=True)
    save("i8_be_fortran.npy", np.array([[1, -2], [3, -(2 ** 40)]], dtype=">i8"), fortran=True)
    save("u8_scalar.npy", np.array(2 ** 63 + 5, dtype="<u8"))
    save("u2_be.npy", np.array([1, 258, 65535], dtype=">u2"))
    save("bool.npy", np.array([True, False, True, True, False]))
    save("c16.npy", np.array([[1 + 2j, -3.5j], [4, 0.25 - 1j]], dtype="<c16"))
    save("c8_be.npy", np.array([1 - 1j, 2.5 + 0.5j], dtype=">c8"))
    save("f2.npy", np.array([1.0, -2.5, 65504.0, 6e-8], dtype="<f2"))
    save("i1_v2.npy", np.array([-128, 0, 127], dtype="i1"), version=(2, 0))
    save("u4_v3.npy", np.array([[0, 1], [4294967295, 7]], dtype="<u4"), version=(3, 0))
    save("f4_empty.npy", np.zeros((0, 3), dtype="<f4"))
    save("i4_rank3.npy", np.arange(24, dtype="<i4").reshape(2, 3, 4))
    # Refused by the reader (never unpickled / not numeric):
    np.save(os.path.join(FIX, "object.npy"), np.array([1, "a"], dtype=object), allow_pickle=True)
    np.save(os.path.join(FIX, "structured.npy"), np.zeros(2, dtype=[("a", "<i4"), ("b", "<f8")]))
    return out


def npz_fixtures():
    a = np.arange(6, dtype="<f8").reshape(2, 3) / 4
    b = np.array([1, 2, 3], dtype="<i4")
    np.savez(os.path.join(FIX, "stored.npz"), a=a, b=b)
    np.savez_compressed(os.path.join(FIX, "deflated.npz"), a=a, b=b)
    out = {}
    for name in ["stored.npz", "deflated.npz"]:
        with np.load(os.path.join(FIX, name)) as z:
            out[name] = {"names": list(z.files), "arrays": {k: describe(z[k]) for k in z.files}}
    return out


# MARK: MAT fixtures

def mat_contents():
    s_nested = {"a": {"b": 5.0, "c": np.array([[1.0, 2.0, 3.0]])}, "name": "x"}
    sarr = np.zeros((1, 2), dtype=[("x", object), ("y", object)])
    sarr[0, 0] = (np.array([[1.0]]), "first")
    sarr[0, 1] = (np.array([[2.0, 3.0]]), "second")
    cell = np.empty((1, 3), dtype=object)
    cell[0, 0] = np.array([[1.0]])
    cell[0, 1] = "a"
    cell[0, 2] = np.array([[1.0, 2.0, 3.0]])
    cell2 = np.empty((2, 2), dtype=object)
    cell2[0, 0], cell2[0, 1], cell2[1, 0], cell2[1, 1] = 1.0, 2.0, 3.0, 4.0
    return {
        "dbl": np.arange(6, dtype=np.float64).reshape(2, 3) + 0.5,
        "sgl": np.array([[1.5, -2.25]], dtype=np.float32),
        "i8": np.array([[-128, 5, 127]], dtype=np.int8),
        "u16": np.array([[1], [65535]], dtype=np.uint16),
        "i32": np.array([[-7, 8], [9, -10]], dtype=np.int32),
        "i64": np.array([[-(2 ** 40), 3]], dtype=np.int64),
        "u64": np.array([[2 ** 63 + 5]], dtype=np.uint64),
        "flag": np.array([[True, False, True]]),
        "txt": "hello",
        "rows": np.array(["ab", "cd"]),
        "cel": cell,
        "cel2": cell2,
        "s": s_nested,
        "sarr": sarr,
        "sprs": sp.csc_matrix(np.array([[0, 1.5, 0, 0], [2.0, 0, 0, -1.0], [0, 0, 0, 0]])),
        "empty": np.zeros((0, 3)),
        "cplx": np.array([[1 + 2j, 3 - 4j]]),
        "cube": np.arange(24, dtype=np.float64).reshape(2, 3, 4),
    }


def describe_mat(v):
    """A JSON description of a value as scipy.io.loadmat(squeeze_me=False) returns it."""
    if sp.issparse(v):
        return {"kind": "sparse", "shape": list(v.shape), "dense": describe(v.toarray())}
    if isinstance(v, np.ndarray) and v.dtype.names:
        return {"kind": "struct", "shape": list(v.shape), "fields": list(v.dtype.names),
                "elements": [{n: describe_mat(e[n]) for n in v.dtype.names} for e in v.ravel()]}
    if isinstance(v, np.ndarray) and v.dtype == object:
        return {"kind": "cell", "shape": list(v.shape), "elements": [describe_mat(e) for e in v.ravel()]}
    if isinstance(v, np.ndarray) and v.dtype.kind == "U":
        return {"kind": "char", "shape": list(v.shape), "rows": [str(x) for x in v.ravel()]}
    d = describe(v)
    d["kind"] = "numeric"
    return d


def be_mat(path):
    """A big-endian MAT v5 file, encoded by hand: a 2x3 double, a 1x3 int16, a char and a 1x1 struct."""
    def tag(t, data):
        if len(data) <= 4:  # small element format
            return struct.pack(">HH", len(data), t) + data + b"\0" * (4 - len(data))
        pad = b"\0" * ((8 - len(data) % 8) % 8)
        return struct.pack(">II", t, len(data)) + data + pad

    def matrix(name, cls, dims, parts, logical=False):
        flags = struct.pack(">II", cls | (0x200 if logical else 0), 0)
        body = tag(6, flags) + tag(5, struct.pack(">%di" % len(dims), *dims)) + tag(1, name.encode())
        for t, d in parts:
            body += tag(t, d)
        return struct.pack(">II", 14, len(body)) + body

    header = b"MATLAB 5.0 MAT-file, big-endian fixture written by scripts/goldens/arrays.py".ljust(116, b" ")
    header += b"\0" * 8 + struct.pack(">H", 0x0100) + b"MI"
    dbl = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    i16 = np.array([[-1, 300, 7]], dtype=">i2")
    body = matrix("x", 6, [2, 3], [(9, dbl.T.astype(">f8").tobytes())])  # column-major
    body += matrix("k", 10, [1, 3], [(3, i16.T.tobytes())])
    body += matrix("name", 4, [1, 3], [(4, "abc".encode("utf-16-be"))])
    inner = matrix("", 6, [1, 1], [(2, bytes([42]))])  # double class stored as uint8 (small element)
    fields = tag(5, struct.pack(">i", 8)) + tag(1, b"val\0\0\0\0\0")
    sflags = tag(6, struct.pack(">II", 2, 0)) + tag(5, struct.pack(">2i", 1, 1)) + tag(1, b"st")
    sbody = sflags + fields + inner
    body += struct.pack(">II", 14, len(sbody)) + sbody
    with open(path, "wb") as f:
        f.write(header + body)
    return {"x": describe(dbl), "k": describe(i16.astype("<i2")), "name": "abc", "st.val": 42.0}


def mat_fixtures():
    out = {}
    contents = mat_contents()
    for name, compress in [("v5_compressed.mat", True), ("v5_plain.mat", False)]:
        path = os.path.join(FIX, name)
        sio.savemat(path, contents, do_compression=compress, oned_as="row")
        m = sio.loadmat(path, squeeze_me=False)
        out[name] = {"names": [k for k in m if not k.startswith("__")],
                     "variables": {k: describe_mat(v) for k, v in m.items() if not k.startswith("__")}}
    out["v5_bigendian.mat"] = be_mat(os.path.join(FIX, "v5_bigendian.mat"))
    m = sio.loadmat(os.path.join(FIX, "v5_bigendian.mat"), squeeze_me=False)
    assert np.array_equal(m["x"], [[1, 2, 3], [4, 5, 6]]) and str(m["name"][0]) == "abc"
    assert float(m["st"][0, 0]["val"][0, 0]) == 42.0
    # MAT v7.3: HDF5 with a 512-byte user block holding the MATLAB header text.
    path = os.path.join(FIX, "v73.mat")
    with h5py.File(path, "w", userblock_size=512) as f:
        f.create_dataset("x", data=np.arange(3.0))
    with open(path, "r+b") as f:
        f.write(b"MATLAB 7.3 MAT-file, Platform: GLNXA64, fixture".ljust(116, b" ") + b"\0" * 8 + b"\x00\x02IM")
    return out


# MARK: real data

def real_data():
    out = {}
    s2p = os.path.join(SHARED, "calcium", "suite2p-plane0")
    if os.path.isdir(s2p):
        d = {}
        for name in ["F", "Fneu", "spks", "iscell"]:
            a = np.load(os.path.join(s2p, name + ".npy"))
            picks = [(0, 0), (1, 1), (a.shape[0] - 1, a.shape[1] - 1)]
            if a.shape[1] > 5:
                picks.append((100, 1234))
            d[name + ".npy"] = summary(a, picks)
        out["suite2p"] = d

    spikes = os.path.join(SHARED, "spikes", "nelpy-linear-track", "spikes.mat")
    if os.path.exists(spikes):
        m = sio.loadmat(spikes, squeeze_me=False)
        units = []

        def walk(v, path):
            if isinstance(v, np.ndarray) and v.dtype == object:
                for i, x in enumerate(v.flat):
                    walk(x, path + [i])
            elif isinstance(v, np.ndarray) and v.dtype.names:
                for i, x in enumerate(v.flat):
                    t = np.asarray(x["time"])
                    units.append({"path": path + [i], "count": int(t.size), "sum": float(t.sum()),
                                  "first": float(t.ravel()[0]) if t.size else None})
        walk(m["spikes"], [])
        nonempty = [u for u in units if u["count"] > 0]
        out["nelpy"] = {"names": [k for k in m if not k.startswith("__")], "structs": units,
                        "units": len(nonempty), "spikes": sum(u["count"] for u in units),
                        "tetrodes": list(m["spikes"][0, 0][0, 0].shape)}

    zf = os.path.join(SHARED, "calcium", "triplett-zf-f1", "zf_20151104-f1.mat")
    if os.path.exists(zf):
        m = sio.loadmat(zf, squeeze_me=False)
        # mat_dtype=True gives the MATLAB class (what our reader returns) rather than the storage type.
        mc = sio.loadmat(zf, squeeze_me=False, mat_dtype=True)
        am = m["activity_matrix"]
        out["triplett"] = {
            "names": [k for k in m if not k.startswith("__")],
            "activity_matrix": summary(am, [(0, 0), (5, 17), (113, 4244)]),
            "cell_coordinates": summary(m["cell_coordinates"], [(0, 0), (113, 1)]),
            "detected_assemblies": {"shape": list(m["detected_assemblies"].shape),
                                    "elements": [{"shape": list(e.shape), "dtype": e.dtype.str, "sum": float(e.sum()),
                                                  "matlab_dtype": c.dtype.str}
                                                 for e, c in zip(m["detected_assemblies"].flat, mc["detected_assemblies"].flat)]},
        }

    eeg = os.path.join(SHARED, "eeg", "eeglab-tutorial", "test_raw.set")
    if os.path.exists(eeg):
        m = sio.loadmat(eeg, squeeze_me=False)
        e = m["EEG"][0, 0]
        ev = e["event"]
        out["eeglab"] = {
            "names": [k for k in m if not k.startswith("__")],
            "fields": list(m["EEG"].dtype.names),
            "nbchan": float(e["nbchan"][0, 0]), "srate": float(e["srate"][0, 0]),
            "pnts": float(e["pnts"][0, 0]), "trials": float(e["trials"][0, 0]),
            "xmax": float(e["xmax"][0, 0]),
            "setname": str(e["setname"][0]), "datfile": str(e["datfile"][0]),
            "times": summary(e["times"], [(0, 0), (0, 30503)]),
            "icaweights": summary(e["icaweights"], [(0, 0), (24, 31)]),
            "events": {"shape": list(ev.shape), "fields": list(ev.dtype.names),
                       "types": [str(x["type"][0]) for x in ev.flat],
                       "latencies": [float(x["latency"][0, 0]) for x in ev.flat]},
            "comments_rows": int(e["comments"].shape[0]),
        }
    return out


def main():
    os.makedirs(FIX, exist_ok=True)
    golden = {
        "versions": {"numpy": np.__version__, "scipy": scipy.__version__, "h5py": h5py.__version__},
        "npy": npy_fixtures(),
        "npz": npz_fixtures(),
        "mat": mat_fixtures(),
        "real": real_data(),
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w") as f:
        json.dump(golden, f, indent=1, allow_nan=False)
        f.write("\n")
    total = sum(os.path.getsize(os.path.join(FIX, n)) for n in os.listdir(FIX))
    print(f"wrote {OUT} and {len(os.listdir(FIX))} fixtures ({total} bytes)")


if __name__ == "__main__":
    main()
