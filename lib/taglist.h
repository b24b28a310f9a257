/*
 * taglist.h - tag=value lists: the one tokenizer behind DKIM key records
 * (dkim_key.c), the check of DKIM-Signature fields (dkim_tag.c) and DMARC
 * Policy Records (dmarc_record.c).
 *
 * RFC 6376 §3.2 defines the tag-list; RFC 9989 §4.7 says DMARC records
 * follow it, with WSP instead of FWS around "=" and ";" (§4.8).  Two
 * layers: taglist_cut splits one tag-spec off the list and trims it, taking
 * anything (DMARC ignores a tag it cannot read, §4.7); taglist_next adds
 * the strict RFC 6376 syntax on top (DKIM refuses the whole list).
 *
 * Pure functions of their input: no allocation, no I/O, no globals.
 * Pointers in a struct taglist_tag point into the caller's text.
 */
#ifndef AUTHMILTER_TAGLIST_H
#define AUTHMILTER_TAGLIST_H

#include <stddef.h>

/* the white space that surrounds names, "=" and values */
enum taglist_space {
	TAGLIST_FWS,		/* SP, HTAB, CR, LF: RFC 6376 FWS, folded or not */
	TAGLIST_WSP		/* SP, HTAB only: RFC 9989 §4.8 */
};

struct taglist_tag {
	const char     *name;	/* first byte after the white space, nlen bytes */
	size_t		nlen;	/* up to "=" (or the end of the spec), trimmed */
	const char     *val;	/* after "=", vlen bytes, trimmed */
	size_t		vlen;	/* 0 without "=" */
	int		has_eq;	/* the tag-spec has an "=" */
};

/* taglist_is_wsp - FWS as it appears in a tag-list, unfolded or not */
int		taglist_is_wsp(int c);

/*
 * taglist_cut - the ";"-terminated tag-spec at *pp, up to end, split at its
 * first "=" with white space (sp) trimmed around name and value; any bytes
 * accepted.  Returns 1 with t filled and *pp moved past the spec and its
 * ";", 0 when only white space is left (*pp at end).  An empty spec (";;")
 * gives nlen 0 and has_eq 0.
 */
int		taglist_cut(const char **pp, const char *end, enum taglist_space sp,
		    struct taglist_tag *t);

/*
 * taglist_next - the RFC 6376 §3.2 tag-spec at *pp, up to end.  Returns 1
 * with t filled and *pp moved past it and its ";", 0 at the end of the
 * list (only FWS left), -1 on a syntax error with *pp at the offending byte.
 */
int		taglist_next(const char **pp, const char *end, struct taglist_tag *t);

#endif
