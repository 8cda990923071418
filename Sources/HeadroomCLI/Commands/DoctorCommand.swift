import ArgumentParser
import Foundation
import HeadroomCore
import HeadroomEngine

/// Shows (and with --fix removes) what interrupted runs left behind.
struct DoctorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor", abstract: "Show what interrupted runs left behind; --fix removes it.",
        discussion: """
            A run killed outright (SIGKILL, a crash, a reboot) cannot clean up after itself. Its scratch folders and
            worktrees carry its process lease, so they are told apart from a live run's: stale worktrees in the
            registered repositories, test processes still running in them, patches it held (marked cancelled), the
            branches of those patches, and scratch folders. `fix` and `resolve` clean these before they start.
            """)
    @OptionGroup var storeOptions: StoreOptions
    @Flag(help: "Remove what is found.") var fix = false
    @OptionGroup var format: FormatOptions

    func run() throws {
        let store = try storeOptions.open()
        let janitor = Janitor(store: store)
        let found = fix ? janitor.clean() : janitor.survey()
        if format.format == .json { return try printJSON(["leftovers": found]) }
        if found.isEmpty { print("nothing left behind"); return }
        for item in found {
            let state = item.removed ? "removed" : (item.kind == .foreignBranch ? "left alone" : "found")
            print(
                "\(state): \(item.kind.rawValue) \(item.what)" + (item.repository.map { " in \($0)" } ?? "")
                    + " — \(item.detail)")
        }
        if !fix, found.contains(where: { $0.kind != .foreignBranch }) {
            print("run `headroom doctor --fix` to remove them")
        }
    }
}
