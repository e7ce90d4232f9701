import Decoding
import Foundation

// Times the TS+LR pipeline (OAS covariances → tangent space at the Riemannian mean → logistic
// regression C = 1) fitted and then predicting on the same trials, exactly as
// Benchmarks/compare/riemann.py times pyRiemann + scikit-learn on the same arrays: best of
// `--repeats` wall-clock runs after one warm-up (and, separately, the least CPU time: user + system over all threads). Input: `--epochs` NPY (float32 or float64,
// trials × channels × samples) and `--labels` (a JSON array of strings). Prints one JSON object.

var epochsPath = "", labelsPath = "", repeats = 5
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--epochs": epochsPath = arguments.next() ?? ""
    case "--labels": labelsPath = arguments.next() ?? ""
    case "--repeats": repeats = Int(arguments.next() ?? "") ?? repeats
    default: FileHandle.standardError.write(Data("unknown argument \(argument)\n".utf8)); exit(2)
    }
}

do {
    let array = try NPYFile.read(URL(fileURLWithPath: epochsPath))
    let labels = try JSONDecoder().decode([String].self, from: Data(contentsOf: URL(fileURLWithPath: labelsPath)))
    let (trials, channels) = (array.shape[0], array.shape[1])
    let epochs = try Epochs(
        data: array.floats, channels: (0..<channels).map { Channel(name: "C\($0)", kind: .eeg) }, labels: labels,
        samplingRate: 160, tmin: 0)
    precondition(epochs.trialCount == trials)
    let pipeline = TangentSpaceLogisticRegression()
    var best = Double.infinity
    var bestCPU = Double.infinity
    var accuracy = 0.0
    func cpuSeconds() -> Double {
        var usage = rusage()
        #if os(Linux)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
    for round in 0...repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        let cpuStart = cpuSeconds()
        let fitted = try pipeline.fit(epochs, seed: 0, monitor: SilentMonitor())
        let predicted = try fitted.predict(epochs)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let cpu = cpuSeconds() - cpuStart
        if round > 0 {
            best = min(best, seconds)
            bestCPU = min(bestCPU, cpu)
        }
        accuracy = Double(zip(predicted, labels).filter { $0 == $1 }.count) / Double(labels.count)
    }
    print("{\"seconds\": \(best), \"cpu_seconds\": \(bestCPU), \"train_accuracy\": \(accuracy)}")
} catch {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    exit(1)
}
