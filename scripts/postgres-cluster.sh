# Sourced by scripts/test and scripts/with-postgres: a throwaway PostgreSQL cluster for the
# store's tests, from Debian's `postgresql` (installed when missing, as xmllint is), on a free
# local port, in a temporary directory, stopped and removed by pg_stop.
#
# pg_start exports BARNVERN_TEST_POSTGRES_URL (the tests read it; without it they fail and say
# how to run them). PostgreSQL refuses to run as root, so as root the cluster runs as the
# `postgres` user that Debian's package creates.

pg_start() {
    if ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    fi
    PG_BIN="$(find /usr/lib/postgresql -maxdepth 2 -name bin -type d | sort -V | tail -n 1)"
    PG_TMP="$(mktemp -d)"
    local as_pg=()
    if [[ "$(id -u)" -eq 0 ]]; then
        chown postgres: "$PG_TMP"
        as_pg=(runuser -u postgres --)
    fi
    # A free port: bind to port 0 and read what the kernel chose.
    PG_PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    "${as_pg[@]}" "$PG_BIN/initdb" -D "$PG_TMP/data" -A trust -U postgres -E UTF8 --no-sync >"$PG_TMP/initdb.log" 2>&1 \
        || { cat "$PG_TMP/initdb.log" >&2; return 1; }
    # Durable commits as in production (fsync and synchronous_commit stay on): the store's
    # kill test and benchmarks rely on them.
    "${as_pg[@]}" "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/server.log" -w \
        -o "-p $PG_PORT -k $PG_TMP -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null \
        || { cat "$PG_TMP/server.log" >&2; return 1; }
    PG_AS=("${as_pg[@]}")
    export BARNVERN_TEST_POSTGRES_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
    echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PG_PORT (data in $PG_TMP)"
}

pg_stop() {
    if [[ -n "${PG_TMP:-}" && -d "$PG_TMP/data" ]]; then
        "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -m immediate -w stop >/dev/null 2>&1 || true
        rm -rf "$PG_TMP"
        PG_TMP=""
    fi
}
