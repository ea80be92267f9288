#!/bin/sh
# fresh_debian.sh: a newcomer's first commands on a fresh Debian 12 machine.
# debootstrap builds a clean bookworm root (the base packages, plus git,
# make and gcc, which the machine image has), a clone of this repository
# (its HEAD; nothing beside it) goes to /root/recon, and there `make demo`
# runs first try, then `make check` (FRESH_CHECK=0 skips it), as root,
# each timed.  `make fresh-test` runs this; it takes long (every package is
# downloaded and installed) and needs root.
#
# Environment: FRESH_DIR (default /var/tmp/recon-fresh; the chroot is
# FRESH_DIR/root, rebuilt each time, removed at the end unless FRESH_KEEP=1),
# MIRROR (default http://deb.debian.org/debian), FRESH_CHECK (default 1).
# Logs: FRESH_DIR/debootstrap.log, demo.log, check.log.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=${FRESH_DIR:-/var/tmp/recon-fresh}
mirror=${MIRROR:-http://deb.debian.org/debian}
root=$dir/root

if [ "$(id -u)" != 0 ]; then
	echo "fresh_debian: needs root (debootstrap, chroot, mount): sudo make fresh-test" >&2
	exit 1
fi
if ! command -v debootstrap > /dev/null 2>&1; then
	echo "fresh_debian: installing debootstrap" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap > /dev/null ||
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap > /dev/null; }
fi

# Every mount under the chroot, deepest first.
mounts_under() { awk -v r="$root" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/mounts | sort -r; }
cleanup() {
	for m in $(mounts_under); do
		umount "$m" 2> /dev/null || umount -l "$m" 2> /dev/null || true
	done
	if [ -n "$(mounts_under)" ]; then
		echo "fresh_debian: still mounted under $root, not removed:" >&2
		mounts_under >&2
		return
	fi
	[ "${FRESH_KEEP:-0}" = 1 ] || rm -rf "$root"
}
trap 'cleanup' EXIT
trap 'exit 130' INT TERM

mkdir -p "$dir"
# One run at a time: a second would unmount and remove the first's root.
exec 9> "$dir/lock"
if ! flock -n 9; then
	echo "fresh_debian: another run holds $dir/lock" >&2
	trap - EXIT
	exit 1
fi
cleanup
if [ -n "$(mounts_under)" ]; then
	exit 1
fi
rm -rf "$root"

now() { date +%s; }
elapsed() { echo "$(($(now) - $1)) s"; }

t0=$(now)
echo "fresh_debian: debootstrap bookworm into $root" >&2
debootstrap bookworm "$root" "$mirror" > "$dir/debootstrap.log" 2>&1 ||
	{ tail -20 "$dir/debootstrap.log"; echo "fresh_debian: debootstrap failed" >&2; exit 1; }
echo "fresh_debian: debootstrap: $(elapsed "$t0")" >&2

# A machine's network and package sources; services are not started
# inside a chroot (the tests start their own PostgreSQL server).
cp /etc/resolv.conf "$root/etc/resolv.conf"
cat > "$root/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb ${mirror%/debian}/debian-security bookworm-security main
EOF
# The machine's own certificate authorities, as the image has them (where
# the network inspects TLS, nothing reaches a registry without them); the
# ca-certificates package adds them to the bundle when make deps installs it.
mkdir -p "$root/usr/local/share/ca-certificates"
for c in /usr/local/share/ca-certificates/*.crt; do
	[ -f "$c" ] && cp "$c" "$root/usr/local/share/ca-certificates/"
done
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
# private, so that what is mounted under the chroot's /dev stays there
mount --bind /dev "$root/dev"
mount --make-private "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
mount -t tmpfs -o mode=1777 tmpfs "$root/dev/shm"

# in_root CMD: run CMD in the chroot as a root login would, in a clean
# environment.
in_root() {
	chroot "$root" /usr/bin/env -i HOME=/root LOGNAME=root USER=root SHELL=/bin/bash TERM=dumb \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin /bin/bash -c "$1"
}

t0=$(now)
in_root 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq git make gcc' > "$dir/image.log" 2>&1 ||
	{ tail -20 "$dir/image.log"; echo "fresh_debian: installing the image's git, make, gcc failed" >&2; exit 1; }
echo "fresh_debian: the image's git, make, gcc: $(elapsed "$t0")" >&2

git clone -q "$top" "$root/root/recon"
echo "fresh_debian: cloned $(git -C "$root/root/recon" log -1 --format='%h %s')" >&2

status=0
t0=$(now)
if in_root 'cd /root/recon && make demo' > "$dir/demo.log" 2>&1; then
	echo "fresh_debian: make demo passed: $(elapsed "$t0")"
else
	tail -40 "$dir/demo.log"
	echo "fresh_debian: make demo FAILED after $(elapsed "$t0") (log: $dir/demo.log)"
	exit 1
fi
git -C "$root/root/recon" diff --quiet -- reports ||
	{ echo "fresh_debian: make demo changed the committed reports/"; status=1; }

if [ "${FRESH_CHECK:-1}" != 0 ]; then
	t0=$(now)
	if in_root 'cd /root/recon && make check' > "$dir/check.log" 2>&1; then
		echo "fresh_debian: make check passed: $(elapsed "$t0")"
	else
		tail -60 "$dir/check.log"
		echo "fresh_debian: make check FAILED after $(elapsed "$t0") (log: $dir/check.log)"
		status=1
	fi
fi
[ "$status" = 0 ] && echo "fresh_debian: 1 passed, 0 failed" || echo "fresh_debian: 0 passed, 1 failed"
exit $status
