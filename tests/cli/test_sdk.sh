#!/usr/bin/env bash
# The plugin SDK (SPEC §9): `cmake --install` into a temporary prefix, then the
# out-of-tree examples/plugin-skeleton built with find_package(tide), found by the
# installed tide, and checked by the installed conformance runner.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

: "${TIDE_BUILD_DIR:?TIDE_BUILD_DIR must point at the build tree (tests/cli/CMakeLists.txt sets it)}"
REPO_ROOT=$(realpath "$T_LIB_DIR/../..")

# install: PREFIX holds an installed tide.
install_tide() {
  PREFIX="$T_DIR/prefix"
  cmake --install "$TIDE_BUILD_DIR" --prefix "$PREFIX" >"$T_DIR/install.log" 2>&1 ||
    fail "cmake --install failed: $(tail -5 "$T_DIR/install.log")"
}

# build_skeleton: SKELETON is the build folder of examples/plugin-skeleton.
build_skeleton() {
  SKELETON="$T_DIR/skeleton-build"
  { cmake -S "$REPO_ROOT/examples/plugin-skeleton" -B "$SKELETON" -DCMAKE_PREFIX_PATH="$PREFIX" &&
    cmake --build "$SKELETON"; } >"$T_DIR/skeleton.log" 2>&1 ||
    fail "the skeleton did not build: $(tail -20 "$T_DIR/skeleton.log")"
  [[ -f "$SKELETON/tide-driver-skeleton.so" ]] || fail "no tide-driver-skeleton.so"
}

test_install_layout() {
  install_tide
  local f
  for f in bin/tide bin/tide-conformance include/tide/driver.h lib/tide/plugins/tide-driver-sqlite.so \
    lib/cmake/tide/tideConfig.cmake lib/cmake/tide/tideConfigVersion.cmake lib/cmake/tide/tideTargets.cmake \
    share/tide/lua-types/tide.lua; do
    [[ -e "$PREFIX/$f" ]] || fail "not installed: $f"
  done
  # The installed tide finds the installed plugins first.
  TIDE_BIN="$PREFIX/bin/tide" tide drivers
  expect_exit 0
  expect_stdout_contains "$PREFIX/lib/tide/plugins/tide-driver-sqlite.so"
}

test_out_of_tree_plugin_builds_and_loads() {
  install_tide
  build_skeleton
  TIDE_BIN="$PREFIX/bin/tide" tide drivers --plugin-path "$SKELETON"
  expect_exit 0
  expect_stdout_contains "skeleton"
  expect_stdout_contains "$SKELETON/tide-driver-skeleton.so"
  # Installed beside the others, the installed tide finds it with no --plugin-path.
  cmake --install "$SKELETON" --prefix "$PREFIX" >/dev/null || fail "installing the skeleton failed"
  project
  TIDE_BIN="$PREFIX/bin/tide" tide --database skeleton:demo wait
  expect_exit 0
  expect_stdout_contains "database ready: skeleton:demo (skeleton skeleton 0.1"
  TIDE_BIN="$PREFIX/bin/tide" tide --database skeleton:demo dump
  expect_exit 2
  expect_stderr_contains "skeleton driver: dump is not implemented"
}

test_installed_conformance_runner() {
  install_tide
  build_skeleton
  local runner="$PREFIX/bin/tide-conformance" plugin="$SKELETON/tide-driver-skeleton.so" log="$T_DIR/conformance.log"
  # What the skeleton honestly passes: the table and connect cases.
  "$runner" --plugin "$plugin" --url skeleton:test "[abi],[connect]" >"$log" 2>&1 ||
    fail "the skeleton fails [abi],[connect]: $(tail -30 "$log")"
  grep -q "All tests passed" "$log" || fail "no conformance case ran: $(tail -5 "$log")"
  # ...and not the rest: it runs no SQL.
  ! "$runner" --plugin "$plugin" --url skeleton:test "[exec]" >"$log" 2>&1 || fail "[exec] passed on a driver without exec"
  grep -q "skeleton driver: exec is not implemented" "$log" || fail "the failure does not show the driver's error"
  # The same runner on the installed SQLite driver passes everything (env vars work too).
  TIDE_CONFORMANCE_PLUGIN="$PREFIX/lib/tide/plugins/tide-driver-sqlite.so" TIDE_CONFORMANCE_URL="sqlite:$T_DIR/c.db" \
    "$runner" "[abi],[exec],[dump]" >"$log" 2>&1 || fail "the installed sqlite plugin fails: $(tail -30 "$log")"
}

test_find_package_checks_the_version() {
  install_tide
  write too-new/CMakeLists.txt <<'EOF2'
cmake_minimum_required(VERSION 3.20)
project(too_new LANGUAGES C)
find_package(tide 99.0 REQUIRED)
EOF2
  ! cmake -S too-new -B too-new/build -DCMAKE_PREFIX_PATH="$PREFIX" >"$T_DIR/too-new.log" 2>&1 ||
    fail "find_package(tide 99.0) succeeded"
  grep -q "tideConfig.cmake, version: 0.1.0" "$T_DIR/too-new.log" || fail "no version mismatch message"
}

run_tests
