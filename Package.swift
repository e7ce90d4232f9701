// swift-tools-version:6.0
import PackageDescription

let numerics: Target.Dependency = .product(name: "Numerics", package: "swift-numerics")

/// NeuroSwift: loaders, models and decoders for neural recordings.
/// Dependencies point one way: CKernels ← NeuroCore ← Recording ← Models, Decoding (+ NeuralNet) ← neuroswift.
let package = Package(
    name: "NeuroSwift",
    products: [
        .library(name: "NeuroCore", targets: ["NeuroCore"]),
        .library(name: "Recording", targets: ["Recording"]),
        .library(name: "NeuralNet", targets: ["NeuralNet"]),
        .library(name: "Models", targets: ["Models"]),
        .library(name: "Decoding", targets: ["Decoding"]),
        .executable(name: "neuroswift", targets: ["neuroswift"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
    ],
    targets: [
        // System libraries (Debian: libhdf5-dev libopenblas-dev liblapacke-dev libfftw3-dev zlib1g-dev libdeflate-dev).
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CLAPACKE", pkgConfig: "lapacke", providers: [.apt(["liblapacke-dev"])]),
        .systemLibrary(name: "CFFTW3", pkgConfig: "fftw3", providers: [.apt(["libfftw3-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CLibdeflate", pkgConfig: "libdeflate", providers: [.apt(["libdeflate-dev"])]),

        // Hand-written SIMD kernels (AVX2/FMA chosen at run time, portable fallbacks).
        .target(name: "CKernels"),

        .target(
            name: "NeuroCore",
            dependencies: [
                "CKernels", "CHDF5", "COpenBLAS", "CLAPACKE", "CFFTW3", "CZlib", "CLibdeflate",
                numerics,
            ]),
        .target(name: "Recording", dependencies: ["NeuroCore", numerics]),
        .target(name: "NeuralNet", dependencies: ["NeuroCore", "CKernels", numerics]),
        .target(name: "Models", dependencies: ["Recording", "CKernels", numerics]),
        .target(name: "Decoding", dependencies: ["Recording", "NeuralNet", numerics]),
        .executableTarget(
            name: "neuroswift",
            dependencies: [
                "NeuroCore", "Recording", "Models", "Decoding",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        .target(name: "TestSupport", dependencies: ["NeuroCore"], path: "Tests/TestSupport"),
        .testTarget(name: "NeuroCoreTests", dependencies: ["NeuroCore", "TestSupport"], resources: [.copy("Goldens")]),
        .testTarget(name: "RecordingTests", dependencies: ["Recording", "TestSupport"], resources: [.copy("Goldens"), .copy("Fixtures")]),
        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet", "TestSupport"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "TestSupport"]),
        .testTarget(name: "DecodingTests", dependencies: ["Decoding", "TestSupport"], resources: [.copy("Goldens")]),
        .testTarget(name: "CLITests", dependencies: ["neuroswift", "TestSupport"]),
    ]
)
