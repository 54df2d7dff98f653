/*
 * fuzz.h -- bits shared by the fuzz targets (tests/fuzz/fuzz_*.c).
 *
 * Each target defines LLVMFuzzerTestOneInput() and does its one-time set-up
 * lazily on the first call, so the same source runs under libFuzzer
 * (make fuzz, clang) and under the plain replay driver (replay_main.c,
 * built by make test with the normal compiler). FUZZ_CHECK() aborts on a
 * broken invariant so that both report it as a crash.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef HP_FUZZ_H
#define HP_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(c) do {						\
	if (!(c)) {							\
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,	\
		    __LINE__, #c);					\
		abort();						\
	}								\
} while (0)

/* Remove the database DB (its -wal and -shm too) and its directory DIR. */
static inline void
fuzz_rm_db(const char *db, const char *dir)
{
	char path[256];

	snprintf(path, sizeof(path), "%s-wal", db);
	unlink(path);
	snprintf(path, sizeof(path), "%s-shm", db);
	unlink(path);
	unlink(db);
	rmdir(dir);
}

#endif
