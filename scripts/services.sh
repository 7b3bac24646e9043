#!/usr/bin/env bash
# Starts PostgreSQL and Redis on their standard local ports if they are down
# (as installed from Debian's packages). Used by .ci/run; harmless when they run.
set -uo pipefail
up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
start() {
  if ! up 5432 && command -v pg_ctlcluster >/dev/null 2>&1; then
    for version in $(ls /etc/postgresql 2>/dev/null); do
      pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    done
  fi
  if ! up 6379 && command -v redis-server >/dev/null 2>&1; then
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
  fi
  for _ in $(seq 20); do up 5432 && up 6379 && break; sleep 0.5; done
  up 5432 && echo "services: PostgreSQL up" || echo "services: PostgreSQL not available"
  up 6379 && echo "services: Redis up" || echo "services: Redis not available"
}
case "${1:-start}" in
  start) start ;;
  *) echo "usage: $0 start"; exit 2 ;;
esac
