#!/usr/bin/env python3
"""Fixtures and golden values for the BrainVision, EEGLAB and CSV readers.

Writes small BrainVision fixtures into Tests/RecordingTests/Fixtures/BrainVision/ (pybv for the
float32/int16 multiplexed ones, by hand for INT_32 vectorized and INT_32 multiplexed, which pybv
does not write) and Tests/RecordingTests/Goldens/eeg_formats.json with what the reference tools
read from them:

- BrainVision fixtures: MNE's read_raw_brainvision (preload=True): channel names, rate, sample
  count, per-channel sums and a few samples in volts, annotations (onset, duration, description),
  meas_date;
- ../shared/data/eeg/eeglab-tutorial/test_raw.set (when present): MNE's read_raw_eeglab, the same
  figures;
- the Muse CSV files in ../shared/data/eeg/muse-p300-subject1 (when present): plain Python (no
  numpy/pandas) from the text: row count, median timestamp interval, per-column sums in volts, a
  few samples, marker counts and the first markers.

Run from the repository root:  pip install mne pybv && python3 scripts/goldens/eeg_formats.py
"""
import csv
import datetime
import glob
import json
import os
import statistics
import struct

import mne
import numpy as np
import pybv

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
DATA = os.path.abspath(os.path.join(ROOT, "..", "shared", "data"))
FIXTURES = os.path.join(ROOT, "Tests", "RecordingTests", "Fixtures", "BrainVision")
OUT = os.path.join(ROOT, "Tests", "RecordingTests", "Goldens", "eeg_formats.json")


