/*
 * ingest_mime.h - walk an RFC 5322 message's MIME tree (RFC 2045/2046),
 * nested message/rfc822 included, and hand back every leaf part decoded
 * (base64, quoted-printable), so that report attachments can be found by
 * their content rather than by the types senders give them.
 *
 * Bounded: INGEST_MIME_MAX_DEPTH levels, INGEST_MIME_MAX_PARTS parts; a
 * message/rfc822 leaf keeps only its header block, INGEST_MIME_HDR_MAX bytes.
 */
#ifndef AUTHMILTER_INGEST_MIME_H
#define AUTHMILTER_INGEST_MIME_H

#include <stddef.h>

#include "buf.h"
#include "strlist.h"

#define INGEST_MIME_MAX_DEPTH	16
#define INGEST_MIME_MAX_PARTS	1000
#define INGEST_MIME_HDR_MAX	65536	/* header block kept of an enclosed message */
#define INGEST_MIME_VALUE_MAX	998	/* one unfolded header value (RFC 5322 §2.1.1) */

struct ingest_part {
	char   *ctype;		/* "type/subtype", lower case ("text/plain" when absent) */
	char   *report_type;	/* report-type of the enclosing multipart/report, or NULL */
	int	depth;		/* 0: the message body itself */
	char   *data;		/* decoded content, NUL-terminated; headers only for message/rfc822 */
	size_t	len;
};

struct ingest_mime {
	size_t		n;
	struct ingest_part *v;
	char	       *from;	/* the outermost message's From, Subject, Date (unfolded, capped) */
	char	       *subject;
	char	       *date;
	size_t		parts;	/* parts seen, leaves or not */
	struct strlist	notes;
};

/* ingest_mime_walk - every leaf of msg[0..n) (LF or CRLF; a leading mbox
 * "From " line is skipped) into out (zeroed by the caller); free with
 * ingest_mime_free.  Never fails: a message without structure is one leaf. */
void	ingest_mime_walk(const char *msg, size_t n, struct ingest_mime *out);
void	ingest_mime_free(struct ingest_mime *m);

/* ingest_hdr_end - the length of the header block at p[0..n) including the
 * blank line after it (n when there is none) */
size_t	ingest_hdr_end(const char *p, size_t n);
/* ingest_hdr_next - the header field at p[*off..n): name and raw value
 * (folding kept); *off moves past it.  0 at the end of the block. */
int	ingest_hdr_next(const char *p, size_t n, size_t *off, const char **name,
	    size_t *nlen, const char **val, size_t *vlen);
/* ingest_hdr_get - the first field called name in the block p[0..n),
 * unfolded and capped at INGEST_MIME_VALUE_MAX; NULL if absent; caller frees */
char   *ingest_hdr_get(const char *p, size_t n, const char *name);
/* ingest_hdr_unfold - val[0..vlen) unfolded (CR LF WSP -> WSP), trimmed, capped */
char   *ingest_hdr_unfold(const char *val, size_t vlen);
/* ingest_mime_param - parameter name of a Content-Type value (RFC 2045
 * §5.1: token or quoted-string), or NULL; caller frees */
char   *ingest_mime_param(const char *val, const char *name);

#endif
