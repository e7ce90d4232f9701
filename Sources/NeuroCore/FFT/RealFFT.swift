import ComplexModule
import Synchronization

/// Forward and inverse FFT of real signals of one length, on FFTW.
///
/// `forward` returns the n/2+1 non-negative-frequency coefficients (numpy's `rfft`); `inverse`
/// takes them back to n reals and divides by n (numpy's `irfft`), so `inverse(forward(x)) == x`.
/// The plans and their SIMD-aligned buffers live as long as the value; make one per length and
/// reuse it. Calls on one instance are serialised by an internal lock, so an instance may be shared
/// between tasks; for parallel throughput give each task its own.
public final class RealFFT<Scalar: FFTScalar>: @unchecked Sendable {
    public let count: Int
    /// n/2+1: the number of complex coefficients.
    public var spectrumCount: Int { count / 2 + 1 }

    private let real: UnsafeMutablePointer<Scalar>
    private let complex: UnsafeMutablePointer<Scalar>
    private let forwardPlan: OpaquePointer
    private let inversePlan: OpaquePointer
    private let executing = Mutex<Void>(())

    public init(count: Int, planning: FFTPlanning = .estimate) {
        precondition(count > 0 && count <= Int(Int32.max), "RealFFT: length must be in 1...Int32.max, got \(count)")
        self.count = count
        real = Scalar.allocate(count)
        complex = Scalar.allocate(2 * (count / 2 + 1))
        real.initialize(repeating: 0, count: count)
        complex.initialize(repeating: 0, count: 2 * (count / 2 + 1))
        var forward: OpaquePointer?
        var inverse: OpaquePointer?
        let (r, c, n, flags) = (real, complex, Int32(count), planning.flags)
        fftwPlannerLock.withLock { _ in
            forward = Scalar.planForward(n, r, c, flags)
            inverse = Scalar.planInverse(n, c, r, flags)
        }
        guard let forward, let inverse else { fatalError("FFTW could not plan a transform of length \(count)") }
        forwardPlan = forward
        inversePlan = inverse
    }

    deinit {
        let (f, i) = (forwardPlan, inversePlan)
        fftwPlannerLock.withLock { _ in
            Scalar.destroy(f)
            Scalar.destroy(i)
        }
        Scalar.release(real)
        Scalar.release(complex)
    }

    /// The spectrum of `signal` (length `count`), as interleaved (re, im) pairs written to `output`
    /// (2·spectrumCount values). The allocation-free form for hot loops.
    @_specialize(exported: true, where Scalar == Double)
    @_specialize(exported: true, where Scalar == Float)
    public func forward(_ signal: UnsafeBufferPointer<Scalar>, into output: UnsafeMutableBufferPointer<Scalar>) {
        precondition(signal.count == count, "RealFFT.forward: signal of \(signal.count), plan for \(count)")
        precondition(output.count >= 2 * spectrumCount, "RealFFT.forward: output too small")
        executing.withLock { _ in
            real.update(from: signal.baseAddress!, count: count)
            Scalar.execute(forwardPlan)
            output.baseAddress!.update(from: complex, count: 2 * spectrumCount)
        }
    }

    /// The n/2+1 complex coefficients Σₜ x[t]·e^(−2πikt/n), k = 0…n/2.
    @_specialize(exported: true, where Scalar == Double)
    @_specialize(exported: true, where Scalar == Float)
    public func forward(_ signal: [Scalar]) -> [Complex<Scalar>] {
        var interleaved = [Scalar](repeating: 0, count: 2 * spectrumCount)
        signal.withUnsafeBufferPointer { s in interleaved.withUnsafeMutableBufferPointer { forward(s, into: $0) } }
        return (0..<spectrumCount).map { Complex(interleaved[2 &* $0], interleaved[2 &* $0 &+ 1]) }
    }

    /// The real signal with these n/2+1 coefficients, divided by n (numpy `irfft` convention).
    /// The imaginary parts of the DC and (for even n) Nyquist terms are ignored, as in numpy.
    @_specialize(exported: true, where Scalar == Double)
    @_specialize(exported: true, where Scalar == Float)
    public func inverse(_ spectrum: [Complex<Scalar>]) -> [Scalar] {
        precondition(spectrum.count == spectrumCount, "RealFFT.inverse: \(spectrum.count) coefficients, plan needs \(spectrumCount)")
        var signal = [Scalar](repeating: 0, count: count)
        let scale = 1 / Scalar(count)
        executing.withLock { _ in
            for (k, z) in spectrum.enumerated() {
                complex[2 &* k] = z.real
                complex[2 &* k &+ 1] = z.imaginary
            }
            Scalar.execute(inversePlan)
            for t in 0..<count { signal[t] = real[t] * scale }
        }
        return signal
    }

    /// |X[k]|² for k = 0…n/2, computed without materialising complex values.
    @_specialize(exported: true, where Scalar == Double)
    @_specialize(exported: true, where Scalar == Float)
    public func squaredMagnitudes(_ signal: UnsafeBufferPointer<Scalar>, into output: UnsafeMutableBufferPointer<Scalar>) {
        precondition(signal.count == count, "RealFFT: signal of \(signal.count), plan for \(count)")
        precondition(output.count >= spectrumCount, "RealFFT.squaredMagnitudes: output too small")
        executing.withLock { _ in
            real.update(from: signal.baseAddress!, count: count)
            Scalar.execute(forwardPlan)
            for k in 0..<spectrumCount {
                let re = complex[2 &* k]
                let im = complex[2 &* k &+ 1]
                output[k] = re * re + im * im
            }
        }
    }
}
