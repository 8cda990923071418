import Foundation
import HeadroomCore
import HeadroomDetection

/// A fleet report (`detect --series`) for people; `--format json` encodes `SeriesDetectReport` instead.
struct SeriesDetectOutput {
    var report: FleetReport
    var costModel: CostModel?
    var seconds: Double

    func text(limit: Int) -> String {
        let regressions = report.regressions.filter { $0.lead.event.kind == .regression }.count
        var head = "\(report.seriesCount) series, \(report.pointCount) points in \(String(format: "%.1f", seconds)) s: "
        head += "\(report.regressions.count) changes (\(regressions) regressions), "
        head += "\(report.transients.count) transients, \(report.seasonalCount) seasonal series, "
        head += "\(report.belowFloorCount) significant changes below the practical-size floor"
        var lines = [head]
        for (n, group) in report.regressions.prefix(limit).enumerated() {
            let e = group.lead
            let relative = e.event.relativeChange.map { String(format: "%+.1f%%", $0 * 100) } ?? "n/a"
            var line = "#\(n + 1) \(e.event.kind.rawValue) \(e.series) row \(e.row)"
            if let t = e.time { line += " (\(Timestamps.format(t)))" }
            line +=
                ": \(String(format: "%.6g", e.event.before)) → \(String(format: "%.6g", e.event.after)) (\(relative)), "
            line += String(format: "%.1f MDE, p = %.1e", e.event.effect, e.event.pValue)
            if let costModel {
                line += String(format: ", %.1f cores", costModel.cores(forShare: e.event.absoluteChange))
            }
            lines.append(line)
            if !group.members.isEmpty {
                let names = group.members.prefix(5).map(\.series).joined(separator: ", ")
                lines.append(
                    "    same event: \(names)\(group.members.count > 5 ? " and \(group.members.count - 5) more" : "")")
            }
        }
        if report.regressions.count > limit {
            lines.append("… \(report.regressions.count - limit) more (--limit, or --format json)")
        }
        return lines.joined(separator: "\n")
    }
}
