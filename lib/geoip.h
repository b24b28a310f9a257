/*
 * geoip.h - country and autonomous system of a client IP (libmaxminddb)
 *
 * One handle holds the GeoIPDatabase (country, e.g. GeoLite2-Country or
 * DB-IP country lite) and the GeoASNDatabase (GeoLite2-ASN); either may be
 * absent.  A handle is opened per engine, so SIGHUP picks up new database
 * files; lookups on one handle are safe from any number of threads
 * (libmaxminddb only reads the memory-mapped file).
 *
 * Ownership: geoip_open copies nothing the caller must keep; geoip_lookup
 * writes into the caller's buffers.
 */
#ifndef AUTHMILTER_GEOIP_H
#define AUTHMILTER_GEOIP_H

#include <stddef.h>

#include "buf.h"

struct geoip;

/*
 * geoip_open - open the databases (NULL paths skip one); NULL with a reason
 * in err when a given file cannot be opened, or when both paths are NULL.
 */
struct geoip   *geoip_open(const char *country_db, const char *asn_db, struct buf *err);
/*
 * geoip_lookup - ip in text form (IPv4 or IPv6).  Always fills the outputs:
 * country "" and *asn 0 and asorg "" when unknown.  Returns 1 when anything
 * was found, 0 when nothing, -1 when ip is not an address or a database is
 * corrupt.
 */
int		geoip_lookup(const struct geoip *g, const char *ip, char country[3], long *asn,
		    char *asorg, size_t asorglen);
void		geoip_close(struct geoip *g);

#endif
