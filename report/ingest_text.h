/*
 * ingest_text.h - small text helpers shared by the report ingest modules:
 * bounded copies, trimming, case folding and the capped list of recovery
 * notes every parser fills
 */
#ifndef AUTHMILTER_INGEST_TEXT_H
#define AUTHMILTER_INGEST_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "strlist.h"

/* recovery notes kept per parsed object: past this only a count grows */
#define INGEST_NOTES_MAX 64
/* one note's length in bytes (peer text in a note is cut to fit) */
#define INGEST_NOTE_LEN 200

/* ingest_note - add a formatted note to l unless it is there already or l
 * holds INGEST_NOTES_MAX; control bytes are replaced by '?' */
void	ingest_note(struct strlist *l, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
/* ingest_strdup_cap - a NUL-terminated copy of s[0..n), trimmed of ASCII
 * white space, cut at cap bytes (at a UTF-8 boundary); *cut set when cut;
 * caller frees */
char   *ingest_strdup_cap(const char *s, size_t n, size_t cap, int *cut);
/* ingest_lower - ASCII-lowercase s in place; returns s */
char   *ingest_lower(char *s);
/* ingest_memmem_ci - first case-insensitive occurrence of needle in
 * hay[0..n), or NULL */
const char *ingest_memmem_ci(const char *hay, size_t n, const char *needle);
/* ingest_u64 - s (decimal, optional white space around) as a number;
 * -1 when not a number or over UINT64_MAX */
int	ingest_u64(const char *s, uint64_t *out);
/* ingest_cp1252 - the UTF-8 encoding of windows-1252 byte c (>= 0x80) into
 * out (4 bytes); returns its length */
size_t	ingest_cp1252(unsigned char c, char out[4]);
/* ingest_utf8_len - the length of the valid UTF-8 sequence at p[0..n), or 0
 * when the bytes there are not one (overlong, surrogate, cut, > U+10FFFF) */
size_t	ingest_utf8_len(const unsigned char *p, size_t n);

/* ingest_utf8_fix - s[0..n) as valid UTF-8: s itself when it is, else the
 * text of tmp (reset first), where each byte that is not becomes U+FFFD;
 * its length in *outlen */
const char *ingest_utf8_fix(struct buf *tmp, const char *s, size_t n, size_t *outlen);

#endif
