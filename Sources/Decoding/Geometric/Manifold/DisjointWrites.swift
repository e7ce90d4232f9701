/// A raw output pointer shared by `concurrentPerform` iterations that each write only their own
/// disjoint indices; the owner reads it only after every iteration has finished.
struct DisjointWrites<Element>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Element>
}
