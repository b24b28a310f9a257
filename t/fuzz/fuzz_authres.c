/*
 * fuzz_authres.c - libFuzzer target: authserv-id of incoming
 * Authentication-Results (RFC 8601 §2.2), the forged-header test
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "authres.h"
#include "buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerTestOneInput - extract the id; is_ours must agree with it */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char id[256], small[8];
	char *text = xstrndup((const char *)data, size);

	if (authres_authserv_id((const char *)data, size, id, sizeof(id)) == 0) {
		if (strlen(id) >= sizeof(id))
			abort();
		/* a value whose id we extracted is ours when we are that id,
		 * unless it contains a NUL that is_ours cannot see past */
		if (id[0] && memchr(data, 0, size) == NULL &&
		    !authres_is_ours(text, id, NULL))
			abort();
	}
	(void)authres_authserv_id((const char *)data, size, small, sizeof(small));
	(void)authres_is_ours(text, "mx.example.net", "a.example, b.example c.example.");
	free(text);
	return 0;
}
