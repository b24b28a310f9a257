/*
 * fuzz_hostlist.c - libFuzzer target: host/network list parsing and matching
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "hostlist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf err = BUF_INIT;
	struct hostlist *h;
	char *text = xstrndup((const char *)data, size);

	buf_init(&err);
	h = hostlist_parse("fuzz", text, &err);
	if (h) {
		hostlist_match(h, "192.0.2.1", "mail.example.com");
		hostlist_match(h, "2001:db8::1", NULL);
		hostlist_match(h, "::ffff:10.1.2.3", "x.");
		hostlist_free(h);
	}
	buf_free(&err);
	free(text);
	return 0;
}
