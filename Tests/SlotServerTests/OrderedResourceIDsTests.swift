import SlotDomain
import Testing

@testable import SlotServer

/// The ordered index behind `list_resources`, against a sorted array: ids inserted in random order (enough to
/// split runs many times), then pages after random ids, present or not, of random lengths.
@Suite struct OrderedResourceIDsTests {
    @Test(arguments: [UInt64(1), 2, 3])
    func pagesMatchASortedFilter(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._:")
        func randomID() -> String {
            String((0..<Int.random(in: 1...6, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
        }
        let initial = Set((0..<500).map { _ in randomID() })
        var index = OrderedResourceIDs(initial.compactMap { ResourceID($0) })
        var reference = initial
        for _ in 0..<6_000 {
            let text = randomID()
            guard !reference.contains(text), let id = ResourceID(text) else { continue }
            index.insert(id)
            reference.insert(text)
        }
        let sorted = reference.compactMap { ResourceID($0) }.sorted()
        #expect(index.count == sorted.count)
        #expect(index.page(after: nil, limit: sorted.count + 1).ids == sorted)
        for _ in 0..<300 {
            let after = Bool.random(using: &random) ? sorted.randomElement(using: &random) : ResourceID(randomID())
            let limit = [1, 2, 7, 1_000, 3_000].randomElement(using: &random)!
            let rest = sorted.filter { after == nil || $0 > after! }
            let page = index.page(after: after, limit: limit)
            #expect(page.ids == Array(rest.prefix(limit)), "after \(String(describing: after)) limit \(limit)")
            #expect(page.more == (rest.count > limit))
        }
    }

    @Test func anEmptyIndexHasNoPages() {
        let index = OrderedResourceIDs([])
        #expect(index.page(after: nil, limit: 5).ids.isEmpty)
        #expect(index.page(after: ResourceID("a"), limit: 5).more == false)
    }
}
