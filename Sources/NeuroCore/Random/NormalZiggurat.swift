import RealModule

/// Tables for the 256-layer ziggurat of the standard normal (Marsaglia & Tsang 2000, "The ziggurat
/// method for generating random variables", J. Stat. Softw. 5(8)).
///
/// The density's upper half f(x) = exp(−x²/2) is covered by 255 horizontal rectangles and a base strip
/// (a rectangle plus the tail beyond r), all of the same area v. A draw picks a layer uniformly, a
/// point uniformly in its rectangle, and accepts at once when the point lies under the curve's inner
/// edge (about 99% of draws); otherwise it tests the wedge exactly or samples the tail exactly, so the
/// method is exact, not an approximation. The tables are built once from r and v, which close the
/// recursion to within 2·10⁻¹⁶ (checked in the tests).
struct NormalZiggurat: Sendable {
    /// Right edge of the base rectangle; the tail starts here.
    static let r = 3.6541528853610088

    /// xs[i] is the right edge of layer i (xs[0] the base strip's pseudo-width v/f(r), xs[256] = 0).
    let xs: [Double]
    /// fs[i] = f(xs[i]), with fs[0] = f(r) and fs[256] = 1.
    let fs: [Double]
    /// The common area of the layers.
    let area: Double

    static let shared = NormalZiggurat()

    init() {
        let r = NormalZiggurat.r
        let f = { (x: Double) in Double.exp(-0.5 * x * x) }
        // Area of the base strip: rectangle [0, r] × [0, f(r)] plus the tail ∫_r^∞ f.
        let v = r * f(r) + (Double.pi / 2).squareRoot() * Double.erfc(r / 2.0.squareRoot())
        var xs = [Double](repeating: 0, count: 257)
        var fs = [Double](repeating: 0, count: 257)
        xs[0] = v / f(r)
        fs[0] = f(r)
        xs[1] = r
        fs[1] = f(r)
        for i in 1..<255 {
            // Layer i spans heights f(xs[i]) … f(xs[i+1]) with width xs[i] and area v.
            let next = (-2 * Double.log(v / xs[i] + fs[i])).squareRoot()
            xs[i + 1] = next
            fs[i + 1] = f(next)
        }
        xs[256] = 0
        fs[256] = 1
        self.xs = xs
        self.fs = fs
        self.area = v
    }
}

extension SeededGenerator {
    /// A standard normal draw by the ziggurat method (exact; about 1.01 words of randomness per draw).
    ///
    /// The layer index comes from the low 8 bits of a word, the sign from bit 8 and the abscissa from
    /// the top 53 bits, so the three are independent (avoiding the correlation Doornik 2005 found in
    /// the original, which reused bits). No spare value is cached: the generator stays a pure value
    /// whose state is only the xoshiro words.
    public mutating func standardNormal() -> Double {
        let table = NormalZiggurat.shared
        while true {
            let bits = next()
            let layer = Int(truncatingIfNeeded: bits & 0xFF)
            let negative = bits & 0x100 != 0
            let u = Double(topBits53(bits)) * 0x1.0p-53
            let x = u * table.xs[layer]
            if x < table.xs[layer &+ 1] { return negative ? -x : x }
            if layer == 0 {
                // Tail beyond r (Marsaglia 1964): r + a with a ~ Exp(r), accepted w.p. exp(−a²/2).
                let r = NormalZiggurat.r
                while true {
                    let a = -Double.log(nextOpenUnitInterval()) / r
                    let b = -Double.log(nextOpenUnitInterval())
                    if 2 * b > a * a { return negative ? -(r + a) : r + a }
                }
            }
            // Wedge: a uniform height in the layer's band, accepted under the curve.
            let low = table.fs[layer]
            let y = low + nextUnitInterval() * (table.fs[layer &+ 1] - low)
            if y < Double.exp(-0.5 * x * x) { return negative ? -x : x }
        }
    }
}
