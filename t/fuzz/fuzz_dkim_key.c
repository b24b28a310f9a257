/*
 * fuzz_dkim_key.c - libFuzzer target: DKIM key records (RFC 6376 §3.6.1),
 * the same bytes as a DKIM-Signature tag-list (dkim_tag.c, §3.2) and, for
 * inputs starting with "-----", private key files
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "dkim_key.h"
#include "dkim_tag.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerTestOneInput - parse a key record; match it against a fixed key */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dkim_key *key;
	struct dkim_key_rec rec;
	struct buf err = BUF_INIT;
	struct dkim_key *k;
	char why[256];
	unsigned bits;

	buf_init(&err);
	if (key == NULL)
		key = dkim_key_generate("ed25519", 0, &err);
	memset(&rec, 0, sizeof(rec));
	if (dkim_key_rec_parse((const char *)data, size, &rec, why, sizeof(why)) ==
	    DKIM_KEY_REC_OK && key != NULL)
		(void)dkim_key_rec_match(&rec, key, &bits, why, sizeof(why));
	dkim_key_rec_free(&rec);
	(void)dkim_tag_sig_check((const char *)data, size, why, sizeof(why));
	if (size > 5 && memcmp(data, "-----", 5) == 0) {
		k = dkim_key_parse((const char *)data, size, "fuzz", &err);
		dkim_key_free(k);
	}
	buf_free(&err);
	return 0;
}
