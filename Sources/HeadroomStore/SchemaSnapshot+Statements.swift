// Written by SchemaSnapshotTests (HEADROOM_WRITE_SCHEMA_SNAPSHOT=1); do not edit by hand.

extension SchemaSnapshot {
    static let statements: [String] = [
        #"""
        CREATE TABLE bucket_total (
            service_id INTEGER NOT NULL REFERENCES service(id), bucket INTEGER NOT NULL,
            total_samples INTEGER NOT NULL, PRIMARY KEY (service_id, bucket))
        """#,
        #"""
        CREATE TABLE calibration (
            patch_id INTEGER PRIMARY KEY, opportunity_id INTEGER, pattern TEXT NOT NULL,
            share REAL NOT NULL, share_basis TEXT NOT NULL, predicted REAL NOT NULL, speedup REAL NOT NULL,
            measured REAL NOT NULL, significant INTEGER NOT NULL, recorded_at INTEGER NOT NULL)
        """#,
        #"""
        CREATE TABLE call_edge_set (
            service_id INTEGER NOT NULL, bucket INTEGER NOT NULL, edges BLOB NOT NULL,
            PRIMARY KEY (service_id, bucket)) WITHOUT ROWID
        """#,
        #"""
        CREATE TABLE change_commit (
            id INTEGER PRIMARY KEY, repo TEXT NOT NULL, sha TEXT NOT NULL, kind TEXT NOT NULL,
            author TEXT NOT NULL, email TEXT NOT NULL, time INTEGER NOT NULL, message TEXT NOT NULL,
            files TEXT NOT NULL, added_text TEXT NOT NULL, lines_added INTEGER NOT NULL,
            lines_removed INTEGER NOT NULL, parents TEXT NOT NULL DEFAULT '', service TEXT, UNIQUE (repo, sha))
        """#,
        #"""
        CREATE TABLE change_hunk (
            commit_id INTEGER NOT NULL REFERENCES change_commit(id) ON DELETE CASCADE,
            file TEXT NOT NULL, old_start INTEGER NOT NULL, old_count INTEGER NOT NULL,
            new_start INTEGER NOT NULL, new_count INTEGER NOT NULL, functions TEXT NOT NULL)
        """#,
        #"""
        CREATE TABLE changed_function (
            commit_id INTEGER NOT NULL REFERENCES change_commit(id) ON DELETE CASCADE,
            file TEXT NOT NULL, name TEXT NOT NULL, change TEXT NOT NULL,
            lines_added INTEGER NOT NULL, lines_removed INTEGER NOT NULL, previous_name TEXT, added_text TEXT NOT NULL DEFAULT '[]', removed_text TEXT NOT NULL DEFAULT '[]',
            PRIMARY KEY (commit_id, file, name))
        """#,
        #"""
        CREATE TABLE config_key_change (
            commit_id INTEGER NOT NULL REFERENCES change_commit(id) ON DELETE CASCADE,
            file TEXT NOT NULL, key TEXT NOT NULL, old_value TEXT, new_value TEXT,
            PRIMARY KEY (commit_id, file, key))
        """#,
        #"""
        CREATE TABLE deploy (
            id INTEGER PRIMARY KEY, service_id INTEGER NOT NULL REFERENCES service(id),
            commit_sha TEXT NOT NULL, time INTEGER NOT NULL, UNIQUE (service_id, commit_sha, time))
        """#,
        #"""
        CREATE TABLE event (
            id INTEGER PRIMARY KEY, kind TEXT NOT NULL, subject TEXT NOT NULL, payload TEXT NOT NULL,
            created_at INTEGER NOT NULL, UNIQUE (kind, subject))
        """#,
        #"""
        CREATE TABLE event_delivery (
            event_id INTEGER NOT NULL REFERENCES event(id) ON DELETE CASCADE, target TEXT NOT NULL,
            state TEXT NOT NULL, attempts INTEGER NOT NULL, next_attempt_at INTEGER NOT NULL,
            last_error TEXT NOT NULL, delivered_at INTEGER,
            PRIMARY KEY (event_id, target))
        """#,
        #"""
        CREATE TABLE function (
            id INTEGER PRIMARY KEY, name TEXT NOT NULL, file TEXT NOT NULL DEFAULT '',
            UNIQUE (name, file))
        """#,
        #"""
        CREATE TABLE "function_bucket" (
            service_id INTEGER NOT NULL, bucket INTEGER NOT NULL, function_id INTEGER NOT NULL,
            self_samples INTEGER NOT NULL, total_samples INTEGER NOT NULL,
            PRIMARY KEY (service_id, bucket, function_id)) WITHOUT ROWID
        """#,
        #"""
        CREATE TABLE function_line (
            service_id INTEGER NOT NULL, function_id INTEGER NOT NULL, line INTEGER NOT NULL,
            bucket INTEGER NOT NULL, self_samples INTEGER NOT NULL, total_samples INTEGER NOT NULL,
            PRIMARY KEY (service_id, function_id, line, bucket)) WITHOUT ROWID
        """#,
        #"""
        CREATE TABLE "function_total" (
            service_id INTEGER NOT NULL, function_id INTEGER NOT NULL, self_samples INTEGER NOT NULL,
            total_samples INTEGER NOT NULL, PRIMARY KEY (service_id, function_id)) WITHOUT ROWID
        """#,
        #"""
        CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)
        """#,
        #"""
        CREATE TABLE ingest_log (
            id INTEGER PRIMARY KEY AUTOINCREMENT, service_id INTEGER NOT NULL, bucket INTEGER NOT NULL,
            aggregates BLOB NOT NULL)
        """#,
        #"""
        CREATE TABLE job (
            id INTEGER PRIMARY KEY, kind TEXT NOT NULL, subject TEXT NOT NULL, regression_id INTEGER,
            state TEXT NOT NULL, reason TEXT NOT NULL, attempts INTEGER NOT NULL, lease_owner TEXT,
            lease_until INTEGER, result TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
            UNIQUE (kind, subject))
        """#,
        #"""
        CREATE TABLE label_entry (
            label_set_id INTEGER NOT NULL REFERENCES label_set(id), key TEXT NOT NULL, value TEXT NOT NULL,
            PRIMARY KEY (label_set_id, key))
        """#,
        #"""
        CREATE TABLE label_set (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE)
        """#,
        #"""
        CREATE TABLE opportunity (
            id INTEGER PRIMARY KEY, service TEXT NOT NULL, function TEXT NOT NULL, file TEXT NOT NULL,
            line INTEGER NOT NULL, pattern TEXT NOT NULL, skill TEXT, share REAL NOT NULL,
            share_basis TEXT NOT NULL, cores REAL NOT NULL, watts REAL NOT NULL, savings_cores REAL NOT NULL,
            savings_watts REAL NOT NULL, detail TEXT NOT NULL, blocked TEXT, repo TEXT NOT NULL,
            evidence TEXT NOT NULL, criteria TEXT NOT NULL, found_at INTEGER NOT NULL,
            UNIQUE (service, file, function, pattern))
        """#,
        #"""
        CREATE TABLE patch (
            id INTEGER PRIMARY KEY, regression_id INTEGER REFERENCES regression(id),
            skill TEXT NOT NULL, repo TEXT NOT NULL, branch TEXT, base_commit TEXT NOT NULL,
            diff TEXT NOT NULL, pr_description TEXT, status TEXT NOT NULL, reason TEXT,
            validation TEXT, created_at INTEGER NOT NULL, kind TEXT NOT NULL DEFAULT 'regression', opportunity_id INTEGER REFERENCES opportunity(id), path TEXT, function TEXT, culprit TEXT, commit_sha TEXT, summary TEXT NOT NULL DEFAULT '[]', edit TEXT, transcript TEXT NOT NULL DEFAULT '[]', review TEXT NOT NULL DEFAULT 'pending', review_note TEXT, reviewed_at INTEGER, seconds REAL, owner TEXT, applied_commit TEXT)
        """#,
        #"""
        CREATE TABLE profile (
            id INTEGER PRIMARY KEY, service_id INTEGER NOT NULL REFERENCES service(id),
            bucket INTEGER NOT NULL, content_hash TEXT NOT NULL, format TEXT NOT NULL, source TEXT NOT NULL,
            total_samples INTEGER NOT NULL, ingested_at INTEGER NOT NULL, sample_type TEXT NOT NULL DEFAULT 'samples/count', started_at INTEGER, cpu_seconds REAL, wall_seconds REAL,
            UNIQUE (service_id, content_hash))
        """#,
        #"""
        CREATE TABLE publication (
            patch_id INTEGER PRIMARY KEY REFERENCES patch(id) ON DELETE CASCADE, forge TEXT NOT NULL,
            repo TEXT NOT NULL, number INTEGER NOT NULL, url TEXT NOT NULL, reviewer TEXT,
            published_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)
        """#,
        #"""
        CREATE TABLE regression (
            id INTEGER PRIMARY KEY, service_id INTEGER NOT NULL REFERENCES service(id),
            function_id INTEGER NOT NULL REFERENCES function(id), metric TEXT NOT NULL,
            idx INTEGER NOT NULL, bucket INTEGER NOT NULL, previous_bucket INTEGER NOT NULL,
            before REAL NOT NULL, after REAL NOT NULL, p_value REAL NOT NULL, confidence REAL NOT NULL,
            kind TEXT NOT NULL, members TEXT NOT NULL, detected_at INTEGER NOT NULL, mde REAL, effect REAL,
            UNIQUE (service_id, function_id, metric, bucket))
        """#,
        #"""
        CREATE TABLE regression_triage (
            service_id INTEGER NOT NULL, function_id INTEGER NOT NULL, metric TEXT NOT NULL,
            bucket INTEGER NOT NULL, verdict TEXT NOT NULL, note TEXT NOT NULL, decided_at INTEGER NOT NULL, snooze_until INTEGER,
            PRIMARY KEY (service_id, function_id, metric, bucket)) WITHOUT ROWID
        """#,
        #"""
        CREATE TABLE repository (
            name TEXT PRIMARY KEY, root TEXT NOT NULL UNIQUE, service TEXT, added_at INTEGER NOT NULL)
        """#,
        #"""
        CREATE TABLE rootcause_candidate (
            regression_id INTEGER NOT NULL REFERENCES regression(id) ON DELETE CASCADE,
            rank INTEGER NOT NULL, kind TEXT NOT NULL, ref TEXT NOT NULL, author TEXT NOT NULL,
            email TEXT NOT NULL, message TEXT NOT NULL, score REAL NOT NULL, evidence TEXT NOT NULL,
            functions TEXT NOT NULL, confidence REAL NOT NULL DEFAULT 0, features TEXT NOT NULL DEFAULT '{}', live_at INTEGER, PRIMARY KEY (regression_id, rank))
        """#,
        #"""
        CREATE TABLE service (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, sample_type TEXT)
        """#,
        #"""
        CREATE TABLE stack (id INTEGER PRIMARY KEY, hash INTEGER NOT NULL, frames TEXT NOT NULL)
        """#,
        #"""
        CREATE TABLE stack_bucket (
            service_id INTEGER NOT NULL, bucket INTEGER NOT NULL, stack_id INTEGER NOT NULL,
            label_set_id INTEGER NOT NULL, samples INTEGER NOT NULL,
            PRIMARY KEY (service_id, bucket, stack_id, label_set_id)) WITHOUT ROWID
        """#,
        #"""
        CREATE TABLE stack_total (
            service_id INTEGER NOT NULL, stack_id INTEGER NOT NULL, samples INTEGER NOT NULL,
            PRIMARY KEY (service_id, stack_id)) WITHOUT ROWID
        """#,
        #"""
        CREATE TABLE webhook_target (id TEXT PRIMARY KEY, added_at INTEGER NOT NULL) WITHOUT ROWID
        """#,
        #"""
        CREATE INDEX change_commit_sha ON change_commit (sha)
        """#,
        #"""
        CREATE INDEX change_commit_time ON change_commit (kind, time)
        """#,
        #"""
        CREATE INDEX change_hunk_commit ON change_hunk (commit_id)
        """#,
        #"""
        CREATE INDEX deploy_time ON deploy (time)
        """#,
        #"""
        CREATE INDEX event_delivery_due ON event_delivery (state, next_attempt_at)
        """#,
        #"""
        CREATE INDEX function_bucket_by_function
            ON function_bucket (service_id, function_id, bucket, self_samples, total_samples)
        """#,
        #"""
        CREATE INDEX ingest_log_by_bucket ON ingest_log (service_id, bucket, id)
        """#,
        #"""
        CREATE INDEX job_by_state ON job (state, id)
        """#,
        #"""
        CREATE INDEX label_entry_by_pair ON label_entry (key, value)
        """#,
        #"""
        CREATE INDEX stack_by_hash ON stack (hash)
        """#,
        #"""
        CREATE INDEX stack_total_by_samples ON stack_total (service_id, samples)
        """#,
        #"""
        INSERT INTO "label_set" VALUES (0, '')
        """#,
    ]
    static let migrations: [String] = [
        "v1",
        "v2-stacks-labels",
        "v3-regression-severity",
        "v4-change-history",
        "v5-skills",
        "v6-profile-rollups",
        "v7-stack-rollups",
        "v8-registered-repositories",
        "v9-function-lines",
        "v10-savings-calibration",
        "v11-lean-rollups",
        "v12-triage-and-events",
        "v13-jobs",
        "v14-publications",
        "v15-measured-cores",
        "v16-program",
        "v17-call-edge-sets",
        "v18-ingest-log",
    ]
}
