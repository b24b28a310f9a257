/*
 * report_run.h - one run of authmilter-report: read histories, aggregate,
 * write, validate, spool and deliver reports, remember what was done
 *
 * The options struct is filled by main and read-only here; report_run
 * keeps no pointer to it after returning.
 *
 * I/O: this is the reporter's edge: report_run reads the histories, asks
 * the DNS, writes the report files, the spool and the state, and runs
 * sendmail (through report_state, rua and report_mail); report_mkdir
 * makes directories; report_receiver may ask gethostname.  report_id,
 * report_filename and report_noreports are pure.
 */
#ifndef AUTHMILTER_REPORT_RUN_H
#define AUTHMILTER_REPORT_RUN_H

#include <sys/types.h>
#include <time.h>

#include "buf.h"
#include "strlist.h"
#include "report_xml.h"

struct conf;
struct dns;

struct report_opts {
	const struct conf *conf;
	struct strlist	histories;	/* files to read (plain or gzip) */
	int		histories_optional; /* defaults: a missing file is fine */
	long long	begin, end;	/* period [begin, end) */
	const char     *outdir;		/* also write the .xml.gz files here */
	int		no_send;	/* write files only */
	const char     *state_path;
	enum report_format format;
	const char     *schema_path;	/* the RFC 9990 XSD */
	const char     *rfc7489_schema;	/* optional XSD for the old dialect */
	int		no_validate;	/* --schema none: the operator's explicit choice */
	struct dns     *dns;		/* for destination verification; may be NULL */
	int		progress;	/* progress lines on stderr */
	time_t		now;
	int		sendmail_timeout;
	long		give_up_after;	/* seconds a queued delivery is retried */
	const char     *db_url;		/* HistoryDatabase or --db: site-wide, from SQL */
};

/* report_receiver - our domain name for file names and Subject (caller frees) */
char   *report_receiver(const struct conf *c);

/* report_id - deterministic alphanumeric Report-ID (RFC 9990 §"Definition of Report-ID") */
void	report_id(const char *receiver, const char *pdomain, long long begin, long long end,
	    enum report_format f, char out[33]);

/* report_filename - receiver!policy-domain!begin!end!id.xml.gz (RFC 9990 §"Email") */
void	report_filename(const char *receiver, const char *pdomain, long long begin,
	    long long end, const char *id, struct buf *out);

/* report_noreports - is pdomain suppressed by the NoReportsList value */
int	report_noreports(const char *list, const char *pdomain);

/* report_mkdir - dir (and its parents) made with mode when missing; an
 * existing dir must be a directory.  0, or -1 with errno */
int	report_mkdir(const char *dir, mode_t mode);

/* report_run - the whole run; 0 when everything went well, 1 otherwise */
int	report_run(const struct report_opts *o);

#endif
