#!/bin/sh
# load_catalog.sh -- 1,000 zones added at once (configuration + import
# --all + one SIGHUP) to a catalog consumed by Knot and BIND: every one
# provisioned on both; the time is printed (interop_catalog.sh's bulk run).
# SPDX-License-Identifier: GPL-3.0-or-later
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
export TOP
# Under ASan (make asan) hpagent runs several times slower: 300 zones, the
# same checks (the 1,000-zone figure is the plain build's).
case "${ASAN_OPTIONS:-}" in ?*) n=300 ;; *) n=1000 ;; esac
exec env CATALOG_ZONES=$n sh "$TOP/tests/scenario/interop_catalog.sh"
