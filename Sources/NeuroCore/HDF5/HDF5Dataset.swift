import CHDF5

/// A dataset in an open file, with the layout it had when looked up.
///
/// Reads re-open the dataset and size their buffers from its current dataspace, so a dataset
/// replaced in the meantime can only make a read fail, never overrun memory.
public struct HDF5Dataset: HDF5AttributeHolder, Sendable {
    public let file: HDF5File
    public let path: String
    /// Extents, row-major (the last index varies fastest); `[]` for a scalar, `[0]` for an empty
    /// (null-dataspace) dataset.
    public let shape: [Int]
    public let elementType: HDF5ElementType
    /// Chunk extents, nil for contiguous or compact storage.
    public let chunks: [Int]?
    /// The filter pipeline, e.g. "deflate(4)" or "shuffle+deflate(4)"; nil when uncompressed.
    public let compression: String?

    init(file: HDF5File, path: String, layout: HDF5Objects.DatasetLayout) {
        self.file = file
        self.path = path
        self.shape = layout.shape
        self.elementType = layout.elementType
        self.chunks = layout.chunks
        self.compression = layout.compression
    }

    public var name: String { HDF5Path.lastComponent(path) }
    public var rank: Int { shape.count }
    /// Number of elements.
    public var count: Int { hdf5ElementCount(shape) ?? 0 }

    // MARK: Numbers

    /// Reads every element as `T`. HDF5 converts when the stored type widens exactly into `T`
    /// (int16 → Int32, uint8 → Double, float32 → Double, big-endian → native); anything that could
    /// lose information throws `.typeMismatch`.
    public func read<T: HDF5Scalar>(as type: T.Type) throws -> [T] {
        chdf5_silence_errors()
        return try readNumbers(T.self, requested: "\(T.self)", rows: nil) { $0.widensExactly(to: T.hdf5ElementType) }
    }

    /// Reads rows `rows` (along the first dimension) as `T`, with `read(as:)`'s type rules.
    public func read<T: HDF5Scalar>(as type: T.Type, rows: Range<Int>) throws -> [T] {
        chdf5_silence_errors()
        return try readNumbers(T.self, requested: "\(T.self)", rows: rows) { $0.widensExactly(to: T.hdf5ElementType) }
    }

    /// Reads any integer or floating-point dataset as `Double`, letting HDF5 convert
    /// (int64 values beyond 2⁵³ round).
    public func readDoubles() throws -> [Double] {
        chdf5_silence_errors()
        return try readNumbers(Double.self, requested: "Double", rows: nil) { $0.isNumeric }
    }

    /// Reads any integer or floating-point dataset as `Float` (float64 values round).
    public func readFloats() throws -> [Float] {
        chdf5_silence_errors()
        return try readNumbers(Float.self, requested: "Float", rows: nil) { $0.isNumeric }
    }

    /// Reads rows `rows` of the first dimension as `Double`: `rows.count × (product of the other
    /// extents)` row-major values, without reading the rest (a time range of a long recording).
    public func readDoubles(rows: Range<Int>) throws -> [Double] {
        chdf5_silence_errors()
        return try readNumbers(Double.self, requested: "Double", rows: rows) { $0.isNumeric }
    }

    /// `readDoubles(rows:)` as `Float`.
    public func readFloats(rows: Range<Int>) throws -> [Float] {
        chdf5_silence_errors()
        return try readNumbers(Float.self, requested: "Float", rows: rows) { $0.isNumeric }
    }

    /// A rank-2 numeric dataset as a matrix (rows = first dimension).
    public func readMatrix() throws -> Matrix<Double> {
        chdf5_silence_errors()
        let read = try readNumbersAndShape(Double.self, requested: "Double", rows: nil, requiredRank: 2) { $0.isNumeric }
        return Matrix(rows: read.shape[0], columns: read.shape[1], elements: read.values)
    }

    private func readNumbers<T: HDF5Scalar>(
        _: T.Type, requested: String, rows: Range<Int>?, accepts: (HDF5ElementType) -> Bool
    ) throws -> [T] {
        try readNumbersAndShape(T.self, requested: requested, rows: rows, accepts: accepts).values
    }

