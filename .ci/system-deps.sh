#!/usr/bin/env bash
# Installs the Debian packages the app (or its tests) needs, only when missing.
#   .ci/system-deps.sh app    PDF rendering: HarfBuzz subsetting and fonts (Noto: every script a name may be in)
#   .ci/system-deps.sh test   the app's packages plus Chromium for the browser tests, Java for the Nu Html
#                             Checker (vnu.jar) and poppler-utils (pdftotext, the scripts-print test)
#   .ci/system-deps.sh bench  the app's packages plus wrk (the load generator of bench/load_bench.py)
set -euo pipefail
want=(libharfbuzz-subset0 fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-core fonts-noto-cjk)
[ "${1:-app}" = "test" ] && want+=(chromium openjdk-17-jre-headless poppler-utils)
[ "${1:-app}" = "test" ] && want+=(postgresql redis-server)  # tests/integration/faults start private servers
[ "${1:-app}" = "bench" ] && want+=(wrk)
missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${missing[*]}"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
