#!/usr/bin/env bash
# Throwaway servers for the test suite, each in its own temporary folder, reachable only
# through a Unix socket in that folder (no TCP port to collide with anything):
#   scripts/services.sh postgres start DIR   initdb + start; prints the DATABASE_URL
#   scripts/services.sh redis start DIR      start redis-server; prints the REDIS_URL
#   scripts/services.sh (postgres|redis) stop DIR   stop it and remove DIR
# The Debian packages come from scripts/system-packages.sh --test. PostgreSQL refuses to run
# as root, so as root (CI) the cluster belongs to Debian's `postgres` system user.
set -euo pipefail
service=${1:?postgres or redis}
action=${2:?start or stop}
dir=${3:?a folder for the server}

as_owner() {
  if [[ $(id -u) == 0 ]]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

pg_bin() {
  # Debian keeps each major version's programs apart; take the newest installed.
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [[ -z $bin ]]; then
    echo "PostgreSQL is not installed: run scripts/system-packages.sh --test" >&2
    exit 1
  fi
  echo "$bin"
}

case "$service/$action" in
  postgres/start)
    bin=$(pg_bin)
    mkdir -p "$dir"
    [[ $(id -u) == 0 ]] && chown postgres: "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
      >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    # Durability is pointless for a cluster thrown away after the run; speed is not.
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start -o \
      "-c listen_addresses='' -c unix_socket_directories='$dir' -c max_connections=400 \
       -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c timezone=Europe/Oslo" \
      >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
    # The server runs in Oslo time on purpose: the app must store UTC whatever the server's zone.
    as_owner "$bin/createdb" -h "$dir" -U postgres canvas
    echo "postgresql+psycopg://postgres@/canvas?host=$dir"
    ;;
  postgres/stop)
    if [[ -d $dir/data ]]; then
      as_owner "$(pg_bin)/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null || true
    fi
    rm -rf "$dir"
    ;;
  redis/start)
    mkdir -p "$dir"
    redis-server --port 0 --unixsocket "$dir/redis.sock" --unixsocketperm 700 \
      --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" \
      --dir "$dir" --save '' --appendonly no
    for _ in $(seq 100); do
      [[ -S $dir/redis.sock ]] && break
      sleep 0.1
    done
    [[ -S $dir/redis.sock ]] || { cat "$dir/redis.log" >&2; exit 1; }
    echo "unix://$dir/redis.sock"
    ;;
  redis/stop)
    if [[ -f $dir/redis.pid ]]; then
      kill "$(cat "$dir/redis.pid")" 2>/dev/null || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 postgres|redis start|stop DIR" >&2
    exit 2
    ;;
esac
