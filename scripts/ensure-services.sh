#!/usr/bin/env bash
# Starts the local Postgres and Redis that PixelFlow's defaults point at, when
# they are installed here but not running. Does nothing when both answer, and
# leaves services configured elsewhere (DATABASE_URL / REDIS_URL) alone.
set -euo pipefail

if [ -z "${DATABASE_URL:-}" ] && ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
    echo "starting local PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
  else
    echo "PostgreSQL is not reachable on 127.0.0.1:5432; start it or set DATABASE_URL" >&2
    exit 1
  fi
fi

if [ -z "${REDIS_URL:-}" ] && ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  if command -v redis-server >/dev/null; then
    echo "starting local Redis"
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log
    for _ in $(seq 1 50); do
      redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break
      sleep 0.1
    done
  else
    echo "Redis is not reachable on 127.0.0.1:6379; start it or set REDIS_URL" >&2
    exit 1
  fi
fi
