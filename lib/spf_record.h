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

/* a DNS-querying term of a record (RFC 7208 §4.6.4) */
enum spf_target_kind {
	SPF_TARGET_INCLUDE,
	SPF_TARGET_A,
	SPF_TARGET_MX,
	SPF_TARGET_PTR,
	SPF_TARGET_EXISTS,
	SPF_TARGET_REDIRECT
};

struct spf_target {
	enum spf_target_kind kind;
	const char     *spec;	/* its domain-spec, len bytes in the record; */
	size_t		len;	/* 0: none (a, mx, ptr: the current domain) */
	int		macro;	/* the domain-spec has a macro (§7): known only
				 * when the record is evaluated */
};

/*
 * spf_record_targets - the DNS-querying terms of a valid record (as
 * spf_record_check finds it) in record order, redirect= last and left out
 * when "all" is present (§6.1), at most max of them: their number, or -1
 * when the record is not valid.  t[].spec points into rec.
 */
int		spf_record_targets(const char *rec, size_t len, struct spf_target *t, size_t max);

#endif
