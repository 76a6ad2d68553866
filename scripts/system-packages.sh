#!/usr/bin/env bash
# Install the Debian packages the app (and, with --test, the test suite) needs, when missing.
#   runtime: WeasyPrint's Pango and HarfBuzz subsetting libraries, and fonts
#   --test:  Debian's Chromium for the Playwright browser tests, PostgreSQL and Redis for the
#            suite's throwaway servers (scripts/services.sh starts and stops them), and
#            Node.js with npm for Lighthouse (tests/lighthouse), unless a node is there already
#   --bench: wrk, the HTTP load generator of bench/pages.py and bench/saves.py
set -euo pipefail
packages=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
if [[ ${1:-} == --test ]]; then
  packages+=(chromium postgresql redis-server)
  command -v npm >/dev/null || packages+=(nodejs npm)
elif [[ ${1:-} == --bench ]]; then
  packages+=(wrk)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
echo "Installing system packages: ${missing[*]}"
if ! command -v apt-get >/dev/null; then
  echo "apt-get not found: install ${missing[*]} with your system's package manager." >&2
  exit 1
fi
sudo=""
[[ $(id -u) == 0 ]] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
