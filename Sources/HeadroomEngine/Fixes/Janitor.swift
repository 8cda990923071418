import Foundation
import HeadroomCore
import HeadroomDelivery
import HeadroomStore

/// Finds and removes what interrupted runs left behind — their own things only: scratch folders and git worktrees
/// whose owner process (`ProcessLease`) has ended, processes still working inside those folders, patch rows such a
/// process was working on (marked `cancelled`), and the `headroom/…` branches of those rows that were never
/// delivered. A live process's work is never touched. `headroom doctor` shows the list; fix, resolve and doctor
/// `--fix` clean it.
public struct Janitor: Sendable {
    /// The store whose runs' leftovers are looked for.
    public let store: any FixStore

    /// A janitor over `store`.
    public init(store: any FixStore) { self.store = store }

    /// One thing left behind.
    public struct Leftover: Sendable, Codable, Equatable {
        /// What was left.
        public enum Kind: String, Sendable, Codable {
            /// A test or benchmark process of a dead run, still running.
            case process
            /// A validation worktree of a dead run.
            case worktree
            /// A patch a dead run held (marked cancelled).
            case patch
            /// The branch of such a patch.
            case branch
            /// A dead run's scratch folder.
            case scratch
            /// A `headroom/` branch no patch of this store made: shown, never deleted.
            case foreignBranch = "foreign-branch"
        }

        /// What was left.
        public var kind: Kind
        /// What it is: a pid, a path, a patch, a branch.
        public var what: String
        /// The registered repository it is in.
        public var repository: String?
        /// Why it counts as left behind.
        public var detail: String
        /// Whether `clean` removed it.
        public var removed: Bool
    }

    /// What is left behind now.
    public func survey() -> [Leftover] { run(clean: false) }

    /// Removes what is left behind; returns what it found, each marked removed or not.
    @discardableResult
    public func clean() -> [Leftover] { run(clean: true) }

    private func run(clean: Bool) -> [Leftover] {
        var found: [Leftover] = []
        let repositories = (try? store.registeredRepositories()) ?? []
        let stale = repositories.map { ($0, Self.staleWorktrees(repository: $0.root)) }
        let stalePaths = stale.flatMap(\.1)
        // A dead run's scratch folder that holds worktrees is this store's to clean only when they are worktrees of
        // its registered repositories (another store's doctor cleans the others).
        let deadScratch = Self.deadScratchFolders().filter { folder in
            !Self.holdsWorktrees(folder) || stalePaths.contains { $0.hasPrefix(folder + "/") }
        }
        for folder in deadScratch {
            for pid in ProcessTree.working(inside: folder) {
                var item = Leftover(
                    kind: .process, what: "pid \(pid)", repository: nil,
                    detail: "still running in \(folder), whose run ended", removed: false)
                if clean {
                    for child in ProcessTree.descendants(of: pid).reversed() { kill(child, SIGKILL) }
                    item.removed = kill(pid, SIGKILL) == 0
                }
                found.append(item)
            }
        }
        for (repository, paths) in stale {
            for path in paths {
                var item = Leftover(
                    kind: .worktree, what: path, repository: repository.name,
                    detail: "a validation or delivery worktree of a run that ended", removed: false)
                if clean {
                    _ = try? Shell.run(
                        ["git", "-C", repository.root, "worktree", "remove", "--force", path], timeout: 60)
                    _ = try? Shell.run(["git", "-C", repository.root, "worktree", "prune"], timeout: 60)
                    item.removed = !Self.worktreePaths(repository: repository.root).contains(path)
                }
                found.append(item)
            }
        }
        for (id, owner, status) in (try? store.ownedPatches()) ?? [] where !ProcessLease.isAlive(owner) {
            var item = Leftover(
                kind: .patch, what: "patch \(id)", repository: nil,
                detail: "\(status.rawValue), held by a run that ended (\(owner))", removed: false)
            if clean {
                item.removed =
                    (try? Self.cancel(store: store, owner: owner, reason: "interrupted: its run ended before finishing"))
                    != nil
            }
            found.append(item)
        }
        found += branches(repositories: repositories, clean: clean)
        for folder in deadScratch {
            var item = Leftover(
                kind: .scratch, what: folder, repository: nil, detail: "scratch folder of a run that ended",
                removed: false)
            if clean {
                try? FileManager.default.removeItem(atPath: folder)
                item.removed = !FileManager.default.fileExists(atPath: folder)
            }
            found.append(item)
        }
        return found
    }

