import Foundation
import Testing
import TestSupport
@testable import Recording

/// Decoded `Goldens/neuro_formats.json` (written by scripts/goldens/neuro_formats.py).
struct NeuroFormatsGolden: Decodable {
    struct NIfTI: Decodable {
        let shape: [Int]
        let datatype: Int
        let bitpix: Int
        let version: Int
        let big_endian: Bool
        let affine: [Double]
        let pixdim: [Double]
        let xyzt_units: Int
        let qform_code: Int
        let sform_code: Int
        let extensions: [[Extension]]
        let sum: Double?
        let sum_of_squares: Double?
        let values: [Double]?
        let raw: [RawValue]?
        let raw_imag: [Double]?
        let voxels: [[Voxel]]?
        let volume_sums: [Double]?
    }

    /// An extension entry is `[code, content]` in JSON.
    enum Extension: Decodable {
        case code(Int), text(String)
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let i = try? c.decode(Int.self) { self = .code(i) } else { self = .text(try c.decode(String.self)) }
        }
    }

    /// A voxel entry is `[[x, y, z, t], value]`.
    enum Voxel: Decodable {
        case index([Int]), value(Double)
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let i = try? c.decode([Int].self) { self = .index(i) } else { self = .value(try c.decode(Double.self)) }
        }
    }

    /// Raw values are exact decimal strings for integers and floats, or plain numbers for RGB.
    enum RawValue: Decodable {
        case text(String), number(Double)
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let d = try? c.decode(Double.self) { self = .number(d) } else { self = .text(try c.decode(String.self)) }
        }
        var double: Double {
            switch self {
            case .number(let d): return d
            case .text(let s): return Double(s)!
            }
        }
        var text: String? { if case .text(let s) = self { return s } else { return nil } }
    }

    struct NWB: Decodable {
        struct Epochs: Decodable { let start: [Double]; let stop: [Double]; let tags: [String] }
        struct Binned: Decodable { let row_sums: [Double]; let first_bins: [[Double]]; let bin_count: Int }
        struct PSTH: Decodable { let events: [Double]; let window: [Double]; let bin_width: Double; let mean_rate: [[Double]] }
        let unit_ids: [Int]
        let spike_counts: [Int]
        let first_times: [[Double]]
        let last_times: [Double]
        let sums: [Double]
        let electrode_count: Int
        let electrode_group_names: [String]
        let electrode_x_sum: Double
        let electrode_y_sum: Double
        let epochs: Epochs
        let binned_1s: Binned
        let psth: PSTH
        let pynwb_spike_counts: [Int]?
    }

    struct Suite2p: Decodable {
        struct DFF: Decodable {
            let frame_rate: Double
            let window: Double
            let percentile: Double
            let coefficient: Double
            let frames: [Int]
            let values: [String: [Double]]
        }
        let shape: [Int]
        let F_sum: Double
        let Fneu_sum: Double
        let spks_sum: Double
        let iscell_count: Int
        let prob_sum: Double
        let F_first: [Double]
        let dff: DFF
    }

    struct SpikeText: Decodable { let count: Int; let first: Double; let last: Double; let sum: Double }
    struct Allen: Decodable {
        let shape: [Int]
        let total: Double
        let row_sums: [Double]
        let label_counts: [String: Int]
        let state_counts: [String: Int]
    }
    struct Phy: Decodable { let sample_rate: Double; let groups: [String: String]; let units: [String: [Double]] }

    let versions: [String: String?]
    let nifti_fixtures: [String: NIfTI]
    let nifti_real: [String: NIfTI]?
    let nwb: NWB?
    let suite2p: Suite2p?
    let grasshopper: [String: SpikeText]?
    let allen: Allen?
    let phy_small: Phy

    static let shared: NeuroFormatsGolden = {
        do { return try Goldens.load(NeuroFormatsGolden.self, named: "neuro_formats", in: Bundle.module) } catch {
            fatalError("cannot load Goldens/neuro_formats.json: \(error)")
        }
    }()

    static func fixture(_ name: String) -> URL {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures") else {
            fatalError("missing fixture \(name)")
        }
        return url
    }
}

/// Element-wise closeness with a relative tolerance.
func close(_ a: Double, _ b: Double, rel: Double = 1e-12, abs tolerance: Double = 1e-12) -> Bool {
    Swift.abs(a - b) <= Swift.max(tolerance, rel * Swift.max(Swift.abs(a), Swift.abs(b)))
}
