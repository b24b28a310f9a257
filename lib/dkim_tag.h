/*
 * dkim_tag.h - RFC 6376 §3.2 tag-lists: the one tokenizer behind the key
 * record parser (dkim_key.c) and the check of DKIM-Signature fields made
 * before libopendkim sees them (dkim_verify.c).
 *
 * Pure functions of their input: no allocation kept, no I/O, no globals.
 * Pointers in a struct dkim_tag point into the caller's text.
 */
#ifndef AUTHMILTER_DKIM_TAG_H
#define AUTHMILTER_DKIM_TAG_H

#include <stddef.h>

struct dkim_tag {
	const char     *name;	/* tag-name, nlen bytes (case-sensitive, §3.2) */
	size_t		nlen;
	const char     *val;	/* tag-value without surrounding FWS, vlen bytes */
	size_t		vlen;
};

/* dkim_tag_is_wsp - white space as it appears in a tag-list (FWS unfolded
 * or not) */
int		dkim_tag_is_wsp(int c);

/*
 * dkim_tag_next - the tag-spec at *pp, up to end.  Returns 1 with t filled
 * and *pp moved past it and its ";", 0 at the end of the list (only FWS
 * left), -1 on a syntax error with *pp at the offending byte.
 */
int		dkim_tag_next(const char **pp, const char *end, struct dkim_tag *t);

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

#endif
