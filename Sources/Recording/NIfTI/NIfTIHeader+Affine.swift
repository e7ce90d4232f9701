import Foundation

extension NIfTIHeader {
    /// The voxel → world affine, row-major 4×4, with nibabel's precedence (`get_best_affine`): the
    /// sform when `sform_code > 0`, else the qform when `qform_code > 0`, else the Analyze-style base
    /// affine from pixdim (x flipped, origin at the centre of the volume).
    public func bestAffine(file: String = "NIfTI") throws -> [Double] {
        if sformCode > 0 { return sformAffine }
        if qformCode > 0 { return try qformAffine(file: file) }
        return baseAffine
    }

    /// The sform rows completed with (0, 0, 0, 1).
    public var sformAffine: [Double] { srow + [0, 0, 0, 1] }

    /// The quaternion affine: `R(a, b, c, d) · diag(pixdim[1], pixdim[2], qfac·pixdim[3])` plus the
    /// offsets, where `a = √(1 − b² − c² − d²)` and `qfac = pixdim[0]` (−1 or else taken as 1).
    /// Throws when `b² + c² + d²` exceeds 1 by more than float32 rounding, or a pixdim is negative
    /// (as nibabel does).
    public func qformAffine(file: String = "NIfTI") throws -> [Double] {
        let b = quaternion[0], c = quaternion[1], d = quaternion[2]
        // nibabel's fillpositive: w² = 1 − |bcd|² in the header's precision (float32 for NIfTI-1,
        // which matters when w is small), tolerating float32 rounding below 0.
        var w2: Double
        if version == 1 {
            let fb = Float(b), fc = Float(c), fd = Float(d)
            w2 = Double(Float(1) - (fb * fb + fc * fc + fd * fd))
        } else {
            w2 = 1 - (b * b + c * c + d * d)
        }
        let eps = Double(Float.ulpOfOne) * 3
        guard w2.isFinite, w2 >= -eps else {
            throw ArrayFileError.invalidField(
                file: file, field: "quatern_b/c/d", expected: "a unit quaternion (b² + c² + d² ≤ 1)", found: "\(b), \(c), \(d)")
        }
        if w2 < 0 { w2 = 0 }
        let a = version == 1 ? Double(Float(w2).squareRoot()) : w2.squareRoot()
        // quat2mat: normalise by |q|² so a slightly non-unit quaternion still gives a rotation.
        let norm = a * a + b * b + c * c + d * d
        let s = norm > 1e-300 ? 2 / norm : 0
        let zooms = [pixdim[1], pixdim[2], pixdim[3]]
        guard zooms.allSatisfy({ $0.isFinite && $0 >= 0 }), qoffset.allSatisfy(\.isFinite) else {
            throw ArrayFileError.invalidField(
                file: file, field: "pixdim[1...3] / qoffset", expected: "finite values, sizes ≥ 0", found: "\(zooms), \(qoffset)")
        }
        let qfac: Double = pixdim[0] == -1 ? -1 : 1
        let r: [Double] = norm > 1e-300 ? [
            1 - s * (c * c + d * d), s * (b * c - a * d), s * (b * d + a * c),
            s * (b * c + a * d), 1 - s * (b * b + d * d), s * (c * d - a * b),
            s * (b * d - a * c), s * (c * d + a * b), 1 - s * (b * b + c * c),
        ] : [1, 0, 0, 0, 1, 0, 0, 0, 1]
        let z = [zooms[0], zooms[1], zooms[2] * qfac]
        var m = [Double](repeating: 0, count: 16)
        for i in 0..<3 {
            for j in 0..<3 { m[4 * i + j] = r[3 * i + j] * z[j] }
            m[4 * i + 3] = qoffset[i]
        }
        m[15] = 1
        return m
    }

    /// nibabel's `get_base_affine`: `diag(−dx, dy, dz)` with the origin at the volume's centre,
    /// extents and sizes beyond the rank taken as 1.
    public var baseAffine: [Double] {
        let shape = (0..<3).map { $0 < dimensions.count ? Double(dimensions[$0]) : 1 }
        let zooms = (0..<3).map { $0 < dimensions.count ? pixdim[$0 + 1] : 1 }
        let sign: [Double] = [-1, 1, 1]
        var m = [Double](repeating: 0, count: 16)
        for i in 0..<3 {
            m[4 * i + i] = sign[i] * zooms[i]
            m[4 * i + 3] = -(shape[i] - 1) / 2 * zooms[i] * sign[i]
        }
        m[15] = 1
        return m
    }

    /// Sets the sform from a row-major 4×4 affine (code 2, "aligned anatomy", unless given) and
    /// clears the qform, so readers use exactly this matrix.
    public mutating func setSform(_ affine: [Double], code: Int = 2) {
        precondition(affine.count == 16, "a 4×4 affine has 16 values")
        srow = Array(affine.prefix(12))
        sformCode = code
        qformCode = 0
        quaternion = [0, 0, 0]
        qoffset = [affine[3], affine[7], affine[11]]
    }
}
