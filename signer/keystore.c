/* keystore.c -- see keystore.h. SPDX-License-Identifier: GPL-3.0-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dns/err.h"
#include "signer/keystore.h"
#include "signer/policy.h"

#define PEM_MAX		(64 * 1024)
#define GEN_TRIES	16

struct keys_store {
	int dirfd;
	char *path;
};

int
keys_store_open(const char *dir, int create, struct keys_store **out,
    char *err, size_t errlen)
{
	struct keys_store *ks;
	struct stat sb;
	int fd;

	if (create && mkdir(dir, 0700) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "keystore %s: cannot create: %s", dir,
		    strerror(errno));
		return -errno;
	}
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		int e = errno;

		snprintf(err, errlen, "keystore %s: cannot open: %s", dir,
		    strerror(e));
		return -e;
	}
	if (fstat(fd, &sb) != 0 || (sb.st_mode & S_IWOTH)) {
		snprintf(err, errlen, "keystore %s: writable by others "
		    "(mode %04o); refusing to use it", dir,
		    (unsigned)(sb.st_mode & 07777));
		close(fd);
		return HP_EACCES;
	}
	if ((ks = calloc(1, sizeof(*ks))) == NULL ||
	    (ks->path = strdup(dir)) == NULL) {
		free(ks);
		close(fd);
		snprintf(err, errlen, "keystore %s: out of memory", dir);
		return HP_ENOMEM;
	}
	ks->dirfd = fd;
	*out = ks;
	return 0;
}

void
keys_store_close(struct keys_store *ks)
{
	if (ks == NULL)
		return;
	close(ks->dirfd);
	free(ks->path);
	free(ks);
}

static void
file_name(const char *id, char *name, size_t size)
{
	snprintf(name, size, "%s.pem", id);
}

/* Write PEM to a new file NAME: O_EXCL, O_NOFOLLOW, 0600, synced. */
static int
write_new(struct keys_store *ks, const char *name, const char *pem,
    size_t len, char *err, size_t errlen)
{
	size_t off = 0;
	ssize_t n;
	int fd, e;

	fd = openat(ks->dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (fd < 0) {
		e = errno;
		snprintf(err, errlen, "keystore %s: cannot create %s: %s",
		    ks->path, name, strerror(e));
		return -e;
	}
	/* the mode must not depend on the umask being sane */
	if (fchmod(fd, 0600) != 0)
		goto fail;
	while (off < len) {
		if ((n = write(fd, pem + off, len - off)) < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		off += (size_t)n;
	}
	if (fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	if (fsync(ks->dirfd) != 0) {
		e = errno;
		unlinkat(ks->dirfd, name, 0);
		snprintf(err, errlen, "keystore %s: cannot sync: %s",
		    ks->path, strerror(e));
		return -e;
	}
	return 0;
fail:
	e = errno;
	if (fd >= 0)
		close(fd);
	unlinkat(ks->dirfd, name, 0);
	snprintf(err, errlen, "keystore %s: cannot write %s: %s", ks->path,
	    name, strerror(e));
	return -e;
}

static int
tag_taken(uint16_t tag, const uint16_t *avoid, size_t navoid)
{
	size_t i;

	for (i = 0; i < navoid; i++)
		if (avoid[i] == tag)
			return 1;
	return 0;
}

int
keys_store_generate(struct keys_store *ks, uint8_t alg, uint8_t role,
    const uint16_t *avoid, size_t navoid, int64_t now, struct keys_state *st,
    struct keys_key **key, char *err, size_t errlen)
{
	uint8_t rd[KEYS_DNSKEY_MAX];
	struct keys_state s;
	struct keys_key *k = NULL;
	char name[KEYS_ID_LEN + 8], *pem = NULL;
	size_t pemlen = 0;
	int ret, tries;

	if (sign_alg_name(alg) == NULL) {
		snprintf(err, errlen, "unsupported DNSSEC algorithm %u", alg);
		return HP_ENOTSUP;
	}
	if (role < KEYS_ZSK || role > KEYS_CSK) {
		snprintf(err, errlen, "invalid key role %u", role);
		return HP_EINVAL;
	}
	for (tries = 0; tries < GEN_TRIES; tries++) {
		memset(&s, 0, sizeof(s));
		s.algorithm = alg;
		s.role = role;
		s.created = now;
		if ((ret = keys_key_generate(alg, &k, s.pubkey,
		    &s.publen)) < 0) {
			snprintf(err, errlen, "cannot generate a %s key: %s",
			    sign_alg_name(alg), hp_strerror(ret));
			return ret;
		}
		if ((ret = keys_tag(rd, keys_dnskey_rdata(&s, rd),
		    &s.keytag)) < 0 ||
		    (ret = keys_id(rd, keys_dnskey_rdata(&s, rd), s.id)) < 0) {
			keys_key_free(k);
			snprintf(err, errlen, "cannot compute the key tag: %s",
			    hp_strerror(ret));
			return ret;
		}
		if (!tag_taken(s.keytag, avoid, navoid))
			break;
		keys_key_free(k);
		k = NULL;
	}
	if (k == NULL) {
		snprintf(err, errlen, "no free key tag after %d keys",
		    GEN_TRIES);
		return HP_EEXIST;
	}
	if ((ret = keys_key_to_pem(k, &pem, &pemlen)) < 0) {
		keys_key_free(k);
		snprintf(err, errlen, "cannot encode the private key: %s",
		    hp_strerror(ret));
		return ret;
	}
	file_name(s.id, name, sizeof(name));
	ret = write_new(ks, name, pem, pemlen, err, errlen);
	keys_pem_free(pem, pemlen);
	if (ret < 0) {
		keys_key_free(k);
		return ret;
	}
	*st = s;
	if (key != NULL)
		*key = k;
	else
		keys_key_free(k);
	return 0;
}

/* Read the private key file NAME into a new buffer (wiped on free). */
static int
read_file(struct keys_store *ks, const char *name, char **out, size_t *len,
    char *err, size_t errlen)
{
	struct stat sb;
	char *buf;
	size_t off = 0;
	ssize_t n;
	int fd, e;

	fd = openat(ks->dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		snprintf(err, errlen, "keystore %s: cannot read %s: %s",
		    ks->path, name, e == ELOOP ? "is a symbolic link" :
		    strerror(e));
		return -e;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		snprintf(err, errlen, "keystore %s: %s is not a regular file",
		    ks->path, name);
		return HP_EINVALID;
	}
	if (sb.st_mode & 077) {
		close(fd);
		snprintf(err, errlen, "keystore %s: %s has mode %04o: a "
		    "private key must be readable by its owner only (0600)",
		    ks->path, name, (unsigned)(sb.st_mode & 07777));
		return HP_EACCES;
	}
	if (sb.st_size <= 0 || sb.st_size > PEM_MAX) {
		close(fd);
		snprintf(err, errlen, "keystore %s: %s: size %lld is not that "
		    "of a private key", ks->path, name,
		    (long long)sb.st_size);
		return HP_EINVALID;
	}
	if ((buf = malloc((size_t)sb.st_size + 1)) == NULL) {
		close(fd);
		snprintf(err, errlen, "keystore %s: out of memory", ks->path);
		return HP_ENOMEM;
	}
	while (off < (size_t)sb.st_size) {
		n = read(fd, buf + off, (size_t)sb.st_size - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			e = n < 0 ? errno : EIO;
			close(fd);
			keys_pem_free(buf, (size_t)sb.st_size + 1);
			snprintf(err, errlen, "keystore %s: cannot read %s: %s",
			    ks->path, name, strerror(e));
			return -e;
		}
		off += (size_t)n;
	}
	close(fd);
	buf[off] = '\0';
	*out = buf;
	*len = off;
	return 0;
}

int
keys_store_load(struct keys_store *ks, const struct keys_state *st,
    struct keys_key **out, char *err, size_t errlen)
{
	uint8_t pub[KEYS_PUB_MAX];
	uint16_t publen = 0;
	struct keys_key *k;
	char name[KEYS_ID_LEN + 8], *pem = NULL;
	size_t len = 0;
	int ret;

	file_name(st->id, name, sizeof(name));
	if ((ret = read_file(ks, name, &pem, &len, err, errlen)) < 0)
		return ret;
	ret = keys_key_from_pem(st->algorithm, pem, len, &k, pub, &publen);
	keys_pem_free(pem, len + 1);
	if (ret < 0) {
		snprintf(err, errlen, "keystore %s: %s is not a %s private "
		    "key", ks->path, name, sign_alg_name(st->algorithm) ?
		    sign_alg_name(st->algorithm) : "supported");
		return ret;
	}
	if (publen != st->publen || memcmp(pub, st->pubkey, publen) != 0) {
		keys_key_free(k);
		snprintf(err, errlen, "keystore %s: %s does not match the "
		    "public key of key %u (%s)", ks->path, name, st->keytag,
		    keys_role_name(st->role));
		return HP_EINVALID;
	}
	*out = k;
	return 0;
}

int
keys_store_remove(struct keys_store *ks, const char *id, char *err,
    size_t errlen)
{
	char name[KEYS_ID_LEN + 8];
	int e;

	file_name(id, name, sizeof(name));
	if (unlinkat(ks->dirfd, name, 0) != 0) {
		e = errno;
		snprintf(err, errlen, "keystore %s: cannot remove %s: %s",
		    ks->path, name, strerror(e));
		return -e;
	}
	if (fsync(ks->dirfd) != 0)
		return -errno;
	return 0;
}