    /// `headroom/…` branches that Headroom committed and no live patch of this store holds: those of cancelled
    /// patches are deleted; those no patch of this store names are shown only (another store may own them).
    private func branches(repositories: [RegisteredRepository], clean: Bool) -> [Leftover] {
        // Read only when a branch Headroom made is found (the rows carry transcripts; fix runs this before it starts).
        var loaded: [PatchRecord]?
        func patches() -> [PatchRecord] {
            if loaded == nil { loaded = (try? store.patches(skill: nil, review: nil, status: nil)) ?? [] }
            return loaded!
        }
        var found: [Leftover] = []
        for repository in repositories {
            let listed =
                (try? Shell.run(
                    [
                        "git", "-C", repository.root, "for-each-ref", "--format=%(refname:short) %(authoremail)",
                        "refs/heads/headroom/",
                    ], timeout: 60))?.stdout ?? ""
            let checkedOut = Self.checkedOutBranches(repository: repository.root)
            for line in listed.split(separator: "\n") {
                let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
                guard parts.count == 2, parts[1] == "<\(PatchBranch.author.email)>", !checkedOut.contains(parts[0])
                else { continue }
                let holders = patches().filter { $0.branch == parts[0] && $0.repository == repository.root }
                if holders.isEmpty {
                    found.append(
                        Leftover(
                            kind: .foreignBranch, what: parts[0], repository: repository.name,
                            detail: "made by Headroom but by no patch of this store; left alone", removed: false))
                } else if holders.allSatisfy({ $0.status == .cancelled }) {
                    var item = Leftover(
                        kind: .branch, what: parts[0], repository: repository.name,
                        detail:
                            "branch of cancelled patch \(holders.compactMap(\.id).map(String.init).joined(separator: ", "))",
                        removed: false)
                    if clean {
                        _ = try? Shell.run(["git", "-C", repository.root, "branch", "-D", parts[0]], timeout: 60)
                        item.removed = !Git.hasBranch(parts[0], root: repository.root)
                    }
                    found.append(item)
                }
            }
        }
        return found
    }

    /// Ends an owner's work in the store: its proposed patches become `cancelled`, and the `headroom/…` branches
    /// any of them had started are deleted. Returns what it did in words, or nil when it had nothing to do.
    @discardableResult
    public static func cancel(store: any FixStore, owner: String, reason: String) throws -> String? {
        let ids = try store.cancelPatches(owner: owner, reason: reason)
        guard !ids.isEmpty else { return nil }
        var deleted: [String] = []
        for id in ids {
            guard let record = try? store.patch(id: id), let branch = record.branch, branch.hasPrefix("headroom/"),
                Git.hasBranch(branch, root: record.repository)
            else { continue }
            if (try? Shell.run(["git", "-C", record.repository, "branch", "-D", branch], timeout: 60, tracked: false))?
                .succeeded == true
            {
                deleted.append(branch)
            }
        }
        return "cancelled patch\(ids.count == 1 ? "" : "es") \(ids.map(String.init).joined(separator: ", "))"
            + (deleted.isEmpty ? "" : " (deleted \(deleted.joined(separator: ", ")))")
    }

    /// Marks the patches this process works on as cancelled if it is interrupted; returns the key to remove it.
    static func cancelOnInterrupt(store: any FixStore) -> UUID {
        ActiveWork.shared.onInterrupt {
            try? cancel(
                store: store, owner: ProcessLease.current, reason: "interrupted (SIGTERM/SIGINT) before finishing")
        }
    }

    // MARK: finding

    /// Scratch folders (`headroom…` under the temporary folder) whose owner lease names a process that ended.
    static func deadScratchFolders() -> [String] {
        let root = PrivateTemporary.root
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return entries.filter { $0.hasPrefix("headroom") }.sorted().compactMap { entry in
            let folder = (root as NSString).appendingPathComponent(entry)
            let lease = (folder as NSString).appendingPathComponent(ProcessLease.fileName)
            guard let owner = try? String(contentsOfFile: lease, encoding: .utf8), !ProcessLease.isAlive(owner) else {
                return nil
            }
            return folder
        }
    }

    /// Whether a folder holds a git worktree (a subfolder with a `.git` file).
    static func holdsWorktrees(_ folder: String) -> Bool {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return entries.contains { entry in
            var isDirectory: ObjCBool = false
            let git = ((folder as NSString).appendingPathComponent(entry) as NSString).appendingPathComponent(".git")
            return FileManager.default.fileExists(atPath: git, isDirectory: &isDirectory) && !isDirectory.boolValue
        }
    }

    /// Worktrees of a repository that sit in a scratch folder whose run ended (or that is gone).
    static func staleWorktrees(repository: String) -> [String] {
        let root = PrivateTemporary.root
        return worktreePaths(repository: repository).filter { path in
            guard path.hasPrefix(root + "/") else { return false }
            let top = path.dropFirst(root.count + 1).split(separator: "/").first.map(String.init) ?? ""
            guard top.hasPrefix("headroom") else { return false }
            let lease = ((root as NSString).appendingPathComponent(top) as NSString).appendingPathComponent(
                ProcessLease.fileName)
            guard let owner = try? String(contentsOfFile: lease, encoding: .utf8) else {
                // No lease: the folder is gone (or predates leases); only a missing folder is surely stale.
                return !FileManager.default.fileExists(atPath: path)
            }
            return !ProcessLease.isAlive(owner)
        }
    }

    /// Every linked worktree of a repository (not the main one).
    static func worktreePaths(repository: String) -> [String] {
        let listed =
            (try? Shell.run(["git", "-C", repository, "worktree", "list", "--porcelain"], timeout: 60))?.stdout ?? ""
        let paths = listed.split(separator: "\n").filter { $0.hasPrefix("worktree ") }.map {
            String($0.dropFirst("worktree ".count))
        }
        return Array(paths.dropFirst())
    }

    /// Branches checked out in a repository's main worktree or in a live linked one.
    static func checkedOutBranches(repository: String) -> Set<String> {
        let listed =
            (try? Shell.run(["git", "-C", repository, "worktree", "list", "--porcelain"], timeout: 60))?.stdout ?? ""
        return Set(
            listed.split(separator: "\n").filter { $0.hasPrefix("branch refs/heads/") }
                .map { String($0.dropFirst("branch refs/heads/".count)) })
    }
}
