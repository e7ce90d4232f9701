#!/usr/bin/env python3
"""Fixtures and golden values for the spike / calcium / fMRI readers in Sources/Recording.

Regenerate (from the repository root; needs numpy, h5py, nibabel, pynwb):

    python3 scripts/goldens/neuro_formats.py

(a) Writes small fixtures into Tests/RecordingTests/Fixtures/ with nibabel: NIfTI-1 images of every
    datatype nibabel writes (little-endian), big-endian int16/float32/complex64, NIfTI-2, an
    .hdr/.img pair, a gzipped image, scl_slope/inter, qform-only, no transform (base affine), and a
    header extension; and a tiny Phy/Kilosort folder (Fixtures/Phy-small/).
(b) Records what nibabel / h5py / pynwb / numpy read from those fixtures and, when ../shared/data
    exists, from the real files (nitime and nibabel NIfTI, the phy-nwb NWB file, suite2p plane0,
    grasshopper spike times, Allen Y.csv), plus reference binning / PSTH / ΔF/F values, into
    Tests/RecordingTests/Goldens/neuro_formats.json.
(c) Runs the Swift test NWBWriterGoldenTests with NEUROSWIFT_NWB_FIXTURE set, so NWBWriter writes
    NWBWriterTests' fixture (units + ophys) to a temporary path; reads it with pynwb (recording any
    warning), resolves its object references with h5py, runs pynwb.validate, and stores what they
    saw under "swift_written_nwb". `--swift-nwb-only` refreshes just that part of the JSON.
"""
import json
import os
import shutil

import h5py
import nibabel as nib
import numpy as np

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIX = os.path.join(REPO, "Tests", "RecordingTests", "Fixtures")
OUT = os.path.join(REPO, "Tests", "RecordingTests", "Goldens", "neuro_formats.json")
SHARED = os.path.abspath(os.path.join(REPO, "..", "shared", "data"))

try:
    import pynwb
except ImportError:  # pragma: no cover
    pynwb = None


def flat(a):
    return [float(x) for x in np.asarray(a).ravel(order="F")]


def describe_nifti(path, full_values):
    img = nib.load(path)
    hdr = img.header
    raw = img.dataobj.get_unscaled() if hasattr(img.dataobj, "get_unscaled") else np.asarray(img.dataobj)
    d = {
        "shape": list(img.shape),
        "datatype": int(hdr["datatype"]),
        "bitpix": int(hdr["bitpix"]),
        "version": 2 if isinstance(img, nib.Nifti2Image) else 1,
        "big_endian": hdr.endianness == ">",
        "affine": [float(x) for x in img.affine.ravel()],
        "pixdim": [float(x) for x in hdr["pixdim"]],
        "xyzt_units": int(hdr["xyzt_units"]),
        "qform_code": int(hdr["qform_code"]),
        "sform_code": int(hdr["sform_code"]),
        "extensions": [[int(e.get_code()), e.get_content().decode("latin-1") if isinstance(e.get_content(), bytes) else str(e.get_content())] for e in hdr.extensions],
    }
    if raw.dtype.names:  # RGB(A): components per voxel, x fastest
        comps = np.stack([raw[n] for n in raw.dtype.names], axis=-1)
        # x fastest, components innermost (the file's byte order of RGB triples).
        d["raw"] = [float(x) for x in np.transpose(comps, (2, 1, 0, 3)).ravel()]
        return d
    if np.iscomplexobj(raw):
        d["raw"] = flat(raw.real)
        d["raw_imag"] = flat(raw.imag)
        return d
    data = img.get_fdata()
    d["sum"] = float(data.sum())
    d["sum_of_squares"] = float((data.astype(np.float64) ** 2).sum())
    if full_values:
        d["values"] = flat(data)
        d["raw"] = [str(int(x)) if raw.dtype.kind in "iu" else repr(float(x)) for x in np.asarray(raw).ravel(order="F")]
    else:
        rng = np.random.default_rng(4)
        picks = [tuple(int(rng.integers(0, s)) for s in img.shape) for _ in range(8)]
        picks.append(tuple(s - 1 for s in img.shape))
        d["voxels"] = [[list(p), float(data[p])] for p in picks]
        if data.ndim == 4:
            d["volume_sums"] = [float(data[..., t].sum()) for t in range(data.shape[3])]
    return d


