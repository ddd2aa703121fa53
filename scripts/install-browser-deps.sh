#!/usr/bin/env bash
# What the browser tests (tests/browser_e2e.rs) need: Debian's Chromium (playwright-core drives
# it; no browser is downloaded), fonts for every script the pages speak (Japanese, Chinese and
# Korean from Noto CJK; Thai, Devanagari for Nepali and Myanmar for Burmese from Noto core) so
# screenshots show text rather than boxes, and the Node packages of tests/browser (playwright-core,
# axe-core). Idempotent: installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_install() {
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        if sudo -n true 2>/dev/null; then
            sudo="sudo -n"
        else
            echo "install-browser-deps: need root or passwordless sudo to install: $*" >&2
            return 1
        fi
    fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@"
}

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
for font in fonts-ipafont-gothic fonts-noto-cjk fonts-noto-core; do
    dpkg -s "$font" >/dev/null 2>&1 || missing+=("$font")
done
if [ "${#missing[@]}" -gt 0 ]; then
    apt_install "${missing[@]}"
fi

# playwright-core only: it never downloads a browser (its postinstall does nothing).
if [ ! -d tests/browser/node_modules/playwright-core ] \
    || [ tests/browser/package-lock.json -nt tests/browser/node_modules/.package-lock.json ]; then
    (cd tests/browser && npm ci --no-audit --no-fund)
fi
