import XCTest

final class ResultsPlaceholderTests: XCTestCase {}
