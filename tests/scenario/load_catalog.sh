#!/bin/sh
# load_catalog.sh -- 1,000 zones added at once (configuration + import
# --all + one SIGHUP) to a catalog consumed by Knot and BIND: every one
# provisioned on both; the time is printed (interop_catalog.sh's bulk run).
# SPDX-License-Identifier: GPL-3.0-or-later
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
export TOP
exec env CATALOG_ZONES=1000 sh "$TOP/tests/scenario/interop_catalog.sh"
