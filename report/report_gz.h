/*
 * report_gz.h - gzip (RFC 1952) of a report in memory, and back
 *
 * Pure: buffers in, buffers out; no file is read or written.  The caller
 * owns out and must have initialised it; on failure out may hold a partial
 * result.
 */
#ifndef AUTHMILTER_REPORT_GZ_H
#define AUTHMILTER_REPORT_GZ_H

#include <stddef.h>

#include "buf.h"

/* report_gz_compress - RFC 1952 gzip of in (with name in the header); 0 ok */
int	report_gz_compress(const char *in, size_t len, const char *name, struct buf *out);
/* report_gz_decompress - the inverse, for tests and resends; 0 ok */
int	report_gz_decompress(const char *in, size_t len, struct buf *out);

#endif
