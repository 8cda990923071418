import HeadroomCore

/// Functions that run while an interpreter starts or imports code, not while the service serves: their share swings
/// with how many processes started in a bucket (a deploy, a restart, a profiler attaching), so a change in them is
/// not a finding. Detection reports them as filtered, with this reason, instead of as regressions.
public enum StartupFrames {
    /// CPython's import machinery and site set-up: frozen modules since 3.11, files before.
    static let frozenFiles: Set<String> = [
        "<frozen importlib._bootstrap>", "<frozen importlib._bootstrap_external>", "<frozen site>",
        "<frozen zipimport>", "<frozen runpy>",
    ]
    /// Before 3.11 the import machinery ran from these files (a service's own `site.py` is not start-up work).
    static let fileSuffixes = ["/importlib/_bootstrap.py", "/importlib/_bootstrap_external.py"]

    /// Why `function` is start-up work, or nil.
    public static func reason(_ function: FunctionRef) -> String? {
        guard let file = function.file else { return nil }
        if frozenFiles.contains(file) || fileSuffixes.contains(where: { file.hasSuffix($0) }) {
            return
                "interpreter start-up (\(file)): it moves with how many processes started, not with the service's work"
        }
        return nil
    }
}