    /// Reads numbers with the dataspace's shape at the time of reading.
    private func readNumbersAndShape<T: HDF5Scalar>(
        _: T.Type, requested: String, rows: Range<Int>?, requiredRank: Int? = nil,
        accepts: (HDF5ElementType) -> Bool
    ) throws -> (values: [T], shape: [Int]) {
        let path = self.path
        let operation = rows.map { "read rows \($0.lowerBound)..<\($0.upperBound)" } ?? "read"
        return try file.withFileID(operation, object: path) { id, site in
            let dataset = try HDF5Objects.open(id, path, as: .dataset, site)
            let type = try site.handle(H5Dget_type(dataset.id), .datatype, operation)
            let stored = HDF5ElementType(typeID: type.id)
            guard accepts(stored) else {
                throw HDF5Error.typeMismatch(file: site.file, object: path, stored: stored, requested: requested)
            }
            let space = try site.handle(H5Dget_space(dataset.id), .dataspace, operation)
            let shape = try HDF5Objects.shape(ofSpace: space.id, site)
            if let requiredRank, shape.count != requiredRank {
                throw site.invalid(operation, "shape \(shape) has rank \(shape.count), not \(requiredRank)")
            }
            if H5Sget_simple_extent_type(space.id) == H5S_NULL { return ([], shape) }
            let selection = try Self.select(rows, in: space.id, shape: shape, operation, site)
            guard selection.count > 0 else { return ([], shape) }
            let values = try [T](unsafeUninitializedCapacity: selection.count) { buffer, initialized in
                initialized = 0
                try site.check(
                    H5Dread(dataset.id, T.nativeTypeID, selection.memorySpace?.id ?? chdf5_s_all(),
                            selection.memorySpace == nil ? chdf5_s_all() : space.id, h5Default, buffer.baseAddress!),
                    operation)
                initialized = selection.count
            }
            return (values, shape)
        }
    }

    /// The element count to read and, for a row range, the memory dataspace after selecting the
    /// hyperslab in `space`.
    private static func select(
        _ rows: Range<Int>?, in space: hid_t, shape: [Int], _ operation: String, _ site: HDF5Site
    ) throws -> (count: Int, memorySpace: HDF5Handle?) {
        guard let rows else {
            guard let count = hdf5ElementCount(shape) else { throw site.invalid(operation, "shape \(shape) is too large") }
            return (count, nil)
        }
        guard let rowCount = shape.first else { throw site.invalid(operation, "a scalar dataset has no rows") }
        guard rows.lowerBound >= 0, rows.upperBound <= rowCount else {
            throw site.invalid(operation, "rows \(rows.lowerBound)..<\(rows.upperBound) are outside 0..<\(rowCount)")
        }
        var extent = shape
        extent[0] = rows.count
        guard let count = hdf5ElementCount(extent) else { throw site.invalid(operation, "selection is too large") }
        guard count > 0 else { return (0, nil) }
        var start = [hsize_t](repeating: 0, count: shape.count)
        start[0] = hsize_t(rows.lowerBound)
        let counts = extent.map { hsize_t($0) }
        try site.check(H5Sselect_hyperslab(space, H5S_SELECT_SET, start, nil, counts, nil), operation)
        let memory = try site.handle(H5Screate_simple(Int32(counts.count), counts, nil), .dataspace, operation)
        return (count, memory)
    }

    // MARK: Text

    /// Reads a string dataset (variable- or fixed-length, UTF-8 or ASCII) in row-major order.
    public func readStrings() throws -> [String] {
        chdf5_silence_errors()
        let path = self.path
        return try file.withFileID("read strings", object: path) { id, site in
            let dataset = try HDF5Objects.open(id, path, as: .dataset, site)
            let type = try site.handle(H5Dget_type(dataset.id), .datatype, "read strings")
            let stored = HDF5ElementType(typeID: type.id)
            guard stored.isString else {
                throw HDF5Error.typeMismatch(file: site.file, object: path, stored: stored, requested: "String")
            }
            let space = try site.handle(H5Dget_space(dataset.id), .dataspace, "read strings")
            let count = Int(H5Sget_select_npoints(space.id))
            return try HDF5Strings.read(storedType: type.id, count: count, space: space.id, site) { memory, buffer in
                H5Dread(dataset.id, memory, chdf5_s_all(), chdf5_s_all(), h5Default, buffer)
            }
        }
    }
}
