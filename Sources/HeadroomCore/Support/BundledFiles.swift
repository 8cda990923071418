import Foundation

/// Finds folders that ship with the Headroom checkout (`Examples/shop`, `Skills`) from the current directory or the
/// executable, walking up a few levels.
public enum BundledFiles {
    public static func find(_ relative: String, where accept: (String) -> Bool) -> String? {
        let fm = FileManager.default
        let starts = [
            fm.currentDirectoryPath,
            URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
                .deletingLastPathComponent().path,
        ]
        for start in starts {
            var dir = URL(fileURLWithPath: start)
            for _ in 0..<8 {
                let candidate = dir.appendingPathComponent(relative).path
                if accept(candidate) { return candidate }
                dir.deleteLastPathComponent()
            }
        }
        return nil
    }
}
