# Sourced by .ci/run: start a throwaway PostgreSQL cluster on loopback and export its URL.
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
pg_dir=$(mktemp -d /tmp/replylab-pg.XXXXXX)
chown postgres "$pg_dir"
su postgres -s /bin/sh -c "$pg_bin/initdb -D $pg_dir/data -A trust -U postgres >/dev/null"
su postgres -s /bin/sh -c "$pg_bin/pg_ctl -D $pg_dir/data -o '-h 127.0.0.1 -p 54329 -k $pg_dir' -l $pg_dir/log -w start >/dev/null"
export REPLYLAB_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:54329/postgres"
