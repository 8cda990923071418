import Foundation
import HeadroomCore

/// Renders a `FlameTree` as a self-contained SVG: no scripts, no external fonts or styles.
///
/// Root at the bottom, callers below callees, widths proportional to samples, children sorted by name (so two graphs
/// of the same code line up). Every frame has a `<title>` tooltip with its samples and share. In a differential graph
/// widths are the current profile and colour is the change in each frame's share of all samples: red grew, blue
/// shrank, the deepest colour at the largest change.
public struct FlameGraphSVG {
    public var title: String
    public var subtitle: String = ""
    public var width = 1200.0
    public var frameHeight = 17.0
    public var fontSize = 11.0
    /// Frames narrower than this many pixels are not drawn (they are still counted in their parents).
    public var minimumWidth = 0.3
    /// A frame narrower than this many pixels is drawn, but what it calls is folded into it (named in its tooltip):
    /// a deep, thin tower — interpreter start-up, an import chain — then costs one row, not the graph's height.
    public var foldWidth = 6.0

    public init(title: String) { self.title = title }

    /// The fewest samples a frame needs to be drawn in a graph of `total` samples (a hair less, so that pruning by
    /// it never drops a frame the renderer would draw).
    public func minimumSamples(total: Int64) -> Double {
        minimumWidth * Double(max(total, 1)) / (width - 20) * (1 - 1e-9)
    }

    public func render(_ tree: FlameTree, totalSamples: Int64? = nil) -> String {
        let total = Double(max(totalSamples ?? tree.root.samples, 1))
        let baselineTotal = Double(max(tree.baselineTotal, 1))
        let scale = (width - 20) / total
        let top = 56.0
        let height = top + Double(drawnDepth(tree.root, scale: scale)) * frameHeight + 30
        var maxChange = 0.0
        if tree.hasBaseline {
            maxChange = largestChange(tree.root, total: total, baselineTotal: baselineTotal, scale: scale)
        }
        var out = """
            <?xml version="1.0" standalone="no"?>
            <svg version="1.1" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" \
            xmlns="http://www.w3.org/2000/svg" font-family="Verdana, DejaVu Sans, sans-serif" font-size="\(fontSize)">
            <rect x="0" y="0" width="100%" height="100%" fill="#f8f8f4"/>
            <text x="\(Int(width / 2))" y="22" text-anchor="middle" font-size="16">\(Self.escape(title))</text>
            <text x="\(Int(width / 2))" y="40" text-anchor="middle" fill="#555">\(Self.escape(subtitle))</text>

            """
        var stack: [(node: FlameTree.Node, x: Double, level: Int)] = [(tree.root, 10, 0)]
        while let (node, x, level) = stack.popLast() {
            let w = Double(node.samples) * scale
            guard w >= minimumWidth else { continue }
            let y = height - 30 - Double(level + 1) * frameHeight
            let name = node.frame.map { $0.name } ?? "all"
            let share = Double(node.samples) / total
            var tip = node.frame?.description ?? "all"
            tip += String(format: " — %lld samples, %.2f%%", node.samples, share * 100)
            let folded = w < foldWidth ? depth(below: node, scale: scale) : 0
            if folded > 0 { tip += "; \(folded) deeper level\(folded == 1 ? "" : "s") folded (too narrow to show)" }
            var fill = Self.warmColour(name)
            if tree.hasBaseline {
                let before = Double(node.baselineSamples) / baselineTotal
                let change = share - before
                fill = Self.diffColour(change, maxChange: maxChange)
                tip += String(
                    format: "; before %.2f%% → after %.2f%% (%+.2f points)", before * 100, share * 100, change * 100)
            }
            out += "<g><title>\(Self.escape(tip))</title>"
            out +=
                String(format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" ", x, y, w, frameHeight - 1)
                + "fill=\"\(fill)\" rx=\"2\"/>"
            if let label = Self.label(name, fitting: Int((w - 6) / (fontSize * 0.62))) {
                out +=
                    String(format: "<text x=\"%.1f\" y=\"%.1f\">", x + 3, y + frameHeight - 5) + Self.escape(label)
                    + "</text>"
            }
            out += "</g>\n"
            guard folded == 0 else { continue }
            var childX = x
            for child in node.sortedChildren {
                stack.append((child, childX, level + 1))
                childX += Double(child.samples) * scale
            }
        }
        if tree.hasBaseline {
            out +=
                "<text x=\"10\" y=\"\(Int(height - 10))\" fill=\"#555\">red: share grew, blue: share shrank (largest change "
                + String(format: "%.2f", maxChange * 100) + " points); widths are the after range</text>\n"
        } else {
            out +=
                "<text x=\"10\" y=\"\(Int(height - 10))\" fill=\"#555\">width: share of \(Int64(total)) samples</text>\n"
        }
        return out + "</svg>\n"
    }

