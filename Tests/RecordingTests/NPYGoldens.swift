import Foundation
import Testing
import TestSupport
@testable import Recording

/// Decoded `Goldens/arrays.json` (written by scripts/goldens/arrays.py) and fixture lookup.
struct ArraysGolden: Decodable {
    struct Array: Decodable {
        let shape: [Int]
        let dtype: String
        let values: [Double]
        let imag: [Double]?
        let exact: [String]?
        let fortran_order: Bool?
        let version: [Int]?
    }

    struct NPZ: Decodable {
        let names: [String]
        let arrays: [String: Array]
    }

    /// A value as scipy.io.loadmat returns it.
    final class MATEntry: Decodable, Sendable {
        let kind: String
        let shape: [Int]
        let dtype: String?
        let values: [Double]?
        let imag: [Double]?
        let exact: [String]?
        let rows: [String]?
        let fields: [String]?
        let structElements: [[String: MATEntry]]?
        let cellElements: [MATEntry]?
        let dense: Array?

        enum CodingKeys: String, CodingKey { case kind, shape, dtype, values, imag, exact, rows, fields, elements, dense }

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            kind = try c.decode(String.self, forKey: .kind)
            shape = try c.decode([Int].self, forKey: .shape)
            dtype = try c.decodeIfPresent(String.self, forKey: .dtype)
            values = try c.decodeIfPresent([Double].self, forKey: .values)
            imag = try c.decodeIfPresent([Double].self, forKey: .imag)
            exact = try c.decodeIfPresent([String].self, forKey: .exact)
            rows = try c.decodeIfPresent([String].self, forKey: .rows)
            fields = try c.decodeIfPresent([String].self, forKey: .fields)
            dense = try c.decodeIfPresent(Array.self, forKey: .dense)
            structElements = kind == "struct" ? try c.decode([[String: MATEntry]].self, forKey: .elements) : nil
            cellElements = kind == "cell" ? try c.decode([MATEntry].self, forKey: .elements) : nil
        }
    }

    struct MATFixture: Decodable {
        let names: [String]
        let variables: [String: MATEntry]
    }

    struct Summary: Decodable {
        struct Element: Decodable { let index: [Int]; let value: Double }
        let shape: [Int]
        let dtype: String
        let sum: Double
        let elements: [Element]
    }

    struct Nelpy: Decodable {
        struct Unit: Decodable { let path: [Int]; let count: Int; let sum: Double; let first: Double? }
        let names: [String]
        let structs: [Unit]
        let units: Int
        let spikes: Int
        let tetrodes: [Int]
    }

    struct Triplett: Decodable {
        struct Element: Decodable { let shape: [Int]; let dtype: String; let sum: Double; let matlab_dtype: String }
        struct Cell: Decodable { let shape: [Int]; let elements: [Element] }
        let names: [String]
        let activity_matrix: Summary
        let cell_coordinates: Summary
        let detected_assemblies: Cell
    }

    struct EEGLAB: Decodable {
        struct Events: Decodable { let shape: [Int]; let fields: [String]; let types: [String]; let latencies: [Double] }
        let names: [String]
        let fields: [String]
        let nbchan, srate, pnts, trials, xmax: Double
        let setname, datfile: String
        let times, icaweights: Summary
        let events: Events
        let comments_rows: Int
    }

    struct Real: Decodable {
        let suite2p: [String: Summary]?
        let nelpy: Nelpy?
        let triplett: Triplett?
        let eeglab: EEGLAB?
    }

    struct MATBigEndian: Decodable {
        let x: Array
        let k: Array
        let name: String
        let stVal: Double
        enum CodingKeys: String, CodingKey { case x, k, name, stVal = "st.val" }
    }

    struct MATSection: Decodable {
        let plain: MATFixture
        let compressed: MATFixture
        let bigEndian: MATBigEndian
        enum CodingKeys: String, CodingKey {
            case plain = "v5_plain.mat", compressed = "v5_compressed.mat", bigEndian = "v5_bigendian.mat"
        }
    }

    let versions: [String: String]
    let npy: [String: Array]
    let npz: [String: NPZ]
    let mat: MATSection
    let real: Real

    static let shared: ArraysGolden = {
        do { return try Goldens.load(ArraysGolden.self, named: "arrays", in: Bundle.module) } catch {
            fatalError("cannot load Goldens/arrays.json: \(error)")
        }
    }()

    static func fixture(_ name: String) -> URL {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures") else {
            fatalError("missing fixture \(name)")
        }
        return url
    }

    static func fixtureBytes(_ name: String) -> [UInt8] {
        [UInt8]((try? Data(contentsOf: fixture(name))) ?? Data())
    }
}

/// The numpy dtype string of an element type (little-endian, as the goldens record them after load).
func numpyDtype(_ type: NumericElementType) -> String {
    NPYHeader.descr(for: type)
}

/// Compares an array to a golden description: shape, dtype (ignoring byte order) and every value.
func expectMatches(_ array: NumericArray, _ golden: ArraysGolden.Array, _ label: String,
                   sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(array.shape == golden.shape, "\(label) shape", sourceLocation: sourceLocation)
    #expect(numpyDtype(array.elementType).dropFirst() == golden.dtype.dropFirst(), "\(label) dtype \(array.elementType) vs \(golden.dtype)", sourceLocation: sourceLocation)
    #expect(array.doubles == golden.values, "\(label) values", sourceLocation: sourceLocation)
    if let imag = golden.imag { #expect(array.imaginaryDoubles == imag, "\(label) imaginary", sourceLocation: sourceLocation) }
    if let exact = golden.exact {
        #expect(array.values(as: UInt64.self)?.map { String($0) } == exact, "\(label) exact", sourceLocation: sourceLocation)
    }
}

/// Compares summary statistics (shape, sum, picked elements) of a large array.
func expectMatches(_ array: NumericArray, _ golden: ArraysGolden.Summary, _ label: String, relative: Double = 1e-9,
                   sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(array.shape == golden.shape, "\(label) shape", sourceLocation: sourceLocation)
    let sum = array.doubles.reduce(0, +)
    #expect(abs(sum - golden.sum) <= relative * max(1, abs(golden.sum)), "\(label) sum \(sum) vs \(golden.sum)", sourceLocation: sourceLocation)
    for e in golden.elements {
        var linear = 0
        for (i, d) in zip(e.index, array.shape) { linear = linear * d + i }
        #expect(array.element(atLinear: linear) == e.value, "\(label) element \(e.index)", sourceLocation: sourceLocation)
    }
}
