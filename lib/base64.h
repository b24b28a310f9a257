/*
 * base64.h - the one base64 codec (RFC 4648 §4 alphabet, "=" padding)
 *
 * Written as one line (DKIM p=, key files) or in lines of at most 76
 * characters each ending in LF (RFC 2045 §6.8: MIME bodies, the
 * reporter's gzip attachment).  Read with white space anywhere (RFC 6376
 * §3.6.1: FWS may sit inside p=; PEM-less key files span lines).
 */
#ifndef AUTHMILTER_BASE64_H
#define AUTHMILTER_BASE64_H

#include <stddef.h>

#include "buf.h"

/* base64_encode - append the base64 of p (n bytes) to out: one line with
 * no line end when linelen is 0, else lines of linelen characters (a
 * multiple of 4), each ending in "\n" */
void	base64_encode(struct buf *out, const void *p, size_t n, size_t linelen);
/* base64_digit - the value of one base64 character (RFC 4648 Table 1), -1
 * when c is not one */
int	base64_digit(int c);
/* base64_decode - decode s (len bytes; SP, HTAB, CR and LF skipped) into
 * out, which must hold BASE64_DECODED_MAX(len) bytes; the decoded length,
 * or -1 on a character outside the alphabet, a lone sixth bit group,
 * data after padding or padding that does not complete a group */
long	base64_decode(const char *s, size_t len, unsigned char *out);
#define BASE64_DECODED_MAX(len)	((len) / 4 * 3 + 3)

#endif
