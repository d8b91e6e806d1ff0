/// The claims-contract vocabulary (POLICY-NOTES "Claims data contract"), as small integer enums so
/// that claim tables stay flat and the engine indexes tables with them directly.

/// A word of the claims contract: spelled `name` in files, parsed back by `init?(name:)`.
public protocol ContractWord: CaseIterable, Sendable {
    var name: String { get }
}

extension ContractWord {
    public init?(name: some StringProtocol) {
        guard let c = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = c
    }
}

/// Which benefit a claim asks for (`channel` column).
public enum Channel: UInt8, ContractWord, BitwiseCopyable {
    case ordinary = 0, chronic, special, emergency, daySurgery, inpatient

    /// The spelling used in CSV files, policy files and rule strings.
    public var name: String {
        switch self {
        case .ordinary: "ordinary"
        case .chronic: "chronic"
        case .special: "special"
        case .emergency: "emergency"
        case .daySurgery: "day_surgery"
        case .inpatient: "inpatient"
        }
    }

}

/// Institution category (`institution` column); specialty institutions can carry their own ratio.
public enum Institution: UInt8, ContractWord, BitwiseCopyable {
    case general = 0, psychiatric, infectious

    public var name: String {
        switch self {
        case .general: "general"
        case .psychiatric: "psychiatric"
        case .infectious: "infectious"
        }
    }

    public var isSpecialty: Bool { self != .general }

}

/// Where the care took place relative to the insuring city (`site` column).
public enum Site: UInt8, ContractWord, BitwiseCopyable {
    case local = 0, remoteRegistered, remoteReferral, remoteTemporary

    public var name: String {
        switch self {
        case .local: "local"
        case .remoteRegistered: "remote_registered"
        case .remoteReferral: "remote_referral"
        case .remoteTemporary: "remote_temporary"
        }
    }

}

/// A member's status on the day of a claim.
public enum Status: UInt8, CaseIterable, Sendable, BitwiseCopyable {
    case inService = 0, retired

    public var name: String { self == .inService ? "in_service" : "retired" }

    public init?(name: some StringProtocol) {
        switch name {
        case "in_service": self = .inService
        case "retired": self = .retired
        default: return nil
        }
    }
}

/// Institution tier 0–3. Tier 0 is unrated (未定级), which every rule treats as tier 1
/// (POLICY-NOTES vocabulary; Tieling §8 "一级（含未定级）", Yanbian §5 "一级及以下").
public enum Tier {
    /// The tier a rule table is indexed by: 1, 2 or 3.
    @inlinable
    public static func ruleTier(_ tier: UInt8) -> Int { tier == 0 ? 1 : Int(tier) }
}
