import Foundation
import Testing
import TestSupport
@testable import Recording

/// The README's Recording example, run on the shared data, so the documentation cannot rot.
@Suite struct ReadmeExampleTests {
    @Test(.enabled(if: SharedData.isAvailable, "needs ../shared/data"))
    func recordingExampleRuns() throws {
        let edf = try #require(SharedData.file("eeg/eegmmidb-S001/S001R04.edf"))
        let nwb = try #require(SharedData.file("spikes/phy-nwb/A8604-211122.nwb"))
        let nifti = try #require(SharedData.file("fmri/nitime/fmri1.nii.gz"))

        // --- README example (keep in sync) ---
        let raw = try RecordingFile.open(edf)                           // EDF/BDF, BrainVision, EEGLAB, CSV, HDF5
        let mu = try raw.filtered(band: .bandpass(8, 30))               // zero-phase FIR, as MNE designs it
        let cut = try mu.epochs(EpochingConfiguration(tmin: 0.5, tmax: 2.5, labels: ["T1", "T2"], baseline: nil))
        let covariances = try cut.epochs!.covariances(estimator: .ledoitWolf)
        let units = try NWBFile.open(nwb).units()                       // SpikeTrains, times in seconds
        let counts = try units.binned(width: 0.5)                       // SpikeCounts, units × bins
        let bold = try NIfTIFile.read(nifti).volumeSeries()             // x·y·z·t, affine as nibabel
        // --- end of README example ---

        #expect(raw.channelCount == 64 && raw.samplingRate == 160)
        #expect(covariances.count == 15 && covariances[0].matrix.rows == 64)
        #expect(counts.matrix().rows == 3)
        #expect(bold.spatialShape == [10, 10, 18])
    }
}
