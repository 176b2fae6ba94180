#!/usr/bin/env bash
# Makes a local stand-in for the release image's base, gcr.io/distroless/cc-debian12:nonroot,
# for machines that reach no image registry (.ci/run): the same Debian 12 files that base
# holds for a Rust binary (the C library and loader, libgcc_s, CA certificates), the
# nonroot user (65532) with its home, and /tmp; no shell, no package manager.
#   packaging/container/stand-in-base.sh <image name>
set -euo pipefail
image="$1"
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
lib=/lib/x86_64-linux-gnu
mkdir -p "$root$lib" "$root/lib64" "$root/etc/ssl/certs" "$root/home/nonroot" "$root/tmp"
for file in libc.so.6 libm.so.6 libgcc_s.so.1 ld-linux-x86-64.so.2; do
    cp -L "$lib/$file" "$root$lib/$file"
done
ln -s "$lib/ld-linux-x86-64.so.2" "$root/lib64/ld-linux-x86-64.so.2"
cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' > "$root/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' > "$root/etc/group"
chown 65532:65532 "$root/home/nonroot"
chmod 1777 "$root/tmp"
tar -C "$root" -c . | podman import --quiet --change 'USER nonroot' --change 'WORKDIR /home/nonroot' - "$image" > /dev/null
echo "stand-in base $image"
