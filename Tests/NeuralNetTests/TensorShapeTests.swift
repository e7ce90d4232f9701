import Testing
@testable import NeuralNet

@Suite struct TensorShapeTests {
    @Test func stridesAreRowMajor() {
        #expect(TensorShape([2, 3, 4]).strides == [12, 4, 1])
        #expect(TensorShape([]).count == 1)
    }

    @Test func broadcastingFollowsNumpy() {
        #expect(TensorShape([4, 1, 3]).broadcast(with: TensorShape([5, 1])) == TensorShape([4, 5, 3]))
        #expect(TensorShape([2, 3]).broadcast(with: TensorShape([3, 3])) == nil)
    }
}
