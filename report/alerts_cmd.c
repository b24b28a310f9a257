/*
 * alerts_cmd.c - "authmilter-report alerts [-c CONF] [--db URL]
 * [--dry-run | --stdout] [--json] [--now EPOCH]": the alert rules
 * (alerts.h) over the received reports (alerts_store.h), one line per
 * alert that fires, and one message listing them mailed through
 * ReportSendmail (report_mail.h) when any is new or due again
 *
 * A run that mails holds one transaction from reading alert_sent to
 * recording what it mailed, under alerts_store_lock: two runs never mail
 * one alert twice, and a failed sendmail records nothing (the next run
 * mails it).  A commit that fails after the mail left may mail it again:
 * an alert is never lost.
 *
 * Exit status (authmilter-report(8), ALERTS): 0 nothing fires; 1 some
 * alert fires (mailed now or before); 64 usage; 75 the database cannot
 * be read or written, or sendmail failed (try again later); 78 the
 * configuration is wrong (including a database at another schema
 * version: db-upgrade).
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alerts.h"
#include "alerts_cmd.h"
#include "alerts_store.h"
#include "conf.h"
#include "log.h"
#include "report_mail.h"
#include "rua.h"
#include "store.h"
#include "store_schema.h"

#define EX_USAGE	64
#define EX_TEMPFAIL	75
#define EX_CONFIG	78
#define SENDMAIL_TIMEOUT 120

struct alerts_args {
	const char     *conf, *url;
	int		dry, to_stdout, json;
	long long	now;		/* 0: time(NULL) */
};

/* what a run mails with: the From field, envelope sender, recipients */
struct alerts_mail {
	const char     *from;
	char	       *envfrom;	/* owned */
	const struct strlist *to;
	const char     *sendmail;
};

/* usage - the synopsis; exit 64, or 0 for --help */
static void __attribute__((noreturn))
usage(int help)
{
	fprintf(help ? stdout : stderr,
	    "usage: authmilter-report alerts [-c CONF] [--db URL] [--dry-run | --stdout] [--json]"
	    " [--now EPOCH]\n"
	    "exit 0: nothing fires; 1: alerts fire; 75: temporary failure; 78: configuration\n");
	exit(help ? 0 : EX_USAGE);
}

