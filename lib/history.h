/*
 * history.h - history records (OpenDMARC's keyword-per-line format) and the
 * crash-safe appender
 *
 * A record is a run of "keyword SP value LF" lines that starts at its "job"
 * line, field for field as OpenDMARC 1.4.2 writes it (opendmarc.c, mlfi_eom)
 * and reads it (reports/opendmarc-import): numeric fields use OpenDMARC's
 * encodings below.  Our additions are extra keywords that opendmarc-import
 * ignores (see history.c for the list); they are written only when set.
 *
 * Value escaping (our definition; OpenDMARC writes values raw): a byte below
 * 0x21, 0x7f or a backslash is written as "\xHH" (two lower-case hex
 * digits), so a value never holds a space, CR, LF or NUL and a record can
 * never be split or joined by its contents.  An absent selector or rua is
 * written "-"; a literal "-" there is written "\x2d".  The parser decodes
 * \xHH except \x00 (a record containing it is rejected).
 *
 * Ownership: a history_rec owns every pointer in it (history_rec_free frees
 * them all); the history_rec_set and history_rec_add_* helpers copy their arguments.
 * history_parse and history_reader_next hand out a new record the caller
 * frees.  A struct history (appender) is thread-safe: any number of threads
 * may call history_append at once; it is reference-counted (history_ref,
 * history_close), so engines of successive reloads can share one file.  A history_reader is for one thread.
 */
#ifndef AUTHMILTER_HISTORY_H
#define AUTHMILTER_HISTORY_H

#include <stddef.h>

#include "buf.h"

/* ARES result codes (OpenDMARC's dkim, spf lines) */
#define HISTORY_ARES_UNDEFINED	(-1)
#define HISTORY_ARES_PASS	0
#define HISTORY_ARES_SOFTFAIL	2
#define HISTORY_ARES_NEUTRAL	3
#define HISTORY_ARES_TEMPERROR	4
#define HISTORY_ARES_PERMERROR	5
#define HISTORY_ARES_NONE	6
#define HISTORY_ARES_FAIL	7
#define HISTORY_ARES_POLICY	8

/* policy line: DMARC_POLICY_* of libopendmarc */
#define HISTORY_POLICY_ABSENT	14	/* no record, or DNS temporary failure */
#define HISTORY_POLICY_PASS	15
#define HISTORY_POLICY_REJECT	16
#define HISTORY_POLICY_QUARANTINE 17
#define HISTORY_POLICY_NONE	18

/* align_dkim, align_spf lines */
#define HISTORY_ALIGN_UNKNOWN	0
#define HISTORY_ALIGN_PASS	4
#define HISTORY_ALIGN_FAIL	5

/* action line: what the milter did */
#define HISTORY_ACTION_REJECT	0
#define HISTORY_ACTION_DISCARD	1
#define HISTORY_ACTION_ACCEPT	2
#define HISTORY_ACTION_TEMPFAIL	3
#define HISTORY_ACTION_QUARANTINE 4

/* spf_scope line (OpenDMARC develop) */
#define HISTORY_SCOPE_UNKNOWN	(-1)
#define HISTORY_SCOPE_MFROM	1
#define HISTORY_SCOPE_HELO	2

/* fo line bits (OpenDMARC develop): same values as DMARC_FO_* in dmarc.h */
#define HISTORY_FO_0		1
#define HISTORY_FO_1		2
#define HISTORY_FO_D		4
#define HISTORY_FO_S		8

struct history_dkim {
	char	       *domain;		/* d= */
	char	       *selector;	/* s=, NULL when unknown ("-") */
	int		result;		/* HISTORY_ARES_* */
};

struct history_rec {
	/* OpenDMARC 1.4.2 fields, in the order they are written */
	char	       *job;		/* queue id; NULL writes NOJOBID */
	char	       *reporter;	/* host name */
	long long	received;	/* epoch seconds */
	char	       *ipaddr;		/* client IP, inet_ntop form */
	char	       *from;		/* RFC 5322.From domain */
	char	       *mfrom;		/* MAIL FROM domain; NULL or "" for <> */
	struct history_dkim *dkim;
	size_t		ndkim;
	int		spf;		/* HISTORY_ARES_*, -1 when none */
	int		spf_scope;	/* HISTORY_SCOPE_*, develop keyword */
	char	       *pdomain;	/* domain whose DMARC record was used */
	int		policy;		/* HISTORY_POLICY_* */
	char	      **rua;		/* verbatim URIs; none writes "rua -" */
	size_t		nrua;
	int		pct;		/* 0-100; 0 when no record */
	int		adkim, aspf;	/* 'r', 's' or 0 */
	int		p, sp;		/* 'n', 'q', 'r' or 0 (sp: 0 = not published) */
	unsigned	fo;		/* HISTORY_FO_* bits, 0 = not written */
	int		align_dkim;	/* HISTORY_ALIGN_* */
	int		align_spf;
	int		arc;		/* ARES code; 7 (fail) when not evaluated, as 1.4.2 */
	int		arc_policy;	/* 0 pass, 2 fail (1.4.2's "arc_policy N json:[...]") */
	int		action;		/* HISTORY_ACTION_* */

