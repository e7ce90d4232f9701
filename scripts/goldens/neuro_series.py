#!/usr/bin/env python3
"""Fixture and golden values for the series / covariate readers in Sources/Recording.

Regenerate (from the repository root; needs numpy, h5py, pynwb 4):

    python3 scripts/goldens/neuro_series.py

(a) Writes Tests/RecordingTests/Fixtures/NWB-series.nwb with pynwb: an electrodes table, a raw
    ElectricalSeries (int16 data, conversion, offset, channel_conversion, starting_time + rate), an
    LFP ElectricalSeries with evenly spaced timestamps, ophys Fluorescence and DfOverF
    RoiResponseSeries, and behavioural Position (SpatialSeries) and speed (TimeSeries). Tiny. Also
    Fixtures/NIfTI-atlas.nii, a label atlas on the grid of NIfTI-gzip.nii.gz, with numpy's region means.
(b) Records what pynwb reads from it (values already in physical units, computed the way NWB
    defines them: data * conversion * channel_conversion + offset), and, when ../shared/data exists,
    what plain numpy reads from the nelpy `trajectory.videoPositionTracking` file and what h5py reads
    from the Flavell `gcamp/trace_array` + `timing/timestamp_confocal`, into
    Tests/RecordingTests/Goldens/neuro_series.json.
"""
import datetime
import json
import os

import h5py
import nibabel as nib
import numpy as np
import pynwb
from pynwb import NWBHDF5IO, NWBFile, TimeSeries
from pynwb.behavior import Position, SpatialSeries
from pynwb.ecephys import LFP, ElectricalSeries
from pynwb.ophys import DfOverF, Fluorescence, ImageSegmentation, OpticalChannel, RoiResponseSeries

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIX = os.path.join(REPO, "Tests", "RecordingTests", "Fixtures", "NWB-series.nwb")
OUT = os.path.join(REPO, "Tests", "RecordingTests", "Goldens", "neuro_series.json")
SHARED = os.path.abspath(os.path.join(REPO, "..", "shared", "data"))


def write_fixture():
    rng = np.random.default_rng(4)
    nwb = NWBFile(session_description="NeuroSwift series fixture", identifier="neuroswift-series",
                  session_start_time=datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc))
    device = nwb.create_device(name="probe")
    group = nwb.create_electrode_group(name="shank0", description="depth electrode", location="hippocampus", device=device)
    nwb.add_electrode_column(name="label", description="contact label")
    for i, loc in enumerate(["CA1", "CA1", "DG", "CA3"]):
        nwb.add_electrode(group=group, location=loc, label=f"LH{i + 1}", x=float(i), y=0.0, z=0.0)
    region = nwb.create_electrode_table_region([3, 0, 2], "three contacts")
    raw = rng.integers(-2000, 2000, size=(40, 3)).astype(np.int16)
    nwb.add_acquisition(ElectricalSeries(
        name="ElectricalSeries", data=raw, electrodes=region, starting_time=1.5, rate=1000.0,
        conversion=2.5e-6, offset=1e-3, channel_conversion=[1.0, 2.0, 0.5]))
    ecephys = nwb.create_processing_module(name="ecephys", description="LFP")
    lfp_region = nwb.create_electrode_table_region([0, 1], "two contacts")
    lfp_data = rng.normal(size=(30, 2)) * 1e-4
    ecephys.add(LFP(electrical_series=ElectricalSeries(
        name="LFP", data=lfp_data, electrodes=lfp_region, timestamps=10.0 + np.arange(30) / 250.0)))

    optical = OpticalChannel(name="green", description="GCaMP", emission_lambda=520.0)
    plane = nwb.create_imaging_plane(
        name="plane0", optical_channel=optical, description="plane", device=device, excitation_lambda=920.0,
        imaging_rate=30.0, indicator="GCaMP6f", location="V1")
    seg = ImageSegmentation()
    ps = seg.create_plane_segmentation(name="PlaneSegmentation", description="rois", imaging_plane=plane)
    for i in range(5):
        mask = np.zeros((8, 8))
        mask[i, i] = 1
        ps.add_roi(image_mask=mask)
    ophys = nwb.create_processing_module(name="ophys", description="ophys")
    ophys.add(seg)
    rois = ps.create_roi_table_region(region=[0, 2, 3, 4], description="four rois")
    fl = rng.uniform(100, 200, size=(25, 4)).astype(np.float32)
    ophys.add(Fluorescence(roi_response_series=RoiResponseSeries(
        name="RoiResponseSeries", data=fl, rois=rois, unit="a.u.", rate=30.0, starting_time=0.0)))
    dff = rng.normal(size=(25, 4))
    ophys.add(DfOverF(roi_response_series=RoiResponseSeries(
        name="RoiResponseSeries", data=dff, rois=rois, unit="n.a.", timestamps=np.sort(rng.uniform(0, 1, 25)))))

    behavior = nwb.create_processing_module(name="behavior", description="behaviour")
    pos = rng.uniform(0, 100, size=(20, 2))
    behavior.add(Position(spatial_series=SpatialSeries(
        name="position", data=pos, reference_frame="corner", unit="cm", conversion=0.01,
        timestamps=np.cumsum(rng.uniform(0.01, 0.05, 20)))))
    behavior.add(TimeSeries(name="speed", data=rng.uniform(0, 5, 20), unit="m/s", rate=20.0, starting_time=2.0))
    with NWBHDF5IO(FIX, "w") as io:
        io.write(nwb, cache_spec=False)


