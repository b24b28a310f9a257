/*
 * fuzz_ingest_unpack.c - libFuzzer target: gzip/zip/XML unpacking
 * (report/ingest_unpack.c): no crash, the byte and member caps hold
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest_unpack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerTestOneInput - unpack; documents add up to total, under the cap */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ingest_limits lim = { 1u << 20, 8 };
	struct ingest_docs d;
	size_t i, sum = 0;
	int rc;

	memset(&d, 0, sizeof(d));
	rc = ingest_unpack(data, size, &lim, &d);
	if ((rc != 0) != (d.reject != NULL))
		abort();
	if (rc != 0 && d.n != 0)
		abort();
	for (i = 0; i < d.n; i++) {
		if (d.v[i].data == NULL || d.v[i].data[d.v[i].len] != '\0')
			abort();
		sum += d.v[i].len;
	}
	if (sum != d.total || d.total > lim.max_total)
		abort();
	ingest_docs_free(&d);
	(void)ingest_sniff(data, size);
	return 0;
}
