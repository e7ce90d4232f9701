import ComplexModule
import Foundation
import NeuroCore
import RealModule

/// One biquad: H(z) = (b0 + b1 z⁻¹ + b2 z⁻²) / (1 + a1 z⁻¹ + a2 z⁻²) (a0 normalised to 1).
public struct Biquad: Sendable, Hashable {
    public let b0, b1, b2, a1, a2: Double

    /// A section from its six coefficients in scipy's `sos` row order `[b0, b1, b2, a0, a1, a2]`;
    /// divides by a0, which must be non-zero.
    public init(_ row: [Double]) throws {
        try ParameterError.check(row.count == 6, "section", expected: "6 coefficients [b0 b1 b2 a0 a1 a2]", found: row.count)
        try ParameterError.check(row.allSatisfy(\.isFinite), "section", expected: "finite coefficients", found: row)
        try ParameterError.check(row[3] != 0, "section", expected: "a0 ≠ 0", found: row)
        let a0 = row[3]
        (b0, b1, b2, a1, a2) = (row[0] / a0, row[1] / a0, row[2] / a0, row[4] / a0, row[5] / a0)
    }

    /// `[b0, b1, b2, 1, a1, a2]`, scipy's row.
    public var row: [Double] { [b0, b1, b2, 1, a1, a2] }
}

/// An IIR filter as a cascade of second-order sections (scipy's `sos` form), which stays
/// numerically stable at orders where the expanded transfer function loses the poles in rounding.
public struct SecondOrderSections: Sendable, Hashable {
    public let sections: [Biquad]

    public init(sections: [Biquad]) throws {
        try ParameterError.check(!sections.isEmpty, "sections", expected: "at least one section", found: "none")
        self.sections = sections
    }

    /// The sections as an n × 6 array of rows `[b0, b1, b2, 1, a1, a2]`.
    public var rows: [[Double]] { sections.map(\.row) }

    /// A digital Butterworth filter, `scipy.signal.butter(order, edges, btype, output='sos', fs=samplingRate)`:
    /// the analog prototype's poles −exp(iπm/2N), m = −N+1, −N+3, …, N−1, moved to the band by
    /// lp2lp/lp2hp/lp2bp/lp2bs at edges prewarped to 4·tan(π·f/fs), mapped by the bilinear
    /// transform, and paired into sections nearest-first like `zpk2sos(pairing='nearest')`,
    /// with the gain in the first section. Bandpass and bandstop filters have 2·order poles.
    public static func butterworth(order: Int, band: FilterBand, samplingRate: Double) throws -> SecondOrderSections {
        try band.validate(samplingRate: samplingRate)
        try ParameterError.check(order >= 1 && order <= 64, "order", expected: "1…64", found: order)
        let n = order
        // Analog lowpass prototype, cutoff 1 rad/s.
        var p: [Complex<Double>] = (0..<n).map { i in
            let theta = Double.pi * Double(-n + 1 + 2 * i) / Double(2 * n)
            return Complex(-Double.cos(theta), -Double.sin(theta))
        }
        var z: [Complex<Double>] = []
        var k = 1.0
        // Prewarp with scipy's internal fs = 2: warped = 2·fs·tan(π·Wn/fs), Wn relative to Nyquist.
        let warped = band.edges.map { 4 * Double.tan(Double.pi * (2 * $0 / samplingRate) / 2) }
        let degree = p.count - z.count
        func product(_ values: [Complex<Double>]) -> Complex<Double> { values.reduce(Complex(1, 0)) { $0 * $1 } }
        switch band {
        case .lowpass:
            let wo = warped[0]
            z = z.map { $0 * Complex(wo) }
            p = p.map { $0 * Complex(wo) }
            k *= Double.pow(wo, Double(degree))
        case .highpass:
            let wo = warped[0]
            k *= (product(z.map { -$0 }) / product(p.map { -$0 })).real
            z = z.map { Complex(wo) / $0 } + Array(repeating: .zero, count: degree)
            p = p.map { Complex(wo) / $0 }
        case .bandpass:
            let bw = warped[1] - warped[0]
            let wo = (warped[0] * warped[1]).squareRoot()
            func split(_ values: [Complex<Double>]) -> [Complex<Double>] {
                let scaled = values.map { $0 * Complex(bw / 2) }
                let roots = scaled.map { Complex.sqrt($0 * $0 - Complex(wo * wo)) }
                return zip(scaled, roots).map { $0 + $1 } + zip(scaled, roots).map { $0 - $1 }
            }
            z = split(z) + Array(repeating: .zero, count: degree)
            p = split(p)
            k *= Double.pow(bw, Double(degree))
        case .bandstop:
            let bw = warped[1] - warped[0]
            let wo = (warped[0] * warped[1]).squareRoot()
            func split(_ values: [Complex<Double>]) -> [Complex<Double>] {
                let inverted = values.map { Complex(bw / 2) / $0 }
                let roots = inverted.map { Complex.sqrt($0 * $0 - Complex(wo * wo)) }
                return zip(inverted, roots).map { $0 + $1 } + zip(inverted, roots).map { $0 - $1 }
            }
            k *= (product(z.map { -$0 }) / product(p.map { -$0 })).real
            z = split(z) + Array(repeating: Complex(0, wo), count: degree) + Array(repeating: Complex(0, -wo), count: degree)
            p = split(p)
        }
        // Bilinear transform with fs = 2 (fs2 = 4).
        let fs2 = Complex<Double>(4)
        let digitalDegree = p.count - z.count
        k *= (product(z.map { fs2 - $0 }) / product(p.map { fs2 - $0 })).real
        z = z.map { (fs2 + $0) / (fs2 - $0) } + Array(repeating: Complex(-1), count: digitalDegree)
        p = p.map { (fs2 + $0) / (fs2 - $0) }
        return try SecondOrderSections(sections: ZPKPairing.sections(zeros: z, poles: p, gain: k))
    }