def write_atlas():
    """A 3×2×2 label atlas on the grid of NIfTI-gzip.nii.gz (3×2×2×5) and numpy's region means."""
    series = nib.load(os.path.join(os.path.dirname(FIX), "NIfTI-gzip.nii.gz"))
    labels = np.array([0, 1, 1, 2, 2, 2, 7, 0, 1, 7, 7, 2], dtype=np.int16).reshape((3, 2, 2), order="F")
    nib.save(nib.Nifti1Image(labels, series.affine), os.path.join(os.path.dirname(FIX), "NIfTI-atlas.nii"))
    data = series.get_fdata()
    return {"labels": [1, 2, 7], "voxel_counts": [int((labels == l).sum()) for l in (1, 2, 7)],
            "means": [data[labels == l].mean(axis=0).tolist() for l in (1, 2, 7)]}


def read_fixture():
    out = {}
    with NWBHDF5IO(FIX, "r") as io:
        nwb = io.read()
        es = nwb.acquisition["ElectricalSeries"]
        d = es.data[:].astype(np.float64) * es.conversion * np.asarray(es.channel_conversion)[None, :] + es.offset
        el = nwb.electrodes.to_dataframe()
        rows = list(es.electrodes.data[:])
        out["electrical"] = {
            "shape": list(d.shape), "rate": es.rate, "starting_time": es.starting_time, "rows": [int(r) for r in rows],
            "labels": [el["label"].iloc[r] for r in rows], "locations": [el["location"].iloc[r] for r in rows],
            "values": d.T.ravel().tolist()}
        lfp = nwb.processing["ecephys"]["LFP"]["LFP"]
        ts = lfp.timestamps[:]
        out["lfp"] = {"shape": list(lfp.data.shape), "rate": float((len(ts) - 1) / (ts[-1] - ts[0])), "starting_time": float(ts[0]),
                      "values": lfp.data[:].T.ravel().tolist()}
        fl = nwb.processing["ophys"]["Fluorescence"]["RoiResponseSeries"]
        out["fluorescence"] = {"shape": list(fl.data.shape), "rate": fl.rate, "rois": [int(r) for r in fl.rois.data[:]],
                               "values": fl.data[:].astype(np.float64).T.ravel().tolist()}
        df = nwb.processing["ophys"]["DfOverF"]["RoiResponseSeries"]
        out["dff"] = {"shape": list(df.data.shape), "timestamps": df.timestamps[:].tolist(),
                      "values": df.data[:].T.ravel().tolist()}
        p = nwb.processing["behavior"]["Position"]["position"]
        out["position"] = {"timestamps": p.timestamps[:].tolist(), "unit": p.unit,
                           "values": (p.data[:] * p.conversion).T.ravel().tolist()}
        s = nwb.processing["behavior"]["speed"]
        out["speed"] = {"timestamps": (s.starting_time + np.arange(len(s.data)) / s.rate).tolist(), "values": s.data[:].tolist()}
        out["series_paths"] = sorted([
            "/acquisition/ElectricalSeries", "/processing/ecephys/LFP/LFP", "/processing/ophys/Fluorescence/RoiResponseSeries",
            "/processing/ophys/DfOverF/RoiResponseSeries", "/processing/behavior/Position/position", "/processing/behavior/speed"])
    return out


def nelpy_position():
    path = os.path.join(SHARED, "spikes", "nelpy-linear-track", "trajectory.videoPositionTracking")
    if not os.path.exists(path):
        return None
    raw = open(path, "rb").read()
    end = raw.index(b"<End settings>\n") + len(b"<End settings>\n")
    rec = np.frombuffer(raw[end:], dtype=[("time", "<u4"), ("xloc", "<u2"), ("yloc", "<u2"), ("xloc2", "<u2"), ("yloc2", "<u2")])
    t = rec["time"].astype(np.float64) / 30000.0
    cols = {n: rec[n].astype(np.float64) for n in ["xloc", "yloc", "xloc2", "yloc2"]}
    return {"header_bytes": end, "count": int(len(rec)), "first_times": t[:5].tolist(), "last_time": float(t[-1]),
            "time_sum": float(t.sum()), "first_rows": {n: c[:5].tolist() for n, c in cols.items()},
            "sums": {n: float(c.sum()) for n, c in cols.items()}, "last_rows": {n: float(c[-1]) for n, c in cols.items()}}


def flavell():
    path = os.path.join(SHARED, "calcium", "flavell-swf702", "2022-07-26-31-data.h5")
    if not os.path.exists(path):
        return None
    with h5py.File(path, "r") as f:
        a = f["gcamp/trace_array"][:]
        t = f["timing/timestamp_confocal"][:]
    return {"file": "calcium/flavell-swf702/2022-07-26-31-data.h5", "shape": list(a.shape),
            "abs_sum": float(np.abs(a).sum()), "square_sum": float((a ** 2).sum()),
            "neuron_abs_sums": np.abs(a).sum(axis=0)[:5].tolist(), "first_frame": a[0, :5].tolist(),
            "timestamps_first": t[:3].tolist(), "timestamps_last": float(t[-1]),
            "mean_rate": float((len(t) - 1) / (t[-1] - t[0]))}


if __name__ == "__main__":
    write_fixture()
    golden = {"versions": {"numpy": np.__version__, "h5py": h5py.__version__, "pynwb": pynwb.__version__, "nibabel": nib.__version__},
              "nwb": read_fixture(), "atlas": write_atlas(), "position": nelpy_position(), "flavell": flavell()}
    with open(OUT, "w") as fh:
        json.dump(golden, fh, indent=1)
    print("wrote", OUT, "and", FIX, os.path.getsize(FIX), "bytes")
