import XCTest

final class StatisticsPlaceholderTests: XCTestCase {}
