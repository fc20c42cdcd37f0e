#!/usr/bin/env bash
# tide lint (SPEC §3, §7) from the command line, and the lint gate of `tide up`: which
# files are checked, ignores, the `lint` config, the three output formats, exit codes. The
# rules themselves are tested one by one, per dialect, in tests/unit/lint_rules_test.cpp and
# lint_check_test.cpp.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# 001 creates users (reversible); 002 drops it again, marked irreversible.
drop_project() {
  project
  sql_migration 001_users.sql users
  write migrations/002_drop.sql <<'EOF'
-- tide:irreversible
-- tide:up
DROP TABLE users;
EOF
}

test_all_reports_file_line_rule_and_fix() {
  drop_project
  tide lint --all
  expect_exit 1
  expect_stdout_contains "migrations/002_drop.sql:3:"
  expect_stdout_contains "error[drop-table]"
  expect_stdout_contains "fix:"
  expect_stdout_contains "2 migration(s) checked, 1 error(s)"
  expect_stderr_contains "tide:lint-ignore"
  # Nothing was touched: lint --all needs no database.
  [[ ! -e test.db ]] || fail "lint --all created the database"
}

test_clean_migrations_exit_zero() {
  project
  sql_migration 001_users.sql users
  tide lint --all
  expect_exit 0
  expect_stdout_contains "1 migration(s) checked, 0 error(s), 0 warning(s)"
}

test_warnings_alone_exit_zero() {
  project
  write migrations/001_users.sql <<'EOF'
CREATE TABLE users (id integer primary key);
EOF
  tide lint --all
  expect_exit 0
  expect_stdout_contains "warning[missing-down]"
}

test_look_alikes_in_comments_and_strings_do_not_fire() {
  project
  write migrations/001_notes.sql <<'EOF'
-- tide:up
-- DROP TABLE users;
/* ALTER TABLE users DROP COLUMN email; */
CREATE TABLE notes (id integer primary key, body text DEFAULT 'DROP TABLE users;');
INSERT INTO notes (body) VALUES ('ALTER TABLE users RENAME TO people');
-- tide:down
DROP TABLE notes;
EOF
  tide lint --all
  expect_stdout_contains "1 migration(s) checked"
  expect_stdout_not_contains "drop-table"
  expect_stdout_not_contains "drop-column"
  expect_stdout_not_contains "rename-table"
}

test_named_files_only() {
  drop_project
  sql_migration 003_other.sql other
  tide lint migrations/003_other.sql
  expect_exit 0
  expect_stdout_contains "1 migration(s) checked"
  # Relative to where tide runs (after -C), like every path argument.
  mkdir sub && cd sub
  tide -C .. lint migrations/002_drop.sql
  expect_exit 1
  expect_stdout_contains "error[drop-table]"
}

test_named_file_errors() {
  project
  tide lint migrations/404_missing.sql
  expect_exit 2
  expect_stderr_contains "404_missing.sql: no such file"
  echo hello >notes.txt
  tide lint notes.txt
  expect_exit 2
  expect_stderr_contains "notes.txt: not a migration file"
}

test_ignore_on_the_statement() {
  project
  sql_migration 001_users.sql users
  sql_migration 002_more.sql more
  write migrations/003_drop.sql <<'EOF'
-- tide:irreversible
-- tide:up
-- tide:lint-ignore drop-table
DROP TABLE users;
DROP TABLE more;
EOF
  tide lint migrations/003_drop.sql
  expect_exit 1
  expect_stdout_not_contains "003_drop.sql:4:"
  expect_stdout_contains "003_drop.sql:5:"
}

test_ignore_after_the_last_statement() {
  project
  sql_migration 001_users.sql users
  write migrations/002_drop.sql <<'EOF'
-- tide:irreversible
-- tide:up
DROP TABLE users; -- tide:lint-ignore drop-table
EOF
  tide lint migrations/002_drop.sql
  expect_exit 0
  expect_stdout_not_contains "drop-table"
  expect_stdout_not_contains "unknown-lint-ignore"
}

test_ignore_above_a_lua_call() {
  project
  sql_migration 001_users.sql users
  write migrations/002_drop.lua <<'EOF'
return {
  irreversible = true,
  up = function(db)
    -- The users table moved to the accounts service.
    -- tide:lint-ignore drop-table
    db:exec [[DROP TABLE users]]
    db:exec [[DROP TABLE sessions]]
  end,
}
EOF
  tide lint migrations/002_drop.lua
  expect_exit 1
  expect_stdout_not_contains "002_drop.lua:6:"
  expect_stdout_contains "002_drop.lua:7:"
}

