#!/usr/bin/env bash
# Install the Ceph packages the RGW test harness needs (Debian 12: ceph 16.2 Pacific).
# Idempotent: does nothing when every package is already installed.
# Usage: sudo scripts/rgw/install.sh     (CI runs it as root)
set -euo pipefail

PACKAGES=(ceph-mon ceph-osd radosgw ceph-common)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null | grep -qx installed; then
    missing+=("$pkg")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "rgw/install: already installed: ${PACKAGES[*]}" >&2
  exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    echo "rgw/install: must run as root (or with sudo available) to install: ${missing[*]}" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
echo "rgw/install: installing ${missing[*]}" >&2
# Refresh the package lists only when they are missing or stale (older than a day).
if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mmin -1440 -print -quit 2>/dev/null)" ]; then
  "${SUDO[@]}" apt-get update -q
fi
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}"

for bin in ceph-mon ceph-osd radosgw radosgw-admin ceph ceph-authtool monmaptool; do
  command -v "$bin" >/dev/null 2>&1 || { echo "rgw/install: $bin not found after install" >&2; exit 1; }
done
echo "rgw/install: done" >&2
