/*
 * fuzz_dmarc_record.c - libFuzzer target: DMARC record parser (RFC 9989 §4.7)
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dmarc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerTestOneInput - parse; check the invariants the header promises */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dmarc_record r;
	char why[256];
	size_t i;

	if (dmarc_record_parse((const char *)data, size, &r, why, sizeof(why)) == DMARC_REC_OK) {
		if (r.pct < 0 || r.pct > 100)
			abort();
		if (r.adkim != 'r' && r.adkim != 's')
			abort();
		if (r.aspf != 'r' && r.aspf != 's')
			abort();
	}
	for (i = 0; i < r.rua.n; i++)
		(void)strlen(r.rua.v[i]);
	dmarc_record_free(&r);
	return 0;
}