    /// A second-order IIR notch at `frequency` with quality factor `q` (−3 dB width = frequency/q),
    /// `scipy.signal.iirnotch(frequency, q, fs=samplingRate)` as one section. For 50/60 Hz line
    /// noise, q ≈ 30 removes about ±1 Hz.
    public static func notch(frequency: Double, qualityFactor q: Double = 30, samplingRate: Double) throws -> SecondOrderSections {
        try FilterBand.lowpass(frequency).validate(samplingRate: samplingRate)
        try ParameterError.check(q.isFinite && q > 0, "qualityFactor", expected: "a finite value > 0", found: q)
        let w0 = 2 * frequency / samplingRate
        let bw = w0 / q * Double.pi
        let w = w0 * Double.pi
        // beta = sqrt(1 − gb²)/gb · tan(bw/2) with gb = 1/√2 (−3 dB), i.e. tan(bw/2).
        let gb = 1 / 2.0.squareRoot()
        let beta = ((1 - gb * gb).squareRoot() / gb) * Double.tan(bw / 2)
        let gain = 1 / (1 + beta)
        let c = Double.cos(w)
        return try SecondOrderSections(sections: [
            Biquad([gain, -2 * c * gain, gain, 1, -2 * gain * c, 2 * gain - 1]),
        ])
    }
}

