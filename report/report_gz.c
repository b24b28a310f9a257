/*
 * report_gz.c - the report file's gzip (RFC 1952) wrapping, in memory
 *
 * RFC 9990 §"Email": a report is sent GZIP-compressed; the member header
 * carries the report's file name.  zlib does the work; this module only
 * loops over it in bounded chunks (inputs over 1 GiB are fed in steps,
 * since zlib counts in uInt).
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include <zlib.h>

#include "report_gz.h"

/* report_gz_compress - one-shot deflate into a gzip member with a file name */
int
report_gz_compress(const char *in, size_t len, const char *name, struct buf *out)
{
	z_stream z;
	gz_header h;
	unsigned char chunk[65536];
	int rc;

	memset(&z, 0, sizeof(z));
	memset(&h, 0, sizeof(h));
	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	h.name = (Bytef *)(uintptr_t)name;
	h.os = 3;	/* Unix */
	deflateSetHeader(&z, &h);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = 0;
	do {
		size_t step = len > 1u << 30 ? 1u << 30 : len;

		if (z.avail_in == 0 && len > 0) {
			z.avail_in = (uInt)step;
			len -= step;
		}
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		rc = deflate(&z, len == 0 ? Z_FINISH : Z_NO_FLUSH);
		buf_add(out, chunk, sizeof(chunk) - z.avail_out);
	} while (rc == Z_OK || rc == Z_BUF_ERROR);
	deflateEnd(&z);
	return rc == Z_STREAM_END ? 0 : -1;
}

/* report_gz_decompress - inflate a gzip stream */
int
report_gz_decompress(const char *in, size_t len, struct buf *out)
{
	z_stream z;
	unsigned char chunk[65536];
	int rc;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 15 + 16) != Z_OK)
		return -1;
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	do {
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		rc = inflate(&z, Z_NO_FLUSH);
		buf_add(out, chunk, sizeof(chunk) - z.avail_out);
	} while (rc == Z_OK);
	inflateEnd(&z);
	return rc == Z_STREAM_END ? 0 : -1;
}
