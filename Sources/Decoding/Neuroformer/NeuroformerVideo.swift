import Foundation

/// A grey video on its own clock, resampled to the frame stream's layout of one frame per spike bin.
///
/// Videos are rarely sampled at the spike bin rate (the reference's are 20 fps against 10 ms bins), so
/// each bin shows the frame on screen at the bin's start: frame ⌊(t_bin − start) · frameRate⌋. Without a
/// frame rate, frame k is bin k and the video must have exactly one frame per bin.
public struct NeuroformerVideo: Sendable, Equatable {
    public let frames: Int
    public let height: Int
    public let width: Int
    /// `frames × height × width` grey values, frame-major then row-major.
    public let pixels: [Float]
    /// Frames per second; nil: one frame per spike bin.
    public let frameRate: Double?
    /// Time of frame 0 on the spikes' clock, seconds (nil: the raster's first bin).
    public let start: Double?

    public init(frames: Int, height: Int, width: Int, pixels: [Float], frameRate: Double? = nil, start: Double? = nil) throws {
        guard frames >= 1, height >= 1, width >= 1, pixels.count == frames * height * width else {
            throw NeuroformerError.shapeMismatch(
                what: "video", expected: "frames × height × width values with every size ≥ 1",
                found: "\(pixels.count) values for \(frames) × \(height) × \(width)")
        }
        if let frameRate { try ParameterError.check(frameRate > 0 && frameRate.isFinite, "frameRate", expected: "> 0 frames per second", found: frameRate) }
        if let start { try ParameterError.check(start.isFinite, "start", expected: "a finite time in seconds", found: start) }
        self.frames = frames
        self.height = height
        self.width = width
        self.pixels = pixels
        self.frameRate = frameRate
        self.start = start
    }

    /// The frame each bin of `raster` shows, as `raster.bins × height × width` values (the `framesPerBin`
    /// input of `NeuroformerDataset` and `generate`). Throws when the video does not cover every bin.
    public func framesPerBin(for raster: SpikeRaster) throws -> [Float] {
        let pixelsPerFrame = height * width
        guard let frameRate else {
            guard frames == raster.bins else {
                throw NeuroformerError.shapeMismatch(
                    what: "frames", expected: "one per spike bin (\(raster.bins)), or a frame rate", found: "\(frames) frames")
            }
            return pixels
        }
        let origin = start ?? raster.start
        // The small tolerance keeps a bin that starts exactly on a frame boundary on that frame despite rounding.
        func frame(_ bin: Int) -> Int { Int(((raster.start + Double(bin) * raster.binWidth - origin) * frameRate + 1e-9).rounded(.down)) }
        let first = frame(0), last = frame(raster.bins - 1)
        guard first >= 0, last < frames else {
            let end = raster.start + Double(raster.bins) * raster.binWidth
            throw NeuroformerError.shapeMismatch(
                what: "frames", expected: String(format: "a video covering the spikes (%.3f–%.3f s: frames %d…%d at %g fps)", raster.start, end, first, last, frameRate),
                found: String(format: "%d frames from %.3f s", frames, origin))
        }
        var out = [Float](repeating: 0, count: raster.bins * pixelsPerFrame)
        out.withUnsafeMutableBufferPointer { o in
            pixels.withUnsafeBufferPointer { p in
                for b in 0..<raster.bins {
                    let f = frame(b)
                    for k in 0..<pixelsPerFrame { o[b &* pixelsPerFrame &+ k] = p[f &* pixelsPerFrame &+ k] }
                }
            }
        }
        return out
    }

    /// Mean and standard deviation of all pixels (the standardisation a model stores with its frame stream).
    public var pixelStatistics: (mean: Double, scale: Double) {
        var sum = 0.0, squares = 0.0
        for v in pixels { sum += Double(v); squares += Double(v) * Double(v) }
        let n = Double(pixels.count), mean = sum / n
        let sd = max(squares / n - mean * mean, 0).squareRoot()
        return (mean, sd > 0 ? sd : 1)
    }
}
