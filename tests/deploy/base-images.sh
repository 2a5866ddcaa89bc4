#!/usr/bin/env bash
# Makes debian:bookworm and debian:bookworm-slim from Debian's own packages when no image
# registry can be reached: debootstrap from the mirror this machine's apt uses, then
# docker import. Does nothing when both images exist.
#   tests/deploy/base-images.sh [docker|podman]
set -euo pipefail
engine=${1:-docker}

if $engine image inspect debian:bookworm >/dev/null 2>&1 \
   && $engine image inspect debian:bookworm-slim >/dev/null 2>&1; then
  exit 0
fi
command -v debootstrap >/dev/null || { echo "base-images: debootstrap is missing (apt-get install debootstrap)" >&2; exit 1; }

# The first Debian mirror apt knows, in either sources format.
mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null \
  | grep -oE 'https?://[^ ]+/debian/?( |$)' | grep -v -- '-security' | head -n 1 | tr -d ' ' || true)
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian

root=$(mktemp -d /var/tmp/bookworm.XXXXXX)
trap 'rm -rf "$root"' EXIT
echo "base-images: debootstrap bookworm from $mirror (a few minutes)"
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.log" 2>&1 \
  || { tail -n 20 "$root.log" >&2; echo "base-images: debootstrap failed, log: $root.log" >&2; exit 1; }
rm -f "$root.log"
# As the official images: updates and security updates, no apt lists or caches kept.
rm -f "$root/etc/apt/sources.list"
sources_entry() {  # URI SUITES
  printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\n' "$1" "$2"
  printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
}
{ sources_entry "$mirror" "bookworm bookworm-updates"
  echo
  sources_entry "${mirror%/debian*}/debian-security" bookworm-security
} >"$root/etc/apt/sources.list.d/debian.sources"
# The official images' apt setting: downloaded packages are deleted once installed.
cat >"$root/etc/apt/apt.conf.d/docker-clean" <<'CLEAN'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
CLEAN
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb
tar -C "$root" -c . | $engine import - debian:bookworm >/dev/null
$engine tag debian:bookworm debian:bookworm-slim
echo "base-images: debian:bookworm and debian:bookworm-slim made"
