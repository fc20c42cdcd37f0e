# Helpers for the end-to-end CLI tests: each test_<topic>.sh sources this file, defines
# functions named test_*, and ends with `run_tests`. Every test function runs in its own
# subshell inside a fresh temporary project folder, so a failed assertion (which exits
# that subshell) cannot leak state into the next test.
#
# Environment (set by tests/cli/CMakeLists.txt):
#   TIDE_BIN             the tide binary under test
#   SQLITE3              the sqlite3 command-line tool used to check the database
#   TIDE_BAD_PLUGIN_DIR  folder holding the test plugins built from tests/plugin/
#                        (tide-driver-notaplugin.so, -badmajor.so, -scripted.so, -scripted10.so)
#   CLI_TEST_FILTER      optional: run only the test functions whose name contains it
#
# In a test:
#   tide up --to 002         run tide; sets RC, and OUT / ERR (files with stdout / stderr)
#   expect_exit 0            the last tide run exited with that code
#   expect_stdout_contains TEXT, expect_stderr_contains TEXT (and *_not_contains)
#   sql "SELECT ..."         query the project's database (DB, default test.db) with sqlite3
#   expect_sql "SELECT ..." EXPECTED
#   write PATH <<'EOF' ... EOF   create a file (and its folders) from a heredoc
#   $(lua_event_log)         in a tide.lua heredoc: a Lua function log(line) appending to events.log
#   expect_log TEXT          events.log (what the hooks logged) reads exactly TEXT
#   fail MESSAGE             stop this test with a message

set -u

: "${TIDE_BIN:?TIDE_BIN must point at the tide binary}"
: "${SQLITE3:=sqlite3}"
: "${TIDE_BAD_PLUGIN_DIR:=}"

# Tests cd into temporary folders: make the binary's path absolute.
TIDE_BIN=$(realpath "$TIDE_BIN")
[[ -z "$TIDE_BAD_PLUGIN_DIR" ]] || TIDE_BAD_PLUGIN_DIR=$(realpath -m "$TIDE_BAD_PLUGIN_DIR")
if [[ ! -x "$TIDE_BIN" ]]; then
  echo "TIDE_BIN=$TIDE_BIN is not an executable; build first (cmake --build)" >&2
  exit 1
fi
command -v "$SQLITE3" >/dev/null || { echo "sqlite3 not found ($SQLITE3)" >&2; exit 1; }

# Tests must not pick up the caller's settings.
unset DATABASE_URL TIDE_ENV NO_COLOR TIDE_PLUGIN_PATH TIDE_LUA_PATH

T_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
T_SCRIPT=$(basename "${BASH_SOURCE[1]:-$0}" .sh)
T_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/tide-cli-${T_SCRIPT}.XXXXXX")
trap 'rm -rf "$T_ROOT"' EXIT

T_NAME=""
T_LAST_CMD=""
RC=""
OUT=""
ERR=""
DB="test.db"

# ---- failing ---------------------------------------------------------------------------

fail() {
  {
    echo "FAIL ${T_SCRIPT}::${T_NAME}: $*"
    if [[ -n "$T_LAST_CMD" ]]; then
      echo "  last command: $T_LAST_CMD (exit $RC)"
      echo "  --- stdout ---"
      sed 's/^/  | /' "$OUT" 2>/dev/null | head -60
      echo "  --- stderr ---"
      sed 's/^/  | /' "$ERR" 2>/dev/null | head -60
    fi
  } >&2
  exit 1
}

# ---- running tide ----------------------------------------------------------------------

# tide ARGS...: run the binary (with a generous timeout so a hang fails instead of
# blocking ctest), capturing stdout, stderr and the exit code.
tide() {
  T_RUN=$((${T_RUN:-0} + 1))
  OUT="$T_DIR/.out.$T_RUN"
  ERR="$T_DIR/.err.$T_RUN"
  T_LAST_CMD="tide $*"
  timeout 120 "$TIDE_BIN" "$@" >"$OUT" 2>"$ERR" </dev/null
  RC=$?
  return 0
}

# The text of the last run's stdout / stderr.
stdout() { cat "$OUT"; }
stderr() { cat "$ERR"; }

expect_exit() {
  [[ "$RC" == "$1" ]] || fail "expected exit code $1, got $RC"
}

expect_stdout_contains() {
  grep -qF -- "$1" "$OUT" || fail "stdout does not contain: $1"
}

expect_stdout_not_contains() {
  ! grep -qF -- "$1" "$OUT" || fail "stdout unexpectedly contains: $1"
}

expect_stderr_contains() {
  grep -qF -- "$1" "$ERR" || fail "stderr does not contain: $1"
}

expect_stderr_not_contains() {
  ! grep -qF -- "$1" "$ERR" || fail "stderr unexpectedly contains: $1"
}

# Extended regular expression on stderr / stdout.
expect_stderr_matches() {
  grep -qE -- "$1" "$ERR" || fail "stderr does not match /$1/"
}

expect_stdout_matches() {
  grep -qE -- "$1" "$OUT" || fail "stdout does not match /$1/"
}

expect_stdout_empty() {
  [[ ! -s "$OUT" ]] || fail "stdout should be empty"
}

# ---- the database ----------------------------------------------------------------------

