import Foundation
import HeadroomCore
import HeadroomDetection

/// Prints a fleet report (`detect --series`). JSON is written by hand: a fleet can have hundreds of thousands of
/// events, and this keeps printing them a small part of the run.
struct SeriesDetectOutput {
    var report: FleetReport
    var costModel: CostModel?
    var seconds: Double

    func json() -> String {
        var out = "{\"regressions\":["
        for (n, group) in report.regressions.enumerated() {
            if n > 0 { out += "," }
            let e = group.lead
            out += "{\"id\":\(n + 1),\"series\":\(quoted(e.series)),\"index\":\(e.row),\"timestamp\":\(time(e.time))"
            out += ",\"before\":\(number(e.event.before)),\"after\":\(number(e.event.after))"
            out +=
                ",\"relative_change\":\(number(e.event.relativeChange)),\"absolute_change\":\(number(e.event.absoluteChange))"
            out += ",\"kind\":\"\(e.event.kind.rawValue)\",\"confidence\":\(number(max(0, 1 - e.event.pValue)))"
            out +=
                ",\"p_value\":\(number(e.event.pValue)),\"mde\":\(number(e.event.mde)),\"effect_mde\":\(number(e.event.effect))"
            if let costModel {
                out += ",\"cores\":\(number(costModel.cores(forShare: e.event.absoluteChange)))"
                out += ",\"watts\":\(number(costModel.watts(forShare: e.event.absoluteChange)))"
            }
            out += ",\"members\":["
            for (m, member) in group.members.enumerated() {
                if m > 0 { out += "," }
                out += "{\"series\":\(quoted(member.series)),\"index\":\(member.row),\"timestamp\":\(time(member.time))"
                out += ",\"before\":\(number(member.event.before)),\"after\":\(number(member.event.after))"
                out += ",\"effect_mde\":\(number(member.event.effect))}"
            }
            out += "]}"
        }
        out += "],\"transients\":["
        for (n, e) in report.transients.enumerated() {
            if n > 0 { out += "," }
            out +=
                "{\"series\":\(quoted(e.series)),\"index\":\(e.row),\"end_index\":\(e.endRow.map(String.init) ?? "null")"
            out += ",\"timestamp\":\(time(e.time)),\"end_timestamp\":\(time(e.endTime))"
            out +=
                ",\"before\":\(number(e.event.before)),\"during\":\(number(e.event.after)),\"effect_mde\":\(number(e.event.effect))}"
        }
        out += "],\"summary\":{\"series\":\(report.seriesCount),\"points\":\(report.pointCount)"
        out += ",\"seasonal_series\":\(report.seasonalCount),\"regressions\":\(report.regressions.count)"
        out += ",\"transients\":\(report.transients.count),\"below_floor\":\(report.belowFloorCount)"
        out += ",\"seconds\":\(number(seconds))}}"
        return out
    }

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

    private func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case let s where s.value < 0x20: out += String(format: "\\u%04x", s.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    private func number(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "null" }
        return "\(value)"
    }

    private func time(_ value: Int64?) -> String { value.map { "\"\(Timestamps.format($0))\"" } ?? "null" }
}
