/// An open-addressing hash index from byte strings to small integers. Written by hand rather than
/// using `Dictionary<String, Int32>` because building a String per claim row to look up its member
/// and check its id cost more than the rest of parsing (measured: 0.26 M claims/s with String keys).
public struct ByteKeyIndex: Sendable {
    var arena: [UInt8] = []
    var ends: [Int] = []
    var slots: [Int32]
    var mask: Int

    public init(capacity: Int = 16) {
        var n = 16
        while n < capacity * 2 { n <<= 1 }
        slots = [Int32](repeating: -1, count: n)
        mask = n - 1
    }

    public var count: Int { ends.count }

    @inline(__always)
    static func hash<C: Collection>(_ key: C) -> Int where C.Element == UInt8 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in key { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01b3 }
        return Int(truncatingIfNeeded: h ^ (h >> 29))
    }

    @inline(__always)
    func keyEquals(_ i: Int, _ key: ArraySlice<UInt8>) -> Bool {
        let start = i == 0 ? 0 : ends[i - 1]
        guard ends[i] - start == key.count else { return false }
        var j = start
        for b in key {
            if arena[j] != b { return false }
            j += 1
        }
        return true
    }

    /// The index of `key`, or nil.
    public func find(_ key: ArraySlice<UInt8>) -> Int32? {
        var s = Self.hash(key) & mask
        while true {
            let v = slots[s]
            if v < 0 { return nil }
            if keyEquals(Int(v), key) { return v }
            s = (s + 1) & mask
        }
    }

    /// Adds `key` with the next index; returns nil when the key is already there.
    @discardableResult
    public mutating func insert(_ key: ArraySlice<UInt8>) -> Int32? {
        if (ends.count + 1) * 2 > slots.count { grow() }
        var s = Self.hash(key) & mask
        while true {
            let v = slots[s]
            if v < 0 { break }
            if keyEquals(Int(v), key) { return nil }
            s = (s + 1) & mask
        }
        let i = Int32(ends.count)
        arena.append(contentsOf: key)
        ends.append(arena.count)
        slots[s] = i
        return i
    }

    mutating func grow() {
        var n = slots.count * 2
        if n < 16 { n = 16 }
        slots = [Int32](repeating: -1, count: n)
        mask = n - 1
        for i in 0..<ends.count {
            let key = arena[(i == 0 ? 0 : ends[i - 1])..<ends[i]]
            var s = Self.hash(key) & mask
            while slots[s] >= 0 { s = (s + 1) & mask }
            slots[s] = Int32(i)
        }
    }
}

/// Matching a CSV field against the contract's words without building a String.
enum Words {
    @inline(__always)
    static func match<E>(_ field: ArraySlice<UInt8>, _ table: [([UInt8], E)]) -> E? {
        for (b, v) in table where b.count == field.count && b.elementsEqual(field) { return v }
        return nil
    }
}