# A Lua plan that stops at a read: what follows is unchecked, and lint says so in every
# format; the gate passes it on as a warning, or refuses it when configured an error.
test_incomplete_plan() {
  project
  sql_migration 001_users.sql users
  write migrations/002_maybe.lua <<'EOF'
return {
  irreversible = true,
  up = function(db)
    if db:scalar("SELECT count(*) FROM users") == 0 then
      db:exec [[DROP TABLE users]]
    end
  end,
}
EOF
  tide lint migrations/002_maybe.lua
  expect_exit 0
  expect_stdout_contains "002_maybe.lua:4:"
  expect_stdout_contains "warning[incomplete-plan]"
  expect_stdout_contains "stops at a read"
  tide lint migrations/002_maybe.lua --format json
  python3 - "$OUT" <<'EOF' || fail "incomplete-plan missing from --format json: $(cat "$OUT")"
import json, sys
doc = json.load(open(sys.argv[1]))
assert [f for f in doc["findings"] if f["rule"] == "incomplete-plan" and f["line"] == 4], doc
EOF
  tide up --to 001
  tide --env production --database sqlite:test.db up
  expect_exit 0
  expect_stderr_not_contains "incomplete-plan"  # a warning: up shows only errors
  write tide.lua <<'EOF'
return { database = "sqlite:test.db", lint = { severity = { ["incomplete-plan"] = "error" } } }
EOF
  sql_migration 003_more.sql more
  write migrations/004_maybe.lua <<'EOF'
return {
  irreversible = true,
  up = function(db)
    if db:scalar("SELECT count(*) FROM more") == 0 then db:exec [[DROP TABLE more]] end
  end,
}
EOF
  tide --env production up
  expect_exit 1
  expect_stderr_contains "error[incomplete-plan]"
  expect_applied "001 002"
}

# A Lua migration that fails while planned fails in up too: an error finding.
test_failing_plan_is_an_error() {
  project
  write migrations/001_broken.lua <<'EOF'
return {
  irreversible = true,
  up = function(db)
    error("not yet written")
  end,
}
EOF
  tide lint --all
  expect_exit 1
  expect_stdout_contains "error[incomplete-plan]"
  expect_stdout_contains "not yet written"
}

test_ignore_on_the_file() {
  project
  sql_migration 001_users.sql users
  sql_migration 002_more.sql more
  write migrations/003_drop.sql <<'EOF'
-- tide:irreversible tide:lint-ignore drop-table
-- tide:up
DROP TABLE users;
DROP TABLE more;
EOF
  tide lint migrations/003_drop.sql
  expect_exit 0
  expect_stdout_not_contains "drop-table"
}

test_lua_migration_lines() {
  project
  sql_migration 001_users.sql users
  write migrations/002_drop.lua <<'EOF'
return {
  irreversible = true,
  up = function(db)
    db:exec [[DROP TABLE users]]
  end,
}
EOF
  tide lint migrations/002_drop.lua
  expect_exit 1
  expect_stdout_contains "migrations/002_drop.lua:4:"
  expect_stdout_contains "error[drop-table]"
}

test_config_disable_enable_and_severity() {
  drop_project
  write tide.lua <<'EOF'
return { database = "sqlite:test.db", lint = { disable = { "drop-table" } } }
EOF
  tide lint migrations/002_drop.sql
  expect_exit 0
  expect_stdout_not_contains "drop-table"
  write tide.lua <<'EOF'
return { database = "sqlite:test.db", lint = { severity = { ["drop-table"] = "warning" } } }
EOF
  tide lint migrations/002_drop.sql
  expect_exit 0
  expect_stdout_contains "warning[drop-table]"
  write tide.lua <<'EOF'
return { database = "sqlite:test.db", lint = { enable = { "missing-down" } } }
EOF
  tide lint migrations/002_drop.sql
  expect_exit 0
  expect_stdout_not_contains "drop-table"
}

test_config_errors_name_the_key() {
  drop_project
  write tide.lua <<'EOF'
return { database = "sqlite:test.db", lint = { disable = { "drop-tables" } } }
EOF
  tide lint --all
  expect_exit 2
  expect_stderr_contains 'tide.lua: `lint.disable` names no lint rule: "drop-tables"'
  write tide.lua <<'EOF'
return { database = "sqlite:test.db", lint = { severity = { ["drop-table"] = "fatal" } } }
EOF
  tide lint --all
  expect_exit 2
  expect_stderr_contains '`lint.severity.drop-table` must be "error", "warning" or "off"'
  write tide.lua <<'EOF'
return { database = "sqlite:test.db", lint = { disabled = { "drop-table" } } }
EOF
  tide lint --all
  expect_exit 2
  expect_stderr_contains 'unknown key `disabled` in `lint`'
}

