# Shared by bin/run, bin/test and .ci/run: install from the repo's own files, start services.
export UV_PYTHON_DOWNLOADS=never
export PATH="$HOME/.local/bin:$PATH"

say() { printf '\033[1m==>\033[0m %s\n' "$*" >&2; }

ensure_uv() {
  command -v uv >/dev/null 2>&1 || { say "installing uv"; python3 -m pip install --quiet --user uv 2>/dev/null || python3 -m pip install --quiet uv; }
}

python_deps() {
  ensure_uv
  uv sync --locked --quiet
}

node_deps() {  # pinned test tools (axe-core) from package-lock.json
  command -v npm >/dev/null 2>&1 || apt_install nodejs npm
  npm ci --silent --no-audit --no-fund
}

port_open() {  # host port
  (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  say "installing $* from Debian's packages"
  as_root apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q "$@" >/dev/null
}

start_postgres() {
  port_open 127.0.0.1 5432 && return 0
  say "starting PostgreSQL"
  command -v pg_ctlcluster >/dev/null || apt_install postgresql
  as_root pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
  for _ in $(seq 1 30); do port_open 127.0.0.1 5432 && return 0; sleep 1; done
  echo "PostgreSQL did not start" >&2; return 1
}

start_redis() {
  port_open 127.0.0.1 6379 && return 0
  say "starting Redis"
  command -v redis-server >/dev/null || apt_install redis-server
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  for _ in $(seq 1 30); do port_open 127.0.0.1 6379 && return 0; sleep 1; done
  echo "Redis did not start" >&2; return 1
}

ensure_chromium() {
  command -v chromium >/dev/null 2>&1 || apt_install chromium fonts-noto-color-emoji
}

ensure_database() {  # creates the database named in DATABASE_URL when it is missing
  uv run python - <<'PY'
import os, psycopg
from urllib.parse import urlparse
url = urlparse(os.environ["DATABASE_URL"])
name = url.path.lstrip("/")
admin = url._replace(path="/postgres").geturl()
with psycopg.connect(admin, autocommit=True) as conn:
    if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
        conn.execute(f'CREATE DATABASE "{name}"')
PY
}