def make_nifti_fixtures():
    aff = np.array([[-2.0, 0.1, 0, 30], [0.05, 2.5, -0.2, -20], [0, 0.3, 3.0, 10], [0, 0, 0, 1]])
    base = np.arange(3 * 4 * 2).reshape(3, 4, 2)
    written = {}

    def save(name, img):
        path = os.path.join(FIX, name)
        img.to_filename(path)
        written[name] = path

    for dt in ["u1", "i1", "i2", "u2", "i4", "u4", "i8", "u8", "f4", "f8"]:
        arr = (base * (1 if dt[0] == "u" else -1) + (3 if dt[0] == "u" else 0)).astype(dt)
        if dt[0] == "f":
            arr = arr + 0.25
        save(f"NIfTI-{dt}.nii", nib.Nifti1Image(arr, aff, dtype=arr.dtype))
    cplx = (base + 1j * (base[::-1] - 2)).astype(np.complex64)
    save("NIfTI-c8.nii", nib.Nifti1Image(cplx, aff))
    save("NIfTI-c16.nii", nib.Nifti1Image(cplx.astype(np.complex128), aff))
    rgb = np.zeros((3, 4, 2), dtype=[("R", "u1"), ("G", "u1"), ("B", "u1")])
    rgb["R"], rgb["G"], rgb["B"] = base, 200 - base, 7
    save("NIfTI-rgb24.nii", nib.Nifti1Image(rgb, aff))
    rgba = np.zeros((3, 4, 2), dtype=[("R", "u1"), ("G", "u1"), ("B", "u1"), ("A", "u1")])
    rgba["R"], rgba["G"], rgba["B"], rgba["A"] = base, 100 + base, 9, 255
    save("NIfTI-rgba32.nii", nib.Nifti1Image(rgba, aff))
    for dt in ["i2", "f4", "c8"]:
        hdr = nib.Nifti1Header(endianness=">")
        arr = cplx if dt == "c8" else (base - 5).astype(dt)
        hdr.set_data_dtype(arr.dtype)
        save(f"NIfTI-{dt}-be.nii", nib.Nifti1Image(arr, aff, hdr))
    # NIfTI-2 (little and big endian), 4-D with a TR.
    four = (np.arange(3 * 2 * 2 * 5).reshape(3, 2, 2, 5) * 1.5 - 7).astype(np.float32)
    img = nib.Nifti2Image(four, aff)
    img.header.set_xyzt_units("mm", "msec")
    img.header["pixdim"][4] = 1500
    save("NIfTI-nifti2.nii", img)
    hdr = nib.Nifti2Header(endianness=">")
    hdr.set_data_dtype(np.int32)
    img = nib.Nifti2Image(four.astype(np.int32), aff, hdr)
    img.header.set_xyzt_units("mm", "sec")
    img.header["pixdim"][4] = 2.0
    save("NIfTI-nifti2-be.nii", img)
    # Pair, gzip, scaling, qform only, no transform, extension.
    save("NIfTI-pair.img", nib.Nifti1Pair((base * 3).astype(np.int16), aff))
    save("NIfTI-gzip.nii.gz", nib.Nifti1Image(four, aff))
    img = nib.Nifti1Image((base - 4).astype(np.int16), aff)
    img.header.set_slope_inter(0.5, -3.25)
    save("NIfTI-scaled.nii", img)
    img = nib.Nifti1Image(base.astype(np.uint8), None)
    img.header.set_qform(aff, code=1)
    img.header.set_sform(None, code=0)
    img.header.set_zooms((2.0, 2.5, 3.0))
    save("NIfTI-qform.nii", img)
    img = nib.Nifti1Image(base.astype(np.uint8), None)
    img.header.set_qform(None, code=0)
    img.header.set_sform(None, code=0)
    img.header.set_zooms((1.5, 2.0, 4.0))
    save("NIfTI-noxform.nii", img)
    img = nib.Nifti1Image(base.astype(np.int16), aff)
    img.header.extensions.append(nib.nifti1.Nifti1Extension("comment", b"NeuroSwift fixture"))
    save("NIfTI-extension.nii", img)
    return written


