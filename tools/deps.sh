#!/bin/sh
# Install the Debian packages hpagent needs to build ($1 = build), to
# build and run its tests and benchmarks ($1 = test), or to fuzz ($1 = fuzz). Does nothing when they are present;
# installs them with apt-get when missing and we are root; otherwise says
# which are missing and fails.
set -eu
build="gcc make pkg-config libsqlite3-dev libssl-dev libcurl4-openssl-dev
libevent-dev libknot-dev libjansson-dev libsystemd-dev"
test="$build libcmocka-dev sqlite3 knot knot-dnsutils nsd bind9 bind9-dnsutils
time curl python3 python3-dnspython iproute2 procps openssl bind9-utils ldnsutils
unbound certbot python3-certbot-dns-rfc2136 lego pebble prometheus systemd
man-db groff-base"
fuzz="$test clang libclang-rt-14-dev"
case "${1:-build}" in
build) want=$build ;;
test|bench) want=$test ;;
fuzz) want=$fuzz ;;
*) echo "usage: $0 build|test|fuzz" >&2; exit 2 ;;
esac
missing=
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing Debian packages:$missing (run as root, or: apt-get install$missing)" >&2
	exit 1
fi
echo "deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
# Keep apt from starting the packaged daemons: tests start their own.
policy=/usr/sbin/policy-rc.d
made_policy=
if [ ! -e $policy ]; then
	printf '#!/bin/sh\nexit 101\n' > $policy && chmod 755 $policy && made_policy=1
fi
rc=0
apt-get install -y -qq --no-install-recommends $missing >&2 || rc=$?
[ -n "$made_policy" ] && rm -f $policy
exit $rc