test_format_json() {
  drop_project
  tide lint migrations/002_drop.sql --format json
  expect_exit 1
  python3 - "$OUT" <<'EOF' || fail "lint --format json: $(cat "$OUT")"
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["files"] == 1 and doc["errors"] == 1, doc
f = [f for f in doc["findings"] if f["rule"] == "drop-table"][0]
assert f["file"] == "migrations/002_drop.sql" and f["line"] == 3 and f["severity"] == "error", f
assert f["fix"] and f["message"], f
EOF
}

# --json (events) with --format json|sarif (a document): the document alone on stdout, the
# error on stderr; --rules in the same formats.
test_documents_stay_documents() {
  drop_project
  for format in json sarif; do
    tide --json lint migrations/002_drop.sql --format "$format"
    expect_exit 1
    python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$OUT" ||
      fail "--json lint --format $format: stdout is not one document: $(cat "$OUT")"
    expect_stderr_contains "error-level finding"
  done
  tide lint --rules --format json
  expect_exit 0
  python3 - "$OUT" <<'EOF' || fail "lint --rules --format json: $(cat "$OUT")"
import json, sys
rules = json.load(open(sys.argv[1]))["rules"]
ids = [r["id"] for r in rules]
assert "drop-table" in ids and "incomplete-plan" in ids, ids
assert all(r["severity"] in ("error", "warning") and r["fix"] for r in rules), rules
EOF
  tide lint --rules --format sarif
  expect_exit 0
  python3 - "$OUT" <<'EOF' || fail "lint --rules --format sarif: $(cat "$OUT")"
import json, sys
run = json.load(open(sys.argv[1]))["runs"][0]
assert run["results"] == [] and len(run["tool"]["driver"]["rules"]) >= 16, run
EOF
}

test_json_events() {
  drop_project
  tide --json lint migrations/002_drop.sql
  expect_exit 1
  python3 - "$OUT" <<'EOF' || fail "lint --json: $(cat "$OUT")"
import json, sys
events = [json.loads(l) for l in open(sys.argv[1])]
lint = [e for e in events if e["event"] == "lint"]
assert lint and lint[0]["rule"] == "drop-table" and lint[0]["line"] == 3, lint
assert [e for e in events if e["event"] == "lint_summary"][0]["errors"] == 1
EOF
}

test_format_sarif() {
  drop_project
  mkdir -p repo && mv tide.lua migrations repo/
  tide -C repo lint repo/migrations/002_drop.sql --format sarif
  expect_exit 2  # FILES are relative to the folder -C names
  tide -C repo lint migrations/002_drop.sql --format sarif
  expect_exit 1
  python3 - "$OUT" <<'EOF' || fail "lint --format sarif: $(cat "$OUT")"
import json, sys
log = json.load(open(sys.argv[1]))
assert log["version"] == "2.1.0" and "sarif-2.1.0" in log["$schema"]
run = log["runs"][0]
rules = run["tool"]["driver"]["rules"]
ids = [r["id"] for r in rules]
assert "drop-table" in ids and "index-not-concurrent" in ids, ids
for r in rules:
    assert r["shortDescription"]["text"] and r["help"]["text"]
    assert r["defaultConfiguration"]["level"] in ("error", "warning", "note", "none")
res = [r for r in run["results"] if r["ruleId"] == "drop-table"][0]
assert rules[res["ruleIndex"]]["id"] == "drop-table"
assert res["level"] == "error"
loc = res["locations"][0]["physicalLocation"]
# Relative to where tide was started, not to the project folder (-C repo): the
# repository's root, where code scanning looks for it.
assert loc["artifactLocation"]["uri"] == "repo/migrations/002_drop.sql", loc
assert loc["region"]["startLine"] == 3 and loc["region"]["startColumn"] >= 1, loc
EOF
}

test_rules_lists_every_rule() {
  project
  tide lint --rules
  expect_exit 0
  for id in not-null-without-default add-column-default-rewrite index-not-concurrent concurrent-in-transaction \
    constraint-without-not-valid missing-lock-timeout change-column-type rename-column rename-table drop-column \
    drop-table mixed-ddl-dml unbatched-write missing-down alter-without-algorithm unknown-lint-ignore \
    incomplete-plan; do
    expect_stdout_contains "$id"
  done
}

# Offline from the URL's scheme alone: a PostgreSQL URL that nothing answers.
test_postgres_rules_offline() {
  project
  write tide.lua <<'EOF'
return { database = "postgres://app:s3cret-pw@127.0.0.1:9/app" }
EOF
  write migrations/001_index.sql <<'EOF'
-- tide:up
CREATE INDEX users_email ON users (email);
-- tide:down
DROP INDEX users_email;
EOF
  tide lint --all
  expect_exit 1
  expect_stdout_contains "migrations/001_index.sql:2:"
  expect_stdout_contains "error[index-not-concurrent]"
  expect_stdout_not_contains "s3cret-pw"
  expect_stderr_not_contains "s3cret-pw"
  # The same file on SQLite: no CONCURRENTLY there, no finding.
  tide --database sqlite:test.db lint --all
  expect_exit 0
  expect_stdout_not_contains "index-not-concurrent"
}

