/*
 * fuzz_address.c - libFuzzer target: From header (RFC 5322) and MAIL FROM
 * (RFC 5321) parsing, the lenient domain scan of malformed From fields,
 * domain normalisation (IDNA)
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* scan_check - every name the scan reports is a non-empty C string */
static int
scan_check(void *arg, const char *d)
{
	if (d == NULL || *d == '\0')
		abort();
	++*(size_t *)arg;
	return 0;
}

/* LLVMFuzzerTestOneInput - one input through all three parsers */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct address_list l;
	char why[256], *local = NULL, *domain = NULL, *d;
	char *text = xstrndup((const char *)data, size);
	size_t i, n = 0;

	if (address_parse_from((const char *)data, size, &l, why, sizeof(why)) == 0) {
		for (i = 0; i < l.n; i++) {
			/* every mailbox has a NUL-terminated, non-NULL domain */
			if (l.v[i].domain == NULL || l.v[i].local == NULL)
				abort();
			(void)strlen(l.v[i].domain);
		}
	}
	address_list_free(&l);
	address_scan_domains((const char *)data, size, scan_check, &n);
	if (address_parse_path(text, &local, &domain) == 0 && domain != NULL &&
	    domain[0] != '[' && strchr(domain, '(') != NULL)
		abort();	/* CVE-2020-12272: a comment is never part of a domain */
	free(local);
	free(domain);
	d = address_domain_normalize((const char *)data, size);
	free(d);
	free(text);
	return 0;
}
