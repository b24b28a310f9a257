/*
 * geoip.c - libmaxminddb lookups: ISO country code and AS number/organisation
 *
 * Country: "country" / "iso_code", falling back to "registered_country"
 * (anycast and satellite ranges carry only the latter).  ASN:
 * "autonomous_system_number" and "autonomous_system_organization", the
 * GeoLite2-ASN layout.  Files are opened with MMDB_MODE_MMAP.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <maxminddb.h>

#include "geoip.h"

struct geoip {
	MMDB_s		country;
	MMDB_s		asn;
	int		have_country, have_asn;
};

/* open_one - one database file; -1 with err */
static int
open_one(MMDB_s *db, const char *path, const char *what, struct buf *err)
{
	int st;

	/* MMDB_open does not keep errno: say why a file cannot be read first */
	if (access(path, R_OK) != 0) {
		buf_printf(err, "%s %s: %s", what, path, strerror(errno));
		return -1;
	}
	if ((st = MMDB_open(path, MMDB_MODE_MMAP, db)) == MMDB_SUCCESS)
		return 0;
	buf_printf(err, "%s %s: %s", what, path, MMDB_strerror(st));
	return -1;
}

/* geoip_open - see geoip.h */
struct geoip *
geoip_open(const char *country_db, const char *asn_db, struct buf *err)
{
	struct geoip *g;

	if (country_db == NULL && asn_db == NULL) {
		buf_adds(err, "no GeoIP database given");
		return NULL;
	}
	g = xcalloc(1, sizeof(*g));
	if (country_db) {
		if (open_one(&g->country, country_db, "GeoIPDatabase", err) != 0)
			goto fail;
		g->have_country = 1;
	}
	if (asn_db) {
		if (open_one(&g->asn, asn_db, "GeoASNDatabase", err) != 0)
			goto fail;
		g->have_asn = 1;
	}
	return g;
fail:
	geoip_close(g);
	return NULL;
}

/* get_string - copy a UTF-8 string at path into out; 1 when found */
static int
get_string(MMDB_entry_s *e, char *out, size_t outlen, const char *const *path)
{
	MMDB_entry_data_s d;
	size_t n;

	if (MMDB_aget_value(e, &d, path) != MMDB_SUCCESS || !d.has_data ||
	    d.type != MMDB_DATA_TYPE_UTF8_STRING || outlen == 0)
		return 0;
	n = d.data_size < outlen - 1 ? d.data_size : outlen - 1;
	memcpy(out, d.utf8_string, n);
	out[n] = '\0';
	return n > 0;
}

/* get_number - an unsigned integer at path; 1 when found */
static int
get_number(MMDB_entry_s *e, long *out, const char *const *path)
{
	MMDB_entry_data_s d;

	if (MMDB_aget_value(e, &d, path) != MMDB_SUCCESS || !d.has_data)
		return 0;
	switch (d.type) {
	case MMDB_DATA_TYPE_UINT16: *out = d.uint16; return 1;
	case MMDB_DATA_TYPE_UINT32: *out = (long)d.uint32; return 1;
	case MMDB_DATA_TYPE_INT32: *out = d.int32; return 1;
	case MMDB_DATA_TYPE_UINT64: *out = (long)d.uint64; return 1;
	default: return 0;
	}
}

/* lookup - the entry for ip in db; 1 found, 0 not, -1 bad address/db */
static int
lookup(const MMDB_s *db, const char *ip, MMDB_lookup_result_s *res)
{
	int gai, st;

	*res = MMDB_lookup_string((MMDB_s *)db, ip, &gai, &st);
	if (gai != 0 || st != MMDB_SUCCESS)
		return -1;
	return res->found_entry ? 1 : 0;
}

/* geoip_lookup - see geoip.h */
int
geoip_lookup(const struct geoip *g, const char *ip, char country[3], long *asn,
    char *asorg, size_t asorglen)
{
	static const char *const c1[] = { "country", "iso_code", NULL };
	static const char *const c2[] = { "registered_country", "iso_code", NULL };
	static const char *const a1[] = { "autonomous_system_number", NULL };
	static const char *const a2[] = { "autonomous_system_organization", NULL };
	MMDB_lookup_result_s res;
	int found = 0, rc;

	country[0] = '\0';
	*asn = 0;
	if (asorglen)
		asorg[0] = '\0';
	if (g->have_country) {
		if ((rc = lookup(&g->country, ip, &res)) < 0)
			return -1;
		if (rc && (get_string(&res.entry, country, 3, c1) ||
		    get_string(&res.entry, country, 3, c2)))
			found = 1;
	}
	if (g->have_asn) {
		if ((rc = lookup(&g->asn, ip, &res)) < 0)
			return -1;
		if (rc) {
			found |= get_number(&res.entry, asn, a1);
			found |= get_string(&res.entry, asorg, asorglen, a2);
		}
	}
	return found;
}

/* geoip_close - close both databases (NULL is a no-op) */
void
geoip_close(struct geoip *g)
{
	if (g == NULL)
		return;
	if (g->have_country)
		MMDB_close(&g->country);
	if (g->have_asn)
		MMDB_close(&g->asn);
	free(g);
}
