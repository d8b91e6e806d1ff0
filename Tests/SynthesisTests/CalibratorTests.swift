import Policy
import Synthesis
import XCTest

/// The fit recovers known values: targets are made from a known population (the rich fixture with
/// its visit means, sizes and cost spread changed), the fit starts from the fixture.
final class CalibratorTests: XCTestCase {
    func testFitRecoversAKnownPopulation() throws {
        let base = try Calibration.load(path: GeneratorTests.rich)
        // The truth: visit means ×1.2 (in service) and ×0.9 (retired), sizes ×1.5, every cost sigma
        // ×1.3 with each median moved to keep its mean (the spread the fit adjusts).
        var truth = base
        truth.visitMean[0] = truth.visitMean[0].map { $0 * 1.2 }
        truth.visitMean[1] = truth.visitMean[1].map { $0 * 0.9 }
        truth.visitSize = truth.visitSize.map { $0 * 1.5 }
        for i in truth.channels.indices {
            guard var ch = truth.channels[i] else { continue }
            let s0 = ch.costSigma, s1 = s0 * 1.3
            ch.costMedian = ch.costMedian.map { $0 * exp(s0 * s0 / 2) / exp(s1 * s1 / 2) }
            ch.costSigma = s1
            truth.channels[i] = ch
        }
        let members = 40_000
        var m = try Calibrator.simulate(truth, members: members, seed: 9, threads: 2)
        let targets = CalibrationTargets(id: "truth", file: "truth.yaml", calibrationPath: nil,
                                         meanVisits: [m.meanVisits(0), m.meanVisits(1)], zeroShare: m.zeroShare,
                                         meanCostOrdinary: (0..<4).map { m.meanCost(channel: .ordinary, tier: $0) },
                                         top10Share: m.top10Share())
        let result = try Calibrator(base: base, targets: targets, members: members, seed: 9).fit(threads: 2)
        XCTAssertTrue(result.notes.isEmpty, "\(result.notes)")
        // Means and sizes are solved from expectations, so they recover the truth up to the sampling
        // error of the targets: mean visits SE ≈ √((μ + μ²/r)/n) / μ ≈ 0.7% relative here (μ ≈ 5,
        // r ≈ 1.2, 24,000 members in service), so 4 SE ≈ 3%.
        XCTAssertEqual(result.visitScale[0], 1.2, accuracy: 1.2 * 0.03)
        XCTAssertEqual(result.visitScale[1], 0.9, accuracy: 0.9 * 0.03)
        XCTAssertEqual(result.sizeFactor, 1.5, accuracy: 1.5 * 0.1)
        // The spread is solved on a simulation with the same seed as the truth's draw.
        XCTAssertEqual(result.spreadFactor, 1.3, accuracy: 0.05)
        for row in result.rows {
            XCTAssertEqual(row.achieved, row.target, accuracy: abs(row.target) * 0.03, row.name)
        }
    }

    func testUnreachableTargetIsSaidAndBaseKept() throws {
        let base = try Calibration.load(path: GeneratorTests.rich)
        let targets = CalibrationTargets(id: "t", file: "t.yaml", calibrationPath: nil, meanVisits: [5, 10], zeroShare: 0.2,
                                         meanCostOrdinary: [60, 120, 200, 300], top10Share: 0.15)
        let result = try Calibrator(base: base, targets: targets, members: 20_000, seed: 1).fit(threads: 2)
        XCTAssertEqual(result.spreadFactor, 1)
        XCTAssertTrue(result.notes.contains { $0.hasPrefix("top-10% spending share: out of reach") }, "\(result.notes)")
    }
}
