/*
 * replay_main.c -- a plain main() for a fuzz target, without libFuzzer:
 * every file named on the command line (directories: every regular file
 * in them) is read and passed to LLVMFuzzerTestOneInput() once. Built by
 * make test as build/tests/tools/fuzzreplay_<target> (tests/tools/
 * fuzzreplay_<target>.c includes the target and this file). Prints each
 * input's name to stderr before running it, then "replayed N inputs";
 * a crash or abort is the failure (the last name printed is the input).
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int
replay_file(const char *path)
{
	FILE *f;
	uint8_t *buf;
	size_t n, cap = 1 << 16, len = 0;

	if ((f = fopen(path, "rb")) == NULL) {
		perror(path);
		return -1;
	}
	if ((buf = malloc(cap)) == NULL)
		abort();
	while ((n = fread(buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap && (buf = realloc(buf, cap *= 2)) == NULL)
			abort();
	}
	fclose(f);
	/* An exact-size copy, so that reading past the input shows (ASan). */
	{
		uint8_t *in = malloc(len ? len : 1);

		if (in == NULL)
			abort();
		memcpy(in, buf, len);
		free(buf);
		fprintf(stderr, "# %s\n", path);	/* names a crash */
		LLVMFuzzerTestOneInput(in, len);
		free(in);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct stat sb;
	struct dirent **ents;
	char path[4096];
	int i, j, n, count = 0, bad = 0;

	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &sb) < 0) {
			perror(argv[i]);
			bad = 1;
			continue;
		}
		if (!S_ISDIR(sb.st_mode)) {
			bad |= replay_file(argv[i]) < 0;
			count++;
			continue;
		}
		if ((n = scandir(argv[i], &ents, NULL, alphasort)) < 0) {
			perror(argv[i]);
			bad = 1;
			continue;
		}
		for (j = 0; j < n; j++) {
			snprintf(path, sizeof(path), "%s/%s", argv[i],
			    ents[j]->d_name);
			if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
				bad |= replay_file(path) < 0;
				count++;
			}
			free(ents[j]);
		}
		free(ents);
	}
	printf("replayed %d inputs\n", count);
	return bad;
}
