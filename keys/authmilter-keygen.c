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
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "dkim_key.h"

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

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "algorithm", required_argument, NULL, 'a' },
		{ "bits", required_argument, NULL, 'b' },
		{ "domain", required_argument, NULL, 'd' },
		{ "selector", required_argument, NULL, 's' },
		{ "directory", required_argument, NULL, 'D' },
		{ "table", no_argument, NULL, 'T' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *alg = "rsa", *domain = NULL, *selector = NULL, *dir = ".";
	struct buf err = BUF_INIT, pem = BUF_INIT, txt = BUF_INIT, priv = BUF_INIT,
	    pub = BUF_INIT;
	struct dkim_key *k;
	unsigned long bits = 0;
	char *end;
	int c, table = 0, status = 0;

	while ((c = getopt_long(argc, argv, "a:b:d:s:D:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'a': alg = optarg; break;
		case 'b':
			errno = 0;
			bits = strtoul(optarg, &end, 10);
			if (errno || *end != '\0' || end == optarg || bits > 16384) {
				fprintf(stderr, "authmilter-keygen: bad key size \"%s\"\n", optarg);
				return EX_USAGE;
			}
			break;
		case 'd': domain = optarg; break;
		case 's': selector = optarg; break;
		case 'D': dir = optarg; break;
		case 'T': table = 1; break;
		case 'h': usage(0);
		default: usage(EX_USAGE);
		}
	}
	if (optind != argc || domain == NULL || selector == NULL)
		usage(EX_USAGE);
	if (!valid_name(domain) || !valid_name(selector)) {
		fprintf(stderr, "authmilter-keygen: invalid domain or selector name\n");
		return EX_USAGE;
	}
	if (strcmp(alg, "rsa") == 0 && bits == 0)
		bits = 2048;
	if (strcmp(alg, "ed25519") == 0 && bits != 0 && bits != 256) {
		fprintf(stderr, "authmilter-keygen: Ed25519 keys have 256 bits\n");
		return EX_USAGE;
	}
	buf_init(&err);
	if ((k = dkim_key_generate(alg, (unsigned)bits, &err)) == NULL) {
		fprintf(stderr, "authmilter-keygen: %s\n", err.data);
		buf_free(&err);
		return EX_USAGE;
	}
	buf_init(&priv);
	buf_init(&pub);
	buf_printf(&priv, "%s/%s.private", dir, selector);
	buf_printf(&pub, "%s/%s.txt", dir, selector);
	buf_init(&pem);
	buf_init(&txt);
	zone_line(k, domain, selector, &txt);
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
	} else if (table)
		print_tables(domain, selector, priv.data);
	else
		printf("wrote %s (%s, %u bits) and %s\n", priv.data, dkim_key_alg(k),
		    dkim_key_bits(k), pub.data);
	dkim_key_free(k);
	buf_free(&pem);
	buf_free(&txt);
	buf_free(&priv);
	buf_free(&pub);
	buf_free(&err);
	return status;
}
