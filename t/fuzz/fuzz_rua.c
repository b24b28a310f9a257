/*
 * fuzz_rua.c - libFuzzer target: DMARC rua URI lists (RFC 9989 §4.7) and
 * the address checks applied before a sendmail command sees an address
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rua.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerTestOneInput - parse; every mailto address must pass rua_addr_valid */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rua_list l;
	size_t i, n;
	const char *bad;

	memset(&l, 0, sizeof(l));
	n = rua_parse((const char *)data, size, &l);
	if (n != l.n)
		abort();
	for (i = 0; i < l.n; i++) {
		if (l.v[i].kind != RUA_MAILTO)
			continue;
		if (l.v[i].addr == NULL || !rua_addr_valid(l.v[i].addr, strlen(l.v[i].addr)))
			abort();
		/* nothing a shell would interpret reaches the sendmail command */
		for (bad = "`$;|&<>()\\\"' \t\r\n"; *bad; bad++)
			if (strchr(l.v[i].addr, *bad))
				abort();
	}
	rua_list_free(&l);
	(void)rua_addr_valid((const char *)data, size);
	(void)rua_domain_valid((const char *)data, size);
	(void)rua_txt_authorises((const char *)data, size);
	return 0;
}
