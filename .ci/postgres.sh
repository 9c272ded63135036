# Sourced by .ci/run: start a throwaway PostgreSQL cluster on loopback and export its URL.
# Returns non-zero (and exports nothing) when no server could be started.
start_test_postgres() {
  local pg_bin pg_dir port
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$pg_bin" ] || return 1
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  pg_dir=$(mktemp -d /tmp/replylab-pg.XXXXXX)
  chown postgres "$pg_dir" || return 1
  su postgres -s /bin/sh -c "$pg_bin/initdb -D $pg_dir/data -A trust -U postgres >/dev/null" || return 1
  su postgres -s /bin/sh -c "$pg_bin/pg_ctl -D $pg_dir/data -o '-h 127.0.0.1 -p $port -k $pg_dir' -l $pg_dir/log -w start >/dev/null" || return 1
  export REPLYLAB_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$port/postgres"
  echo "ci: PostgreSQL test server on 127.0.0.1:$port"
}
start_test_postgres
