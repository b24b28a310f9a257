/*
 * fuzz_history.c - libFuzzer target: the history record parser, run over a
 * whole file the way the reader does; a parsed record must survive a
 * format/parse round trip
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "buf.h"
#include "history.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* roundtrip - format r, parse it back, compare */
static void
roundtrip(const struct history_rec *r)
{
	struct buf b = BUF_INIT;
	struct history_rec *r2 = NULL;
	size_t used;
	char why[256];

	buf_init(&b);
	history_format(r, &b);
	if (history_parse(b.data, b.len, 1, &used, &r2, why, sizeof(why)) != 1)
		abort();
	if (!history_rec_equal(r, r2))
		abort();
	history_rec_free(r2);
	buf_free(&b);
}

/* LLVMFuzzerTestOneInput - walk every record of the input */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	size_t left = size, used;
	struct history_rec *r;
	char why[256];
	int rc, guard = 0;

	while (left > 0 && guard++ < 10000) {
		r = NULL;
		used = 0;
		rc = history_parse(p, left, 1, &used, &r, why, sizeof(why));
		if (rc == 1) {
			roundtrip(r);
			history_rec_free(r);
		}
		if (used == 0 || used > left)
			break;
		p += used;
		left -= used;
	}
	return 0;
}
