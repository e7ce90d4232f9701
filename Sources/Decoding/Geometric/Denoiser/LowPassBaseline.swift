import Foundation
import NeuroCore
import Recording

/// The baseline every denoising claim must beat: a zero-phase Butterworth low-pass (4th order,
/// 30 Hz by default, applied forward and backward with `SecondOrderSections.filtfilt`).
public struct LowPassBaseline: Sendable, Hashable {
    public var cutoff: Double
    public var order: Int

    public init(cutoff: Double = 30, order: Int = 4) {
        self.cutoff = cutoff
        self.order = order
    }

    public func denoise(_ segment: [Double], samplingRate: Double) throws -> [Double] {
        let filter = try SecondOrderSections.butterworth(order: order, band: .lowpass(cutoff), samplingRate: samplingRate)
        return try filter.filtfilt(segment)
    }
}
