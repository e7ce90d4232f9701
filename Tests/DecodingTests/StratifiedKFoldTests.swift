import Testing
@testable import Decoding

@Suite struct StratifiedKFoldTests {
    @Test func foldsPartitionAndKeepProportions() throws {
        let labels = Array(repeating: 0, count: 30) + Array(repeating: 1, count: 12)
        let splits = try StratifiedKFold(folds: 3).splits(labels, seed: 7)
        #expect(splits.count == 3)
        #expect(splits.flatMap(\.test).sorted() == Array(0..<42))
        for split in splits {
            #expect(split.test.filter { labels[$0] == 0 }.count == 10)
            #expect(split.test.filter { labels[$0] == 1 }.count == 4)
            #expect(Set(split.train).isDisjoint(with: split.test))
            #expect(split.train.count + split.test.count == 42)
        }
    }

    @Test func sameSeedSameFoldsDifferentSeedDifferent() throws {
        let labels = (0..<50).map { $0 % 2 }
        let cv = try StratifiedKFold(folds: 5)
        let a = try cv.splits(labels, seed: 1).map(\.test)
        let b = try cv.splits(labels, seed: 1).map(\.test)
        let c = try cv.splits(labels, seed: 2).map(\.test)
        #expect(a == b)
        #expect(a != c)
    }

    @Test func rejectsTooFewMembersAndTooFewFolds() {
        #expect(throws: ParameterError.self) { try StratifiedKFold(folds: 1) }
        #expect(throws: ParameterError.self) { try StratifiedKFold(folds: 5).splits([0, 0, 1, 1, 1, 1, 1], seed: 0) }
    }
}
