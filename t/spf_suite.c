/*
 * spf_suite.c - run one scenario of the RFC 7208 test suite through lib/spf
 * (spf.c, spf_dns.c, spf_record.c: evaluation, DNS layer, record syntax)
 *
 *   DNS_PORT=N spf_suite CASES
 *
 * CASES lines (made by spf_suite.py): name, client ip, helo, mail from,
 * accepted results (comma separated), tab separated.  Prints one line per
 * case, "PASS name result" or "FAIL name got=X want=Y (reason)", and exits 0
 * (the caller compares failures with spf-deviations.txt).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "spf.h"

/* accepted - result is one of the comma-separated words in want */
static int
accepted(const char *result, const char *want)
{
	size_t n = strlen(result);
	const char *p = want;

	while (*p) {
		if (strncmp(p, result, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
		p = strchr(p, ',');
		if (p == NULL)
			break;
		p++;
	}
	return 0;
}

/* split - cut line at tabs into at most max fields */
static size_t
split(char *line, char **f, size_t max)
{
	size_t n = 0;

	line[strcspn(line, "\r\n")] = '\0';
	while (n < max) {
		f[n++] = line;
		if ((line = strchr(line, '\t')) == NULL)
			break;
		*line++ = '\0';
	}
	return n;
}

int
main(int argc, char **argv)
{
	const char *port = getenv("DNS_PORT"), *tmo = getenv("DNS_TIMEOUT");
	struct strlist ns = { 0, NULL };
	struct buf err = BUF_INIT;
	struct spf_engine *s;
	struct spf_outcome o;
	struct dns *d;
	char spec[64], line[4096], *f[5];
	FILE *in;

	if (argc != 2 || port == NULL) {
		fprintf(stderr, "usage: DNS_PORT=N spf_suite CASES\n");
		return 2;
	}
	if ((in = fopen(argv[1], "r")) == NULL) {
		perror(argv[1]);
		return 2;
	}
	buf_init(&err);
	snprintf(spec, sizeof(spec), "127.0.0.1:%s", port);
	strlist_add(&ns, spec);
	d = dns_new(&ns, tmo ? atoi(tmo) : 2, NULL, &err);
	strlist_free(&ns);
	if (d == NULL || (s = spf_engine_new(d, NULL, &err)) == NULL) {
		fprintf(stderr, "spf_suite: %s\n", err.data);
		return 2;
	}
	while (fgets(line, sizeof(line), in) != NULL) {
		if (split(line, f, 5) != 5)
			continue;
		spf_check_mailfrom(s, f[1], f[2], f[3], &o);
		if (accepted(o.result, f[4]))
			printf("PASS %s %s\n", f[0], o.result);
		else
			printf("FAIL %s got=%s want=%s (%s)\n", f[0], o.result, f[4], o.reason);
	}
	fclose(in);
	spf_engine_free(s);
	dns_free(d);
	buf_free(&err);
	return 0;
}