def make_phy_folder():
    folder = os.path.join(FIX, "Phy-small")
    if os.path.exists(folder):
        shutil.rmtree(folder)
    os.makedirs(folder)
    rng = np.random.default_rng(11)
    n = 60
    samples = np.sort(rng.integers(0, 30000 * 5, size=n)).astype(np.uint64)
    clusters = rng.choice([0, 3, 7, 12], size=n).astype(np.int32)
    np.save(os.path.join(folder, "spike_times.npy"), samples.reshape(-1, 1))
    np.save(os.path.join(folder, "spike_clusters.npy"), clusters)
    with open(os.path.join(folder, "cluster_group.tsv"), "w") as f:
        f.write("cluster_id\tgroup\n0\tgood\n3\tmua\n7\tnoise\n12\tgood\n")
    with open(os.path.join(folder, "params.py"), "w") as f:
        f.write("dat_path = 'recording.bin'\nn_channels_dat = 32\ndtype = 'int16'\noffset = 0\n"
                "sample_rate = 30000.\nhp_filtered = False\n")
    units = {}
    for c in [0, 3, 7, 12]:
        units[str(c)] = [float(s) / 30000.0 for s in samples[clusters == c]]
    return {"sample_rate": 30000.0, "groups": {"0": "good", "3": "mua", "7": "noise", "12": "good"}, "units": units}


def reference_dff(F, Fneu, r, fs, window, pct):
    """ΔF/F exactly as documented in CalciumTraces.deltaFOverF (naive, per frame)."""
    Fc = F.astype(np.float64) - r * Fneu.astype(np.float64)
    w = max(1, int(round(window * fs)))
    h = w // 2
    T = Fc.shape[0]
    base = np.array([np.percentile(Fc[max(0, t - h):min(T, t + h + 1)], pct) for t in range(T)])
    return (Fc - base) / base


def nwb_golden(path):
    g = {}
    with h5py.File(path, "r") as f:
        st = f["units/spike_times"][:]
        idx = f["units/spike_times_index"][:]
        ids = f["units/id"][:]
        starts = np.concatenate([[0], idx[:-1]])
        g["unit_ids"] = [int(x) for x in ids]
        g["spike_counts"] = [int(b - a) for a, b in zip(starts, idx)]
        g["first_times"] = [[float(x) for x in st[a:a + 3]] for a in starts]
        g["last_times"] = [float(st[b - 1]) for b in idx]
        g["sums"] = [float(st[a:b].sum()) for a, b in zip(starts, idx)]
        e = f["general/extracellular_ephys/electrodes"]
        g["electrode_count"] = int(e["id"].shape[0])
        g["electrode_group_names"] = sorted(set(x.decode() for x in e["group_name"][:]))
        g["electrode_x_sum"] = float(e["x"][:].sum())
        g["electrode_y_sum"] = float(e["y"][:].sum())
        g["epochs"] = {
            "start": [float(x) for x in f["intervals/epochs/start_time"][:]],
            "stop": [float(x) for x in f["intervals/epochs/stop_time"][:]],
            "tags": [x.decode() for x in f["intervals/epochs/tags"][:]],
        }
        # Reference binning (1 s bins over [0, 1000)) and a PSTH around ten events.
        trains = [st[a:b] for a, b in zip(starts, idx)]
        edges = np.arange(0, 1000 + 0.5, 1.0)
        counts = np.stack([np.histogram(t, edges)[0] for t in trains])
        g["binned_1s"] = {"row_sums": [float(x) for x in counts.sum(1)], "first_bins": [[float(x) for x in r[:10]] for r in counts],
                          "bin_count": int(counts.shape[1])}
        events = np.arange(100.0, 1001.0, 100.0)
        win = (-0.5, 1.0)
        bw = 0.1
        psth = np.zeros((len(trains), 15))
        for e0 in events:
            ed = e0 + win[0] + bw * np.arange(16)
            for u, t in enumerate(trains):
                psth[u] += np.histogram(t, ed)[0]
        g["psth"] = {"events": [float(x) for x in events], "window": list(win), "bin_width": bw,
                     "mean_rate": [[float(x) for x in r / (len(events) * bw)] for r in psth]}
    if pynwb is not None:
        with pynwb.NWBHDF5IO(path, "r") as io:
            nwb = io.read()
            g["pynwb_spike_counts"] = [len(nwb.units["spike_times"][i]) for i in range(len(nwb.units))]
    return g