test_mysql_rules_offline() {
  project
  write tide.lua <<'EOF'
return { database = "mysql://app@127.0.0.1:9/app" }
EOF
  write migrations/001_col.sql <<'EOF'
-- tide:up
ALTER TABLE users ADD COLUMN role varchar(20);
-- tide:down
ALTER TABLE users DROP COLUMN role, ALGORITHM=INSTANT;
EOF
  tide lint --all
  expect_exit 0  # a warning alone
  expect_stdout_contains "migrations/001_col.sql:2:"
  expect_stdout_contains "warning[alter-without-algorithm]"
  expect_stdout_not_contains "001_col.sql:4:"
}

# ---- tide lint with no files: the pending migrations, read from the database ----------

test_pending_only() {
  drop_project
  tide up --to 001
  expect_exit 0
  sql_migration 003_more.sql more
  tide lint
  expect_exit 1
  expect_stdout_contains "2 migration(s) checked"
  expect_stdout_contains "error[drop-table]"
  tide up
  expect_exit 0
  tide lint
  expect_exit 0
  expect_stdout_contains "0 migration(s) checked"
}

# A table created earlier in the same run is new: dropping it again is no risk.
test_pending_run_sees_new_tables() {
  drop_project
  tide lint
  expect_exit 0
  expect_stdout_contains "2 migration(s) checked"
  expect_stdout_not_contains "drop-table"
}

# ---- the gate in tide up ---------------------------------------------------------------

test_up_refuses_errors_in_protected_environments() {
  drop_project
  tide up --to 001
  tide --env production --database sqlite:test.db up
  expect_exit 1
  expect_stderr_contains "error[drop-table]"
  expect_stderr_contains "--yes"
  expect_applied "001"
  expect_table users
  tide --env production --database sqlite:test.db --yes up
  expect_exit 0
  expect_applied "001 002"
  expect_no_table users
}

# The gate checks up's own selection (--to) and refuses before any hook fires, so a
# refused run takes no snapshot.
test_up_gate_runs_before_hooks_on_ups_selection() {
  drop_project
  write tide.lua <<EOF
$(lua_event_log)
return {
  database = "sqlite:test.db",
  hooks = { before_migrate = function(ctx) log("before_migrate") end },
}
EOF
  tide --env production up --to 001
  expect_exit 0
  expect_log "before_migrate"
  rm events.log
  tide --env production up
  expect_exit 1
  expect_stderr_contains "error[drop-table]"
  [[ ! -e events.log ]] || fail "a hook fired for a refused run: $(cat events.log)"
  expect_applied "001"
}

test_up_gate_honours_the_ignore_comment() {
  project
  sql_migration 001_users.sql users
  write migrations/002_drop.sql <<'EOF'
-- tide:irreversible
-- tide:up
-- The users table moved to the accounts service.
-- tide:lint-ignore drop-table
DROP TABLE users;
EOF
  tide up --to 001
  tide --env production --database sqlite:test.db up
  expect_exit 0
  expect_applied "001 002"
}

test_up_warns_outside_protected_environments() {
  drop_project
  tide up --to 001
  tide up
  expect_exit 0
  expect_stderr_contains "warning:"
  expect_stderr_contains "drop-table"
  expect_applied "001 002"
}

# The gate plans a Lua migration (its up runs against a recording database) before up
# runs it for real: the plan prints nothing and does not sleep, so print() shows once.
test_up_gate_plans_lua_quietly() {
  project
  write migrations/001_chatty.lua <<'EOF'
return {
  up = function(db)
    print("hello from up")
    tide.log("logged from up")
    tide.sleep(0.01)
    db:exec [[CREATE TABLE chatty (id integer)]]
  end,
  down = function(db) db:exec [[DROP TABLE chatty]] end,
}
EOF
  tide lint
  expect_exit 0
  expect_stdout_not_contains "hello from up"
  expect_stderr_not_contains "hello from up"
  tide up
  expect_exit 0
  [[ $(cat "$OUT" "$ERR" | grep -c "hello from up") == 1 ]] ||
    fail "print() in up should show once: $(cat "$OUT" "$ERR")"
  [[ $(cat "$OUT" "$ERR" | grep -c "logged from up") == 1 ]] ||
    fail "tide.log() in up should show once: $(cat "$OUT" "$ERR")"
  expect_table chatty
}

run_tests
