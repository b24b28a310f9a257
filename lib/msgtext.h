/*
 * msgtext.h - a message file (LF or CRLF line ends) cut the way an MTA hands
 * it to a milter: one call per header field (the name, and the value after
 * the colon with folds joined by CRLF), then the body with every line end
 * made CRLF, in pieces of at most a given size.  The offline runner, the
 * DKIM test tool and the message fuzzer all feed the pipeline through it.
 */
#ifndef AUTHMILTER_MSGTEXT_H
#define AUTHMILTER_MSGTEXT_H

#include <stddef.h>

struct msgtext_cb {
	void	(*header)(void *arg, const char *name, const char *value);
	void	(*eoh)(void *arg);	/* may be NULL */
	void	(*body)(void *arg, const unsigned char *p, size_t n);
};

/*
 * msgtext_feed - the header block ends at the first empty line, or at the
 * first line that is neither a field nor a fold (that line starts the
 * body).  As Postfix hands them to a milter: a field name is printable
 * US-ASCII without white space, any white space before the colon is not
 * part of it ("From :" is From), and leading mbox "From " lines become
 * X-Mailbox-Line fields.  chunk: the most body bytes per call (0: the whole body at once);
 * an empty body gets no call.
 */
void	msgtext_feed(const char *text, size_t len, size_t chunk,
	    const struct msgtext_cb *cb, void *arg);

struct msg;
/* msgtext_feed_msg - msgtext_feed into the pipeline: msg_header for every
 * field, msg_eoh, msg_body (the offline runner and the message fuzzer) */
void	msgtext_feed_msg(struct msg *m, const char *text, size_t len, size_t chunk);

#endif
