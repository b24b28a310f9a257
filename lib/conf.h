/*
 * conf.h - the configuration file: one keyword table, typed values, snapshot
 *
 * A struct conf is built by conf_load() and never changed afterwards; the
 * daemon shares it read-only between threads (through the engine, which owns
 * it).  Every keyword is one row of the table in conf_keys.c: name, type,
 * offset of its field below, default, bounds, one-line help.  To add a
 * keyword: add the field here and the row there; nothing else.
 */
#ifndef AUTHMILTER_CONF_H
#define AUTHMILTER_CONF_H

#include <stddef.h>

#include "buf.h"
#include "strlist.h"

enum conf_type {
	CONF_STR,	/* char *, NULL when unset and no default */
	CONF_BOOL,	/* int 0/1: yes/no/true/false/on/off/1/0 */
	CONF_INT,	/* long, within [min, max] */
	CONF_OCTAL,	/* long, octal (UMask) */
	CONF_LIST,	/* struct strlist, comma and/or space separated */
	CONF_ENUM,	/* char *, one of the '|'-separated words in .choices */
	CONF_IGNORED	/* accepted with a notice (OpenDKIM/OpenDMARC keywords without
			 * meaning here are rows of conf_compat.c instead) */
};

struct conf_key {
	const char     *name;
	enum conf_type	type;
	size_t		offset;
	const char     *def;		/* default as it would be written, or NULL */
	long		min, max;	/* CONF_INT bounds */
	const char     *choices;	/* CONF_ENUM: "s|v|sv" */
	/* check - extra validation of one value; 0 ok, else message in err */
	int	      (*check)(const char *value, struct buf *err);
	const char     *section;	/* heading in the sample file and man page */
	const char     *help;		/* one line */
};

struct conf {
	char	       *path;		/* file it was read from, or NULL */

	/* daemon */
	char	       *socket;
	char	       *userid;
	long		umask;
	char	       *pidfile;
	int		background;
	int		syslog;
	char	       *syslog_facility;
	int		syslog_success;
	int		log_why;
	int		allow_root;
	long		milter_debug;
	char	       *metrics_socket;	/* MetricsSocket, NULL: off */

	/* common */
	char	       *authserv_id;
	char	       *mode;		/* s, v, sv */
	char	       *internal_hosts;	/* dataset: inline list or file: */
	char	       *mta;		/* daemon names whose mail is signed */
	char	       *ignore_hosts;
	int		ignore_auth_clients;

	/* dns */
	struct strlist	nameservers;
	long		dns_timeout;
	long		dns_budget;	/* seconds per message; 0: 2 x dns_timeout */
	int		dns_prefetch;	/* start lookups before eom (dns_prefetch.h) */
	char	       *trust_anchor_file;

	/* inbound */
	char	       *trusted_authserv_ids;
	int		reject_failures;
	int		hold_quarantined;
	int		tempfail_dns;
	int		reject_multi_from;
	int		reject_multi_from_fields;
	char	       *multi_value_from;	/* permerror | strictest */
	int		add_received_spf;
	long		max_verify_sigs;
	long		min_key_bits;
	char	       *dmarc_standard;
	char	       *public_suffix_list;
	char	       *peer_list;

	/* outbound */
	char	       *key_table;
	char	       *signing_table;
	char	       *domain;
	char	       *selector;
	char	       *key_file;
	int		multiple_signatures;
	char	       *canonicalization;
	char	       *sign_headers;
	char	       *omit_headers;
	char	       *oversign_headers;
	char	       *oversign_present_headers;
	long		signature_ttl;
	int		require_safe_keys;
	int		subdomains;
	char	       *dont_sign_mail_to;
	int		add_identity;

	/* history and reports */
	char	       *history_file;
	char	       *history_database;
	int		record_all;
	int		history_extensions;
	char	       *geoip_db;
	char	       *geoasn_db;
	char	       *report_state_file;
	char	       *report_from;
	char	       *report_envelope_from;
	char	       *report_sendmail;
	char	       *report_org_name;
	char	       *report_contact;
	char	       *no_reports_list;
	long		report_max_dest;	/* rua URIs kept and used per domain */
	char	       *report_database;	/* ReportDatabase: ingested reports (store.h URL) */
	int		report_rdns;		/* ReportReverseDNS: enrich looks up PTR names */
	long		report_enrich_max;	/* ReportEnrichMax: addresses per enrich run */
	long		report_enrich_seconds;	/* ReportEnrichSeconds: an enrich run's DNS time */
	long		report_enrich_refresh;	/* ReportEnrichRefreshDays */

	/* alerts (authmilter-report alerts; report/alerts.h) */
	struct strlist	alert_recipients;	/* AlertRecipients; empty: printed only */
	char	       *alert_from;		/* AlertFrom; NULL: ReportFrom */
	long		alert_window;		/* days */
	long		alert_lookback;		/* days before the window */
	long		alert_new_source;	/* messages; 0: off */
	long		alert_pass_rate;	/* percent; 0: off */
	long		alert_pass_period;	/* days */
	long		alert_pass_min;		/* messages */
	long		alert_reporter_min;	/* messages; 0: off */
	long		alert_ingest_errors;	/* refused inputs; 0: off */
	long		alert_renotify;		/* days; 0: every run */

	/* OpenDKIM/OpenDMARC compatibility (conf_compat.c) */
	int		authserv_id_jobid;	/* AuthservIDWithJobID */
	int		remove_old_sigs;	/* RemoveOldSignatures */
	int		required_headers;	/* RequiredHeaders */
	long		clock_drift;		/* ClockDrift */
	char	       *reject_string;		/* RejectString: "%s" is the From domain */
	struct strlist	notices;	/* "file:line: Keyword: ..." for the log */
	size_t	       *key_line;	/* per row of the table: the line that set it, or 0 */
};

/* conf_load - read path; NULL on error with "file:line: Keyword: why" in err */
struct conf    *conf_load(const char *path, struct buf *err);
/* conf_parse - the same over text in memory (name is used in messages) */
struct conf    *conf_parse(const char *name, const char *text, size_t len, struct buf *err);
/* conf_defaults - a snapshot with every default */
struct conf    *conf_defaults(void);
void		conf_free(struct conf *c);
/* conf_log_notices - log the notices of the keywords accepted without
 * effect (file:line each); callers do it once per load they keep */
void		conf_log_notices(const struct conf *c);
/* conf_key_line - the line of c->path that set keyword name, 0 when none did */
size_t		conf_key_line(const struct conf *c, const char *name);

/* the keyword table */
const struct conf_key *conf_keys(size_t *n);
const struct conf_key *conf_key_find(const char *name);

/* conf_write_sample / conf_write_man - generated from the table */
void		conf_write_sample(struct buf *out);
void		conf_write_man(struct buf *out, const char *version);

/* conf_word_in - 1 when v is one of the '|'-separated words (case-insensitive) */
int		conf_word_in(const char *words, const char *v);

/* validators shared by rows and other modules */
int		conf_check_socket(const char *value, struct buf *err);
int		conf_check_nameserver(const char *value, struct buf *err);

#endif
