/*
 * dkim_tag.h - DKIM's rules on RFC 6376 §3.2 tag-lists (tokens from
 * taglist.h): base64string values and the check of DKIM-Signature fields
 * made before libopendkim sees them (dkim_verify.c).
 *
 * Pure functions of their input: no allocation kept, no I/O, no globals.
 */
#ifndef AUTHMILTER_DKIM_TAG_H
#define AUTHMILTER_DKIM_TAG_H

#include <stddef.h>

/*
 * dkim_tag_base64 - is v (vlen bytes) a base64string (RFC 6376 §2.4):
 * ALPHADIGITPS *([FWS] ALPHADIGITPS) [[FWS] "=" [[FWS] "="]]
 */
int		dkim_tag_base64(const char *v, size_t vlen);

/*
 * dkim_tag_sig_check - the tag-list of a DKIM-Signature field value (what
 * follows the colon): 0 when it is a tag-list without a duplicate tag whose
 * b= and bh= are base64strings (§3.2: a duplicate tag invalidates the whole
 * tag-list; §3.5 sig-b-tag, sig-bh-tag), else -1 with the reason in why.
 * Other tags (presence, values) are left to the verifier.  Linear time.
 */
int		dkim_tag_sig_check(const char *s, size_t len, char *why, size_t whylen);

/*
 * dkim_tag_key_name - the name of the key record of a DKIM-Signature field
 * value, "<s>._domainkey.<d>" with the white space in both values removed,
 * as libopendkim asks it (RFC 6376 §3.6.2.1): 0 with it in out, -1 when s=
 * or d= is missing or empty, or out is too small.  A lenient scan (the
 * first s= and d= tags; the rest of the tag-list is not checked): the
 * verifier's dkim_tag_sig_check decides whether the field is usable.
 */
int		dkim_tag_key_name(const char *s, size_t len, char *out, size_t outlen);

#endif
