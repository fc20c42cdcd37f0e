#!/usr/bin/env bash
# Lifecycle hooks (SPEC §6): every event in order with its context, the failure rules
# (a failing before_* stops the run; a failing error hook is reported and the original
# error kept), hook files with env gates, --json events, a migration's own on_error,
# and tide.exec.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# A tide.lua whose hooks append one line per event to events.log. Extra Lua for the
# hooks table comes in $1 (e.g. an override of one event).
logging_project() {
  write tide.lua <<EOF
$(lua_event_log)
local function item(ctx)
  local m = ctx.migration
  return m and (" " .. m.version .. " " .. m.name .. " " .. m.direction .. " " .. m.file) or ""
end
local function err(ctx)
  local e = ctx.error
  return e and (" error=[" .. e.message .. "] line=" .. tostring(e.line) .. " statement=[" .. tostring(e.statement) .. "]") or ""
end
local function hook(ctx)
  log(ctx.event .. item(ctx) .. " applied=" .. #ctx.applied .. err(ctx))
end
local hooks = {}
for _, ev in ipairs{"before_migrate", "before_each", "after_each", "after_each_error", "after_migrate",
                    "after_migrate_error", "before_rollback", "after_rollback", "after_rollback_error"} do
  hooks[ev] = hook
end
${1:-}
return { database = "sqlite:test.db", hooks = hooks }
EOF
  mkdir -p migrations
}

test_events_in_order_with_context() {
  logging_project 'hooks.before_migrate = function(ctx) log("before_migrate env=" .. ctx.environment .. " url=" .. ctx.url .. " db=" .. ctx.db.dialect) end'
  sql_migration 001_a.sql a
  lua_migration 002_b.lua b
  tide up
  expect_exit 0
  expect_log "before_migrate env=development url=sqlite:test.db db=sqlite
before_each 001 a up migrations/001_a.sql applied=0
after_each 001 a up migrations/001_a.sql applied=1
before_each 002 b up migrations/002_b.lua applied=1
after_each 002 b up migrations/002_b.lua applied=2
after_migrate applied=2"
  expect_stdout_contains "hook before_migrate (tide.lua) ok"
  rm events.log
  tide up # nothing to apply: no hooks
  expect_exit 0
  [[ ! -e events.log ]] || fail "hooks ran with nothing to apply: $(cat events.log)"
  tide down --step 2
  expect_exit 0
  expect_log "before_rollback applied=0
before_each 002 b down migrations/002_b.lua applied=0
after_each 002 b down migrations/002_b.lua applied=1
before_each 001 a down migrations/001_a.sql applied=1
after_each 001 a down migrations/001_a.sql applied=2
after_rollback applied=2"
}

test_failed_migration_runs_error_hooks_with_the_error() {
  logging_project
  sql_migration 001_a.sql a
  write migrations/002_bad.sql <<'EOF'
-- tide:up
CREATE TABLE b (id integer);
INSERT INTO nope VALUES (1);
EOF
  tide up
  expect_exit 1
  expect_log "before_migrate applied=0
before_each 001 a up migrations/001_a.sql applied=0
after_each 001 a up migrations/001_a.sql applied=1
before_each 002 bad up migrations/002_bad.sql applied=1
after_each_error 002 bad up migrations/002_bad.sql applied=1 error=[no such table: nope] line=3 statement=[INSERT INTO nope VALUES (1)]
after_migrate_error applied=1 error=[no such table: nope] line=3 statement=[INSERT INTO nope VALUES (1)]"
  expect_stderr_contains "migrations/002_bad.sql:3: no such table: nope"
  expect_applied "001"
}

test_failed_down_runs_rollback_error_hooks() {
  logging_project
  write migrations/001_a.sql <<'EOF'
-- tide:up
CREATE TABLE a (id integer);
-- tide:down
DROP TABLE nope;
EOF
  tide up
  expect_exit 0
  rm events.log
  tide down
  expect_exit 1
  expect_log "before_rollback applied=0
before_each 001 a down migrations/001_a.sql applied=0
after_each_error 001 a down migrations/001_a.sql applied=0 error=[no such table: nope] line=4 statement=[DROP TABLE nope]
after_rollback_error applied=0 error=[no such table: nope] line=4 statement=[DROP TABLE nope]"
}

test_failing_before_migrate_stops_the_run() {
  logging_project 'hooks.before_migrate = function(ctx) error("snapshot storage is full") end'
  sql_migration 001_a.sql a
  tide up
  expect_exit 1
  expect_stderr_contains "before_migrate hook failed: tide.lua:"
  expect_stderr_contains "snapshot storage is full"
  expect_stderr_contains "the run stopped before changing anything"
  expect_no_table a
  expect_log "" # no other hook ran, after_migrate_error included
}

test_failing_before_each_stops_before_that_migration() {
  logging_project 'hooks.before_each = function(ctx) if ctx.migration.version == "002" then return nil, "not on Fridays" end end'
  sql_migration 001_a.sql a
  sql_migration 002_b.sql b
  tide up
  expect_exit 1
  expect_stderr_contains "before_each hook failed: not on Fridays"
  expect_stderr_contains "the run stopped before 002 b"
  expect_applied "001"
  expect_no_table b
  expect_log "before_migrate applied=0
after_each 001 a up migrations/001_a.sql applied=1
after_migrate_error applied=1 error=[before_each hook failed: not on Fridays] line=nil statement=[nil]"
}

test_hook_returning_a_wrong_type_fails() {
  logging_project 'hooks.before_migrate = function(ctx) return 42 end'
  sql_migration 001_a.sql a
  tide up
  expect_exit 1
  expect_stderr_contains "tide.lua: before_migrate hook failed: it returned a number value"
  expect_stderr_contains "hint: a hook returns nothing (or true) when it worked"
  expect_no_table a
}

test_failing_error_hook_is_reported_and_the_original_error_kept() {
  logging_project 'hooks.after_migrate_error = function(ctx) error("restore failed: bucket gone") end'
  write migrations/001_bad.sql <<'EOF'
-- tide:up
INSERT INTO nope VALUES (1);
EOF
  tide up
  expect_exit 1
  # The hook's own failure, in full, as it happens...
  expect_stderr_contains "after_migrate_error hook failed: tide.lua:"
  expect_stderr_contains "restore failed: bucket gone"
  # ...and the run's error is still the migration's, with the hook's failure added.
  expect_stderr_contains "error: migrations/001_bad.sql:2: no such table: nope"
  expect_stderr_contains "the after_migrate_error hook failed too:"
}

test_failing_after_each_stops_the_run_and_keeps_the_migration() {
  logging_project 'hooks.after_each = function(ctx) error("smoke test failed", 0) end'
  sql_migration 001_a.sql a
  sql_migration 002_b.sql b
  tide up
  expect_exit 1
  expect_stderr_contains "after_each hook failed"
  expect_stderr_contains "001 a is done and stays so; the run stopped after it"
  expect_applied "001"
  expect_no_table b
  expect_log "before_migrate applied=0
before_each 001 a up migrations/001_a.sql applied=0
after_migrate_error applied=1 error=[after_each hook failed: smoke test failed] line=nil statement=[nil]"
}

test_failing_after_migrate_fails_the_run_without_error_hooks() {
  logging_project 'hooks.after_migrate = function(ctx) error("could not drop the snapshot") end'
  sql_migration 001_a.sql a
  tide up
  expect_exit 1
  expect_stderr_contains "after_migrate hook failed"
  expect_applied "001"
  if grep -q after_migrate_error events.log; then fail "after_migrate_error ran after a successful migration"; fi
}

test_hook_files_lua_sql_and_env_gates() {
  project
  sql_migration 001_a.sql a
  write hooks/before_migrate.sql <<'EOF'
CREATE TABLE IF NOT EXISTS audit (event text);
INSERT INTO audit VALUES ('before_migrate');
EOF
  write hooks/after_migrate.lua <<'EOF'
return function(ctx)
  ctx.db:exec("INSERT INTO audit VALUES (?)", "after_migrate " .. #ctx.applied)
end
EOF
  write hooks/after_migrate.sql <<'EOF'
-- tide:env production
INSERT INTO audit VALUES ('production only');
EOF
  write hooks/after_each.lua <<'EOF'
return { env = "!production", run = function(ctx) ctx.db:exec("INSERT INTO audit VALUES ('each ' || ?)", ctx.migration.version) end }
EOF
  tide up
  expect_exit 0
  expect_sql "SELECT group_concat(event, ',') FROM audit" "before_migrate,each 001,after_migrate 1"
  expect_stdout_contains "hook before_migrate (hooks/before_migrate.sql) ok"
}

test_hooks_share_ctx_state() {
  project
  sql_migration 001_a.sql a
  write hooks/before_migrate.lua <<'EOF'
return function(ctx) ctx.state.started = "yes" end
EOF
  write hooks/after_migrate.lua <<'EOF'
return function(ctx) tide.log("state.started=%s", ctx.state.started) end
EOF
  tide up
  expect_exit 0
  expect_stdout_contains "state.started=yes"
}

test_sql_hook_error_names_file_and_line() {
  project
  sql_migration 001_a.sql a
  write hooks/before_migrate.sql <<'EOF'
SELECT 1;

INSERT INTO nope VALUES (1);
EOF
  tide up
  expect_exit 1
  expect_stderr_contains "hooks/before_migrate.sql:3: before_migrate hook failed: no such table: nope"
  expect_no_table a
}

test_bad_hook_definitions_are_config_errors() {
  project
  write tide.lua <<'EOF'
return { database = "sqlite:test.db", hooks = { before_migrat = function() end } }
EOF
  tide up
  expect_exit 2
  expect_stderr_contains 'hooks: unknown event `before_migrat`'
  expect_stderr_contains "before_migrate, before_each"
  write tide.lua <<'EOF'
return { database = "sqlite:test.db", hooks = { after_migrate = "drop it" } }
EOF
  tide up
  expect_exit 2
  expect_stderr_contains "tide.lua: hooks.after_migrate: must be a function(ctx)"
  write tide.lua <<'EOF'
return { database = "sqlite:test.db" }
EOF
  write hooks/before_migration.lua <<'EOF'
return function() end
EOF
  tide up
  expect_exit 2
  expect_stderr_contains "hooks/before_migration.lua: not a hook"
  rm hooks/before_migration.lua
  write hooks/after_seed.lua <<'EOF'
return { env = "production and", run = function() end }
EOF
  tide validate
  expect_exit 2
  expect_stderr_contains "hooks/after_seed.lua"
}

test_json_output_has_hook_events() {
  logging_project 'hooks.after_migrate = { function() end, { env = "production", run = function() error("gated") end } }'
  sql_migration 001_a.sql a
  tide --json up
  expect_exit 0
  python3 - "$OUT" <<'EOF' || fail "bad --json hook events"
import json, sys
events = [json.loads(l) for l in open(sys.argv[1])]
hooks = [e for e in events if e["event"] == "hook"]
names = [h["hook"] for h in hooks]
assert names == ["before_migrate", "before_each", "after_each", "after_migrate"], names
assert all(h["status"] == "ok" and h["source"] == "tide.lua" and isinstance(h["duration_ms"], int) for h in hooks), hooks
EOF
  logging_project 'hooks.after_migrate_error = function() error("restore broke", 0) end'
  write migrations/002_bad.sql <<'EOF'
INSERT INTO nope VALUES (1);
EOF
  tide --json up
  expect_exit 1
  python3 - "$OUT" <<'EOF' || fail "bad --json failed hook event"
import json, sys
events = [json.loads(l) for l in open(sys.argv[1])]
failed = [e for e in events if e["event"] == "hook" and e["status"] == "failed"]
assert len(failed) == 1 and failed[0]["hook"] == "after_migrate_error", failed
assert "restore broke" in failed[0]["message"], failed
last = events[-1]
assert last["event"] == "error" and "no such table: nope" in last["message"], last
assert "after_migrate_error hook failed too" in last["detail"], last
EOF
}

# ---- a migration's own on_error ---------------------------------------------------------

test_on_error_runs_after_the_rollback() {
  project
  write migrations/001_a.lua <<'EOF'
return {
  up = function(db)
    db:exec [[CREATE TABLE a (id integer)]]
    db:exec [[INSERT INTO nope VALUES (1)]]
  end,
  down = function(db) db:exec [[DROP TABLE a]] end,
  on_error = function(db, err)
    -- the transaction is rolled back: table a is gone again
    local n = db:scalar("SELECT count(*) FROM sqlite_master WHERE name = 'a'")
    local f = assert(io.open("on_error.log", "w"))
    f:write(string.format("%d %s %s", n, err.message, tostring(err.line)))
    f:close()
  end,
}
EOF
  tide up
  expect_exit 1
  expect_eq "$(cat on_error.log)" "0 no such table: nope 4" "what on_error saw"
  expect_stdout_contains "001 on_error ran: ok"
  expect_stderr_contains "its on_error hook ran and succeeded"
  expect_sql "SELECT count(*) FROM tide_history" 0
}

test_on_error_compensates_non_transactional_work_and_clears_dirty() {
  project
  write migrations/001_a.lua <<'EOF'
return {
  transaction = false,
  up = function(db)
    db:exec [[CREATE TABLE a (id integer)]]
    db:exec [[INSERT INTO nope VALUES (1)]]
  end,
  down = function(db) db:exec [[DROP TABLE a]] end,
  on_error = function(db, err) db:exec [[DROP TABLE IF EXISTS a]] end,
}
EOF
  tide up
  expect_exit 1
  expect_stdout_contains "001 on_error ran: ok; its dirty record was removed"
  expect_stderr_contains 'the next `up` runs it again'
  expect_no_table a
  expect_sql "SELECT count(*) FROM tide_history" 0
}

test_failing_on_error_leaves_the_migration_dirty() {
  project
  write migrations/001_a.lua <<'EOF'
return {
  transaction = false,
  up = function(db) db:exec [[INSERT INTO nope VALUES (1)]] end,
  down = function(db) end,
  on_error = function(db, err) error("cannot compensate") end,
}
EOF
  tide up
  expect_exit 1
  expect_stdout_contains "001 on_error failed:"
  expect_stderr_contains "its on_error hook failed too:"
  expect_stderr_contains "cannot compensate"
  expect_sql "SELECT status FROM tide_history" dirty
}

test_on_error_must_be_a_function() {
  project
  write migrations/001_a.lua <<'EOF'
return { up = function(db) end, down = function(db) end, on_error = "rollback" }
EOF
  tide up
  expect_exit 5
  expect_stderr_contains 'migrations/001_a.lua: `on_error` must be a function(db, err)'
}

# ---- tide.exec --------------------------------------------------------------------------

# A project whose one migration runs the Lua in $1 as its up.
exec_project() {
  project
  write migrations/001_exec.lua <<EOF
return {
  up = function(db)
$1
  end,
  down = function(db) end,
}
EOF
}

test_exec_captures_output_code_and_input() {
  exec_project '
    local r = assert(tide.exec{"sh", "-c", "cat; echo err >&2; exit 3", input = "fed on stdin"})
    tide.log("code=%d stdout=%s stderr=%s", r.code, r.stdout, (r.stderr:gsub("\n", "")))
    local big = assert(tide.exec{"sh", "-c", "head -c 300000 /dev/zero | tr \"\\\\0\" x; head -c 300000 /dev/zero | tr \"\\\\0\" y >&2"})
    tide.log("big %d %d", #big.stdout, #big.stderr)
    local echo = assert(tide.exec{"cat", input = string.rep("z", 1000000)})
    tide.log("echoed %d", #echo.stdout)'
  tide up
  expect_exit 0
  expect_stdout_contains "code=3 stdout=fed on stdin stderr=err"
  expect_stdout_contains "big 300000 300000"
  expect_stdout_contains "echoed 1000000"
}

test_exec_masks_env_values_and_uses_no_shell() {
  exec_project '
    local r = assert(tide.exec{"sh", "-c", "echo token=$API_TOKEN; echo \"$1\"", "arg0", "$HOME;rm -rf /", env = {API_TOKEN = "s3cr3t-value"}})
    tide.log(r.stdout)
    error("failed with " .. r.stdout)'
  tide up
  expect_exit 1
  expect_stdout_contains "token=***"
  expect_stdout_contains '$HOME;rm -rf /'
  expect_stdout_not_contains "s3cr3t-value"
  expect_stderr_not_contains "s3cr3t-value"
  expect_stderr_contains "failed with token=***"
}

test_exec_names_a_missing_command() {
  exec_project '
    local r, err = tide.exec{"tide-no-such-cli", "--version"}
    assert(r == nil)
    error(err.message .. " / " .. err.hint)'
  tide up
  expect_exit 1
  expect_stderr_contains "command not found: tide-no-such-cli / install tide-no-such-cli or put it on PATH"
}

test_exec_timeout_kills_the_process_group() {
  exec_project '
    local r, err = tide.exec{"sh", "-c", "sleep 31 & echo started; wait", timeout = "1s"}
    assert(r == nil)
    error(err.message .. " / wrote: " .. err.stdout)'
  tide up
  expect_exit 1
  expect_stderr_contains "sh timed out after 1s; it was killed (with every process it started) / wrote: started"
  # The background sleep was in the killed process group: nothing of it is left.
  ! pgrep -x -f "sleep 31" >/dev/null || fail "the timed-out command's child is still running"
}

test_exec_misuse_raises() {
  exec_project 'tide.exec{"echo", {}}'
  tide up
  expect_exit 1
  expect_stderr_contains "migrations/001_exec.lua:3: exec: argument 2 must be a string, not a table"
  exec_project 'tide.exec{"echo", timeout = "soon"}'
  tide up
  expect_exit 1
  expect_stderr_contains "exec: timeout must be a duration"
}

# ---- tide.step_aside ----------------------------------------------------------------------

# Migrations 001 and 002, and a tide.lua whose before_migrate hook stands aside to run
# another tide (project other/, on the same database file, with the migrations given as
# $1) — which can only migrate if the lock was released. $2: step_aside's options.
step_aside_project() {
  mkdir -p other/migrations
  write migrations/001_a.sql <<'EOF'
CREATE TABLE a (id integer);
EOF
  write migrations/002_b.sql <<'EOF'
CREATE TABLE b (id integer);
EOF
  local f
  for f in $1; do cp "migrations/$f" other/migrations/; done
  write other/tide.lua <<EOF
return { database = "sqlite:$PWD/test.db", lock_timeout = "2s" }
EOF
  write tide.lua <<EOF
return {
  database = "sqlite:test.db",
  hooks = {
    before_migrate = function(ctx)
      tide.step_aside(function()
        local r = assert(tide.exec{"$TIDE_BIN", "-C", "other", "up"})
        assert(r.code == 0, "the other run failed: " .. r.stderr)
      end${2:+, $2})
    end,
  },
}
EOF
}

# The other run migrates while this one stands aside; this run takes the lock back, sees
# the history changed and stops without applying anything twice.
test_step_aside_releases_the_lock_and_stops_when_another_run_migrated() {
  step_aside_project "001_a.sql 002_b.sql"
  tide up
  expect_exit 1
  expect_stderr_contains "the migration history changed while tide's connection was closed (tide.step_aside)"
  expect_stdout_contains "connected and locked again"
  expect_stdout_not_contains "up 001"
  expect_applied "001 002"
}

# With history_may_change the step itself succeeds, but a plan made from the old history
# is not followed: no migration of this run is applied.
test_step_aside_history_may_change_still_stops_the_plan() {
  step_aside_project "001_a.sql" "{ history_may_change = true }"
  tide up
  expect_exit 1
  expect_stdout_contains "hook before_migrate (tide.lua) ok"
  expect_stderr_contains "migrations/001_a.sql: not run: the migration history changed during this run"
  expect_applied "001"
  expect_no_table b
}

# One migration, and tide.lua's before_migrate hook running the Lua in $1.
before_migrate_project() {
  project
  write migrations/001_a.sql <<'EOF'
CREATE TABLE a (id integer);
EOF
  write tide.lua <<EOF
return {
  database = "sqlite:test.db",
  hooks = { before_migrate = function(ctx) $1 end },
}
EOF
}

test_step_aside_returns_values_and_lets_an_unchanged_run_go_on() {
  before_migrate_project '
      local a, b = tide.step_aside(function() return 1, "x" end)
      assert(a == 1 and b == "x", "step_aside returned " .. tostring(a) .. " " .. tostring(b))
      assert(ctx.db:scalar("SELECT count(*) FROM tide_history") == 0)'
  tide up
  expect_exit 0
  expect_applied "001"
}

test_step_aside_raises_the_functions_error_after_reconnecting() {
  before_migrate_project 'tide.step_aside(function() error("copy failed") end)'
  tide up
  expect_exit 1
  expect_stderr_contains "copy failed"
  expect_stdout_contains "connected and locked again"
  expect_no_table a
}

test_step_aside_refuses_inside_a_transaction() {
  project
  write migrations/001_a.lua <<'EOF'
return {
  up = function(db) tide.step_aside(function() end) end,
  down = function(db) end,
}
EOF
  tide up
  expect_exit 1
  expect_stderr_contains "tide.step_aside cannot close tide's connection inside a transaction"
  expect_sql "SELECT count(*) FROM tide_history" 0
}

run_tests