def read_swift_nwb(path):
    """What pynwb (and h5py, for the object references) reads from the file the Swift writer made.

    Reading is done with every warning recorded (the Swift test requires none), and
    `pynwb.validate` checks the file against pynwb's bundled schema (the writer does not embed the
    namespace specifications), with any validation errors and warnings recorded too.
    """
    import hdmf
    import warnings

    out = {"pynwb_version": pynwb.__version__, "hdmf_version": hdmf.__version__}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pynwb.NWBHDF5IO(path, "r") as io:
            nwb = io.read()
            out["identifier"] = nwb.identifier
            out["session_description"] = nwb.session_description
            out["session_start_time"] = nwb.session_start_time.isoformat()
            units = nwb.units
            n = len(units)
            trains = [np.asarray(units["spike_times"][i], dtype=np.float64) for i in range(n)]
            electrodes = []
            for i in range(n):
                frame = units["electrodes"][i]
                electrodes.append(int(frame.index[0]) if len(frame) else -1)
            out["units"] = {
                "ids": [int(x) for x in units.id[:]],
                "spike_counts": [int(t.size) for t in trains],
                "spike_sums": [float(t.sum()) for t in trains],
                "spike_times": [[float(x) for x in t] for t in trains],
                "locations": [str(x) for x in units["location"][:]],
                "qualities": [str(x) for x in units["quality"][:]],
                "electrode_ids": electrodes,
            }
            series = {}
            for name, rrs in nwb.processing["ophys"]["Fluorescence"].roi_response_series.items():
                data = np.asarray(rrs.data[:], dtype=np.float64)
                series[name] = {
                    "shape": list(data.shape),
                    "sum": float(data.sum()),
                    "first_row": [float(x) for x in data[0]],
                    "rate": float(rrs.rate),
                    "starting_time": float(rrs.starting_time),
                    "roi_ids": [int(rrs.rois.table.id[r]) for r in rrs.rois.data[:]],
                    "roi_table": rrs.rois.table.name,
                }
            out["series"] = series
            ps = nwb.processing["ophys"]["ImageSegmentation"]["PlaneSegmentation"]
            out["plane_segmentation"] = {
                "colnames": list(ps.colnames),
                "ids": [int(x) for x in ps.id[:]],
                "label": [str(x) for x in ps["label"][:]],
                "iscell": [int(x) for x in ps["iscell"][:]],
                "cell_probability": [None if np.isnan(x) else float(x) for x in ps["cell_probability"][:]],
                "image_mask_shape": list(np.asarray(ps["image_mask"][:]).shape),
            }
    out["read_warnings"] = [f"{w.category.__name__}: {w.message}" for w in caught]
    with h5py.File(path, "r") as f:
        out["nwb_version"] = f.attrs["nwb_version"]
        refs = {}
        for obj, attr in [("units/spike_times_index", "target"), ("units/electrodes", "table"),
                          ("units/electrodes_index", "target"),
                          ("processing/ophys/Fluorescence/RoiResponseSeries/rois", "table")]:
            ref = f[obj].attrs[attr]
            assert isinstance(ref, h5py.Reference)
            refs[f"/{obj}@{attr}"] = f[ref].name
        group_refs = f["general/extracellular_ephys/electrodes/group"][()]
        assert all(isinstance(r, h5py.Reference) for r in group_refs)
        refs["/general/extracellular_ephys/electrodes/group"] = f[group_refs[0]].name
        out["references"] = refs
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        errors = pynwb.validate(path=path)
    out["validation"] = {"errors": [str(e) for e in errors],
                         "warnings": [f"{w.category.__name__}: {w.message}" for w in caught]}
    # The command-line validator too (it checks the cached namespaces first and says so).
    import subprocess
    import shutil as _shutil
    cli = _shutil.which("pynwb-validate")
    if cli:
        run = subprocess.run([cli, path], capture_output=True, text=True)
        lines = (run.stdout + run.stderr).replace(path, "<fixture>").splitlines()
        out["validation"]["cli"] = {"returncode": run.returncode,
                                    "output": [l.strip() for l in lines if l.strip() and not l.startswith("  warn(")]}
    return out


