import Testing
@testable import Recording

@Suite struct ChannelTests {
    @Test(arguments: [("uV", 1e-6), ("µV", 1e-6), ("mV", 1e-3), ("V", 1.0), ("nV", 1e-9)])
    func unitScalesToSI(unit: String, factor: Double) {
        #expect(Channel(name: "Fz", kind: .eeg, originalUnit: unit).scaleToSI == factor)
    }

    @Test func unknownUnitHasNoScale() {
        #expect(Channel(name: "T", kind: .misc, originalUnit: "degC").scaleToSI == nil)
    }

    @Test func kindFromLabelPrefix() {
        #expect(ChannelKind(inferringFrom: "EOG left") == .eog)
        #expect(ChannelKind(inferringFrom: "EEG Fpz-Cz") == .eeg)
        #expect(ChannelKind(inferringFrom: "STI 014") == .stimulus)
        #expect(ChannelKind(inferringFrom: "Fp1") == .eeg)
    }
}
