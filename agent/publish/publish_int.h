/*
 * publish_int.h -- internal to agent/publish/.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_PUBLISH_INT_H
#define HP_PUBLISH_INT_H

#include "agent/publish/publish.h"

/* The stage an HP_E* belongs to. */
enum pub_stage pub_stage_of(int err);
/* Fill RES for the failure ERR of C's zone (a message of its stage unless
 * RES->msg is set already); returns ERR. */
int pub_failed(const struct pub_ctx *c, struct pub_result *res, int err);
/* Import BUF/LEN for C's zone with version label LABEL, remembered as the
 * source ORIGIN. */
int pub_import_text(const struct pub_ctx *c, const char *buf, size_t len,
    const char *label, const char *origin, struct pub_result *res);

#endif
