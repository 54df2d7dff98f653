#!/bin/sh
# gen-build-h.sh OUT PREFIX SYSCONFDIR LOCALSTATEDIR: write build.h (the
# version and the installed paths) into OUT, touching it only when its text
# changes, so that a rebuild recompiles only when one of them did.
# The version: `git describe` in a git checkout, else the VERSION file.
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu
out=$1 prefix=$2 sysconfdir=$3 localstatedir=$4
here=$(dirname "$0")/..
version=$(cat "$here/VERSION")
if [ -e "$here/.git" ] && command -v git > /dev/null 2>&1; then
	if tag=$(git -C "$here" describe --tags 2>/dev/null); then
		version=${tag#v}		# v1.0.0-3-gabcdef0
	elif c=$(git -C "$here" describe --always 2>/dev/null); then
		version="$version+g$c"		# no tag yet: 1.0.0+gabcdef0
	fi
fi
tmp="$out.tmp"
cat > "$tmp" <<EOT
/* build.h -- written by tools/gen-build-h.sh; do not edit. */
#define HP_VERSION "$version"
#define HP_PREFIX "$prefix"
#define HP_SYSCONFDIR "$sysconfdir"
#define HP_LOCALSTATEDIR "$localstatedir"
#define HP_DEFAULT_CONFIG "$sysconfdir/hpagent/hpagent.conf"
#define HP_STATE_DIR "$localstatedir/lib/hpagent"
EOT
if cmp -s "$tmp" "$out" 2>/dev/null; then rm -f "$tmp"; else mv "$tmp" "$out"; fi
