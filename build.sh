#!/usr/bin/env bash
# The project's commands. `./build.sh test` builds everything and runs every test project, then prints
# one line "N passed, N failed, N skipped" totalled over all of them.
set -euo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

command=${1:-test}
shift || true

summarise() {
  # Sums the <Counters> of every TRX file the run wrote.
  local dir=$1 passed=0 failed=0 skipped=0 line p f e t x n
  while IFS= read -r line; do
    t=$(sed -E 's/.* total="([0-9]+)".*/\1/' <<<"$line")
    x=$(sed -E 's/.* executed="([0-9]+)".*/\1/' <<<"$line")
    p=$(sed -E 's/.* passed="([0-9]+)".*/\1/' <<<"$line")
    f=$(sed -E 's/.* failed="([0-9]+)".*/\1/' <<<"$line")
    e=$(sed -E 's/.* error="([0-9]+)".*/\1/' <<<"$line")
    n=$((t - x))
    passed=$((passed + p)); failed=$((failed + f + e)); skipped=$((skipped + n))
  done < <(cat "$dir"/*.trx 2>/dev/null | grep -o '<Counters [^>]*>' || true)
  echo "$passed passed, $failed failed, $skipped skipped"
}

ensure_postgresql() {
  # The durable-mode tests start their own private PostgreSQL server from Debian's package.
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    echo "Installing PostgreSQL (Debian package 'postgresql') for the durable-mode tests"
    if [ "$(id -u)" -eq 0 ]; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    else
      sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    fi
  fi
}

case "$command" in
  build)
    dotnet build Orleans.Flows.sln -c Release "$@"
    ;;
  test)
    ensure_postgresql
    # The SMTP tests run smtp4dev, a local tool pinned in dotnet-tools.json.
    dotnet tool restore
    results=$(mktemp -d)
    trap 'rm -rf "$results"' EXIT
    dotnet build Orleans.Flows.sln -c Release
    status=0
    dotnet test Orleans.Flows.sln -c Release --no-build --logger trx --results-directory "$results" "$@" || status=$?
    summarise "$results"
    exit $status
    ;;
  run)
    exec dotnet run --project src/Api "$@"
    ;;
  *)
    echo "usage: ./build.sh [build|test|run]" >&2
    exit 2
    ;;
esac
