#!/usr/bin/env bash
# Snapshot providers (SPEC §6) with the three-line recipe: snapshot in before_migrate,
# restore in after_migrate_error, drop in after_migrate. sqlite for real; the cloud
# providers against the stand-in CLIs of fake-bin/, which record their arguments.
# (postgres_template, pg_dump and mysqldump run against real servers in
# test_snapshots_servers.sh.)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FAKE_BIN=$(realpath "$(dirname "${BASH_SOURCE[0]}")/fake-bin")

# recipe_project CREATE_EXPR: a project whose tide.lua has the three-line recipe with
# snapshot = CREATE_EXPR (Lua, may use ctx), and three migrations: two that work and a
# third that fails half-way.
recipe_project() {
  write tide.lua <<EOF
local snap
return {
  database = "sqlite:test.db",
  hooks = {
    before_migrate      = function(ctx) snap = $1 end,
    after_migrate_error = function(ctx) snap:restore() end,
    after_migrate       = function(ctx) snap:drop() end,
  },
}
EOF
  sql_migration 001_a.sql a
  write migrations/002_data.sql <<'EOF'
-- tide:up
CREATE TABLE b (id integer primary key, note text);
INSERT INTO b (note) VALUES ('from 002');
EOF
  write migrations/003_bad.sql <<'EOF'
-- tide:up
CREATE TABLE c (id integer);
INSERT INTO b (note) VALUES ('from 003');
INSERT INTO nope VALUES (1);
EOF
}

# Cloud CLIs: the stand-ins first on PATH, their calls logged to calls.log.
use_fake_clis() {
  export PATH="$FAKE_BIN:$PATH" FAKE_CLI_LOG="$PWD/calls.log" FAKE_CLI_STATE="$PWD/cli-state"
  mkdir -p "$FAKE_CLI_STATE"
  : >calls.log
}

expect_calls() {
  local got
  got=$(cat calls.log)
  [[ "$got" == "$1" ]] || fail "CLI calls:
  expected: $1
  got:      $got"
}

# ---- sqlite, for real -------------------------------------------------------------------

test_sqlite_failed_run_leaves_the_database_exactly_as_before() {
  recipe_project 'tide.snapshot.sqlite.create{db = ctx.db, path = "before.sqlite3"}'
  mv migrations/002_data.sql migrations/002_data.sql.later
  mv migrations/003_bad.sql migrations/003_bad.sql.later
  write migrations/000_seed.sql <<'EOF'
-- tide:up
CREATE TABLE kept (id integer primary key, v text);
INSERT INTO kept (v) VALUES ('one'), ('two');
CREATE INDEX kept_v ON kept (v);
EOF
  tide up
  expect_exit 0
  [[ ! -e before.sqlite3 ]] || fail "after_migrate did not drop the snapshot"
  mv migrations/002_data.sql.later migrations/002_data.sql
  mv migrations/003_bad.sql.later migrations/003_bad.sql
  sql "UPDATE kept SET v = 'changed by hand' WHERE id = 2" >/dev/null
  "$SQLITE3" test.db .dump >before.sql
  write migrations/002_data.sql <<'EOF'
-- tide:up
CREATE TABLE b (id integer primary key, note text);
INSERT INTO b (note) VALUES ('from 002');
UPDATE kept SET v = 'changed by 002';
EOF
  tide up
  expect_exit 1
  expect_stderr_contains "migrations/003_bad.sql:4: no such table: nope"
  expect_stdout_contains "snapshot: restored"
  expect_stdout_contains "hook after_migrate_error (tide.lua) ok"
  "$SQLITE3" test.db .dump >after.sql
  diff before.sql after.sql >diff.txt || fail "the database differs from before the run: $(cat diff.txt)"
  expect_no_table b
  expect_applied "000 001"
  [[ -e before.sqlite3 ]] || fail "the snapshot should be kept after a restore"
}

test_sqlite_snapshot_name_that_already_exists() {
  recipe_project 'tide.snapshot.sqlite.create{db = ctx.db, path = "before.sqlite3"}'
  echo "an older snapshot" >before.sqlite3
  tide up
  expect_exit 1
  expect_stderr_contains "before_migrate hook failed: sqlite snapshot: before.sqlite3 already exists"
  expect_stderr_contains "the run stopped before changing anything"
  expect_eq "$(cat before.sqlite3)" "an older snapshot" "the old snapshot"
  expect_no_table a
}

test_sqlite_restore_that_fails_reports_both_errors() {
  recipe_project 'tide.snapshot.sqlite.create{db = ctx.db, path = "before.sqlite3", sqlite3 = "tide-no-sqlite3"}'
  tide up
  expect_exit 1
  # the restore's own failure, naming the missing command...
  expect_stderr_contains "after_migrate_error hook failed: sqlite snapshot restore: command not found: tide-no-sqlite3"
  # ...and the migration's error, which stays the run's error, with the restore's added
  expect_stderr_contains "error: migrations/003_bad.sql:4: no such table: nope"
  expect_stderr_contains "the after_migrate_error hook failed too: "
  expect_applied "001 002" # not restored: nothing hidden
}

