import COpenBLAS

/// Control of OpenBLAS's own thread pool.
///
/// Tests and benchmarks use one thread for stable figures; code that parallelises over chains or
/// folds should also use one BLAS thread per task, or the two levels oversubscribe the cores.
public enum BLASThreads {
    /// The number of threads OpenBLAS uses for one call.
    public static var count: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(Swift.max(1, newValue))) }
    }
}
