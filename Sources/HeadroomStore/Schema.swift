import GRDB
import Foundation
import HeadroomCore

/// The store's migrations; each runs once, in order, inside a transaction.
enum Schema {
    static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE service (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
                    CREATE TABLE function (
                        id INTEGER PRIMARY KEY, name TEXT NOT NULL, file TEXT NOT NULL DEFAULT '',
                        UNIQUE (name, file));
                    CREATE TABLE profile (
                        id INTEGER PRIMARY KEY, service_id INTEGER NOT NULL REFERENCES service(id),
                        bucket INTEGER NOT NULL, content_hash TEXT NOT NULL, format TEXT NOT NULL, source TEXT NOT NULL,
                        total_samples INTEGER NOT NULL, ingested_at INTEGER NOT NULL,
                        UNIQUE (service_id, content_hash));
                    CREATE TABLE bucket_total (
                        service_id INTEGER NOT NULL REFERENCES service(id), bucket INTEGER NOT NULL,
                        total_samples INTEGER NOT NULL, PRIMARY KEY (service_id, bucket));
                    CREATE TABLE function_bucket (
                        service_id INTEGER NOT NULL REFERENCES service(id), bucket INTEGER NOT NULL,
                        function_id INTEGER NOT NULL REFERENCES function(id),
                        self_samples INTEGER NOT NULL, total_samples INTEGER NOT NULL,
                        PRIMARY KEY (service_id, bucket, function_id));
                    CREATE TABLE call_edge (
                        service_id INTEGER NOT NULL REFERENCES service(id), bucket INTEGER NOT NULL,
                        caller_id INTEGER NOT NULL REFERENCES function(id),
                        callee_id INTEGER NOT NULL REFERENCES function(id), samples INTEGER NOT NULL,
                        PRIMARY KEY (service_id, bucket, caller_id, callee_id));
                    CREATE TABLE change_commit (
                        id INTEGER PRIMARY KEY, repo TEXT NOT NULL, sha TEXT NOT NULL, kind TEXT NOT NULL,
                        author TEXT NOT NULL, email TEXT NOT NULL, time INTEGER NOT NULL, message TEXT NOT NULL,
                        files TEXT NOT NULL, added_text TEXT NOT NULL, lines_added INTEGER NOT NULL,
                        lines_removed INTEGER NOT NULL, UNIQUE (repo, sha));
                    CREATE TABLE changed_function (
                        commit_id INTEGER NOT NULL REFERENCES change_commit(id) ON DELETE CASCADE,
                        file TEXT NOT NULL, name TEXT NOT NULL, change TEXT NOT NULL,
                        lines_added INTEGER NOT NULL, lines_removed INTEGER NOT NULL,
                        PRIMARY KEY (commit_id, file, name));
                    CREATE TABLE deploy (
                        id INTEGER PRIMARY KEY, service_id INTEGER NOT NULL REFERENCES service(id),
                        commit_sha TEXT NOT NULL, time INTEGER NOT NULL, UNIQUE (service_id, commit_sha, time));
                    CREATE TABLE regression (
                        id INTEGER PRIMARY KEY, service_id INTEGER NOT NULL REFERENCES service(id),
                        function_id INTEGER NOT NULL REFERENCES function(id), metric TEXT NOT NULL,
                        idx INTEGER NOT NULL, bucket INTEGER NOT NULL, previous_bucket INTEGER NOT NULL,
                        before REAL NOT NULL, after REAL NOT NULL, p_value REAL NOT NULL, confidence REAL NOT NULL,
                        kind TEXT NOT NULL, members TEXT NOT NULL, detected_at INTEGER NOT NULL,
                        UNIQUE (service_id, function_id, metric, bucket));
                    CREATE TABLE rootcause_candidate (
                        regression_id INTEGER NOT NULL REFERENCES regression(id) ON DELETE CASCADE,
                        rank INTEGER NOT NULL, kind TEXT NOT NULL, ref TEXT NOT NULL, author TEXT NOT NULL,
                        email TEXT NOT NULL, message TEXT NOT NULL, score REAL NOT NULL, evidence TEXT NOT NULL,
                        functions TEXT NOT NULL, PRIMARY KEY (regression_id, rank));
                    CREATE TABLE patch (
                        id INTEGER PRIMARY KEY, regression_id INTEGER REFERENCES regression(id),
                        skill TEXT NOT NULL, repo TEXT NOT NULL, branch TEXT, base_commit TEXT NOT NULL,
                        diff TEXT NOT NULL, pr_description TEXT, status TEXT NOT NULL, reason TEXT,
                        validation TEXT, created_at INTEGER NOT NULL);
                    CREATE INDEX function_bucket_by_function ON function_bucket (service_id, function_id, bucket);
                    """)
        }
        migrator.registerMigration("v2-stacks-labels") { db in
            // Whole stacks (function ids, root first) per bucket and label set, for flame graphs and label filters;
            // and the sample type, so that one service never mixes, say, samples/count with cpu/nanoseconds.
            try db.execute(
                sql: """
                    ALTER TABLE profile ADD COLUMN sample_type TEXT NOT NULL DEFAULT 'samples/count';
                    ALTER TABLE service ADD COLUMN sample_type TEXT;
                    CREATE TABLE stack (id INTEGER PRIMARY KEY, hash INTEGER NOT NULL, frames TEXT NOT NULL);
                    CREATE INDEX stack_by_hash ON stack (hash);
                    CREATE TABLE label_set (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);
                    INSERT INTO label_set (id, text) VALUES (0, '');
                    CREATE TABLE label_entry (
                        label_set_id INTEGER NOT NULL REFERENCES label_set(id), key TEXT NOT NULL, value TEXT NOT NULL,
                        PRIMARY KEY (label_set_id, key));
                    CREATE INDEX label_entry_by_pair ON label_entry (key, value);
                    -- No foreign keys here: its rows are only ever written by Store.ingest, from ids it has just looked
                    -- up, and three key checks per row would be a third of a large ingest's write time.
                    CREATE TABLE stack_bucket (
                        service_id INTEGER NOT NULL, bucket INTEGER NOT NULL, stack_id INTEGER NOT NULL,
                        label_set_id INTEGER NOT NULL, samples INTEGER NOT NULL,
                        PRIMARY KEY (service_id, bucket, stack_id, label_set_id)) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v3-regression-severity") { db in
            // Severity: the minimum detectable effect of the split (share units) and the change in those units.
            try db.execute(
                sql: """
                    ALTER TABLE regression ADD COLUMN mde REAL;
                    ALTER TABLE regression ADD COLUMN effect REAL;
                    """)
        }
        migrator.registerMigration("v4-change-history") { db in
            // Commit graph, service tag, per-function text, hunks and configuration keys (root cause, issue 5).
            try db.execute(
                sql: """
                    ALTER TABLE change_commit ADD COLUMN parents TEXT NOT NULL DEFAULT '';
                    ALTER TABLE change_commit ADD COLUMN service TEXT;
                    UPDATE change_commit SET kind = 'code' WHERE kind = 'commit';
                    CREATE INDEX change_commit_time ON change_commit (kind, time);
                    CREATE INDEX change_commit_sha ON change_commit (sha);
                    ALTER TABLE changed_function ADD COLUMN previous_name TEXT;
                    ALTER TABLE changed_function ADD COLUMN added_text TEXT NOT NULL DEFAULT '[]';
                    ALTER TABLE changed_function ADD COLUMN removed_text TEXT NOT NULL DEFAULT '[]';
                    CREATE TABLE change_hunk (
                        commit_id INTEGER NOT NULL REFERENCES change_commit(id) ON DELETE CASCADE,
                        file TEXT NOT NULL, old_start INTEGER NOT NULL, old_count INTEGER NOT NULL,
                        new_start INTEGER NOT NULL, new_count INTEGER NOT NULL, functions TEXT NOT NULL);
                    CREATE INDEX change_hunk_commit ON change_hunk (commit_id);
                    CREATE TABLE config_key_change (
                        commit_id INTEGER NOT NULL REFERENCES change_commit(id) ON DELETE CASCADE,
                        file TEXT NOT NULL, key TEXT NOT NULL, old_value TEXT, new_value TEXT,
                        PRIMARY KEY (commit_id, file, key));
                    CREATE INDEX deploy_time ON deploy (time);
                    ALTER TABLE rootcause_candidate ADD COLUMN confidence REAL NOT NULL DEFAULT 0;
                    ALTER TABLE rootcause_candidate ADD COLUMN features TEXT NOT NULL DEFAULT '{}';
                    ALTER TABLE rootcause_candidate ADD COLUMN live_at INTEGER;
                    """)
        }
        migrator.registerMigration("v5-skills") { db in
            // Patches from both agents with their edit, transcript and review; opportunities (issue 6).
            try db.execute(
                sql: """
                    ALTER TABLE patch ADD COLUMN kind TEXT NOT NULL DEFAULT 'regression';
                    ALTER TABLE patch ADD COLUMN opportunity_id INTEGER REFERENCES opportunity(id);
                    ALTER TABLE patch ADD COLUMN path TEXT;
                    ALTER TABLE patch ADD COLUMN function TEXT;
                    ALTER TABLE patch ADD COLUMN culprit TEXT;
                    ALTER TABLE patch ADD COLUMN commit_sha TEXT;
                    ALTER TABLE patch ADD COLUMN summary TEXT NOT NULL DEFAULT '[]';
                    ALTER TABLE patch ADD COLUMN edit TEXT;
                    ALTER TABLE patch ADD COLUMN transcript TEXT NOT NULL DEFAULT '[]';
                    ALTER TABLE patch ADD COLUMN review TEXT NOT NULL DEFAULT 'pending';
                    ALTER TABLE patch ADD COLUMN review_note TEXT;
                    ALTER TABLE patch ADD COLUMN reviewed_at INTEGER;
                    ALTER TABLE patch ADD COLUMN seconds REAL;
                    CREATE TABLE opportunity (
                        id INTEGER PRIMARY KEY, service TEXT NOT NULL, function TEXT NOT NULL, file TEXT NOT NULL,
                        line INTEGER NOT NULL, pattern TEXT NOT NULL, skill TEXT, share REAL NOT NULL,
                        share_basis TEXT NOT NULL, cores REAL NOT NULL, watts REAL NOT NULL, savings_cores REAL NOT NULL,
                        savings_watts REAL NOT NULL, detail TEXT NOT NULL, blocked TEXT, repo TEXT NOT NULL,
                        evidence TEXT NOT NULL, criteria TEXT NOT NULL, found_at INTEGER NOT NULL,
                        UNIQUE (service, file, function, pattern));
                    """)
        }
        migrator.registerMigration("v6-profile-rollups") { db in
            // Read paths of tool calls on large stores: per-function totals over all time (a full-range `top` reads
            // one row per function), and the per-function index made covering, so range sums never visit the table.
            try db.execute(
                sql: """
                    CREATE TABLE function_total (
                        service_id INTEGER NOT NULL REFERENCES service(id), function_id INTEGER NOT NULL REFERENCES function(id),
                        self_samples INTEGER NOT NULL, total_samples INTEGER NOT NULL,
                        PRIMARY KEY (service_id, function_id)) WITHOUT ROWID;
                    INSERT INTO function_total (service_id, function_id, self_samples, total_samples)
                        SELECT service_id, function_id, SUM(self_samples), SUM(total_samples) FROM function_bucket
                        GROUP BY service_id, function_id;
                    DROP INDEX function_bucket_by_function;
                    CREATE INDEX function_bucket_by_function
                        ON function_bucket (service_id, function_id, bucket, self_samples, total_samples);
                    """)
        }
        migrator.registerMigration("v7-stack-rollups") { db in
            // All-time samples per stack, kept at ingest, with an index by samples: the heaviest stacks of a service
            // (a flame tool call) are the first rows of that index instead of a sum over every bucket's stacks.
            try db.execute(
                sql: """
                    CREATE TABLE stack_total (
                        service_id INTEGER NOT NULL, stack_id INTEGER NOT NULL, samples INTEGER NOT NULL,
                        PRIMARY KEY (service_id, stack_id)) WITHOUT ROWID;
                    INSERT INTO stack_total (service_id, stack_id, samples)
                        SELECT service_id, stack_id, SUM(samples) FROM stack_bucket GROUP BY service_id, stack_id;
                    CREATE INDEX stack_total_by_samples ON stack_total (service_id, samples);
                    """)
        }
        migrator.registerMigration("v8-registered-repositories") { db in
            // Repositories the operator registered (issue 25): tools take one of these by name, never a free path.
            // Every repository commits or patches came from before this version was registered by the operator's
            // own `changes import` / `fix --repo`, so those are carried over. `patch.owner` names the process
            // working on a patch (host:pid:start), so an interrupted run's rows can be told from resting ones.
            try db.execute(
                sql: """
                    CREATE TABLE repository (
                        name TEXT PRIMARY KEY, root TEXT NOT NULL UNIQUE, service TEXT, added_at INTEGER NOT NULL);
                    ALTER TABLE patch ADD COLUMN owner TEXT;
                    """)
            let roots = try String.fetchAll(
                db,
                sql: """
                    SELECT repo FROM change_commit UNION SELECT repo FROM patch WHERE repo != ''
                    UNION SELECT repo FROM opportunity ORDER BY 1
                    """)
            var taken = Set<String>()
            for root in roots {
                let base = (root as NSString).lastPathComponent
                var name = base.isEmpty ? "repository" : base
                var n = 1
                while taken.contains(name) {
                    n += 1
                    name = "\(base)-\(n)"
                }
                taken.insert(name)
                let service = try String.fetchAll(
                    db, sql: "SELECT DISTINCT service FROM change_commit WHERE repo = ? AND service IS NOT NULL",
                    arguments: [root])
                try db.execute(
                    sql: "INSERT INTO repository (name, root, service, added_at) VALUES (?, ?, ?, ?)",
                    arguments: [name, root, service.count == 1 ? service[0] : nil, Timestamps.now()])
            }
        }
        migrator.registerMigration("v9-function-lines") { db in
            // Samples per source line of a function, where the profiler names lines (py-spy): what one statement
            // costs, so an opportunity's share is the samples of the lines a fix changes (issues 19, 24).
            try db.execute(
                sql: """
                    CREATE TABLE function_line (
                        service_id INTEGER NOT NULL, function_id INTEGER NOT NULL, line INTEGER NOT NULL,
                        bucket INTEGER NOT NULL, self_samples INTEGER NOT NULL, total_samples INTEGER NOT NULL,
                        PRIMARY KEY (service_id, function_id, line, bucket)) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v10-savings-calibration") { db in
            // Predicted against measured savings of every validated opportunity fix (issue 19): the opportunity's
            // measured share and predicted saving when it was validated, and the A/B speed-up's saving.
            try db.execute(
                sql: """
                    CREATE TABLE calibration (
                        patch_id INTEGER PRIMARY KEY, opportunity_id INTEGER, pattern TEXT NOT NULL,
                        share REAL NOT NULL, share_basis TEXT NOT NULL, predicted REAL NOT NULL, speedup REAL NOT NULL,
                        measured REAL NOT NULL, significant INTEGER NOT NULL, recorded_at INTEGER NOT NULL);
                    """)
        }
        migrator.registerMigration("v11-lean-rollups") { db in
            // The per-bucket rollups every ingest writes, rebuilt lean (ingest cost, issues 16 and 17): stored in
            // their key's order (WITHOUT ROWID: one B-tree per table instead of a rowid table plus a key index) and
            // without per-row foreign keys (each cost a parent lookup per row written; the store writes these ids
            // itself, from rows it has just read or made, as it already did for stack_bucket).
            try db.execute(
                sql: """
                    CREATE TABLE call_edge_lean (
                        service_id INTEGER NOT NULL, bucket INTEGER NOT NULL, caller_id INTEGER NOT NULL,
                        callee_id INTEGER NOT NULL, samples INTEGER NOT NULL,
                        PRIMARY KEY (service_id, bucket, caller_id, callee_id)) WITHOUT ROWID;
                    INSERT INTO call_edge_lean SELECT service_id, bucket, caller_id, callee_id, samples FROM call_edge;
                    DROP TABLE call_edge;
                    ALTER TABLE call_edge_lean RENAME TO call_edge;
                    CREATE TABLE function_bucket_lean (
                        service_id INTEGER NOT NULL, bucket INTEGER NOT NULL, function_id INTEGER NOT NULL,
                        self_samples INTEGER NOT NULL, total_samples INTEGER NOT NULL,
                        PRIMARY KEY (service_id, bucket, function_id)) WITHOUT ROWID;
                    INSERT INTO function_bucket_lean
                        SELECT service_id, bucket, function_id, self_samples, total_samples FROM function_bucket;
                    DROP TABLE function_bucket;
                    ALTER TABLE function_bucket_lean RENAME TO function_bucket;
                    CREATE INDEX function_bucket_by_function
                        ON function_bucket (service_id, function_id, bucket, self_samples, total_samples);
                    CREATE TABLE function_total_lean (
                        service_id INTEGER NOT NULL, function_id INTEGER NOT NULL, self_samples INTEGER NOT NULL,
                        total_samples INTEGER NOT NULL, PRIMARY KEY (service_id, function_id)) WITHOUT ROWID;
                    INSERT INTO function_total_lean
                        SELECT service_id, function_id, self_samples, total_samples FROM function_total;
                    DROP TABLE function_total;
                    ALTER TABLE function_total_lean RENAME TO function_total;
                    """)
        }
        migrator.registerMigration("v12-triage-and-events") { db in
            // People's verdicts on regressions, kept by the regression's identity so they outlive re-detection; and
            // the outbox of notifications: each event once per (kind, subject), each delivery per webhook target
            // with its attempts (targets are hashes of their URLs: a webhook URL often carries a secret).
            try db.execute(
                sql: """
                    CREATE TABLE regression_triage (
                        service_id INTEGER NOT NULL, function_id INTEGER NOT NULL, metric TEXT NOT NULL,
                        bucket INTEGER NOT NULL, verdict TEXT NOT NULL, note TEXT NOT NULL, decided_at INTEGER NOT NULL,
                        PRIMARY KEY (service_id, function_id, metric, bucket)) WITHOUT ROWID;
                    CREATE TABLE event (
                        id INTEGER PRIMARY KEY, kind TEXT NOT NULL, subject TEXT NOT NULL, payload TEXT NOT NULL,
                        created_at INTEGER NOT NULL, UNIQUE (kind, subject));
                    CREATE TABLE webhook_target (id TEXT PRIMARY KEY, added_at INTEGER NOT NULL) WITHOUT ROWID;
                    CREATE TABLE event_delivery (
                        event_id INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE, target TEXT NOT NULL,
                        state TEXT NOT NULL, attempts INTEGER NOT NULL, next_attempt_at INTEGER NOT NULL,
                        last_error TEXT NOT NULL, delivered_at INTEGER,
                        PRIMARY KEY (event_id, target));
                    CREATE INDEX event_delivery_due ON event_delivery (state, next_attempt_at);
                    """)
        }
        migrator.registerMigration("v13-jobs") { db in
            // The server's durable work queue (fix attempts): one job per (kind, subject); a job runs under a lease
            // (its owner process and an expiry), so one a crash left running is taken up again or failed, never run
            // twice at once. `held` jobs wait for a person (the policy did not allow an automatic attempt).
            try db.execute(
                sql: """
                    CREATE TABLE job (
                        id INTEGER PRIMARY KEY, kind TEXT NOT NULL, subject TEXT NOT NULL, regression_id INTEGER,
                        state TEXT NOT NULL, reason TEXT NOT NULL, attempts INTEGER NOT NULL, lease_owner TEXT,
                        lease_until INTEGER, result TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
                        UNIQUE (kind, subject));
                    CREATE INDEX job_by_state ON job (state, id);
                    """)
        }
        migrator.registerMigration("v14-publications") { db in
            // Where a delivered patch was published: the forge's pull/merge request, so publishing again updates it.
            try db.execute(
                sql: """
                    CREATE TABLE publication (
                        patch_id INTEGER PRIMARY KEY REFERENCES patch(id) ON DELETE CASCADE, forge TEXT NOT NULL,
                        repo TEXT NOT NULL, number INTEGER NOT NULL, url TEXT NOT NULL, reviewer TEXT,
                        published_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
                    """)
        }
        migrator.registerMigration("v15-measured-cores") { db in
            // What a profile measures beyond its samples: when it starts, the CPU seconds its samples stand for and
            // the wall seconds it covers (null where the profile does not say). Cores = CPU over wall time.
            try db.execute(
                sql: """
                    ALTER TABLE profile ADD COLUMN started_at INTEGER;
                    ALTER TABLE profile ADD COLUMN cpu_seconds REAL;
                    ALTER TABLE profile ADD COLUMN wall_seconds REAL;
                    """)
        }
        migrator.registerMigration("v16-program") { db in
            // The commit an applied patch became on the reviewer's branch (what a deploy must contain for the fix to
            // be live), and until when a snoozed regression stays quiet.
            try db.execute(
                sql: """
                    ALTER TABLE patch ADD COLUMN applied_commit TEXT;
                    ALTER TABLE regression_triage ADD COLUMN snooze_until INTEGER;
                    """)
        }
        migrator.registerMigration("v17-call-edge-sets") { db in
            // A bucket's call edges as one blob (`CallEdgeSet`) instead of one row each: a large profile's tens of
            // thousands of edges were the costliest rows of an ingest, and every reader wants a bucket's edges whole.
            try db.execute(
                sql: """
                    CREATE TABLE call_edge_set (
                        service_id INTEGER NOT NULL, bucket INTEGER NOT NULL, edges BLOB NOT NULL,
                        PRIMARY KEY (service_id, bucket)) WITHOUT ROWID;
                    """)
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT service_id, bucket, caller_id, callee_id, samples FROM call_edge
                    ORDER BY service_id, bucket, caller_id, callee_id
                    """)
            var key: (Int64, Int64)?
            var edges: [CallEdgeSet.Edge] = []
            func flush() throws {
                guard let key, !edges.isEmpty else { return }
                try db.execute(
                    sql: "INSERT INTO call_edge_set (service_id, bucket, edges) VALUES (?, ?, ?)",
                    arguments: [key.0, key.1, CallEdgeSet.encode(edges)])
                edges.removeAll(keepingCapacity: true)
            }
            while let row = try rows.next() {
                let rowKey: (Int64, Int64) = (row[0], row[1])
                if let current = key, current != rowKey { try flush() }
                key = rowKey
                edges.append((row[2], row[3], max(0, row[4] as Int64)))
            }
            try flush()
            try db.execute(sql: "DROP TABLE call_edge")
        }
        migrator.registerMigration("v18-ingest-log") { db in
            // The server's accepted pushes whose per-bucket rows are not written yet (`Store.compactIngestLog`): one
            // blob per service and bucket of a commit, so a fleet's pushes cost one small row each at the 200 and
            // their functions, stacks and lines are written once per compaction instead of once per push. Ids are
            // never reused (AUTOINCREMENT), so a row's id says when it was logged even after the log has emptied.
            try db.execute(
                sql: """
                    CREATE TABLE ingest_log (
                        id INTEGER PRIMARY KEY AUTOINCREMENT, service_id INTEGER NOT NULL, bucket INTEGER NOT NULL,
                        aggregates BLOB NOT NULL);
                    CREATE INDEX ingest_log_by_bucket ON ingest_log (service_id, bucket, id);
                    """)
        }
        return migrator
    }
}
