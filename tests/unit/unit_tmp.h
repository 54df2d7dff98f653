/*
 * unit_tmp.h -- a unit test's scratch folder (made with mkdtemp by the
 * test) removed with everything in it: 0, or -1 when rm failed; and the
 * group teardown that does it for a setup that left the folder's name in
 * *STATE.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_UNIT_TMP_H
#define HP_UNIT_TMP_H

#include <stdio.h>
#include <stdlib.h>

static inline int
unit_rmtree(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static inline int
unit_tmp_teardown(void **state)
{
	return unit_rmtree(*state);
}

#endif