test_sqlite_provider_misuse() {
  recipe_project 'tide.snapshot.sqlite.create{db = ctx.db, paht = "x"}'
  tide up
  expect_exit 1
  expect_stderr_contains 'sqlite.create: unknown option `paht` (known: db, path, overwrite, sqlite3, timeout)'
  recipe_project 'tide.snapshot.nosuch.create{}'
  tide up
  expect_exit 1
  expect_stderr_contains "tide.snapshot.nosuch: no such provider"
}

test_require_form_and_describe() {
  project
  sql_migration 001_a.sql a
  write hooks/before_migrate.lua <<'EOF'
local sqlite = require("tide.snapshot.sqlite")
return function(ctx)
  ctx.state.snap = sqlite.create{db = ctx.db, path = "snap.db"}
  tide.log(ctx.state.snap:describe())
end
EOF
  write hooks/after_migrate.lua <<'EOF'
return function(ctx) ctx.state.snap:drop() end
EOF
  tide up
  expect_exit 0
  expect_stdout_matches "sqlite snapshot of .*/test.db at snap.db"
  [[ ! -e snap.db ]] || fail "not dropped"
}

# ---- aws_rds ----------------------------------------------------------------------------

test_aws_rds_snapshot_restore_and_drop() {
  use_fake_clis
  recipe_project 'tide.snapshot.aws_rds.create{instance = "prod-db", name = "before-deploy", restore_instance = "prod-db-restored", region = "eu-west-1"}'
  tide up
  expect_exit 1
  expect_calls "aws rds create-db-snapshot --db-instance-identifier prod-db --db-snapshot-identifier before-deploy --output json --region eu-west-1
aws rds wait db-snapshot-available --db-instance-identifier prod-db --db-snapshot-identifier before-deploy --output json --region eu-west-1
aws rds restore-db-instance-from-db-snapshot --db-instance-identifier prod-db-restored --db-snapshot-identifier before-deploy --output json --region eu-west-1
aws rds wait db-instance-available --db-instance-identifier prod-db-restored --output json --region eu-west-1"
  expect_stderr_contains "restored prod-db into the new RDS instance prod-db-restored"
  rm migrations/003_bad.sql cli-state/* test.db* # the stand-ins restore nothing: start afresh
  : >calls.log
  tide up
  expect_exit 0
  expect_sql "SELECT count(*) FROM tide_history" 2
  expect_eq "$(tail -1 calls.log)" "aws rds delete-db-snapshot --db-snapshot-identifier before-deploy --output json --region eu-west-1" "last call"
}

test_aws_rds_point_in_time() {
  use_fake_clis
  recipe_project 'tide.snapshot.aws_rds.create{instance = "prod-db", mode = "point_in_time", restore_instance = "prod-db-pitr"}'
  tide up
  expect_exit 1
  grep -qE "^aws rds restore-db-instance-to-point-in-time --source-db-instance-identifier prod-db --target-db-instance-identifier prod-db-pitr --restore-time [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z --output json$" calls.log ||
    fail "no point-in-time restore call: $(cat calls.log)"
  grep -q "create-db-snapshot" calls.log && fail "point in time must not create a snapshot"
  true
}

test_aws_rds_snapshot_name_that_already_exists() {
  use_fake_clis
  touch cli-state/rds-snapshot-before-deploy
  recipe_project 'tide.snapshot.aws_rds.create{instance = "prod-db", name = "before-deploy"}'
  tide up
  expect_exit 1
  expect_stderr_contains "aws_rds snapshot: \`aws rds\` failed (exit code 254)"
  expect_stderr_contains "An error occurred (DBSnapshotAlreadyExists) when calling the CreateDBSnapshot operation"
  expect_stderr_contains "hint: a snapshot with this name already exists"
  expect_no_table a
}

test_aws_cli_not_installed() {
  recipe_project 'tide.snapshot.aws_rds.create{instance = "prod-db", aws = "tide-test-no-aws"}'
  tide up
  expect_exit 1
  expect_stderr_contains "before_migrate hook failed: aws_rds snapshot: command not found: tide-test-no-aws"
  expect_stderr_contains "install tide-test-no-aws or put it on PATH"
  expect_no_table a
}

test_aws_cli_that_hangs_times_out() {
  use_fake_clis
  export FAKE_CLI_HANG="wait db-snapshot-available"
  recipe_project 'tide.snapshot.aws_rds.create{instance = "prod-db", name = "s1", timeout = "1s"}'
  tide up
  expect_exit 1
  expect_stderr_contains "aws_rds snapshot: aws timed out after 1s; it was killed"
  expect_no_table a
}

test_aws_restore_that_fails_reports_both_errors() {
  use_fake_clis
  export FAKE_CLI_FAIL="restore-db-instance-from-db-snapshot"
  recipe_project 'tide.snapshot.aws_rds.create{instance = "prod-db", name = "s1"}'
  tide --json up
  expect_exit 1
  expect_stderr_contains "after_migrate_error hook failed: aws_rds restore:"
  expect_stderr_contains "An error occurred (InvalidDBInstanceState)"
  python3 - "$OUT" <<'EOF' || fail "--json does not show both errors"
import json, sys
events = [json.loads(l) for l in open(sys.argv[1])]
hook = [e for e in events if e["event"] == "hook" and e["status"] == "failed"][0]
assert "InvalidDBInstanceState" in hook["detail"] and hook["hook"] == "after_migrate_error", hook
err = events[-1]
assert err["event"] == "error" and err["exit_code"] == 1 and "no such table: nope" in err["message"], err
assert "after_migrate_error hook failed too" in err["detail"], err
EOF
}

# ---- gcp_cloudsql -----------------------------------------------------------------------

test_gcp_cloudsql_backup_restore_and_drop() {
  use_fake_clis
  recipe_project 'tide.snapshot.gcp_cloudsql.create{instance = "prod-sql", name = "tide-before", project = "acme"}'
  tide up
  expect_exit 1
  expect_calls "gcloud sql backups list --instance=prod-sql --filter=description=tide-before --project=acme --format=json
gcloud sql backups create --instance=prod-sql --description=tide-before --project=acme --format=json
gcloud sql backups list --instance=prod-sql --filter=description=tide-before --project=acme --format=json
gcloud sql backups restore 1700000000000 --restore-instance=prod-sql --quiet --project=acme --format=json"
  # the backup exists now: a second snapshot with the same name is refused
  tide up
  expect_exit 1
  expect_stderr_contains 'gcp_cloudsql snapshot: a backup described "tide-before" already exists on prod-sql'
  rm migrations/003_bad.sql cli-state/* test.db* # the stand-ins restore nothing: start afresh
  : >calls.log
  tide up
  expect_exit 0
  expect_eq "$(tail -1 calls.log)" "gcloud sql backups delete 1700000000000 --instance=prod-sql --quiet --project=acme --format=json" "last call"
}

# ---- azure_flexible ---------------------------------------------------------------------

test_azure_flexible_backup_restore_and_drop() {
  use_fake_clis
  recipe_project 'tide.snapshot.azure_flexible.create{server = "prod-pg", resource_group = "rg", name = "tide-before", restore_server = "prod-pg-restored"}'
  tide up
  expect_exit 1
  expect_calls "az postgres flexible-server backup show --resource-group rg --name prod-pg --backup-name tide-before --output json
az postgres flexible-server backup create --resource-group rg --name prod-pg --backup-name tide-before --output json
az postgres flexible-server restore --resource-group rg --name prod-pg-restored --source-server prod-pg --restore-time 2026-11-20T09:30:00+00:00 --output json"
  tide up
  expect_exit 1
  expect_stderr_contains "azure_flexible snapshot: a backup named tide-before already exists on prod-pg"
  rm migrations/003_bad.sql cli-state/* test.db* # the stand-ins restore nothing: start afresh
  : >calls.log
  write tide.lua <<'EOF'
local snap
return { database = "sqlite:test.db", hooks = {
  before_migrate = function(ctx) snap = tide.snapshot.azure_flexible.create{server = "prod-my", resource_group = "rg", engine = "mysql", name = "b2"} end,
  after_migrate = function(ctx) snap:drop() end,
} }
EOF
  tide up
  expect_exit 0
  expect_eq "$(tail -1 calls.log)" "az mysql flexible-server backup delete --resource-group rg --name prod-my --backup-name b2 --yes" "last call"
}

# ---- supabase ---------------------------------------------------------------------------

test_supabase_point_in_time_restore() {
  use_fake_clis
  recipe_project 'tide.snapshot.supabase.create{project_ref = "abcd1234", token = "sbp_secret_token"}'
  tide up
  expect_exit 1
  expect_eq "$(head -1 calls.log)" "supabase backups list --project-ref abcd1234 --output json" "first call"
  grep -qE "^supabase backups restore --project-ref abcd1234 --timestamp [0-9]{10}$" calls.log || fail "no restore: $(cat calls.log)"
  expect_stdout_contains "restored supabase project abcd1234"
  export FAKE_SUPABASE_PITR=false
  tide up
  expect_exit 1
  expect_stderr_contains "supabase snapshot: point-in-time recovery is not enabled for project abcd1234"
}

run_tests
