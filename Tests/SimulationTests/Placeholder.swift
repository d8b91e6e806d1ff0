import XCTest

final class SimulationPlaceholderTests: XCTestCase {}
