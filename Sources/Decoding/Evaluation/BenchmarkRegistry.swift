import Foundation
import NeuroCore
import Recording

/// A named decoding pipeline that the benchmark and `neuroswift decode eeg` can build.
public struct BenchmarkPipeline: Sendable {
    /// Command-line name, e.g. "ts-lr".
    public let name: String
    public let summary: String
    public let make: @Sendable () -> any EpochClassifier

    public init(name: String, summary: String, make: @escaping @Sendable () -> any EpochClassifier) {
        self.name = name
        self.summary = summary
        self.make = make
    }

    /// OAS covariances → tangent space at the Riemannian mean → L2 logistic regression (C = 1).
    public static let tangentSpaceLR = BenchmarkPipeline(
        name: "ts-lr", summary: "OAS covariance → Riemannian tangent space → logistic regression (C=1)") {
            TangentSpaceLogisticRegression()
        }
    /// OAS covariances → minimum distance to the Riemannian class means.
    public static let mdm = BenchmarkPipeline(
        name: "mdm", summary: "OAS covariance → minimum distance to Riemannian class means") {
            MinimumDistanceToMean()
        }
    /// Six CSP filters (log average power) → LDA.
    public static let cspLDA = BenchmarkPipeline(
        name: "csp-lda", summary: "CSP (6 filters, log power) → LDA") {
            CSPLDA()
        }
    /// Log band powers → channel kNN graph → Laplacian eigenmap → Ricci flow → graph convolution.
    public static let ricciGCN = BenchmarkPipeline(
        name: "ricci-gcn", summary: "band powers → channel graph → eigenmap + Ricci flow → GCN") {
            RicciGCNClassifier()
        }
}

/// Where a benchmark data set comes from.
public struct BenchmarkDataset: Sendable {
    public enum Score: String, Sendable, Hashable {
        case accuracy
        case rocAUC = "roc-auc"
    }

    public let name: String
    public let summary: String
    /// The headline score (MOABB: ROC-AUC for two-class paradigms; here accuracy unless stated).
    public let score: Score
    public let scheme: CrossValidationScheme
    /// Prepend training ERP prototypes to each trial (evoked-response paradigms).
    public let erpPrototypes: Bool
    /// The trials, or nil when the data are not available (missing shared data).
    public let load: @Sendable (_ dataRoot: URL, _ seed: UInt64) throws -> GroupedEpochs?

    public init(name: String, summary: String, score: Score, scheme: CrossValidationScheme, erpPrototypes: Bool = false,
                load: @escaping @Sendable (_ dataRoot: URL, _ seed: UInt64) throws -> GroupedEpochs?) {
        self.name = name
        self.summary = summary
        self.score = score
        self.scheme = scheme
        self.erpPrototypes = erpPrototypes
        self.load = load
    }

    /// A simulated two-class covariance scenario (methods note §5.2), small enough for seconds.
    public static func simulated(_ name: String, effect: CovarianceScenario.Effect, trialsPerClass: Int = 60) -> BenchmarkDataset {
        BenchmarkDataset(
            name: name, summary: "simulated 14-channel trials, \(effect), \(trialsPerClass) per class", score: .accuracy,
            scheme: .stratifiedKFold(folds: 5)) { _, seed in
                let epochs = try CovarianceScenario(effect: effect, trialsPerClass: trialsPerClass).simulate(seed: seed)
                return try GroupedEpochs(epochs: epochs, groups: Array(repeating: 0, count: epochs.trialCount), groupNames: ["simulated"])
            }
    }

