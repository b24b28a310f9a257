/*
 * fuzz_ingest_xml.c - libFuzzer target: received aggregate reports
 * (report/ingest_xmlfix.c, report/ingest_agg.c): no crash, the caps hold,
 * an accepted report has its required fields
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest_agg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerTestOneInput - parse one document */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ingest_agg_limits lim = { 1u << 20, 50 };
	struct ingest_agg a;
	uint64_t sum = 0;
	size_t i;
	int rc;

	memset(&a, 0, sizeof(a));
	rc = ingest_agg_parse((const char *)data, size, &lim, &a);
	if (rc == 0 && (a.org_name == NULL || a.report_id == NULL || a.policy.domain == NULL ||
	    a.begin < 0 || a.end < a.begin || a.reject != NULL))
		abort();
	if (rc != 0 && a.reject == NULL)
		abort();
	if (a.nrows > lim.max_rows)
		abort();
	for (i = 0; i < a.nrows; i++) {
		if (a.rows[i].header_from == NULL || a.rows[i].source_ip[0] == '\0')
			abort();
		if (strlen(a.rows[i].header_from) > INGEST_AGG_MAX_STR)
			abort();
		sum += a.rows[i].count;
	}
	if (rc == 0 && sum != a.messages && a.messages != UINT64_MAX)
		abort();
	ingest_agg_free(&a);
	return 0;
}