    /// How many levels are drawn (the root counts as one): frames wide enough to draw, below frames wide enough
    /// not to be folded.
    private func drawnDepth(_ root: FlameTree.Node, scale: Double) -> Int {
        var deepest = 1
        var pending = [(root, 1)]
        while let (node, level) = pending.popLast() {
            deepest = max(deepest, level)
            guard Double(node.samples) * scale >= foldWidth || node.frame == nil else { continue }
            for child in node.children.values where Double(child.samples) * scale >= minimumWidth {
                pending.append((child, level + 1))
            }
        }
        return deepest
    }

    /// How many levels of frames wide enough to draw lie below a frame (the same for a pruned tree that holds only
    /// those frames).
    func depth(below node: FlameTree.Node, scale: Double) -> Int {
        var deepest = 0
        var pending = [(node, 0)]
        while let (next, level) = pending.popLast() {
            deepest = max(deepest, level)
            for child in next.children.values where Double(child.samples) * scale >= minimumWidth {
                pending.append((child, level + 1))
            }
        }
        return deepest
    }

    /// The label a frame of room for `fits` characters shows: the whole name; else its last component
    /// (`Cart.total` → `total`, `pkg/mod.f` → `f`); else that cut with an ellipsis; nothing under 4 characters of room.
    public static func label(_ name: String, fitting fits: Int) -> String? {
        guard fits >= 4 else { return nil }
        if name.count <= fits { return name }
        let short = name.split(whereSeparator: { ".:/".contains($0) }).last.map(String.init) ?? name
        if short.count <= fits { return short }
        return String(short.prefix(fits - 1)) + "…"
    }

    /// The largest change in share among the frames drawn (the colour scale's end).
    private func largestChange(_ node: FlameTree.Node, total: Double, baselineTotal: Double, scale: Double) -> Double {
        var largest = 0.0
        var pending = [node]
        while let node = pending.popLast() {
            guard Double(node.samples) * scale >= minimumWidth else { continue }
            largest = max(largest, abs(Double(node.samples) / total - Double(node.baselineSamples) / baselineTotal))
            pending.append(contentsOf: node.children.values)
        }
        return largest
    }

    /// A stable warm colour per name, as classic flame graphs use.
    static func warmColour(_ name: String) -> String {
        var hash: UInt32 = 2_166_136_261
        for byte in name.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        let r = 205 + Int(hash % 50)
        let g = 80 + Int((hash >> 8) % 130)
        let b = 40 + Int((hash >> 16) % 40)
        return "rgb(\(r),\(g),\(b))"
    }

    static func diffColour(_ change: Double, maxChange: Double) -> String {
        guard maxChange > 0 else { return "rgb(225,225,225)" }
        let strength = min(1, abs(change) / maxChange)
        let fade = Int(225 - 170 * strength)
        return change >= 0 ? "rgb(235,\(fade),\(fade))" : "rgb(\(fade),\(fade),235)"
    }

    /// Escapes XML text and drops characters XML 1.0 forbids (control characters from hostile frame names).
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                let v = scalar.value
                if v == 0x9 || v == 0xA || v == 0xD || (v >= 0x20 && v <= 0xD7FF) || (v >= 0xE000 && v <= 0xFFFD)
                    || v >= 0x10000
                {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}