/* parse - options into a; exits on a usage error */
static void
parse(int argc, char **argv, struct alerts_args *a)
{
	static const struct option lo[] = {
		{ "config", required_argument, NULL, 'c' }, { "db", required_argument, NULL, 'd' },
		{ "dry-run", no_argument, NULL, 'n' }, { "stdout", no_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'j' }, { "now", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	char *end;
	int ch;

	memset(a, 0, sizeof(*a));
	while ((ch = getopt_long(argc, argv, "c:h", lo, NULL)) != -1) {
		switch (ch) {
		case 'c': a->conf = optarg; break;
		case 'd': a->url = optarg; break;
		case 'n': a->dry = 1; break;
		case 'o': a->to_stdout = 1; break;
		case 'j': a->json = 1; break;
		case 't':
			a->now = strtoll(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || a->now <= 0)
				usage(0);
			break;
		case 'h': usage(1);
		default: usage(0);
		}
	}
	if (optind != argc || (a->dry && a->to_stdout))
		usage(0);
}

/* rules - the Alert* keywords of c */
static void
rules(const struct conf *c, struct alert_rules *r)
{
	*r = (struct alert_rules){ c->alert_window, c->alert_lookback, c->alert_new_source,
	    c->alert_pass_rate, c->alert_pass_period, c->alert_pass_min, c->alert_reporter_min,
	    c->alert_ingest_errors, c->alert_renotify };
}

/* conf_error - "file:line: Keyword: why" on standard error; 78 */
static int
conf_error(const struct conf *c, const char *key, const char *why)
{
	size_t line = conf_key_line(c, key);

	if (line > 0)
		fprintf(stderr, "authmilter-report: %s:%zu: %s: %s\n", c->path, line, key, why);
	else
		fprintf(stderr, "authmilter-report: alerts: %s: %s\n", key, why);
	return EX_CONFIG;
}

/* mail_setup - the sender and recipients, checked; 0 or 78 */
static int
mail_setup(const struct conf *c, struct alerts_mail *m)
{
	size_t i;

	memset(m, 0, sizeof(*m));
	m->to = &c->alert_recipients;
	m->sendmail = c->report_sendmail;
	for (i = 0; i < m->to->n; i++)
		if (!rua_addr_valid(m->to->v[i], strlen(m->to->v[i])))
			return conf_error(c, "AlertRecipients", "not an address");
	m->from = c->alert_from ? c->alert_from : c->report_from;
	if (m->from == NULL)
		return conf_error(c, "AlertRecipients", "alerts are mailed From AlertFrom or"
		    " ReportFrom: set one");
	if ((m->envfrom = report_mail_addr(m->from)) == NULL)
		return conf_error(c, c->alert_from ? "AlertFrom" : "ReportFrom", "no address in it");
	return 0;
}

/* compose - the message listing every alert that fires; 0 or -1 */
static int
compose(const struct alerts_mail *m, const struct alert_list *l, const struct alert_rules *r,
    const struct alert_spans *sp, size_t due, struct buf *msg)
{
	struct buf body = BUF_INIT, subject = BUF_INIT, left = BUF_INIT;
	struct report_mail_text t;
	int rc;

	buf_init(&body);
	buf_init(&subject);
	buf_init(&left);
	alerts_body(l, sp, r, &body);
	buf_printf(&subject, "DMARC alerts: %zu new or repeated, %zu firing", due, l->n);
	buf_printf(&left, "alerts.%lld.%ld", (long long)sp->now, (long)getpid());
	t = (struct report_mail_text){ m->from, m->to, subject.data, left.data,
	    strchr(m->envfrom, '@') + 1, body.data, sp->now };
	rc = report_mail_text(&t, msg);
	buf_free(&body);
	buf_free(&subject);
	buf_free(&left);
	return rc;
}

/* deliver - the message to standard output or through sendmail; 0 or -1 */
static int
deliver(const struct alerts_args *a, const struct alerts_mail *m, const struct buf *msg)
{
	struct buf err = BUF_INIT;
	int rc;

	if (a->to_stdout)
		return fwrite(msg->data, 1, msg->len, stdout) == msg->len && fflush(stdout) == 0 ? 0 : -1;
	buf_init(&err);
	rc = report_mail_submit_to(m->sendmail, m->envfrom, m->to, msg->data, msg->len,
	    SENDMAIL_TIMEOUT, &err);
	if (rc != 0)
		log_warnx("alerts: sendmail: %s; nothing recorded, the next run mails again", err.data);
	buf_free(&err);
	return rc;
}

/* print - one line (or JSON object) per alert on standard output */
static void
print(const struct alerts_args *a, const struct alert_list *l)
{
	struct buf b = BUF_INIT;
	size_t i;

	buf_init(&b);
	for (i = 0; i < l->n; i++) {
		buf_reset(&b);
		(a->json ? alerts_json : alerts_line)(&l->v[i], &b);
		printf("%s\n", b.data);
	}
	buf_free(&b);
}

/* open_store - the database at this program's schema; NULL with *rc */
static struct store *
open_store(const char *url, int *rc)
{
	struct buf err = BUF_INIT;
	struct store *s;
	long long v;

	buf_init(&err);
	*rc = EX_TEMPFAIL;
	if ((s = store_open(url, &err)) != NULL && store_schema_version(s, &v, &err) == 0) {
		if (store_schema_check(s, &err) == 0) {
			buf_free(&err);
			return s;
		}
		*rc = EX_CONFIG;
	}
	log_warnx("alerts: %s", err.data);
	store_close(s);
	buf_free(&err);
	return NULL;
}

/* run - evaluate, decide, print, mail and remember; the exit status */
static int
run(const struct alerts_args *a, struct store *s, const struct alert_rules *r,
    const struct alerts_mail *m)
{
	struct alert_list l = { NULL, 0, 0 };
	struct alert_spans sp;
	struct buf err = BUF_INIT, msg = BUF_INIT;
	int mailing = m != NULL, rc = EX_TEMPFAIL;
	size_t due;

	buf_init(&err);
	buf_init(&msg);
	alerts_spans(r, a->now ? (time_t)a->now : time(NULL), &sp);
	if (alerts_store_eval(s, r, &sp, &l, &err) != 0 ||
	    (mailing && (store_begin(s, &err) != 0 || alerts_store_lock(s, &err) != 0)) ||
	    alerts_store_load(s, &l, &err) != 0)
		goto out;
	due = alerts_decide(&l, r, sp.now);
	if (!a->to_stdout)
		print(a, &l);
	if (mailing && due > 0 && (compose(m, &l, r, &sp, due, &msg) != 0 ||
	    deliver(a, m, &msg) != 0)) {
		buf_adds(&err, "not mailed");
		goto out;
	}
	if (mailing && (alerts_store_record(s, &l, sp.now, &err) != 0 || store_commit(s, &err) != 0))
		goto out;
	rc = l.n > 0 ? 1 : 0;
out:
	if (rc == EX_TEMPFAIL) {
		store_rollback(s);
		log_warnx("alerts: %s", err.data);
	}
	alerts_free(&l);
	buf_free(&err);
	buf_free(&msg);
	return rc;
}

/* alerts_cmd_main - see alerts_cmd.h */
int
alerts_cmd_main(int argc, char **argv)
{
	struct buf err = BUF_INIT;
	struct alerts_args a;
	struct alert_rules r;
	struct alerts_mail m;
	struct conf *c;
	struct store *s;
	int rc, mailing;

	log_open("authmilter-report", 0, NULL, 1);
	parse(argc, argv, &a);
	buf_init(&err);
	c = a.conf ? conf_load(a.conf, &err) : conf_defaults();
	if (c == NULL) {
		fprintf(stderr, "authmilter-report: %s\n", err.data);
		buf_free(&err);
		return EX_CONFIG;
	}
	buf_free(&err);
	rules(c, &r);
	/* mailed: unless --dry-run, with AlertRecipients or --stdout */
	mailing = !a.dry && (a.to_stdout || c->alert_recipients.n > 0);
	memset(&m, 0, sizeof(m));
	if (mailing && (rc = mail_setup(c, &m)) != 0)
		goto out;
	if ((s = open_store(a.url ? a.url : c->report_database, &rc)) == NULL)
		goto out;
	rc = run(&a, s, &r, mailing ? &m : NULL);
	store_close(s);
out:
	free(m.envfrom);
	conf_free(c);
	return rc;
}
