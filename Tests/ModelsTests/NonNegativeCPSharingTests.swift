import Testing
@testable import Models

/// Work shared between fits and between the steps of a fit: the tensor's Float copy and norm are
/// made once per tensor value, and the Y = X₍₀₁₎·C pass that gives the initial error is the one the
/// first HALS sweep uses. None of it may change a result.
@Suite struct NonNegativeCPSharingTests {
    static let planted = try! PlantedNTF(neurons: 16, animals: 4, bins: 60, rank: 3, groupSize: 6, noise: 0.05, seed: 11)

    /// Restarts on one tensor value (one shared Float copy) give exactly the fits of restarts that
    /// each get a freshly built tensor (their own copy), with and without missing entries; the
    /// imputing fits leave the shared copy's missing entries at 0.
    @Test(arguments: [false, true])
    func sharedCopyGivesTheFitsOfPerRestartCopies(masked: Bool) throws {
        let t = Self.planted.tensor
        let missing = masked ? Array(stride(from: 3, to: t.count, by: 11)) : []
        let tensor = try ThreeWayTensor(shape: t.shape, values: t.values, missing: missing)
        let model = try NonNegativeCP(rank: 3, maxIterations: 60, tolerance: 1e-7)
        #expect(model.precision == .single)
        let shared = try model.fit(tensor, restarts: 3, seed: 8)
        var root = SeededGenerator(seed: 8)
        var separate: [NTFResult] = []
        for k in 0..<3 {
            var rng = root.split()
            let fresh = try ThreeWayTensor(shape: t.shape, values: t.values, missing: missing)
            separate.append(try model.fit(fresh, generator: &rng, seed: 8, restart: k, monitor: SilentMonitor()))
        }
        separate.sort { $0.relativeError < $1.relativeError }
        #expect(shared == separate)
        // A second pass over the same value (copy already made) changes nothing either.
        #expect(try model.fit(tensor, restarts: 3, seed: 8) == shared)
        let copy = tensor.singlePrecisionCopy
        #expect(missing.allSatisfy { copy.values[$0] == 0 })
        #expect(copy.values.count == t.count && copy.values[1] == Float(t.values[1]))
    }

    /// Changing `values` drops the cached copy and norm of the old values (and only for that tensor):
    /// a fit of the changed tensor equals a fit of a tensor built from the new values.
    @Test func changingValuesDropsTheCache() throws {
        let t = Self.planted.tensor
        let model = try NonNegativeCP(rank: 3, maxIterations: 40, tolerance: 0)
        var changed = t
        _ = try model.fit(changed, seed: 1)  // fills the cache shared with `t`
        let oldNorm = changed.squaredNorm
        for i in stride(from: 0, to: changed.count, by: 5) { changed.values[i] *= 2 }
        let rebuilt = try ThreeWayTensor(shape: t.shape, values: changed.values)
        #expect(changed.squaredNorm == rebuilt.squaredNorm && changed.squaredNorm > oldNorm)
        #expect(changed.singlePrecisionCopy.values == rebuilt.values.map { Float($0) })
        #expect(try model.fit(changed, seed: 1) == model.fit(rebuilt, seed: 1))
        // The original value still has its own, unchanged, cache.
        #expect(t.squaredNorm == oldNorm && t.singlePrecisionCopy.values[0] == Float(t.values[0]))
        #expect(changed != t && rebuilt == changed && rebuilt.hashValue == changed.hashValue)
    }

    /// The initial error from Y equals the one from the pair-mode MTTKRP and the direct residual
    /// (with imputed missing entries too); the first sweep reuses that Y, so K sweeps cost K passes
    /// for Y, and any factor change marks Y out of date.
    @Test(arguments: [false, true])
    func initialErrorComesFromTheFirstSweepsY(masked: Bool) throws {
        let t = Self.planted.tensor
        let missing = masked ? Array(stride(from: 0, to: t.count, by: 7)) : []
        let tensor = try ThreeWayTensor(shape: t.shape, values: t.values, missing: missing)
        let model = try NonNegativeCP(rank: 3, precision: .double)
        var rng = SeededGenerator(seed: 3)
        let engine = CPEngine(tensor: tensor, factors: model.initialFactors(tensor, &rng), rank: 3)
        engine.impute()
        engine.refreshY()
        let fromY = engine.maskedSSEFromY()
        var direct = 0.0
        let observed = Set(0..<t.count).subtracting(missing)
        for i in observed { let d = t.values[i] - engine.model(at: i); direct += d * d }
        #expect(abs(fromY - direct) < 1e-10 * direct)
        #expect(abs(engine.maskedSSE() - direct) < 1e-10 * direct)
        #expect(engine.yIsCurrent && engine.yPasses == 1)
        var solver = HALSSolver(engine: engine, sweeps: 3, extrapolate: true)
        for k in 1...4 {
            _ = solver.iterate()
            #expect(engine.yPasses == k, "sweep \(k)")
            #expect(!engine.yIsCurrent)  // the sweep changed C
        }
        engine.refreshY()
        #expect(engine.yIsCurrent)
        engine.factors[0][0] += 1
        #expect(!engine.yIsCurrent)
    }

