/*
 * ingest_unpack.h - turn the bytes of a received report file or attachment
 * into the XML documents inside: gzip (concatenated members, trailing bytes
 * after the stream), zip (every member) or raw XML, told apart by content
 * (magic bytes), never by name or MIME type.  Decompression is capped.
 */
#ifndef AUTHMILTER_INGEST_UNPACK_H
#define AUTHMILTER_INGEST_UNPACK_H

#include <stddef.h>

#include "buf.h"
#include "strlist.h"

/* the defaults of struct ingest_limits */
#define INGEST_MAX_TOTAL	(64u * 1024 * 1024)	/* decompressed bytes, all documents */
#define INGEST_MAX_MEMBERS	100			/* zip members of one input */
/* nesting of containers (a zip holding a .xml.gz is depth 2) */
#define INGEST_MAX_DEPTH	3

struct ingest_limits {
	size_t	max_total;	/* bytes of decompressed output, all documents together */
	size_t	max_members;	/* zip members of one input */
};

enum ingest_kind {
	INGEST_KIND_OTHER = 0,
	INGEST_KIND_GZIP,
	INGEST_KIND_ZIP,
	INGEST_KIND_XML,
};

struct ingest_doc {
	char   *data;		/* NUL-terminated, len bytes */
	size_t	len;
	char   *name;		/* zip member name (capped, may be NULL) */
};

/* the result: every document found, notes, or why the input was refused */
struct ingest_docs {
	size_t		n;
	struct ingest_doc *v;
	size_t		total;	/* bytes in v[] */
	struct strlist	notes;	/* what was recovered (trailing bytes...) */
	char	       *reject;	/* NULL, or why nothing can be taken */
};

/* ingest_limits_default - fill l with the defaults above */
void	ingest_limits_default(struct ingest_limits *l);
/* ingest_sniff - what p[0..n) is by its first bytes */
enum ingest_kind ingest_sniff(const void *p, size_t n);
/* ingest_kind_name - "gzip", "zip", "xml" or "other" */
const char *ingest_kind_name(enum ingest_kind k);
/* ingest_unpack - append the documents in p[0..n) to out (zeroed by the
 * caller first; lim NULL: defaults).  Returns 0, or -1 with out->reject set
 * (documents already taken from the same input are dropped then).  Caller
 * frees out with ingest_docs_free. */
int	ingest_unpack(const void *p, size_t n, const struct ingest_limits *lim,
	    struct ingest_docs *out);
/* ingest_docs_free - release everything in d; d is zeroed */
void	ingest_docs_free(struct ingest_docs *d);

#endif
