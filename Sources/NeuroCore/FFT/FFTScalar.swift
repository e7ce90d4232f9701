import CFFTW3
import Synchronization

/// FFTW's planner keeps global state and crashes when two threads plan at once (seen here with
/// Swift Testing's parallel runner), so every plan creation and destruction takes this lock.
/// Executing distinct plans concurrently is safe and needs no lock.
let fftwPlannerLock = Mutex<Void>(())

/// How much effort FFTW spends choosing an algorithm when a plan is made.
public enum FFTPlanning: Sendable {
    /// A heuristic plan in microseconds; within ~10 % of the best. The default.
    case estimate
    /// Times candidate algorithms (0.1–0.3 s per size here); worth it for long-lived plans.
    case measure

    var flags: UInt32 { self == .estimate ? UInt32(FFTW_ESTIMATE) : UInt32(FFTW_MEASURE) }
}

/// The element types FFTW transforms: `Double` (libfftw3) and `Float` (libfftw3f).
/// Complex values are stored interleaved (re, im), which is FFTW's and C99's layout.
public protocol FFTScalar: BLASScalar {
    static func allocate(_ count: Int) -> UnsafeMutablePointer<Self>
    static func release(_ pointer: UnsafeMutablePointer<Self>)
    /// r2c plan: `n` reals → n/2+1 interleaved complex values.
    static func planForward(_ n: Int32, _ input: UnsafeMutablePointer<Self>, _ output: UnsafeMutablePointer<Self>, _ flags: UInt32) -> OpaquePointer?
    /// c2r plan: n/2+1 interleaved complex values → `n` reals (unnormalised).
    static func planInverse(_ n: Int32, _ input: UnsafeMutablePointer<Self>, _ output: UnsafeMutablePointer<Self>, _ flags: UInt32) -> OpaquePointer?
    static func execute(_ plan: OpaquePointer)
    static func destroy(_ plan: OpaquePointer)
}

extension Double: FFTScalar {
    public static func allocate(_ count: Int) -> UnsafeMutablePointer<Double> { fftw_alloc_real(count)! }
    public static func release(_ pointer: UnsafeMutablePointer<Double>) { fftw_free(pointer) }
    public static func planForward(
        _ n: Int32, _ input: UnsafeMutablePointer<Double>, _ output: UnsafeMutablePointer<Double>, _ flags: UInt32
    ) -> OpaquePointer? {
        output.withMemoryRebound(to: fftw_complex.self, capacity: Int(n) / 2 + 1) {
            fftw_plan_dft_r2c_1d(n, input, $0, flags)
        }
    }
    public static func planInverse(
        _ n: Int32, _ input: UnsafeMutablePointer<Double>, _ output: UnsafeMutablePointer<Double>, _ flags: UInt32
    ) -> OpaquePointer? {
        input.withMemoryRebound(to: fftw_complex.self, capacity: Int(n) / 2 + 1) {
            fftw_plan_dft_c2r_1d(n, $0, output, flags)
        }
    }
    public static func execute(_ plan: OpaquePointer) { fftw_execute(plan) }
    public static func destroy(_ plan: OpaquePointer) { fftw_destroy_plan(plan) }
}

extension Float: FFTScalar {
    public static func allocate(_ count: Int) -> UnsafeMutablePointer<Float> { fftwf_alloc_real(count)! }
    public static func release(_ pointer: UnsafeMutablePointer<Float>) { fftwf_free(pointer) }
    public static func planForward(
        _ n: Int32, _ input: UnsafeMutablePointer<Float>, _ output: UnsafeMutablePointer<Float>, _ flags: UInt32
    ) -> OpaquePointer? {
        output.withMemoryRebound(to: fftwf_complex.self, capacity: Int(n) / 2 + 1) {
            fftwf_plan_dft_r2c_1d(n, input, $0, flags)
        }
    }
    public static func planInverse(
        _ n: Int32, _ input: UnsafeMutablePointer<Float>, _ output: UnsafeMutablePointer<Float>, _ flags: UInt32
    ) -> OpaquePointer? {
        input.withMemoryRebound(to: fftwf_complex.self, capacity: Int(n) / 2 + 1) {
            fftwf_plan_dft_c2r_1d(n, $0, output, flags)
        }
    }
    public static func execute(_ plan: OpaquePointer) { fftwf_execute(plan) }
    public static func destroy(_ plan: OpaquePointer) { fftwf_destroy_plan(plan) }
}