# sql QUERY [DBFILE]: the query's output (sqlite3 list mode, "|" between columns).
sql() {
  local db="${2:-$DB}"
  [[ -f "$db" ]] || fail "database file $db does not exist (query: $1)"
  "$SQLITE3" -batch "$db" "$1" 2>&1 || fail "sqlite3 failed on $db: $1"
}

# expect_sql QUERY EXPECTED [DBFILE]
expect_sql() {
  local got
  got=$(sql "$1" "${3:-$DB}") || exit 1
  [[ "$got" == "$2" ]] || fail "query: $1
  expected: $(printf '%q' "$2")
  got:      $(printf '%q' "$got")"
}

# The table (or index, trigger...) exists / does not exist in the database.
expect_table() {
  expect_sql "SELECT count(*) FROM sqlite_master WHERE name = '$1'" 1 "${2:-$DB}"
}

expect_no_table() {
  [[ -f "${2:-$DB}" ]] || return 0
  expect_sql "SELECT count(*) FROM sqlite_master WHERE name = '$1'" 0 "${2:-$DB}"
}

# Versions recorded in the history as applied, in order, space-separated.
applied_versions() {
  sql "SELECT group_concat(version, ' ') FROM (SELECT version FROM tide_history
       WHERE kind = 'migration' AND status = 'applied' ORDER BY version)" "${1:-$DB}"
}

expect_applied() {
  local got
  got=$(applied_versions "${2:-$DB}") || exit 1
  [[ "$got" == "$1" ]] || fail "applied versions: expected '$1', got '$got'"
}

expect_eq() {
  [[ "$1" == "$2" ]] || fail "${3:-value}: expected $(printf '%q' "$2"), got $(printf '%q' "$1")"
}

# ---- fixtures --------------------------------------------------------------------------

# write PATH: the file's content comes from stdin (a heredoc).
write() {
  mkdir -p "$(dirname "$1")"
  cat >"$1"
}

# A project using sqlite:test.db, with an empty migrations folder.
project() {
  write tide.lua <<'EOF'
return { database = "sqlite:test.db" }
EOF
  mkdir -p migrations seeds
}

# lua_migration FILE TABLE: a reversible Lua migration creating TABLE.
lua_migration() {
  write "migrations/$1" <<EOF
return {
  up = function(db) db:exec [[CREATE TABLE $2 (id integer primary key)]] end,
  down = function(db) db:exec [[DROP TABLE $2]] end,
}
EOF
}

# sql_migration FILE TABLE: a reversible SQL migration creating TABLE.
sql_migration() {
  write "migrations/$1" <<EOF
-- tide:up
CREATE TABLE $2 (id integer primary key);
-- tide:down
DROP TABLE $2;
EOF
}

# lua_event_log: the Lua of a local function log(line) that appends a line to events.log,
# for tide.lua files whose hooks record what ran; expect_log checks the file.
lua_event_log() {
  cat <<'EOF'
local function log(line)
  local f = assert(io.open("events.log", "a"))
  f:write(line, "\n")
  f:close()
end
EOF
}

# expect_log TEXT: events.log holds exactly TEXT (no file reads as empty).
expect_log() {
  local got
  got=$(cat events.log 2>/dev/null)
  [[ "$got" == "$1" ]] || fail "events.log:
  expected: $1
  got:      $got"
}

# scripted_plugins: sets SCRIPTED to a folder holding tide-driver-scripted.so and
# tide-driver-scripted10.so (tests/plugin/scripted_plugin.c), the build's or compiled here.
scripted_plugins() {
  SCRIPTED="$T_DIR/scripted-plugins"
  mkdir -p "$SCRIPTED"
  local name src="$T_LIB_DIR/../plugin/scripted_plugin.c"
  for name in scripted scripted10; do
    if [[ -n "$TIDE_BAD_PLUGIN_DIR" && -f "$TIDE_BAD_PLUGIN_DIR/tide-driver-$name.so" ]]; then
      cp "$TIDE_BAD_PLUGIN_DIR/tide-driver-$name.so" "$SCRIPTED/"
    else
      cc -shared -fPIC -fvisibility=hidden -I"$(dirname "$src")/../../plugins/include" \
        $([[ $name == scripted10 ]] && echo -DSCRIPTED_ABI_1_0) -o "$SCRIPTED/tide-driver-$name.so" "$src" ||
        fail "could not compile $src"
    fi
  done
}

# ---- running the tests -----------------------------------------------------------------

run_tests() {
  local names passed=0 failed=0 failures=()
  names=$(declare -F | awk '{print $3}' | grep '^test_')
  for name in $names; do
    if [[ -n "${CLI_TEST_FILTER:-}" && "$name" != *"$CLI_TEST_FILTER"* ]]; then continue; fi
    T_DIR="$T_ROOT/$name"
    mkdir -p "$T_DIR"
    if (cd "$T_DIR" && T_NAME="$name" && "$name"); then
      echo "ok   ${T_SCRIPT}::$name"
      passed=$((passed + 1))
    else
      echo "FAIL ${T_SCRIPT}::$name"
      failures+=("$name")
      failed=$((failed + 1))
    fi
  done
  echo "${T_SCRIPT}: $passed passed, $failed failed"
  if ((failed > 0)); then
    printf '  failed: %s\n' "${failures[@]}"
    exit 1
  fi
  if ((passed == 0)); then
    echo "no test ran"
    exit 1
  fi
  exit 0
}
