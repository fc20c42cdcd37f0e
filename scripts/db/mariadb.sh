# scripts/db/mariadb.sh: MariaDB for scripts/db-servers (sourced; uses its helpers).
#
# mariadb_start: install mariadb-server if missing, initialise a data folder in
# $TIDE_DB_DIR/mariadb, start mariadbd as the mysql user on a free port and a unix socket
# in that folder, create the test user (with a password) and database, export_var
# TIDE_TEST_MYSQL_URL (and TIDE_TEST_MYSQL_SOCKET, the server's unix socket). The test
# user may create databases: the end-to-end tests make one each.
# mariadb_launch: start mariadbd again on that data folder, port and socket (the settings
# are in $TIDE_DB_DIR/mariadb/server.cnf) and wait until it answers; for tests that stop
# the server under a running migration (tests/cli/test_mysql_shutdown.sh). Needs say/die.
# mariadb_stop: stop that server if it runs; never fails.

mariadb_dir() { printf '%s/mariadb' "$TIDE_DB_DIR"; }

# The server runs as mysql when we are root (mariadbd refuses root), else as ourselves.
mariadb_user() { if [[ $(id -u) -eq 0 ]]; then echo mysql; else id -un; fi; }

mariadb_admin() {
  local dir
  dir=$(mariadb_dir)
  mariadb --no-defaults --protocol=socket --socket="$dir/mysqld.sock" -uroot "$@"
}

# The server's settings, so a relaunch (mariadb_launch) uses the same ones.
# utf8mb4 by default, so every database the tests create holds any text.
mariadb_write_config() {
  local dir
  dir=$(mariadb_dir)
  cat >"$dir/server.cnf" <<EOF
[mariadbd]
datadir=$dir/data
socket=$dir/mysqld.sock
pid-file=$dir/mysqld.pid
log-error=$dir/error.log
port=$1
bind-address=127.0.0.1
skip-name-resolve
character-set-server=utf8mb4
collation-server=utf8mb4_unicode_ci
innodb-buffer-pool-size=64M
max-connections=200
EOF
}

mariadb_launch() {
  local dir i
  dir=$(mariadb_dir)
  mariadbd --defaults-file="$dir/server.cnf" --user="$(mariadb_user)" >>"$dir/error.log" 2>&1 </dev/null &
  echo $! >"$dir/launcher.pid"
  for ((i = 0; i < 600; i++)); do
    if mariadb-admin --no-defaults --protocol=socket --socket="$dir/mysqld.sock" -uroot ping >/dev/null 2>&1; then
      return 0
    fi
    kill -0 "$(cat "$dir/launcher.pid")" 2>/dev/null || { tail -20 "$dir/error.log" >&2; die "mariadbd exited while starting"; }
    sleep 0.1
  done
  tail -20 "$dir/error.log" >&2
  die "mariadbd did not answer within 60 s"
}

mariadb_start() {
  need mariadbd mariadb-server mariadb-client
  need mariadb mariadb-client
  local dir port user password
  dir=$(mariadb_dir)
  user=$(mariadb_user)
  port=$(free_port)
  password=$(python3 -c 'import secrets; print(secrets.token_hex(12))')
  mkdir -p "$dir/data"
  [[ $(id -u) -ne 0 ]] || chown -R mysql:mysql "$dir"

  say "==> MariaDB: initialising $dir/data"
  # root authenticates by unix socket as the OS user running this script: no password
  # exists that could leak, and only this user (or root) can administer the server.
  mariadb-install-db --no-defaults --user="$user" --datadir="$dir/data" \
    --auth-root-authentication-method=socket --auth-root-socket-user="$(id -un)" \
    --skip-test-db >"$dir/install.log" 2>&1 ||
    { cat "$dir/install.log" >&2; die "mariadb-install-db failed"; }

  mariadb_write_config "$port"
  say "==> MariaDB: starting mariadbd on 127.0.0.1:$port"
  mariadb_launch

  mariadb_admin <<SQL || die "could not create the MariaDB test user and database"
CREATE DATABASE tide_test CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER 'tide'@'%' IDENTIFIED BY '$password';
CREATE USER 'tide'@'localhost' IDENTIFIED BY '$password';
GRANT ALL PRIVILEGES ON *.* TO 'tide'@'%' WITH GRANT OPTION;
GRANT ALL PRIVILEGES ON *.* TO 'tide'@'localhost' WITH GRANT OPTION;
SQL
  export_var TIDE_TEST_MYSQL_URL "mysql://tide:$password@127.0.0.1:$port/tide_test"
  export_var TIDE_TEST_MYSQL_SOCKET "$dir/mysqld.sock"
  say "==> MariaDB: ready (user tide, database tide_test)"
}

mariadb_stop() {
  [[ -n ${TIDE_DB_DIR:-} ]] || return 0
  local dir pid i
  dir=$(mariadb_dir)
  [[ -f $dir/mysqld.pid || -f $dir/launcher.pid ]] || return 0
  pid=$(cat "$dir/mysqld.pid" 2>/dev/null || cat "$dir/launcher.pid" 2>/dev/null || true)
  [[ -n $pid ]] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  say "==> MariaDB: stopping (pid $pid)"
  mariadb-admin --no-defaults --protocol=socket --socket="$dir/mysqld.sock" -uroot shutdown >/dev/null 2>&1 ||
    kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 300; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  say "==> MariaDB: did not stop within 30 s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
  return 0
}
