# Shared by the stand-in cloud CLIs in this folder (aws, gcloud, az, supabase): they are
# put first on PATH by tests/cli/test_snapshots.sh, record their argument vector, and
# answer like the real CLI (JSON on stdout, its exit codes, its error text on stderr).
#   FAKE_CLI_LOG    file that gets one line per call: the tool and its arguments, each
#                   printf %q-quoted
#   FAKE_CLI_STATE  folder where the fakes remember what exists (snapshots, backups)
#   FAKE_CLI_FAIL   when the call's arguments contain this text, fail like the real CLI
#   FAKE_CLI_HANG   when the call's arguments contain this text, never answer
set -u
: "${FAKE_CLI_LOG:=/dev/null}" "${FAKE_CLI_STATE:=/tmp}" "${FAKE_CLI_FAIL:=}" "${FAKE_CLI_HANG:=}"

fake_call() {
  local tool=$1
  shift
  { printf '%s' "$tool"; printf ' %q' "$@"; printf '\n'; } >>"$FAKE_CLI_LOG"
  local joined="$*"
  if [[ -n "$FAKE_CLI_HANG" && "$joined" == *"$FAKE_CLI_HANG"* ]]; then sleep 600; fi
  if [[ -n "$FAKE_CLI_FAIL" && "$joined" == *"$FAKE_CLI_FAIL"* ]]; then return 1; fi
  return 0
}

# arg NAME ARGS...: the value after NAME (or of NAME=VALUE).
arg() {
  local name=$1
  shift
  while (($#)); do
    if [[ "$1" == "$name" ]]; then echo "${2:-}"; return; fi
    if [[ "$1" == "$name="* ]]; then echo "${1#"$name="}"; return; fi
    shift
  done
}
