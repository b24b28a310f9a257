/*
 * spf_record.h - the RFC 7208 §12 syntax of one SPF record, checked before
 * libspf2 compiles it (lib/spf_dns.c runs every fetched record through it)
 *
 * Pure: no I/O, no globals.  The caller owns every buffer.
 */
#ifndef AUTHMILTER_SPF_RECORD_H
#define AUTHMILTER_SPF_RECORD_H

#include <stddef.h>

#include "buf.h"

/*
 * spf_record_check - one SPF record (len bytes, need not be NUL-terminated)
 * against the RFC 7208 §12 ABNF: 0 when valid, with the record in the form
 * handed to libspf2 appended to clean (modifiers that cannot change the
 * result dropped, redirect= dropped when "all" is present, §6.1); -1 with
 * why when a syntax error makes it a permerror (§4.6).
 */
int		spf_record_check(const char *rec, size_t len, struct buf *clean, char *why,
		    size_t whylen);

#endif
