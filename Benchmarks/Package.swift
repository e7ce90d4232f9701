// swift-tools-version:6.1
// Benchmarks live in their own package so that their dependencies never slow the main build.
//   swift package benchmark                       ordo-one/benchmark suites (Benchmarks/NeuroBenchmarks)
//   swift build -c release --product neuro-bench-compare
//                                                 the timing harness that compare/gemm_fft.py runs beside numpy
//   swift build -c release --product neuro-bench-formats
//                                                 file readers, run by compare/formats.py beside nibabel/numpy/pynwb
//   swift build -c release --product neuro-bench-eeg
//                                                 full EDF reads that compare/eeg_read.py runs beside MNE/pyedflib
//                                                 the timing harness that compare/*.py runs beside numpy
//   swift build -c release --product neuro-bench-nn
//                                                 one transformer training step, run by compare/nn_step.py beside PyTorch
//   swift build -c release --product neuro-bench-ricci
//                                                 Ollivier–Ricci curvature / Ricci flow beside GraphRicciCurvature
//                                                 (compare/ricci.py) and the ricci-gcn / denoiser validation runs
//   swift build -c release --product neuro-bench-riemann
//                                                 TS+LR fit + predict, run by compare/riemann.py beside pyRiemann + scikit-learn
//   swift build -c release --product neuro-bench-ntf
//                                                 non-negative CP fits and rank sweeps, run by compare/ntf.py beside
//                                                 tensortools/tensorly and by scripts/validate_connectome.py
//   swift build -c release --product neuro-bench-stateglm
//                                                 HMM-GLM EM epochs (compare/stateglm.py beside PyTorch), the full-size
//                                                 validation and the real-data fits behind docs/stateglm.md
//   swift build -c release --product neuro-bench-duin
//                                                 Du-IN stage steps (compare/duin.py beside PyTorch) and the
//                                                 simulator / eegmmidb validation behind docs/duin.md
//   swift build -c release --product neuro-bench-neuroformer
//                                                 Neuroformer-mini training steps, run by compare/neuroformer.py beside PyTorch
import Foundation
import PackageDescription

/// SwiftPM names a path dependency after its folder, which is whatever the clone was called.
let neuroSwift = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "NeuroSwiftBenchmarks",
    dependencies: [
        .package(path: ".."),
        // MallocInterposer disables the default RuntimeInterposer trait, whose dependency is not mirrored here.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "NeuroBenchmarks",
            dependencies: [
                .product(name: "NeuroCore", package: neuroSwift),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "NeuroBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
        .executableTarget(
            name: "neuro-bench-compare",
            dependencies: [.product(name: "NeuroCore", package: neuroSwift)],
            path: "BenchCompare"),
        .executableTarget(
            name: "neuro-bench-formats",
            dependencies: [.product(name: "Recording", package: neuroSwift)],
            path: "BenchFormats"),
        .executableTarget(
            name: "neuro-bench-eeg",
            dependencies: [.product(name: "Recording", package: neuroSwift)],
            path: "BenchEEG"),
        .executableTarget(
            name: "neuro-bench-nn",
            dependencies: [.product(name: "NeuralNet", package: neuroSwift)],
            path: "BenchNN"),
        .executableTarget(
            name: "neuro-bench-ricci",
            dependencies: [.product(name: "Decoding", package: neuroSwift)],
            path: "BenchRicci"),
        .executableTarget(
            name: "neuro-bench-riemann",
            dependencies: [.product(name: "Decoding", package: neuroSwift)],
            path: "BenchRiemann"),
        .executableTarget(
            name: "neuro-bench-ntf",
            dependencies: [.product(name: "Models", package: neuroSwift)],
            path: "BenchNTF"),
        .executableTarget(
            name: "neuro-bench-stateglm",
            dependencies: [.product(name: "Models", package: neuroSwift)],
            path: "BenchStateGLM"),
        .executableTarget(
            name: "neuro-bench-duin",
            dependencies: [.product(name: "Decoding", package: neuroSwift)],
            path: "BenchDuIN"),
        .executableTarget(
            name: "neuro-bench-neuroformer",
            dependencies: [.product(name: "Decoding", package: neuroSwift)],
            path: "BenchNeuroformer"),
    ]
)
