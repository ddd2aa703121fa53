#!/usr/bin/env bash
# Installs the system packages the build needs, when missing (idempotent, quiet).
# turbojpeg builds its bundled libjpeg-turbo 3 from source (Debian 12 ships 2.1): cmake, nasm.
set -euo pipefail
need_pkgs=()
command -v cmake >/dev/null 2>&1 || need_pkgs+=(cmake)
command -v nasm >/dev/null 2>&1 || need_pkgs+=(nasm)
command -v cc >/dev/null 2>&1 || need_pkgs+=(build-essential)
command -v pkg-config >/dev/null 2>&1 || need_pkgs+=(pkg-config)
# TLS for SMTP and PostgreSQL (native-tls links the system OpenSSL).
[ -f /usr/include/openssl/ssl.h ] || need_pkgs+=(libssl-dev)
[ "${#need_pkgs[@]}" -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo -n)
else
    echo "install-build-deps: need ${need_pkgs[*]} but not root and no sudo" >&2
    exit 1
fi
echo "install-build-deps: installing ${need_pkgs[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