    /// The fused pair-mode pass (Float copy, no missing entries): after an accepted sweep the next
    /// sweep needs no Y pass (one pass over the tensor per sweep instead of two), its Y equals a fresh
    /// X₍₀₁₎·C to Float accuracy, and whole fits with and without fusion reach the same error along
    /// traces that agree to 1e-6.
    @Test func fusedPassSavesTheYPassAndChangesNothing() throws {
        let t = Self.planted.tensor
        let model = try NonNegativeCP(rank: 3)
        var rng = SeededGenerator(seed: 3)
        let factors = model.initialFactors(t, &rng)
        let engine = CPEngine(tensor: t, factors: factors, rank: 3, singlePrecision: true)
        #expect(engine.canFusePairStep)
        engine.refreshY()
        var solver = HALSSolver(engine: engine, sweeps: 5, extrapolate: true, cycles: 2)
        var discardedBefore = 0  // discarded sweeps before the current one: each costs its successor a Y pass
        for k in 1...8 {
            _ = solver.iterate()
            #expect(engine.fusedPasses == k)
            #expect(engine.yPasses == 1 + discardedBefore, "sweep \(k)")
            // A discarded sweep's Y is dropped: the next sweep makes its own.
            #expect(engine.yIsCurrent == !solver.lastIterationDiscarded)
            if solver.lastIterationDiscarded { discardedBefore += 1 }
        }
        #expect(engine.yPasses < 1 + 8)
        if !engine.yIsCurrent { engine.refreshY() }
        let fusedY = engine.currentY
        engine.refreshY()
        let freshY = engine.currentY
        let worst = zip(fusedY, freshY).map { abs($0 - $1) / max(abs($1), 1e-300) }.max()!
        #expect(worst < 1e-6)
        var plainModel = model
        plainModel.fusePairStep = true
        plainModel.maxIterations = 80
        plainModel.tolerance = 0
        let fused = try plainModel.fit(t, seed: 5)
        var unfusedTrace: [Double] = []
        do {
            var rng = SeededGenerator(seed: 5)
            let engine = CPEngine(tensor: t, factors: plainModel.initialFactors(t, &rng), rank: 3, singlePrecision: true)
            engine.allowFusion = false
            engine.refreshY()
            unfusedTrace.append(engine.relativeError(engine.maskedSSEFromY()))
            var solver = HALSSolver(engine: engine, sweeps: plainModel.innerSweeps, extrapolate: true, cycles: plainModel.cycles)
            for _ in 0..<80 {
                unfusedTrace.append(engine.relativeError(solver.iterate()))
                if solver.reachedFloor { break }
            }
            #expect(engine.fusedPasses == 0)
        }
        // The public switch gives exactly that two-pass fit.
        var twoPass = plainModel
        twoPass.fusePairStep = false
        let unfused = try twoPass.fit(t, seed: 5)
        #expect(Array(unfused.errorTrace.prefix(unfusedTrace.count)) == Array(unfusedTrace.prefix(unfused.errorTrace.count)))
        let n = min(fused.errorTrace.count, unfusedTrace.count, 30)
        for k in 0..<n { #expect(abs(fused.errorTrace[k] - unfusedTrace[k]) < 1e-6 * unfusedTrace[0], "iteration \(k)") }
        #expect(abs(fused.relativeError - unfusedTrace.last!) < 1e-6)
        for k in 1..<fused.errorTrace.count { #expect(fused.errorTrace[k] <= fused.errorTrace[k - 1]) }
    }
}
