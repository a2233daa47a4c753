#!/usr/bin/env bash
# The benchmark in one command: builds Release, then runs load-tests/Orleans.Flows.LoadTests with every argument
# given here (./load-tests/run.sh --help lists them). Writes load-tests/results/<timestamp>.json and, after a
# complete run, rewrites load-tests/RESULTS.md. Example, the issue's sizes (about an hour on 2 cores):
#   ./load-tests/run.sh --participants 1000000 --due 100000 --baseline-participants 20000 --events 200000
# The email dispatch benchmark instead (100 000 queued emails sent to Postfix's smtp-sink, a few minutes):
#   ./load-tests/run.sh --emails 100000
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "Installing PostgreSQL (Debian package 'postgresql'): the benchmark starts a private server of its own"
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
fi

# --emails N (the email dispatch benchmark) sends to Postfix's smtp-sink, of the Debian package 'postfix'. Installed
# with "No configuration": no Postfix daemon is set up or started, only its programs are there.
if [[ " $* " == *" --emails "* ]] && [ ! -x /usr/sbin/smtp-sink ]; then
  echo "Installing smtp-sink (Debian package 'postfix', no configuration, no daemon): the email dispatch benchmark sends to it"
  sudo_() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
  echo "postfix postfix/main_mailer_type select No configuration" | sudo_ debconf-set-selections
  sudo_ apt-get update -qq && sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postfix >/dev/null
fi

dotnet build src/Api/Api.csproj -c Release -v quiet -nologo
dotnet build load-tests/Orleans.Flows.LoadTests/Orleans.Flows.LoadTests.csproj -c Release -v quiet -nologo

FLOWS_BENCH_COMMAND="./load-tests/run.sh $*" exec dotnet load-tests/Orleans.Flows.LoadTests/bin/Release/net10.0/Orleans.Flows.LoadTests.dll "$@"
