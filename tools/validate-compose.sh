#!/usr/bin/env bash
# Validates docker-compose.yml offline with `docker-compose config` (no Docker engine needed):
# valid with its own defaults plus a placeholder for each required `${NAME:?…}`, and refused,
# naming the variable, when one of those is missing.
# Installs Debian's docker-compose package when it is missing and we are root with apt.
# Exit codes: 0 valid, 1 invalid, 77 could not check (the reason is printed; not a pass).
set -uo pipefail
cd "$(dirname "$0")/.."
APT_TIMEOUT_S="${APT_TIMEOUT_S:-60}"

skip() {
  echo "validate-compose: SKIPPED, not validated: $*" >&2
  exit 77
}

compose() {
  if command -v docker-compose >/dev/null 2>&1; then
    docker-compose "$@"
  elif docker compose version >/dev/null 2>&1; then
    docker compose "$@"
  else
    return 127
  fi
}

if ! command -v docker-compose >/dev/null 2>&1 && ! docker compose version >/dev/null 2>&1; then
  [ "${SKIP_COMPOSE_INSTALL:-}" = "1" ] && skip "docker-compose is not installed and SKIP_COMPOSE_INSTALL=1"
  [ "$(id -u)" = "0" ] || skip "docker-compose is not installed and installing it needs root"
  command -v apt-get >/dev/null 2>&1 || skip "docker-compose is not installed and apt-get is not available"
  echo "validate-compose: installing Debian's docker-compose (apt-get update + install, ${APT_TIMEOUT_S}s each at most)" >&2
  export DEBIAN_FRONTEND=noninteractive
  # The lists may be current already; a failed update is only fatal if the install fails too.
  log=$(mktemp)
  timeout "${APT_TIMEOUT_S}" apt-get update -qq >"$log" 2>&1 || echo "validate-compose: apt-get update failed or timed out" >&2
  if ! timeout "${APT_TIMEOUT_S}" apt-get install -y -qq --no-install-recommends docker-compose >>"$log" 2>&1; then
    tail -20 "$log" >&2
    rm -f "$log"
    skip "apt-get install docker-compose failed or timed out (offline?)"
  fi
  rm -f "$log"
fi

echo "validate-compose: $(compose version --short 2>/dev/null || compose version | head -1)" >&2
# Variables the file requires (`${NAME:?message}`, e.g. SECRETS_KEY) get a placeholder;
# every other setting must come from the file's own defaults.
required=$(grep -o '[$][{][A-Z0-9_]*:[?]' docker-compose.yml | sed 's/^[$][{]//; s/:[?]$//' | sort -u)
placeholders=()
for name in $required; do placeholders+=("$name=placeholder-for-validation"); done
config() {
  env -i PATH="$PATH" HOME="${HOME:-/tmp}" "$@" bash -c 'cd "$0" && { command -v docker-compose >/dev/null && exec docker-compose -f docker-compose.yml config; exec docker compose -f docker-compose.yml config; }' "$PWD"
}
errors=$(mktemp)
trap 'rm -f "$errors"' EXIT
if ! output=$(config "${placeholders[@]}" 2>"$errors"); then
  cat "$errors" >&2
  echo "validate-compose: docker-compose.yml is INVALID" >&2
  exit 1
fi
# Warnings (unset variables, ignored keys) count as failures: they mean a setting is lost.
if [ -s "$errors" ]; then
  cat "$errors" >&2
  echo "validate-compose: docker-compose config printed warnings" >&2
  exit 1
fi
# Each required variable missing: Compose must refuse, naming it.
for name in $required; do
  others=()
  for p in "${placeholders[@]}"; do [ "${p%%=*}" = "$name" ] || others+=("$p"); done
  if config "${others[@]}" >/dev/null 2>"$errors"; then
    echo "validate-compose: docker-compose config accepted the file without $name" >&2
    exit 1
  fi
  if ! grep -q "$name" "$errors"; then
    cat "$errors" >&2
    echo "validate-compose: without $name, the error does not name it" >&2
    exit 1
  fi
  echo "validate-compose: without $name, Compose refuses and names it" >&2
done
echo "validate-compose: docker-compose.yml is valid" >&2
echo "$output"
