#!/usr/bin/env bash
# `tide wait`: ready at once, ready after refused connections, exit 4 on timeout (with the
# last error), authentication failures retried, a bad URL or a missing driver refused at
# once, --json events, and no password in any of it. The scripted plugin
# (tests/plugin/scripted_plugin.c) fails its first connects as its URL says.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

test_sqlite_is_ready_at_once() {
  project
  tide wait
  expect_exit 0
  expect_stdout_contains "database ready: sqlite:test.db (sqlite"
  expect_stdout_contains "after 1 attempt(s)"
  expect_stdout_not_contains "waiting for"
}

test_ready_after_refused_connections() {
  scripted_plugins
  tide --plugin-path "$SCRIPTED" --database scripted:fail=3 wait --timeout 30s
  expect_exit 0
  expect_stdout_contains "waiting for scripted:fail=3"
  expect_stdout_contains "connection refused"
  expect_stdout_contains "after 4 attempt(s)"
}

test_timeout_exits_4_with_the_last_error() {
  scripted_plugins
  tide --plugin-path "$SCRIPTED" --database scripted:never wait --timeout 1
  expect_exit 4
  expect_stderr_contains "scripted:never: the database did not accept a connection within 1.0 s"
  expect_stderr_contains "last error: connection refused"
  expect_stderr_contains "hint: check the host, port"
  # A zero timeout is one attempt: "is it up now?"
  tide --plugin-path "$SCRIPTED" --database scripted:never wait --timeout 0
  expect_exit 4
  expect_stderr_contains "(1 attempt(s))"
}

test_authentication_failures_are_retried() {
  scripted_plugins
  tide --plugin-path "$SCRIPTED" --database scripted:auth wait --timeout 1s
  expect_exit 4
  expect_stdout_contains "retrying: a starting container may not have created the user yet"
  expect_stderr_matches "within 1\.0 s \(([2-9]|[1-9][0-9]+) attempt\(s\)\)"
  expect_stderr_contains "password authentication failed for user \"app\" (SQLSTATE 28P01)"
  expect_stderr_contains "check the user and password"
}

test_bad_url_is_not_waited_on() {
  scripted_plugins
  tide --plugin-path "$SCRIPTED" --database scripted:bogus wait --timeout 10m
  expect_exit 2
  expect_stderr_contains "bad database URL: unknown script"
  expect_stdout_not_contains "waiting for"
  tide --database 'no-scheme-here' wait --timeout 10m
  expect_exit 2
  expect_stderr_contains "has no scheme"
}

test_missing_driver_is_not_waited_on() {
  project
  tide --database nosuch://host/db wait --timeout 10m
  expect_exit 2
  expect_stderr_contains 'no driver plugin for URL scheme "nosuch:"'
  expect_stdout_not_contains "waiting for"
}

test_bad_timeout_is_a_usage_error() {
  project
  tide wait --timeout soon
  expect_exit 2
  expect_stderr_contains "wait --timeout soon: not a duration"
}

test_json_events() {
  scripted_plugins
  tide --json --plugin-path "$SCRIPTED" --database scripted:fail=2 wait --timeout 30s
  expect_exit 0
  python3 -c '
import json, sys
evs = [json.loads(l) for l in sys.stdin]
names = [e["event"] for e in evs]
assert names[0] == "run" and names[-1] == "ready", names
waiting = [e for e in evs if e["event"] == "waiting"]
assert waiting and waiting[0]["error"] == "connection refused" and waiting[0]["attempt"] == 1, waiting
assert evs[-1]["attempts"] == 3 and isinstance(evs[-1]["duration_ms"], int), evs[-1]
' <"$OUT" || fail "unexpected --json events"
  tide --json --plugin-path "$SCRIPTED" --database scripted:never wait --timeout 0
  expect_exit 4
  python3 -c '
import json, sys
evs = [json.loads(l) for l in sys.stdin]
err = [e for e in evs if e["event"] == "error"]
assert err and err[0]["exit_code"] == 4 and "last error: connection refused" in err[0]["detail"], evs
' <"$OUT" || fail "no error event with exit_code 4"
}

test_password_is_never_shown() {
  scripted_plugins
  tide --plugin-path "$SCRIPTED" --database 'scripted:never?password=hunter22' wait --timeout 0
  expect_exit 4
  expect_stderr_contains "password=***"
  expect_stderr_not_contains "hunter22"
  expect_stdout_not_contains "hunter22"
  tide --json --plugin-path "$SCRIPTED" --database 'scripted:fail=1?password=hunter22' wait
  expect_exit 0
  expect_stdout_not_contains "hunter22"
}

# With the server drivers (when built): a closed local port is refused until the timeout.
# Needs no server, only the plugin; skipped (with a line saying so) while it is absent.
test_server_drivers_on_a_closed_port() {
  project
  local port scheme ran=0
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  for scheme in postgres mysql; do
    tide drivers
    if ! grep -q "tide-driver-$scheme.so" "$OUT"; then
      echo "skip: no $scheme plugin in this build" >&2
      continue
    fi
    tide --database "$scheme://tide:s3cret-pw@127.0.0.1:$port/tide" wait --timeout 1
    expect_exit 4
    expect_stderr_contains "did not accept a connection within 1.0 s"
    expect_stderr_contains "last error:"
    expect_stderr_not_contains "s3cret-pw"
    expect_stdout_not_contains "s3cret-pw"
    ran=$((ran + 1))
  done
  ((ran > 0)) || echo "skip: test_server_drivers_on_a_closed_port ran against no driver" >&2
}

run_tests