def sample_indices(n):
    n = int(n)
    return sorted({0, 1, n // 3, n // 2, n - 1})


def describe_raw(raw):
    data = raw.get_data()
    n = raw.n_times
    idx = sample_indices(n)
    ann = raw.annotations
    return {
        "channels": list(raw.ch_names),
        "types": raw.get_channel_types(),
        "rate": float(raw.info["sfreq"]),
        "samples": int(n),
        "sums": [float(x) for x in data.sum(axis=1)],
        "sample_indices": idx,
        "values": [[float(data[c, i]) for i in idx] for c in range(data.shape[0])],
        "annotations": [
            {"onset": float(o), "duration": float(d), "label": str(s)}
            for o, d, s in zip(ann.onset, ann.duration, ann.description)
        ],
        "meas_date": raw.info["meas_date"].isoformat() if raw.info["meas_date"] else None,
    }


# MARK: BrainVision fixtures

def write_pybv_fixtures():
    rng = np.random.default_rng(20240603)
    # float32, multiplexed, mixed units and resolutions, every marker type pybv writes.
    data = rng.normal(0, 20e-6, size=(4, 300))
    data[2] *= 50  # an mV-scale channel
    data[3] = 36.5 + rng.normal(0, 0.1, 300)  # temperature in °C, not scaled
    events = [
        {"onset": 10, "description": 1, "type": "Stimulus"},
        {"onset": 55, "description": 2, "type": "Stimulus", "duration": 5},
        {"onset": 120, "description": 12, "type": "Response"},
        {"onset": 250, "description": "hello", "type": "Comment", "duration": 3},
    ]
    pybv.write_brainvision(
        data=data, sfreq=500, ch_names=["Fp1", "Cz", "EOG left", "Temp"], fname_base="float32_mux",
        folder_out=FIXTURES, overwrite=True, events=events, resolution=np.array([0.1, 0.5, 0.01, 1]),
        unit=["µV", "µV", "mV", "°C"], fmt="binary_float32",
        meas_date=datetime.datetime(2021, 3, 4, 5, 6, 7, 890123, tzinfo=datetime.timezone.utc))
    # int16, multiplexed.
    data = rng.normal(0, 30e-6, size=(3, 200))
    pybv.write_brainvision(
        data=data, sfreq=250, ch_names=["O1", "O2", "Pz"], fname_base="int16_mux", folder_out=FIXTURES,
        overwrite=True, events=np.array([[5, 1], [100, 3], [150, 1]]), resolution=0.1, unit="µV",
        fmt="binary_int16")


def write_int32_fixture(base, orientation):
    """INT_32 data written by hand (pybv does not write INT_32 or VECTORIZED files)."""
    rng = np.random.default_rng(7 if orientation == "VECTORIZED" else 8)
    n_ch, n = 3, 160
    ints = rng.integers(-2_000_000, 2_000_000, size=(n_ch, n), dtype=np.int32)
    ints[0, 0] = np.iinfo(np.int32).min + 1
    ints[1, 1] = np.iinfo(np.int32).max
    names = ["C3,A1", "C4", "Trig"]
    units = ["µV", "nV", "uV"]
    resolutions = ["0.01", "2", ""]
    channel_lines = [
        f"Ch{i + 1}={names[i].replace(',', chr(92) + '1')},,{resolutions[i]},{units[i]}" for i in range(n_ch)
    ]
    vhdr = "\r\n".join([
        "Brain Vision Data Exchange Header File Version 1.0",
        "; Data created by hand for NeuroSwift tests",
        "",
        "[Common Infos]",
        "Codepage=UTF-8",
        f"DataFile={base}.eeg",
        f"MarkerFile={base}.vmrk",
        "DataFormat=BINARY",
        f"DataOrientation={orientation}",
        "DataType=TIMEDOMAIN",
        f"NumberOfChannels={n_ch}",
        f"DataPoints={n}",
        "SamplingInterval=3906.25",
        "",
        "[Binary Infos]",
        "BinaryFormat=INT_32",
        "",
        "[Channel Infos]",
        "; Ch<Channel number>=<Name>,<Reference channel name>,<Resolution in \"Unit\">,<Unit>",
        *channel_lines,
        "",
        "[Comment]",
        "Free text: [not a section] key=value is ignored here.",
        "",
    ])
    vmrk = "\r\n".join([
        "Brain Vision Data Exchange Marker File, Version 1.0",
        "",
        "[Common Infos]",
        "Codepage=UTF-8",
        f"DataFile={base}.eeg",
        "",
        "[Marker Infos]",
        "; Mk<Marker number>=<Type>,<Description>,<Position in data points>,<Size in data points>,"
        "<Channel number (0 = marker is related to all channels)>",
        "Mk1=New Segment,,1,1,0,20200102030405678901",
        "Mk2=Stimulus,S  1,17,1,0",
        "Mk3=Response,R\\1 2,40,0,2",
        "Mk4=New Segment,,81,1,0,20200102030415678901",
        "Mk5=Stimulus,S 15,150,4,0",
        "",
    ])
    with open(os.path.join(FIXTURES, base + ".vhdr"), "w", encoding="utf-8", newline="") as f:
        f.write(vhdr)
    with open(os.path.join(FIXTURES, base + ".vmrk"), "w", encoding="utf-8", newline="") as f:
        f.write(vmrk)
    order = "C" if orientation == "VECTORIZED" else "F"  # channels × samples, row- or column-major
    with open(os.path.join(FIXTURES, base + ".eeg"), "wb") as f:
        f.write(ints.astype("<i4").tobytes(order=order))


def brainvision_goldens():
    os.makedirs(FIXTURES, exist_ok=True)
    write_pybv_fixtures()
    write_int32_fixture("int32_vec", "VECTORIZED")
    write_int32_fixture("int32_mux", "MULTIPLEXED")
    out = {}
    for base in ["float32_mux", "int16_mux", "int32_vec", "int32_mux"]:
        raw = mne.io.read_raw_brainvision(os.path.join(FIXTURES, base + ".vhdr"), preload=True, verbose="error")
        out[base] = describe_raw(raw)
    return out


# MARK: EEGLAB

EEGLAB_FIXTURES = os.path.join(ROOT, "Tests", "RecordingTests", "Fixtures", "EEGLAB")


def write_eeglab_fixtures():
    """Two tiny .set files written with scipy: fields as top-level variables with embedded data
    (numeric and text event types, durations), and an `EEG` struct variable with an .fdt file."""
    import scipy.io
    os.makedirs(EEGLAB_FIXTURES, exist_ok=True)
    rng = np.random.default_rng(99)
    data = rng.normal(0, 15, size=(3, 100))  # µV
    chanlocs = np.array([("Fz",), ("Cz",), ("EOG1",)], dtype=[("labels", "O")]).reshape(1, 3)
    event = np.array(
        [(1.0, 10.5, 0.0), ("stim", 50.0, 5.0), (2.0, 90.0, 0.0)],
        dtype=[("type", "O"), ("latency", "O"), ("duration", "O")]).reshape(1, 3)
    scipy.io.savemat(os.path.join(EEGLAB_FIXTURES, "embedded.set"), {
        "setname": "embedded", "nbchan": 3.0, "trials": 1.0, "pnts": 100.0, "srate": 200.0,
        "data": data, "chanlocs": chanlocs, "event": event,
    }, format="5", do_compression=True)
    samples = rng.normal(0, 40, size=(2, 64)).astype("<f4")
    samples.T.copy().tofile(os.path.join(EEGLAB_FIXTURES, "external.fdt"))  # column-major: frames of channels
    chanlocs = np.array([("O1",), ("O2",)], dtype=[("labels", "O")]).reshape(1, 2)
    event = np.array([("boundary", 33.0)], dtype=[("type", "O"), ("latency", "O")]).reshape(1, 1)
    eeg = {"nbchan": 2.0, "trials": 1.0, "pnts": 64.0, "srate": 128.0, "data": "external.fdt",
           "chanlocs": chanlocs, "event": event}
    scipy.io.savemat(os.path.join(EEGLAB_FIXTURES, "external.set"), {"EEG": eeg}, format="5")


def write_bad_eeglab_fixtures():
    """Tiny corrupt .set files for the bad-input table (one defect each)."""
    import scipy.io
    folder = os.path.join(EEGLAB_FIXTURES, "bad")
    os.makedirs(folder, exist_ok=True)
    base = {"nbchan": 2.0, "trials": 1.0, "pnts": 4.0, "srate": 100.0, "data": np.zeros((2, 4))}
    variants = {
        "epoched": {"trials": 3.0, "data": np.zeros((2, 4, 3))},
        "zero_rate": {"srate": 0.0},
        "no_nbchan": {"nbchan": None},
        "shape_mismatch": {"data": np.zeros((2, 3))},
        "chanlocs_mismatch": {"chanlocs": np.array([("A",)], dtype=[("labels", "O")]).reshape(1, 1)},
        "fractional_pnts": {"pnts": 4.5},
    }
    for name, change in variants.items():
        fields = {**base, **change}
        fields = {k: v for k, v in fields.items() if v is not None}
        scipy.io.savemat(os.path.join(folder, name + ".set"), fields, format="5")


def eeglab_fixture_goldens():
    write_eeglab_fixtures()
    write_bad_eeglab_fixtures()
    out = {}
    for base in ["embedded", "external"]:
        raw = mne.io.read_raw_eeglab(os.path.join(EEGLAB_FIXTURES, base + ".set"), preload=True, verbose="error")
        out[base] = describe_raw(raw)
    return out


def eeglab_goldens():
    path = os.path.join(DATA, "eeg", "eeglab-tutorial", "test_raw.set")
    if not os.path.exists(path):
        return None
    raw = mne.io.read_raw_eeglab(path, preload=True, verbose="error")
    return {"file": "eeg/eeglab-tutorial/test_raw.set", **describe_raw(raw)}


# MARK: CSV (plain Python from the text)

def muse_goldens():
    files = sorted(glob.glob(os.path.join(DATA, "eeg", "muse-p300-subject1", "**", "*.csv"), recursive=True))
    out = []
    for path in files:
        with open(path, newline="") as f:
            rows = list(csv.reader(f))
        header, body = rows[0], rows[1:]
        stamps = [float(r[0]) for r in body]
        intervals = [b - a for a, b in zip(stamps, stamps[1:])]
        median = statistics.median(intervals)
        signal_columns = header[1:-1]
        columns = [[float(r[1 + c]) * 1e-6 for r in body] for c in range(len(signal_columns))]
        markers = [float(r[-1]) for r in body]
        n = len(body)
        idx = sample_indices(n)
        counts = {}
        first = []
        for i, m in enumerate(markers):
            if m != 0:
                label = str(int(m)) if m == int(m) else repr(m)
                counts[label] = counts.get(label, 0) + 1
                if len(first) < 5:
                    first.append({"row": i, "onset": stamps[i] - stamps[0], "label": label})
        out.append({
            "file": os.path.relpath(path, DATA),
            "channels": signal_columns,
            "samples": n,
            "median_interval": median,
            "rate": 1 / median,
            "first_timestamp": stamps[0],
            "sums": [sum(col) for col in columns],
            "sample_indices": idx,
            "values": [[col[i] for i in idx] for col in columns],
            "marker_counts": counts,
            "first_markers": first,
        })
    return out


def main():
    out = {
        "tools": {"mne": mne.__version__, "pybv": pybv.__version__, "numpy": np.__version__},
        "brainvision": brainvision_goldens(),
        "eeglab": eeglab_goldens(),
        "eeglab_fixtures": eeglab_fixture_goldens(),
        "muse": muse_goldens(),
    }
    with open(OUT, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
