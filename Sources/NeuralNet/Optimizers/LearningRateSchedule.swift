import RealModule

/// A learning rate as a function of the optimiser step (0-based). Apply with
/// `optimiser.learningRate = schedule.learningRate(at: step)` before each step.
public protocol LearningRateSchedule: Sendable {
    func learningRate(at step: Int) -> Float
}

/// Linear warm-up from base/warmupSteps to `base` over `warmupSteps`, then a half cosine down to
/// `minimum` at `totalSteps` (and `minimum` after).
public struct WarmupCosineSchedule: LearningRateSchedule {
    public let base: Float
    public let minimum: Float
    public let warmupSteps: Int
    public let totalSteps: Int

    public init(base: Float, warmupSteps: Int, totalSteps: Int, minimum: Float = 0) {
        precondition(warmupSteps >= 0 && totalSteps > warmupSteps, "WarmupCosineSchedule: needs 0 ≤ warmup < total")
        self.base = base
        self.minimum = minimum
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
    }

    public func learningRate(at step: Int) -> Float {
        if step < warmupSteps { return base * Float(step + 1) / Float(warmupSteps) }
        if step >= totalSteps { return minimum }
        let progress = Double(step - warmupSteps) / Double(totalSteps - warmupSteps)
        return minimum + (base - minimum) * Float(0.5 * (1 + Double.cos(Double.pi * progress)))
    }
}

/// `base · γ^⌊step / stepSize⌋` (PyTorch's `StepLR`).
public struct StepSchedule: LearningRateSchedule {
    public let base: Float
    public let stepSize: Int
    public let gamma: Float

    public init(base: Float, stepSize: Int, gamma: Float = 0.1) {
        precondition(stepSize > 0, "StepSchedule: stepSize must be positive")
        self.base = base
        self.stepSize = stepSize
        self.gamma = gamma
    }

    public func learningRate(at step: Int) -> Float {
        base * Float(Double.pow(Double(gamma), Double(step / stepSize)))
    }
}
