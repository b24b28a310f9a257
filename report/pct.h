/*
 * pct.h - RFC 3986 §2.1 percent-decoding, for rua URIs (strict) and the
 * reporter's state file fields (lenient)
 *
 * I/O: none (pure).  The caller owns out and must have initialised it.
 */
#ifndef AUTHMILTER_PCT_H
#define AUTHMILTER_PCT_H

#include <stddef.h>

#include "buf.h"

/*
 * pct_decode - s[0..len) with every %XX (two hex digits, either case)
 * replaced by its byte, appended to out.  A '%' not followed by two hex
 * digits is an error (-1, out then holds a partial result) when strict,
 * else copied as written.  0 ok.  A decoded %00 is a NUL in out.
 */
int	pct_decode(const char *s, size_t len, int strict, struct buf *out);

#endif
