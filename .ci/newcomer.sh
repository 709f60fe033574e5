#!/usr/bin/env bash
# The README's first run, as newcomers do it: a fresh non-root user in their home,
# and root in a directory the unprivileged `postgres` user cannot traverse (0700).
# Each: clone, npm ci, npm start (embedded PostgreSQL), bootstrap an account with
# the CLI, create an API key over HTTP, stop the service. Any failure fails CI.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
user=klnewcomer

say() { printf '  -- %s\n' "$*"; }

# Runs a command in the checkout, as the newcomer when $1 is "user", else as root.
as() {
  local who=$1 dir=$2
  shift 2
  if [ "$who" = user ]; then
    su "$user" -s /bin/bash -c "cd '$dir' && $*"
  else
    (cd "$dir" && bash -c "$*")
  fi
}

first_run() {
  local who=$1 dir=$2 log
  log="$(mktemp)"
  chmod 644 "$log"
  say "clone into $dir"
  rm -rf "$dir"
  git clone -q "$repo" "$dir"
  [ "$who" = user ] && chown -R "$user:" "$dir"
  chown "$( [ "$who" = user ] && echo "$user" || echo root )" "$log"

  say "npm ci"
  as "$who" "$dir" "npm ci --no-audit --no-fund --loglevel=error" >/dev/null

  say "npm start"
  # Own session, so the whole npm -> node tree gets the SIGTERM below.
  if [ "$who" = user ]; then
    setsid su "$user" -s /bin/bash -c "cd '$dir' && PORT=0 exec npm start" >"$log" 2>&1 &
  else
    (cd "$dir" && PORT=0 setsid npm start >"$log" 2>&1) &
  fi
  local url=""
  for _ in $(seq 1 180); do
    url="$(sed -n 's|^keyledger listening on \(http://[^ ]*\)/graphql.*|\1|p' "$log" | head -1)"
    [ -n "$url" ] && break
    if grep -q 'failed to start' "$log"; then break; fi
    sleep 1
  done
  if [ -z "$url" ]; then
    echo "newcomer ($who): the service did not start:" >&2
    cat "$log" >&2
    return 1
  fi
  say "listening on $url"

  say "bootstrap an account with the CLI"
  local token
  token="$(as "$who" "$dir" "npm run --silent cli -- bootstrap --account Newcomer --email newcomer@example.test --plan PREMIUM" |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).token))')"

  say "create an API key over HTTP"
  local reply
  reply="$(curl -sS "$url/graphql" -H 'content-type: application/json' -H "authorization: Bearer $token" \
    -d '{"query":"mutation { createApiKey(input: {name: \"newcomer\", purpose: TEMPORARY_INTEGRATION, scopes: [KEYS_READ]}) { secret apiKey { id status } } }"}')"
  if ! grep -q '"secret":"kl_live_' <<<"$reply" || ! grep -q '"status":"ACTIVE"' <<<"$reply"; then
    echo "newcomer ($who): createApiKey answered: $reply" >&2
    return 1
  fi

  say "stop the service"
  local pid="" cluster
  for candidate in $(pgrep -f "node dist/src/main.js" || true); do
    [ "$(readlink "/proc/$candidate/cwd" 2>/dev/null)" = "$dir" ] && pid=$candidate
  done
  if [ -z "$pid" ]; then
    echo "newcomer ($who): no service process found in $dir" >&2
    return 1
  fi
  cluster="$(sed -n 's|.*"clusterDir":"\([^"]*\)".*|\1|p' "$log" | head -1)"
  kill -TERM "$pid"
  for _ in $(seq 1 30); do
    kill -0 "$pid" 2>/dev/null || pgrep -f -- "-D $cluster" >/dev/null || break
    sleep 1
  done
  if kill -0 "$pid" 2>/dev/null || pgrep -f -- "-D $cluster" >/dev/null; then
    echo "newcomer ($who): the service or its PostgreSQL still runs 30 s after SIGTERM" >&2
    return 1
  fi

  # What root handed to the postgres user for this throw-away checkout (named in the start-up log line).
  if [ "$who" = root ]; then
    local binaries
    binaries="$(sed -n 's|.*"binariesDir":"\([^"]*\)".*|\1|p' "$log" | head -1)"
    case "$cluster" in /var/lib/keyledger/*) rm -rf "$(dirname "$cluster")" ;; *)
      echo "newcomer (root): expected the cluster under /var/lib/keyledger, got '$cluster'" >&2
      return 1 ;;
    esac
    case "$binaries" in /var/lib/keyledger/*) rm -rf "$binaries" ;; esac
  fi
  rm -f "$log"
}

if [ "$(id -u)" != 0 ]; then
  echo "newcomer step: not root, so only the current user's first run is tried"
  first_run root "$(mktemp -d)/keyledger"
  exit 0
fi

id "$user" >/dev/null 2>&1 || useradd -m -s /bin/bash "$user"
home="$(getent passwd "$user" | cut -d: -f6)"
echo "newcomer as non-root user $user in $home"
first_run user "$home/keyledger"
say "npm test as $user (CLI and start-up tests on an embedded PostgreSQL)"
su "$user" -s /bin/bash -c "cd '$home/keyledger' && env -u DATABASE_URL -u TEST_DATABASE_URL npm test -- test/cli test/db"
rm -rf "$home/keyledger"

private="$(mktemp -d /root/.keyledger-newcomer.XXXXXX 2>/dev/null || mktemp -d)"
chmod 700 "$private"
echo "newcomer as root in $private (mode 0700: the postgres user cannot traverse it)"
first_run root "$private/keyledger"
rm -rf "$private"
echo "newcomer step passed"
