/// Sliding windows over frames: window k covers frames [k·step, k·step + length).
public struct SlidingWindow: Sendable, Hashable, Codable {
    /// Frames per window.
    public let length: Int
    /// Frames between the starts of consecutive windows.
    public let step: Int

    /// - Throws: `ParameterError` unless 2 ≤ length and 1 ≤ step.
    public init(length: Int, step: Int) throws {
        try ParameterError.check(length >= 2, "length", expected: "≥ 2 frames", found: length)
        try ParameterError.check(step >= 1, "step", expected: "≥ 1 frame", found: step)
        self.length = length
        self.step = step
    }

    /// Windows given in seconds, rounded to whole frames at `frameRate`.
    public init(seconds: Double, stepSeconds: Double, frameRate: Double) throws {
        try self.init(
            length: Int((seconds * frameRate).rounded()), step: max(1, Int((stepSeconds * frameRate).rounded())))
    }

    /// Number of complete windows in `frames` frames (0 when the recording is shorter than a window).
    public func count(frames: Int) -> Int { frames < length ? 0 : (frames - length) / step + 1 }

    /// First frame of window `k`.
    public func start(_ k: Int) -> Int { k * step }

    /// Centre of window `k` in frames (for plotting temporal factors against time).
    public func centre(_ k: Int) -> Double { Double(k * step) + Double(length - 1) / 2 }
}