def write_swift_nwb_fixture(path):
    """Runs the Swift golden test that writes NWBWriterTests' fixture to `path`."""
    import subprocess
    env = dict(os.environ, NEUROSWIFT_NWB_FIXTURE=path)
    subprocess.run(["swift", "test", "--filter", "NWBWriterGoldenTests"], cwd=REPO, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    if not os.path.exists(path):
        raise SystemExit(f"the Swift test did not write {path}")


def swift_nwb_golden():
    import tempfile
    with tempfile.TemporaryDirectory() as scratch:
        path = os.path.join(scratch, "swift-written.nwb")
        write_swift_nwb_fixture(path)
        return read_swift_nwb(path)


def main():
    os.makedirs(FIX, exist_ok=True)
    golden = {"versions": {"numpy": np.__version__, "nibabel": nib.__version__, "h5py": h5py.__version__,
                           "pynwb": pynwb.__version__ if pynwb else None}}
    written = make_nifti_fixtures()
    golden["nifti_fixtures"] = {name: describe_nifti(path, True) for name, path in sorted(written.items())}
    golden["phy_small"] = make_phy_folder()
    if pynwb is not None:
        golden["swift_written_nwb"] = swift_nwb_golden()
    if os.path.isdir(SHARED):
        golden["nifti_real"] = {
            rel: describe_nifti(os.path.join(SHARED, rel), False)
            for rel in ["fmri/nitime/fmri1.nii.gz", "fmri/nibabel/example4d.nii.gz", "fmri/nibabel/functional.nii"]
        }
        golden["nwb"] = nwb_golden(os.path.join(SHARED, "spikes/phy-nwb/A8604-211122.nwb"))
        s2p = os.path.join(SHARED, "calcium/suite2p-plane0")
        F, Fneu, spks, iscell = (np.load(os.path.join(s2p, n + ".npy")) for n in ["F", "Fneu", "spks", "iscell"])
        neurons = [13, 82, 129]  # F − 0.7·Fneu stays positive (many ROIs of this file go negative)
        dff = {str(n): reference_dff(F[n], Fneu[n], 0.7, 30.0, 10.0, 8.0) for n in neurons}
        frames = [0, 1, 149, 150, 151, 1000, 1849, 1850, 1999]
        golden["suite2p"] = {
            "shape": list(F.shape), "F_sum": float(F.astype(np.float64).sum()), "Fneu_sum": float(Fneu.astype(np.float64).sum()),
            "spks_sum": float(spks.astype(np.float64).sum()), "iscell_count": int(iscell[:, 0].sum()),
            "prob_sum": float(iscell[:, 1].sum()), "F_first": [float(x) for x in F[0, :5]],
            "dff": {"frame_rate": 30.0, "window": 10.0, "percentile": 8.0, "coefficient": 0.7, "frames": frames,
                    "values": {k: [float(v[t]) for t in frames] for k, v in dff.items()}},
        }
        gh = {}
        for i in (1, 2):
            p = os.path.join(SHARED, f"spikes/grasshopper/grasshopper_spike_times{i}.txt")
            t = np.loadtxt(p, comments="#") * 1e-6
            gh[str(i)] = {"count": int(t.size), "first": float(t[0]), "last": float(t[-1]), "sum": float(t.sum())}
        golden["grasshopper"] = gh
        Y = np.loadtxt(os.path.join(SHARED, "spikes/allen-719161530/Y.csv"), delimiter=",")
        lab = np.loadtxt(os.path.join(SHARED, "spikes/allen-719161530/Lab_neuron.csv"), delimiter=",").astype(int)
        states = np.loadtxt(os.path.join(SHARED, "spikes/allen-719161530/Lab_states.csv"), delimiter=",").astype(int)
        golden["allen"] = {"shape": list(Y.shape), "total": float(Y.sum()), "row_sums": [float(x) for x in Y.sum(1)],
                           "label_counts": {str(k): int((lab == k).sum()) for k in sorted(set(lab))},
                           "state_counts": {str(k): int((states == k).sum()) for k in sorted(set(states))}}
    with open(OUT, "w") as f:
        json.dump(golden, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    import sys
    if "--swift-nwb-only" in sys.argv:
        # Part (c) alone: refresh swift_written_nwb in the existing JSON, leaving the rest as it is.
        with open(OUT) as f:
            existing = json.load(f)
        existing["swift_written_nwb"] = swift_nwb_golden()
        with open(OUT, "w") as f:
            json.dump(existing, f, indent=1, sort_keys=True)
            f.write("\n")
    else:
        main()
