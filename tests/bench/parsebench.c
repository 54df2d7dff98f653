/*
 * parsebench.c -- the parse alone: libzscanner over a zone file, records
 * counted and nothing else kept. The reference of the bench's goal "an
 * import of a 10-RR change in about 4x the parse".
 *
 * usage: parsebench ORIGIN FILE
 * prints: RESULT rrs=N errors=N
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>

#include <libzscanner/scanner.h>

struct count {
	unsigned long rrs, errors;
};

static void
on_record(zs_scanner_t *s)
{
	((struct count *)s->process.data)->rrs++;
}

static void
on_error(zs_scanner_t *s)
{
	((struct count *)s->process.data)->errors++;
}

int
main(int argc, char **argv)
{
	zs_scanner_t s;
	struct count c = { 0, 0 };

	if (argc != 3) {
		fprintf(stderr, "usage: parsebench ORIGIN FILE\n");
		return 2;
	}
	if (zs_init(&s, argv[1], 1, 3600) != 0 ||
	    zs_set_input_file(&s, argv[2]) != 0 ||
	    zs_set_processing(&s, on_record, on_error, &c) != 0) {
		fprintf(stderr, "parsebench: %s: %s\n", argv[2],
		    zs_strerror(s.error.code));
		return 1;
	}
	if (zs_parse_all(&s) != 0 && c.errors == 0)
		c.errors = 1;
	zs_deinit(&s);
	printf("RESULT rrs=%lu errors=%lu\n", c.rrs, c.errors);
	return c.errors > 0;
}
