/*
 * authmilter-keygen.c - make a DKIM key pair and its DNS record
 *
 * Writes DIR/SELECTOR.private (PKCS#8 PEM, mode 0600, never over an
 * existing file) and DIR/SELECTOR.txt (the TXT record as a zone-file line,
 * character-strings of at most 255 bytes, RFC 1035 §3.3.14), and with
 * --table prints the OpenDKIM KeyTable and SigningTable lines for it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "dkim_key.h"
#include "keys_opt.h"

#define EX_USAGE	64
#define EX_CANTCREAT	73
#define EX_SOFTWARE	70

/* usage - print the synopsis and exit */
static void __attribute__((noreturn))
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: authmilter-keygen [-a rsa|ed25519] [-b bits] -d domain -s selector\n"
	    "                         [-D directory] [--table]\n");
	exit(status);
}

/* valid_name - a domain or selector we are willing to put in file
 * names and zone files: letters, digits, '-', '_' and inner dots */
static int
valid_name(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n > 253 || s[0] == '.' || s[0] == '-' || strstr(s, "..") != NULL)
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
			return 0;
	}
	return 1;
}

/* zone_line - the record as "sel._domainkey IN TXT ( "..." "..." )", no
 * character-string longer than 255 bytes (RFC 1035 §3.3.14) */
static void
zone_line(const struct dkim_key *k, const char *domain, const char *selector,
    struct buf *out)
{
	struct buf p = BUF_INIT;
	size_t off = 0, n;

	buf_init(&p);
	dkim_key_public_b64(k, &p);
	buf_printf(out, "%s._domainkey\tIN\tTXT\t( \"v=DKIM1; k=%s; \"\n", selector,
	    dkim_key_alg(k));
	n = p.len < 253 ? p.len : 253;
	buf_printf(out, "\t\"p=%.*s\"", (int)n, p.data);
	for (off = n; off < p.len; off += n) {
		n = p.len - off < 255 ? p.len - off : 255;
		buf_printf(out, "\n\t\"%.*s\"", (int)n, p.data + off);
	}
	buf_printf(out, " )\t; ----- DKIM key %s for %s\n", selector, domain);
	buf_free(&p);
}

/* write_new - create path (must not exist) with mode and data; 0 or -1 */
static int
write_new(const char *path, mode_t mode, const char *data, size_t len)
{
	size_t off = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0) {
		fprintf(stderr, "authmilter-keygen: %s: %s%s\n", path, strerror(errno),
		    errno == EEXIST ? " (refusing to overwrite)" : "");
		return -1;
	}
	if (fchmod(fd, mode) < 0)
		goto fail;
	while (off < len) {
		n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		off += (size_t)n;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	return 0;
fail:
	fprintf(stderr, "authmilter-keygen: %s: %s\n", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(path);
	return -1;
}

/* print_tables - the OpenDKIM KeyTable and SigningTable lines */
static void
print_tables(const char *domain, const char *selector, const char *keypath)
{
	char abs[PATH_MAX];
	const char *p = realpath(keypath, abs) != NULL ? abs : keypath;

	printf("# KeyTable\n%s._domainkey.%s %s:%s:%s\n", selector, domain, domain,
	    selector, p);
	printf("# SigningTable (refile:)\n*@%s %s._domainkey.%s\n", domain, selector, domain);
}

struct args {
	const char     *alg, *domain, *selector, *dir;
	unsigned long	bits;
	int		table;
};

/* parse_args - the command line into a; 0, or the exit status on error */
static int
parse_args(int argc, char **argv, struct args *a)
{
	struct keys_opt o;
	char *end;
	int c;

	memset(a, 0, sizeof(*a));
	a->alg = "rsa";
	a->dir = ".";
	keys_opt_init(&o, "a:algorithm b:bits d:domain s:selector D:directory T-table h+help");
	while ((c = keys_opt_next(&o, argc, argv)) != -1) {
		switch (c) {
		case 'a': a->alg = optarg; break;
		case 'b':
			errno = 0;
			a->bits = strtoul(optarg, &end, 10);
			if (errno || *end != '\0' || end == optarg || a->bits > 16384) {
				fprintf(stderr, "authmilter-keygen: bad key size \"%s\"\n", optarg);
				return EX_USAGE;
			}
			break;
		case 'd': a->domain = optarg; break;
		case 's': a->selector = optarg; break;
		case 'D': a->dir = optarg; break;
		case 'T': a->table = 1; break;
		case 'h': usage(0);
		default: usage(EX_USAGE);
		}
	}
	if (optind != argc || a->domain == NULL || a->selector == NULL)
		usage(EX_USAGE);
	if (!valid_name(a->domain) || !valid_name(a->selector)) {
		fprintf(stderr, "authmilter-keygen: invalid domain or selector name\n");
		return EX_USAGE;
	}
	if (strcmp(a->alg, "rsa") == 0 && a->bits == 0)
		a->bits = 2048;
	if (strcmp(a->alg, "ed25519") == 0 && a->bits != 0 && a->bits != 256) {
		fprintf(stderr, "authmilter-keygen: Ed25519 keys have 256 bits\n");
		return EX_USAGE;
	}
	return 0;
}

/* write_pair - DIR/SELECTOR.private and DIR/SELECTOR.txt for k, neither
 * over an existing file; 0 or the exit status */
static int
write_pair(const struct dkim_key *k, const struct args *a)
{
	struct buf pem = BUF_INIT, txt = BUF_INIT, priv = BUF_INIT, pub = BUF_INIT;
	int status = 0;

	buf_init(&priv);
	buf_init(&pub);
	buf_printf(&priv, "%s/%s.private", a->dir, a->selector);
	buf_printf(&pub, "%s/%s.txt", a->dir, a->selector);
	buf_init(&pem);
	buf_init(&txt);
	zone_line(k, a->domain, a->selector, &txt);
	if (dkim_key_private_pem(k, &pem) != 0) {
		fprintf(stderr, "authmilter-keygen: cannot encode the new key\n");
		status = EX_SOFTWARE;
	} else if (access(pub.data, F_OK) == 0) {
		fprintf(stderr, "authmilter-keygen: %s exists (refusing to overwrite)\n", pub.data);
		status = EX_CANTCREAT;
	} else if (write_new(priv.data, 0600, pem.data, pem.len) < 0)
		status = EX_CANTCREAT;
	else if (write_new(pub.data, 0644, txt.data, txt.len) < 0) {
		unlink(priv.data);
		status = EX_CANTCREAT;
	} else if (a->table)
		print_tables(a->domain, a->selector, priv.data);
	else
		printf("wrote %s (%s, %u bits) and %s\n", priv.data, dkim_key_alg(k),
		    dkim_key_bits(k), pub.data);
	buf_free(&pem);
	buf_free(&txt);
	buf_free(&priv);
	buf_free(&pub);
	return status;
}

int
main(int argc, char **argv)
{
	struct args a;
	struct buf err = BUF_INIT;
	struct dkim_key *k;
	int status;

	if ((status = parse_args(argc, argv, &a)) != 0)
		return status;
	buf_init(&err);
	if ((k = dkim_key_generate(a.alg, (unsigned)a.bits, &err)) == NULL) {
		fprintf(stderr, "authmilter-keygen: %s\n", err.data);
		buf_free(&err);
		return EX_USAGE;
	}
	status = write_pair(k, &a);
	dkim_key_free(k);
	buf_free(&err);
	return status;
}
