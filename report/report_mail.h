/*
 * report_mail.h - an aggregate report as a mail message (RFC 9990 §"Email")
 * and its submission through a sendmail-compatible command
 *
 * Nothing here keeps pointers: composed text goes into the caller's buffer.
 *
 * I/O: report_mail_submit spawns the sendmail command (posix_spawn, no
 * shell) and writes the message to its standard input; the rest is pure.
 */
#ifndef AUTHMILTER_REPORT_MAIL_H
#define AUTHMILTER_REPORT_MAIL_H

#include <stddef.h>
#include <time.h>

#include "buf.h"
#include "strlist.h"

struct report_mail {
	const char     *from;		/* From: field body (ReportFrom), no CR/LF */
	const char     *to;		/* validated addr-spec */
	const char     *pdomain;	/* policy domain */
	const char     *submitter;	/* receiver domain name */
	const char     *report_id;	/* alphanumeric */
	const char     *filename;	/* receiver!domain!begin!end!id.xml.gz */
	const char     *gz;		/* the attachment */
	size_t		gzlen;
	long long	begin, end;
	time_t		date;
};

/* report_mail_compose - multipart/mixed message, LF line ends; -1 on bad fields */
int	report_mail_compose(const struct report_mail *m, struct buf *out);

/* a plain-text message (authmilter-report alerts) */
struct report_mail_text {
	const char	       *from;		/* From: field body, no CR/LF */
	const struct strlist   *to;		/* addr-specs, checked; may be empty */
	const char	       *subject;	/* no CR/LF */
	const char	       *msgid_left;	/* Message-ID: <left@right> */
	const char	       *msgid_right;	/* a domain name */
	const char	       *body;		/* printable ASCII, LF line ends */
	time_t			date;
};

/* report_mail_text - the message (text/plain, us-ascii), LF line ends; -1
 * on a bad field or a body byte outside ASCII */
int	report_mail_text(const struct report_mail_text *m, struct buf *out);

/* report_mail_addr - the addr-spec inside a From value ("Name <a@b>" or "a@b"), or NULL (caller frees) */
char   *report_mail_addr(const char *from);

/*
 * report_mail_submit - run command (split on blanks, no shell) with
 * "-f envfrom rcpt" appended and msg on its standard input; waits at most
 * timeout seconds.  0 when it exited 0, else -1 with the reason in err.
 */
int	report_mail_submit(const char *command, const char *envfrom, const char *rcpt,
	    const char *msg, size_t len, int timeout, struct buf *err);

/* report_mail_submit_to - the same for every address of rcpts at once (one
 * message, one run of the command); -1 when the list is empty */
int	report_mail_submit_to(const char *command, const char *envfrom,
	    const struct strlist *rcpts, const char *msg, size_t len, int timeout,
	    struct buf *err);

/* report_mail_split - the command's words (pure; caller frees with strlist_free) */
void	report_mail_split(const char *command, struct strlist *out);

#endif
