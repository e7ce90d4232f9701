import NeuroCore
import ComplexModule

extension FIRFilter {
    /// Filters at or below this length are applied by direct convolution, longer ones by FFT
    /// overlap-add (where the O(n log n) transform beats the O(n·length) sum).
    static let directConvolutionLimit = 64

    /// The causal filter output `y[k] = Σⱼ taps[j]·x[k−j]` over the input's length (scipy's
    /// `lfilter(taps, 1, x)`), plus `initialState[k]` added to the first `length − 1` outputs
    /// (lfilter's `zi` in transposed direct form II).
    public func apply(_ x: [Double], initialState: [Double]? = nil) -> [Double] {
        var y = taps.count <= FIRFilter.directConvolutionLimit
            ? FIRFilter.convolveDirect(taps, x) : FIRFilter.convolveOverlapAdd(taps, x)
        if let initialState {
            precondition(initialState.count == taps.count - 1, "initialState needs length − 1 values")
            for i in 0..<min(initialState.count, y.count) { y[i] += initialState[i] }
        }
        return y
    }

    /// The steady state of the filter's step response (scipy's `lfilter_zi(taps, 1)`):
    /// zi[i] = Σ_{j>i} taps[j], so a constant input of 1 gives a constant output from the start.
    public var stepInitialState: [Double] {
        var zi = [Double](repeating: 0, count: taps.count - 1)
        var running = 0.0
        for i in stride(from: taps.count - 2, through: 0, by: -1) {
            running += taps[i + 1]
            zi[i] = running
        }
        return zi
    }

    /// Zero-phase filtering, `scipy.signal.filtfilt(taps, [1], x)` with its defaults: odd
    /// extension by 3·length samples, forward pass started from the step steady state scaled by
    /// the first sample, backward pass likewise from the last output, extension removed.
    /// The magnitude response is squared and the delay cancels. Throws when the signal is not
    /// longer than the padding.
    public func filtfilt(_ x: [Double]) throws -> [Double] {
        let edge = try checkedPadding(taps: taps.count, signalLength: x.count)
        let ext = oddExtension(x, edge: edge)
        let zi = stepInitialState
        var y = apply(ext, initialState: zi.map { $0 * ext[0] })
        let last = y[y.count - 1]
        y.reverse()
        y = apply(y, initialState: zi.map { $0 * last })
        y.reverse()
        return Array(y[edge ..< edge + x.count])
    }

    // MARK: Convolution

    static func convolveDirect(_ h: [Double], _ x: [Double]) -> [Double] {
        let (n, m) = (x.count, h.count)
        var y = [Double](repeating: 0, count: n)
        h.withUnsafeBufferPointer { h in
            x.withUnsafeBufferPointer { x in
                y.withUnsafeMutableBufferPointer { y in
                    for k in 0..<n {
                        var s = 0.0
                        let top = min(k, m - 1)
                        var j = 0
                        while j <= top {
                            s += h[j] * x[k &- j]
                            j &+= 1
                        }
                        y[k] = s
                    }
                }
            }
        }
        return y
    }

    /// Causal convolution truncated to x's length by FFT overlap-add: blocks of B samples are
    /// zero-padded to a power of two N ≥ B + m − 1, multiplied by the filter's spectrum and the
    /// N-sample results added at their offsets.
    static func convolveOverlapAdd(_ h: [Double], _ x: [Double]) -> [Double] {
        let (n, m) = (x.count, h.count)
        var size = 1
        while size < min(4 * m, n + m - 1) || size < m { size <<= 1 }
        while size < 2 * m { size <<= 1 }
        let block = size - m + 1
        let fft = RealFFT<Double>(count: size)
        let bins = fft.spectrumCount
        var buffer = [Double](repeating: 0, count: size)
        var filterSpectrum = [Double](repeating: 0, count: 2 * bins)
        var spectrum = [Double](repeating: 0, count: 2 * bins)
        for j in 0..<m { buffer[j] = h[j] }
        buffer.withUnsafeBufferPointer { b in filterSpectrum.withUnsafeMutableBufferPointer { fft.forward(b, into: $0) } }
        var y = [Double](repeating: 0, count: n)
        var start = 0
        while start < n {
            let count = min(block, n - start)
            for i in 0..<size { buffer[i] = i < count ? x[start &+ i] : 0 }
            buffer.withUnsafeBufferPointer { b in spectrum.withUnsafeMutableBufferPointer { fft.forward(b, into: $0) } }
            var product = [Complex<Double>](repeating: .zero, count: bins)
            for k in 0..<bins {
                let (ar, ai) = (spectrum[2 &* k], spectrum[2 &* k &+ 1])
                let (br, bi) = (filterSpectrum[2 &* k], filterSpectrum[2 &* k &+ 1])
                product[k] = Complex(ar * br - ai * bi, ar * bi + ai * br)
            }
            let piece = fft.inverse(product)
            let end = min(n, start + size)
            for i in start..<end { y[i] += piece[i &- start] }
            start += block
        }
        return y
    }
}
