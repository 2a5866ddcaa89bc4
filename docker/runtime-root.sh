#!/bin/sh
# Assembles the runtime image's whole file system in DIR, for a FROM scratch image: the
# server with exactly the shared libraries it loads (as ldd lists them, from the build
# stage's Debian packages), the web app, the migrations, the CA bundle for a database
# reached over TLS, and /etc/passwd naming the digits user (uid 10001) for libpq.
#   docker/runtime-root.sh DIR
set -eu
out=$1
server=build/server/server/digits-server
mkdir -p "$out/app" "$out/etc/ssl/certs" "$out/tmp"
chmod 1777 "$out/tmp"
cp "$server" "$out/app/digits-server"
cp -r build/www "$out/app/www"
cp -r sql "$out/app/sql"
# "libx.so.1 => /lib/.../libx.so.1 (0x...)" and the loader's own "/lib64/ld-linux... (0x...)".
ldd "$server" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | while read -r library; do
  cp -L --parents "$library" "$out"
done
cp -L /etc/ssl/certs/ca-certificates.crt "$out/etc/ssl/certs/"
printf 'root:x:0:0:root:/root:/nonexistent\ndigits:x:10001:10001:digits:/app:/nonexistent\n' >"$out/etc/passwd"
printf 'root:x:0:\ndigits:x:10001:\n' >"$out/etc/group"