	/* our additions: written only when set (non-NULL, non-zero) */
	char	       *helo;		/* HELO/EHLO name */
	char	       *discovery;	/* "treewalk" (RFC 9989) or "psl" (RFC 7489) */
	int		np;		/* np= 'n', 'q', 'r' or 0 (RFC 9989 4.7) */
	int		testing;	/* 1 when t=y (RFC 9989 4.7) */
	char	       *override;	/* RFC 9990 PolicyOverrideType word */
	char	       *country;	/* ISO 3166 code of ipaddr */
	long		asn;		/* autonomous system number, 0 unknown */
	char	       *asorg;		/* AS organisation */
};

/* history_rec_new - an empty record with OpenDMARC's "nothing known" values */
struct history_rec *history_rec_new(void);
void		history_rec_free(struct history_rec *r);
/* history_rec_set - replace *field with a copy of s (NULL allowed) */
void		history_rec_set(char **field, const char *s);
/* history_rec_add_dkim - append one DKIM result (strings copied) */
void		history_rec_add_dkim(struct history_rec *r, const char *domain,
		    const char *selector, int result);
/* history_rec_add_rua - append one rua URI (copied) */
void		history_rec_add_rua(struct history_rec *r, const char *uri);
/* history_rec_equal - 1 when both records hold the same values */
int		history_rec_equal(const struct history_rec *a, const struct history_rec *b);

/* history_ares_code - RFC 8601 result word to ARES code (-1 unknown/NULL) */
int		history_ares_code(const char *word);
/* history_ares_word - ARES code to RFC 8601 word (static string; "none" for -1) */
const char     *history_ares_word(int code);

/* history_format - append r as one record (the one writer) */
void		history_format(const struct history_rec *r, struct buf *out);

/*
 * history_parse - parse one record that starts at the first "job" line in
 * text (the one parser; pure).  Lines before it are skipped.  The record
 * ends before the next "job" line, or at the end of text when last_ok is
 * set (otherwise a record without a following "job" line or whose last line
 * has no LF is incomplete).
 * Returns 1 with *out set (caller frees) and *consumed bytes used;
 * 0 when text holds no complete record (*consumed: bytes safely skipped);
 * -1 when the record is malformed (*consumed covers it, so the caller can
 * skip it; why says what was wrong).
 */
int		history_parse(const char *text, size_t len, int last_ok, size_t *consumed,
		    struct history_rec **out, char *why, size_t whylen);

/* the appender */
struct history;

/*
 * history_open - open path for appending (created with mode 0640 less the
 * umask); NULL with err.  A symbolic link (O_NOFOLLOW) or anything but a
 * regular file is refused, also on every reopen.  The caller holds the one
 * reference.
 */
struct history *history_open(const char *path, struct buf *err);
/* history_ref - one more holder of h (an engine sharing it); returns h */
struct history *history_ref(struct history *h);
/*
 * history_append - write r with one write(2) on an O_APPEND descriptor;
 * reopens first when the file was renamed or removed (checked at most once
 * a second).  Never blocks on the disk being full: returns -1, counts and
 * logs (at most once a minute).  0 on success.
 */
int		history_append(struct history *h, const struct history_rec *r);
/* history_reopen - reopen the path (SIGUSR1, logrotate); 0 or -1 (old fd kept) */
int		history_reopen(struct history *h);
/* history_counts - records written so far, and those that could not be */
struct history_counts {
	unsigned long	written, errors;
};
struct history_counts history_counts(const struct history *h);
/* history_close - drop a reference; the last one closes the file and frees
 * h (NULL is a no-op) */
void		history_close(struct history *h);

/* the streaming reader: plain or gzip files ("-" is standard input) */
struct history_reader;

struct history_reader *history_reader_open(const char *path, struct buf *err);
/*
 * history_reader_next - 1 with *out (caller frees), 0 at the end, -1 on a read
 * error.  Malformed records and a torn (incomplete) last record are skipped
 * and counted.
 */
int		history_reader_next(struct history_reader *rd, struct history_rec **out);
/* history_reader_skipped - records skipped as malformed or torn */
unsigned long	history_reader_skipped(const struct history_reader *rd);
void		history_reader_close(struct history_reader *rd);

#endif
