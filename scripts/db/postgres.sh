# scripts/db/postgres.sh: PostgreSQL for scripts/db-servers (sourced; uses its helpers).
#
# postgres_start: install postgresql if missing, initdb a cluster in $TIDE_DB_DIR/postgres
# as the postgres user, start it on a free port and a unix socket in that folder, create
# the test role (with a password) and database, export_var TIDE_TEST_POSTGRES_URL.
# postgres_stop: stop that cluster if it runs (pg_ctl stop -m fast); never fails.
#
# The cluster is for tests only: fsync is off (a crash loses it, and nothing survives
# the run anyway). Local socket connections are trusted (the superuser's way in, to
# create the role); TCP connections need the role's password (scram-sha-256), so the
# tests of wrong passwords test something real.

# The newest installed server's bin folder (Debian keeps it off PATH), or nothing. Only
# folders with initdb count: postgresql-client-N (installed by scripts/setup) creates
# /usr/lib/postgresql/N/bin with psql and pg_dump alone, maybe for a newer N.
postgres_bindir() {
  local dir found=
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V); do
    if [[ -x $dir/initdb ]]; then found=$dir; fi
  done
  if [[ -n $found ]]; then
    printf '%s\n' "$found"
  elif command -v pg_config >/dev/null 2>&1 && [[ -x $(pg_config --bindir)/initdb ]]; then
    pg_config --bindir
  fi
}

postgres_install() {
  [[ $(id -u) -eq 0 ]] || die "PostgreSQL is missing; install postgresql postgresql-client (as root: apt-get install postgresql postgresql-client)"
  say "==> installing postgresql from Debian"
  # The package would create and start a "main" cluster on port 5432; tide's tests
  # never use it, so tell postgresql-common not to create one. Its postinst asks
  # `pg_conftool createcluster.conf show create_main_cluster`, and Debian 12's
  # createcluster.conf ends with include_dir '/etc/postgresql-common/createcluster.d',
  # so a file there, written before the package exists, is read. The cluster below is
  # our own (initdb + pg_ctl, not pg_createcluster / pg_ctlcluster, which only manage
  # clusters registered under /etc/postgresql), so nothing else needs the package's
  # service, /var/run/postgresql or systemd.
  mkdir -p /etc/postgresql-common/createcluster.d
  printf 'create_main_cluster = false\n' >/etc/postgresql-common/createcluster.d/tide-no-main.conf
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql postgresql-client >&2
}

# Runs a server program as the cluster's owner: the postgres user when we are root
# (initdb and postgres refuse to run as root), else ourselves. From /, since the
# caller's folder (a checkout under /root, say) may be closed to the postgres user.
postgres_as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

# Checks what would otherwise fail later with a less clear message: the postgres user
# (created by Debian's postgresql-common), its way into the folder, the socket path's
# length (108 bytes on Linux, ".s.PGSQL.<port>" included).
postgres_check_dir() {
  local dir=$1 sock=$2
  if [[ $(id -u) -eq 0 ]]; then
    getent passwd postgres >/dev/null ||
      die "there is no postgres user (Debian's postgresql-common creates it): install postgresql from Debian, or run as a user who may own the cluster"
    postgres_as_owner test -w "$dir" ||
      die "the postgres user cannot write to $dir: a folder above it is closed to it (TMPDIR=${TMPDIR:-/tmp}); set TMPDIR to a folder others may enter, such as /tmp"
  fi
  ((${#sock} + 16 < 108)) ||
    die "the socket folder $sock is too long for a unix socket path; set TMPDIR to a shorter folder, such as /tmp"
}

postgres_start() {
  local bin
  bin=$(postgres_bindir)
  if [[ -z $bin ]]; then
    postgres_install
    bin=$(postgres_bindir)
    [[ -n $bin ]] || die "postgresql was installed but no initdb was found under /usr/lib/postgresql"
  fi
  command -v psql >/dev/null 2>&1 || need psql postgresql-client

  local dir=$TIDE_DB_DIR/postgres
  local data=$dir/data sock=$dir/sock log=$dir/server.log
  mkdir -p "$data" "$sock"
  if [[ $(id -u) -eq 0 ]] && getent passwd postgres >/dev/null; then chown -R postgres:postgres "$dir"; fi
  chmod 700 "$data"
  postgres_check_dir "$dir" "$sock"

  say "db-servers: initdb $data"
  postgres_as_owner "$bin/initdb" -D "$data" -U postgres --encoding=UTF8 --locale=C \
    --auth-local=trust --auth-host=scram-sha-256 >"$dir/initdb.log" 2>&1 ||
    die "initdb failed: $(tail -n 20 "$dir/initdb.log")"

  local port
  port=$(free_port)
  cat >>"$data/postgresql.conf" <<EOF
# scripts/db-servers: a throwaway cluster for tests
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$sock'
fsync = off
full_page_writes = off
max_connections = 200
EOF

  say "db-servers: starting PostgreSQL on 127.0.0.1:$port"
  if ! postgres_as_owner "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 start >/dev/null; then
    die "PostgreSQL did not start: $(tail -n 20 "$log" 2>/dev/null)"
  fi

  local password
  password=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
  psql -X -q -v ON_ERROR_STOP=1 -h "$sock" -p "$port" -U postgres -d postgres >&2 <<EOF
CREATE ROLE tide LOGIN CREATEDB PASSWORD '$password';
CREATE DATABASE tide_test OWNER tide;
EOF

  export_var TIDE_TEST_POSTGRES_URL "postgres://tide:$password@127.0.0.1:$port/tide_test"
  export_var TIDE_TEST_POSTGRES_SOCKET "$sock"
  export_var TIDE_TEST_POSTGRES_PORT "$port"
  export_var TIDE_TEST_POSTGRES_BIN "$bin"
}

postgres_stop() {
  local data=${TIDE_DB_DIR:-}/postgres/data
  [[ -n ${TIDE_DB_DIR:-} && -f $data/postmaster.pid ]] || return 0
  local bin
  bin=$(postgres_bindir)
  [[ -n $bin ]] || return 0
  say "db-servers: stopping PostgreSQL"
  postgres_as_owner "$bin/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
}