/// scipy's `zpk2sos(z, p, k, pairing='nearest')` for digital filters: poles closest to the unit
/// circle go last, each pole (with its conjugate, or the next real pole) takes the nearest zeros.
/// Reproducing the pairing and order makes the coefficients, not only the response, match scipy.
enum ZPKPairing {
    static func sections(zeros: [Complex<Double>], poles: [Complex<Double>], gain: Double) throws -> [Biquad] {
        var z = zeros
        var p = poles
        if z.isEmpty && p.isEmpty { return [try Biquad([gain, 0, 0, 1, 0, 0])] }
        p += Array(repeating: .zero, count: max(z.count - p.count, 0))
        z += Array(repeating: .zero, count: max(p.count - z.count, 0))
        let sectionCount = (max(p.count, z.count) + 1) / 2
        if p.count % 2 == 1 {
            p.append(.zero)
            z.append(.zero)
        }
        z = try conjugatePairsThenReals(z)
        p = try conjugatePairsThenReals(p)

        func isReal(_ c: Complex<Double>) -> Bool { c.imaginary == 0 }
        func worst(_ values: [Complex<Double>]) -> Int {
            var best = 0
            for i in values.indices where abs(1 - values[i].length) < abs(1 - values[best].length) { best = i }
            return best
        }
        enum Kind { case any, real, complex }
        /// The index of the value of `kind` nearest to `target` (first of equals, as a stable sort).
        func nearest(_ values: [Complex<Double>], to target: Complex<Double>, _ kind: Kind) -> Int {
            var best: Int? = nil
            for i in values.indices {
                switch kind {
                case .real where !isReal(values[i]), .complex where isReal(values[i]): continue
                default: break
                }
                if best == nil || (values[i] - target).length < (values[best!] - target).length { best = i }
            }
            return best!
        }
        func section(_ zs: [Complex<Double>], _ ps: [Complex<Double>]) throws -> Biquad {
            // b = poly(zs), a = poly(ps), right-aligned in the 3-coefficient rows.
            func poly(_ r: [Complex<Double>]) -> [Double] {
                switch r.count {
                case 0: return [0, 0, 1]
                case 1: return [0, 1, -r[0].real]
                default: return [1, -(r[0] + r[1]).real, (r[0] * r[1]).real]
                }
            }
            return try Biquad(poly(zs) + poly(ps))
        }

        var out = [Biquad?](repeating: nil, count: sectionCount)
        for si in stride(from: sectionCount - 1, through: 0, by: -1) {
            let p1 = p.remove(at: worst(p))
            let realPolesLeft = p.filter(isReal).count
            if isReal(p1) && realPolesLeft == 0 {
                // Last remaining real pole: pair with the nearest real zero (and a pole/zero at 0).
                let z1 = z.remove(at: nearest(z, to: p1, .real))
                out[si] = try section([z1, .zero], [p1, .zero])
            } else if p.count + 1 == z.count && !isReal(p1) && realPolesLeft == 1 && z.filter(isReal).count == 1 {
                // One real pole and one real zero left: this complex pole must take a complex zero.
                let z1 = z.remove(at: nearest(z, to: p1, .complex))
                out[si] = try section([z1, z1.conjugate], [p1, p1.conjugate])
            } else {
                let p2: Complex<Double>
                if isReal(p1) {
                    let realIndices = p.indices.filter { isReal(p[$0]) }
                    let chosen = realIndices[worst(realIndices.map { p[$0] })]
                    p2 = p.remove(at: chosen)
                } else {
                    p2 = p1.conjugate
                }
                if !z.isEmpty {
                    let z1 = z.remove(at: nearest(z, to: p1, .any))
                    if !isReal(z1) {
                        out[si] = try section([z1, z1.conjugate], [p1, p2])
                    } else if !z.isEmpty {
                        let z2 = z.remove(at: nearest(z, to: p1, .real))
                        out[si] = try section([z1, z2], [p1, p2])
                    } else {
                        out[si] = try section([z1], [p1, p2])
                    }
                } else {
                    out[si] = try section([], [p1, p2])
                }
            }
        }
        var result = out.map { $0! }
        let first = result[0]
        result[0] = try Biquad([first.b0 * gain, first.b1 * gain, first.b2 * gain, 1, first.a1, first.a2])
        return result
    }

    /// scipy's `_cplxreal` then concatenation: one member (positive imaginary part) of each
    /// conjugate pair sorted by real part then |imag|, followed by the real values sorted.
    static func conjugatePairsThenReals(_ values: [Complex<Double>]) throws -> [Complex<Double>] {
        if values.isEmpty { return [] }
        let tol = 100 * Double.ulpOfOne
        let sorted = values.enumerated().sorted { x, y in
            let (a, b) = (x.element, y.element)
            if a.real != b.real { return a.real < b.real }
            if abs(a.imaginary) != abs(b.imaginary) { return abs(a.imaginary) < abs(b.imaginary) }
            return x.offset < y.offset
        }.map(\.element)
        let isReal = sorted.map { abs($0.imaginary) <= tol * $0.length }
        let reals = zip(sorted, isReal).filter { $0.1 }.map { Complex($0.0.real) }
        let complexes = zip(sorted, isReal).filter { !$0.1 }.map(\.0)
        var positive = complexes.filter { $0.imaginary > 0 }
        var negative = complexes.filter { $0.imaginary < 0 }
        guard positive.count == negative.count else {
            throw ParameterError("zeros/poles", expected: "complex values in conjugate pairs", found: values)
        }
        // Within runs of (nearly) equal real parts, order by |imag| (stable).
        var start = 0
        while start < positive.count {
            var stop = start
            while stop + 1 < positive.count && positive[stop + 1].real - positive[stop].real <= tol * positive[stop].length {
                stop += 1
            }
            if stop > start {
                positive[start...stop].sort { abs($0.imaginary) < abs($1.imaginary) }
                negative[start...stop].sort { abs($0.imaginary) < abs($1.imaginary) }
            }
            start = stop + 1
        }
        for (a, b) in zip(positive, negative) where (a - b.conjugate).length > tol * b.length {
            throw ParameterError("zeros/poles", expected: "complex values in conjugate pairs", found: values)
        }
        let pairs = zip(positive, negative).map { ($0 + $1.conjugate) / 2 }
        return pairs + reals
    }
}
