/*
 * fetchtest.c -- runs agent/publish/fetch.c once, for tests/scenario/fetch.sh.
 *
 * usage: fetchtest [-e ETAG] [-L LAST_MODIFIED] [-m MAX] [-t TIMEOUT_MS]
 *                  [-c CONNECT_MS] [-s LOW_SPEED_S] [-r REDIRECTS]
 *                  [-C CAFILE] [-o OUT] [-a] SOURCE
 * Prints status=, code=, len=, etag=, last-modified=, error= lines; -o
 * writes the body to OUT; -a runs through fetch_async on an event base.
 * Exit: 0 ok, 3 not modified, 1 error.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dns/err.h"
#include "agent/publish/fetch.h"

static struct fetch_result *async_res;

static void
async_done(struct fetch_result *res, void *arg)
{
	(void)arg;
	async_res = res;
}

int
main(int argc, char **argv)
{
	struct fetch_opts o;
	struct fetch_result res, *r = &res;
	struct event_base *base;
	const char *out = NULL;
	int c, rc, async = 0;
	FILE *f;

	fetch_opts_init(&o);
	while ((c = getopt(argc, argv, "e:L:m:t:c:s:r:C:o:a")) != -1) {
		switch (c) {
		case 'e': o.etag = optarg; break;
		case 'L': o.last_modified = optarg; break;
		case 'm': o.max_size = strtoull(optarg, NULL, 10); break;
		case 't': o.timeout_ms = atol(optarg); break;
		case 'c': o.connect_timeout_ms = atol(optarg); break;
		case 's': o.low_speed_time_s = atol(optarg); break;
		case 'r': o.max_redirects = atoi(optarg); break;
		case 'C': o.ca_file = optarg; break;
		case 'o': out = optarg; break;
		case 'a': async = 1; break;
		default:
			fprintf(stderr, "usage: fetchtest [options] SOURCE\n");
			return 2;
		}
	}
	if (optind != argc - 1)
		return 2;
	if (fetch_global_init() != 0)
		return 1;
	if (async) {
		if ((base = event_base_new()) == NULL)
			return 1;
		if ((rc = fetch_async(base, argv[optind], &o, async_done,
		    NULL)) != 0) {
			fprintf(stderr, "fetch_async: %s\n", hp_strerror(rc));
			return 1;
		}
		event_base_dispatch(base);	/* ends: no events left */
		event_base_free(base);
		if ((r = async_res) == NULL)
			return 1;
		rc = r->err;
	} else
		rc = fetch_source(argv[optind], &o, r);
	printf("status=%s\ncode=%ld\nlen=%zu\netag=%s\nlast-modified=%s\n",
	    r->status == FETCH_OK ? "ok" : r->status == FETCH_NOT_MODIFIED ?
	    "not-modified" : "error", r->http_code, r->len,
	    r->etag != NULL ? r->etag : "", r->last_modified != NULL ?
	    r->last_modified : "");
	if (r->status == FETCH_ERROR)
		printf("error=%s\nrc=%s\n", r->errmsg, hp_strerror(rc));
	if (out != NULL && r->status == FETCH_OK) {
		if ((f = fopen(out, "wb")) == NULL ||
		    fwrite(r->body, 1, r->len, f) != r->len || fclose(f) != 0)
			return 1;
	}
	c = r->status == FETCH_OK ? 0 : r->status == FETCH_NOT_MODIFIED ? 3 : 1;
	if (async)
		fetch_result_free_async(r);
	else
		fetch_result_free(r);
	fetch_global_cleanup();
	return c;
}
