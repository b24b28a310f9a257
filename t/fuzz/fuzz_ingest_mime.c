/*
 * fuzz_ingest_mime.c - libFuzzer target: received report messages
 * (report/ingest_mime.c, ingest_msg.c, ingest_arf.c, ingest_mbox.c): no
 * crash, the part and byte caps hold
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest_mbox.h"
#include "ingest_mime.h"
#include "ingest_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerTestOneInput - the input as an mbox of messages */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ingest_limits lim = { 1u << 20, 8 };
	const char *p = (const char *)data, *m;
	size_t off = 0, len, i, msgs = 0;

	while (ingest_mbox_next(p, size, &off, &m, &len) && msgs++ < 4) {
		struct ingest_found f;
		struct ingest_mime mm;

		if (m < p || m + len > p + size)
			abort();
		memset(&f, 0, sizeof(f));
		ingest_msg_scan(m, len, &lim, &f);
		if (f.docs.total > lim.max_total)
			abort();
		if (f.has_arf && f.arf.headers_len > INGEST_ARF_HDRS_MAX)
			abort();
		ingest_found_free(&f);
		memset(&mm, 0, sizeof(mm));
		ingest_mime_walk(m, len, &mm);
		if (mm.n > INGEST_MIME_MAX_PARTS)
			abort();
		for (i = 0; i < mm.n; i++)
			if (mm.v[i].depth >= INGEST_MIME_MAX_DEPTH || mm.v[i].data[mm.v[i].len] != '\0')
				abort();
		ingest_mime_free(&mm);
	}
	return 0;
}
