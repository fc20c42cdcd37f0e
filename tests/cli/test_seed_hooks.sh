#!/usr/bin/env bash
# The seed hooks (SPEC §6): before_seed, after_seed and after_seed_error around the
# seeds of `tide seed` and `tide up --seed`, in order with their context, only when a
# seed runs; the failure rules (a failing before_seed stops the seeds; after_seed_error
# gets the seed's error, and the original error is kept when that hook fails too).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# A project with one table, two seeds, and hooks for every migrate and seed run-level
# event appending a line to events.log. Extra Lua for the hooks table comes in $1.
hooked_seed_project() {
  write tide.lua <<EOF
$(lua_event_log)
local function hook(ctx)
  local done = {}
  for _, item in ipairs(ctx.applied) do done[#done + 1] = item.kind .. ":" .. item.name .. ":" .. item.file end
  local e = ctx.error
  log(ctx.event .. " applied=[" .. table.concat(done, " ") .. "]"
      .. (e and (" error=[" .. e.message .. "] file=" .. tostring(e.file)) or ""))
end
local hooks = {}
for _, ev in ipairs{"before_migrate", "after_migrate", "after_migrate_error",
                    "before_seed", "after_seed", "after_seed_error"} do
  hooks[ev] = hook
end
${1:-}
return { database = "sqlite:test.db", hooks = hooks }
EOF
  write migrations/001_roles.sql <<'EOF'
CREATE TABLE roles (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
EOF
  write seeds/010_roles.lua <<'EOF'
return { run = function(db) db:upsert("roles", { { id = 1, name = "admin" }, { id = 2, name = "editor" } }, { key = { "id" } }) end }
EOF
  write seeds/020_more.sql <<'EOF'
INSERT INTO roles (id, name) VALUES (3, 'viewer') ON CONFLICT (id) DO NOTHING;
EOF
}

test_seed_hooks_run_around_the_seeds_in_order() {
  hooked_seed_project
  tide up --seed
  expect_exit 0
  expect_log "before_migrate applied=[]
after_migrate applied=[migration:roles:migrations/001_roles.sql]
before_seed applied=[]
after_seed applied=[seed:010_roles:seeds/010_roles.lua seed:020_more:seeds/020_more.sql]"
  expect_stdout_contains "hook before_seed (tide.lua) ok"
  expect_stdout_contains "hook after_seed (tide.lua) ok"
  # Every seed up to date: no seed hooks (like before_migrate with nothing to apply).
  rm events.log
  tide seed
  expect_exit 0
  [[ ! -e events.log ]] || fail "seed hooks ran with no seed to run: $(cat events.log)"
  # A changed seed runs, alone, between the hooks; `tide seed` fires them too.
  echo "-- changed" >>seeds/020_more.sql
  tide seed
  expect_exit 0
  expect_log "before_seed applied=[]
after_seed applied=[seed:020_more:seeds/020_more.sql]"
}

test_failing_before_seed_stops_the_seeds() {
  hooked_seed_project 'hooks.before_seed = function(ctx) return nil, "the seed snapshot could not be taken" end'
  tide up --seed
  expect_exit 1
  expect_stderr_contains "before_seed hook failed: the seed snapshot could not be taken"
  expect_stderr_contains "the run stopped before changing anything"
  expect_stdout_not_contains "seed 010_roles"
  expect_applied "001"  # the migrations ran before the seeds and stay applied
  expect_sql "SELECT count(*) FROM roles" "0"
  expect_sql "SELECT count(*) FROM tide_history WHERE kind = 'seed'" "0"
  if grep -q after_seed events.log; then fail "an after_seed hook ran after before_seed failed: $(cat events.log)"; fi
}

test_failed_seed_runs_after_seed_error_with_the_error() {
  hooked_seed_project
  write seeds/020_more.sql <<'EOF'
INSERT INTO roles (id, name) VALUES (3, 'viewer');
INSERT INTO no_such_table VALUES (1);
EOF
  tide up --seed
  expect_exit 1
  expect_stderr_contains "error: seeds/020_more.sql:2: no such table: no_such_table"
  expect_log "before_migrate applied=[]
after_migrate applied=[migration:roles:migrations/001_roles.sql]
before_seed applied=[]
after_seed_error applied=[seed:010_roles:seeds/010_roles.lua] error=[no such table: no_such_table] file=seeds/020_more.sql"
  # The failed seed rolled back before its error hook ran; the one before it stays.
  expect_sql "SELECT group_concat(id) FROM roles ORDER BY id" "1,2"
  expect_sql "SELECT version FROM tide_history WHERE kind = 'seed'" "010_roles"
}

test_failing_after_seed_error_keeps_the_original_error() {
  hooked_seed_project 'hooks.after_seed_error = function(ctx) error("restore failed: bucket gone", 0) end'
  write seeds/010_roles.lua <<'EOF'
return { run = function(db) db:upsert("roles", { { id = 1, nosuchcolumn = "x" } }, { key = { "id" } }) end }
EOF
  tide up --seed
  expect_exit 1
  expect_stderr_contains "after_seed_error hook failed: restore failed: bucket gone"
  expect_stderr_contains "error: seeds/010_roles.lua:1:"
  expect_stderr_contains "nosuchcolumn"
  expect_stderr_contains "the after_seed_error hook failed too:"
  expect_sql "SELECT count(*) FROM tide_history WHERE kind = 'seed'" "0"
}

test_failing_after_seed_fails_the_run_and_keeps_the_seeds() {
  hooked_seed_project 'hooks.after_seed = function(ctx) error("could not drop the snapshot", 0) end'
  tide up --seed
  expect_exit 1
  expect_stderr_contains "after_seed hook failed: could not drop the snapshot"
  expect_sql "SELECT count(*) FROM roles" "3"
  expect_sql "SELECT count(*) FROM tide_history WHERE kind = 'seed'" "2"
  if grep -q after_seed_error events.log; then fail "after_seed_error ran after the seeds succeeded"; fi
}

test_seed_hook_files_with_env_gates() {
  hooked_seed_project
  write hooks/before_seed.sql <<'EOF'
-- tide:env development
CREATE TABLE IF NOT EXISTS seed_audit (at TEXT);
INSERT INTO seed_audit VALUES ('before');
EOF
  write hooks/after_seed.lua <<'EOF'
return { env = "production", run = function(ctx) error("gated out: must not run") end }
EOF
  tide up --seed
  expect_exit 0
  expect_stdout_contains "hook before_seed (hooks/before_seed.sql) ok"
  expect_stdout_not_contains "hooks/after_seed.lua"
  expect_sql "SELECT count(*) FROM seed_audit" "1"
}

run_tests
