#!/usr/bin/env bash
# Makes sure the local PostgreSQL and Redis servers answer on 127.0.0.1, starting (or, where they
# are absent, installing) them. Used by `make test` and `make serve`; never fails the build: the
# tests skip PostgreSQL when it cannot be had (outside CI).
set -u
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
if ! pg_isready -q -h 127.0.0.1 2>/dev/null; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    echo "Installing PostgreSQL (Debian package)…"
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null || true
  fi
  v=$(ls /etc/postgresql 2>/dev/null | head -n1)
  if [ -n "$v" ]; then
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$v" main start 2>/dev/null || true
    for _ in $(seq 1 20); do pg_isready -q -h 127.0.0.1 && break; sleep 0.5; done
  fi
fi
if ! redis-cli -h 127.0.0.1 ping >/dev/null 2>&1; then
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "Installing Redis (Debian package)…"
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >/dev/null || true
  fi
  command -v redis-server >/dev/null 2>&1 && redis-server --daemonize yes --bind 127.0.0.1 --save "" >/dev/null 2>&1 || true
  for _ in $(seq 1 20); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 0.25; done
fi
pg_isready -q -h 127.0.0.1 2>/dev/null && echo "PostgreSQL: up" || echo "PostgreSQL: not available"
redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && echo "Redis: up" || echo "Redis: not available"
exit 0
