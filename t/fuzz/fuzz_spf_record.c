/*
 * fuzz_spf_record.c - libFuzzer target: the SPF record checker (RFC 7208
 * §12 ABNF) that runs before libspf2 sees a record; a cleaned record must
 * itself be valid and stable
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "spf.h"
#include "spf_record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerTestOneInput - check; re-check the cleaned form */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf clean = BUF_INIT, again = BUF_INIT;
	char why[256];
	char *text = xstrndup((const char *)data, size);

	buf_init(&clean);
	buf_init(&again);
	/* the record as it comes, not NUL-terminated: spf_record_check stays
	 * within len (it once ran strcspn over a term) */
	if (spf_record_check((const char *)data, size,
	    &clean, why, sizeof(why)) == 0) {
		if (spf_record_check(clean.data ? clean.data : "", clean.len, &again,
		    why, sizeof(why)) != 0)
			abort();
	}
	(void)spf_domain_valid(text);
	buf_free(&clean);
	buf_free(&again);
	free(text);
	return 0;
}
