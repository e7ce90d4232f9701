import Foundation

/// The electrodes table of an NWB file (`/general/extracellular_ephys/electrodes`).
public struct NWBElectrodeTable: Sendable, Hashable {
    public let ids: [Int]
    /// `location` (brain region) per electrode; empty strings when the file leaves them blank.
    public let locations: [String]
    /// `group_name` per electrode (the `group` column itself holds object references).
    public let groupNames: [String]
    /// x, y, z when present (NaN-free as stored), else nil.
    public let x: [Double]?
    public let y: [Double]?
    public let z: [Double]?
    public var count: Int { ids.count }
}

/// An NWB `TimeIntervals` table (`/intervals/epochs`, `/intervals/trials`, …).
public struct NWBIntervals: Sendable, Hashable {
    public let name: String
    public let ids: [Int]
    /// Start and stop times in seconds.
    public let startTimes: [Double]
    public let stopTimes: [Double]
    /// Tags per interval (the ragged `tags` column), empty lists when there is none.
    public let tags: [[String]]
    public var count: Int { ids.count }

    /// The intervals as annotations (label = the tags joined by ",", or the table name).
    public func annotations() throws -> Annotations {
        try Annotations(zip(startTimes.indices, startTimes).map { i, start in
            Annotation(onset: start, duration: stopTimes[i] - start, label: tags[i].isEmpty ? name : tags[i].joined(separator: ","))
        })
    }
}
