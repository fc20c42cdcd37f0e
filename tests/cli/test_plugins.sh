#!/usr/bin/env bash
# Driver plugins: `tide drivers`, unknown URL schemes, and libraries that are not tide
# plugins (no entry symbol, a future ABI major, not a shared library at all).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

REPO_ROOT=$(realpath "$(dirname "${BASH_SOURCE[0]}")/../..")

# A folder with the broken plugins: the build's (tests/plugin/), or compiled here from
# the same sources when the build has not made them.
bad_plugins() {
  BAD="$T_DIR/bad-plugins"
  mkdir -p "$BAD"
  local name src
  for name in notaplugin badmajor; do
    if [[ -n "$TIDE_BAD_PLUGIN_DIR" && -f "$TIDE_BAD_PLUGIN_DIR/tide-driver-$name.so" ]]; then
      cp "$TIDE_BAD_PLUGIN_DIR/tide-driver-$name.so" "$BAD/"
    else
      [[ $name == notaplugin ]] && src=not_a_plugin.c || src=bad_major_plugin.c
      cc -shared -fPIC -fvisibility=hidden -I"$REPO_ROOT/plugins/include" \
        -o "$BAD/tide-driver-$name.so" "$REPO_ROOT/tests/plugin/$src" ||
        fail "could not compile tests/plugin/$src"
    fi
  done
}

test_drivers_lists_sqlite() {
  tide drivers
  expect_exit 0
  expect_stdout_contains "sqlite"
  expect_stdout_contains "tide-driver-sqlite.so"
  expect_stdout_contains "transactional-ddl"
  expect_stdout_matches "^sqlite .* members upsert"
  tide --json drivers
  expect_exit 0
  python3 -c '
import json, sys
evs = [json.loads(l) for l in sys.stdin]
d = [e for e in evs if e["event"] == "driver" and e["name"] == "sqlite"]
assert d and "sqlite" in d[0]["schemes"].split(","), evs
assert "upsert" in d[0]["members"].split(","), d
' <"$OUT" || fail "drivers --json has no sqlite driver event"
}

test_drivers_warns_about_broken_plugins_and_lists_the_good_one() {
  bad_plugins
  tide drivers --plugin-path "$BAD"
  expect_exit 0
  expect_stdout_contains "tide-driver-sqlite.so"
  expect_stderr_contains "$BAD/tide-driver-notaplugin.so"
  expect_stderr_contains "not a tide plugin"
  expect_stderr_contains "$BAD/tide-driver-badmajor.so"
  expect_stderr_matches "ABI [0-9]+\.[0-9]+ is not compatible"
}

test_plugin_without_entry_symbol() {
  bad_plugins
  project
  sql_migration 001_a.sql a
  tide --plugin-path "$BAD" --database notaplugin:whatever up
  expect_exit 2
  expect_stderr_contains "$BAD/tide-driver-notaplugin.so"
  expect_stderr_contains "not a tide plugin"
  [[ ! -e test.db ]] || fail "a database was created"
}

test_plugin_with_wrong_abi_major() {
  bad_plugins
  project
  sql_migration 001_a.sql a
  tide --plugin-path "$BAD" --database badmajor://host/db up
  expect_exit 2
  expect_stderr_contains "$BAD/tide-driver-badmajor.so"
  expect_stderr_contains "not compatible"
  # Also through TIDE_PLUGIN_PATH.
  TIDE_PLUGIN_PATH="$BAD" tide --database badmajor://host/db status
  expect_exit 2
  expect_stderr_contains "$BAD/tide-driver-badmajor.so"
}

test_a_file_that_is_not_a_shared_library() {
  mkdir -p junk
  echo "not an ELF file" >junk/tide-driver-junk.so
  project
  sql_migration 001_a.sql a
  tide --plugin-path junk --database junk:x up
  expect_exit 2
  expect_stderr_contains "junk/tide-driver-junk.so"
  expect_stderr_contains "cannot load plugin"
  tide drivers --plugin-path junk
  expect_exit 0
  expect_stderr_contains "junk/tide-driver-junk.so"
}

test_broken_plugins_do_not_break_sqlite() {
  bad_plugins
  project
  sql_migration 001_a.sql a
  tide --plugin-path "$BAD" up
  expect_exit 0
  expect_applied "001"
}

test_unknown_scheme_names_it() {
  project
  sql_migration 001_a.sql a
  tide --database foo://x up
  expect_exit 2
  expect_stderr_contains 'URL scheme "foo:"'
  expect_stderr_contains "tide drivers"
  tide --database 'mysqlx://user:s3cret@host/db' up
  expect_exit 2
  expect_stderr_contains "mysqlx"
  # The password never appears in messages.
  expect_stderr_not_contains "s3cret"
  expect_stdout_not_contains "s3cret"
}

test_sqlite3_scheme_alias() {
  project
  sql_migration 001_a.sql a
  tide --database sqlite3:alias.db up
  expect_exit 0
  expect_table a alias.db
}

run_tests