    /// PhysioNet EEGMMIDB subject S001, left (T1) vs right (T2) fist, 8–30 Hz, 0.5–2.5 s after the cue.
    public static func eegmmidb(imagined: Bool) -> BenchmarkDataset {
        let runs = imagined ? ["R04", "R08", "R12"] : ["R03", "R07", "R11"]
        return BenchmarkDataset(
            name: imagined ? "eegmmidb-S001-imagined" : "eegmmidb-S001-executed",
            summary: "PhysioNet EEGMMIDB S001 \(imagined ? "imagined" : "executed") left vs right fist, 64 ch, 8–30 Hz, 0.5–2.5 s",
            score: .accuracy, scheme: .stratifiedKFold(folds: 5)) { root, _ in
                let files = runs.map { root.appendingPathComponent("eeg/eegmmidb-S001/S001\($0).edf") }
                guard files.allSatisfy({ FileManager.default.fileExists(atPath: $0.path) }) else { return nil }
                return try EpochExtraction(
                    events: ["T1", "T2"], band: 8...30, window: 0.5...2.5, labelNames: ["T1": "left", "T2": "right"]
                ).epochs(from: files)
            }
    }

    /// Muse P300 oddball (eeg-notebooks subject 1, session 1): target vs non-target, 1–30 Hz,
    /// 0–0.8 s, ERP prototypes prepended; scored by ROC-AUC.
    public static let museP300 = BenchmarkDataset(
        name: "muse-p300", summary: "Muse 4-channel P300 oddball, target vs non-target, 1–30 Hz, 0–0.8 s, ERP prototypes",
        score: .rocAUC, scheme: .stratifiedKFold(folds: 5), erpPrototypes: true) { root, _ in
            let folder = root.appendingPathComponent("eeg/muse-p300-subject1/session1")
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return nil }
            let files = names.filter { $0.hasSuffix(".csv") }.sorted().map { folder.appendingPathComponent($0) }
            guard !files.isEmpty else { return nil }
            return try EpochExtraction(
                events: ["1", "2"], band: 1...30, window: 0...0.8, channels: ["TP9", "AF7", "AF8", "TP10"],
                labelNames: ["1": "non-target", "2": "target"]
            ).epochs(from: files)
        }
}

/// One row of a benchmark table.
public struct BenchmarkResult: Sendable {
    public let dataset: String
    public let pipeline: String
    public let score: BenchmarkDataset.Score
    public let report: CrossValidationReport

    /// The dataset's headline score (mean over folds).
    public var value: Double {
        switch score {
        case .accuracy: return report.meanAccuracy
        case .rocAUC: return report.meanROCAUC ?? .nan
        }
    }
}

/// The data sets × pipelines that `neuroswift benchmark` runs. Each pipeline is one line in
/// `pipelines`, so a new pipeline joins every table by adding its `BenchmarkPipeline` there.
public enum BenchmarkRegistry {
    public static let pipelines: [BenchmarkPipeline] = [
        .tangentSpaceLR,
        .mdm,
        .cspLDA,
        .ricciGCN,
    ]

    public static let datasets: [BenchmarkDataset] = [
        .simulated("sim-variance", effect: .variance(0.8)),
        .simulated("sim-correlation", effect: .correlation(0.8)),
        .simulated("sim-null", effect: .none),
        .eegmmidb(imagined: true),
        .eegmmidb(imagined: false),
        .museP300,
    ]

    public static func pipeline(named name: String) -> BenchmarkPipeline? { pipelines.first { $0.name == name } }
    public static func dataset(named name: String) -> BenchmarkDataset? { datasets.first { $0.name == name } }

    /// Runs the chosen pipelines on one data set; returns nil when its data are missing.
    public static func run(
        _ dataset: BenchmarkDataset, pipelines: [BenchmarkPipeline], dataRoot: URL, seed: UInt64,
        monitor: any FitMonitor = SilentMonitor()
    ) throws -> [BenchmarkResult]? {
        guard let data = try dataset.load(dataRoot, seed) else { return nil }
        let cv = CrossValidation(scheme: dataset.scheme)
        return try pipelines.map { pipeline in
            let base = pipeline.make()
            let classifier: any EpochClassifier = dataset.erpPrototypes ? ERPPrototypeAugmentation(base) : base
            let report = try cv.run(classifier, on: data.epochs, groups: data.groups, seed: seed, monitor: monitor)
            return BenchmarkResult(dataset: dataset.name, pipeline: pipeline.name, score: dataset.score, report: report)
        }
    }
}
