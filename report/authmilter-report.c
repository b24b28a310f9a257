/*
 * authmilter-report.c - RFC 9990 aggregate reports from history files
 *
 * Command line and defaults only; the work is report_run() in libreport.a (report_run.c).
 * "authmilter-report summary ..." is handed to summary_main (summary.c);
 * ingest, reports, failures to cmd_ingest_main (cmd_ingest.c); dashboard
 * to dash_store_main (dash_store.c); enrich to enrich_main (enrich.c);
 * alerts to alerts_cmd_main (alerts_cmd.c).
 */
#include "config.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alerts_cmd.h"
#include "buf.h"
#include "cmd_db.h"
#include "cmd_ingest.h"
#include "dash_store.h"
#include "conf.h"
#include "enrich.h"
#include "dns.h"
#include "log.h"
#include "report_run.h"
#include "summary.h"

#ifndef AUTHMILTER_DATADIR
#define AUTHMILTER_DATADIR "/usr/share/authmilter"
#endif

enum { OPT_HISTORY = 256, OPT_FROM, OPT_TO, OPT_OUTDIR, OPT_NOSEND, OPT_STATE, OPT_FORMAT,
	OPT_SCHEMA, OPT_SCHEMA7489, OPT_DAY, OPT_DB };

static const struct option longopts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "history", required_argument, NULL, OPT_HISTORY },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "to", required_argument, NULL, OPT_TO },
	{ "day", required_argument, NULL, OPT_DAY },
	{ "outdir", required_argument, NULL, OPT_OUTDIR },
	{ "no-send", no_argument, NULL, OPT_NOSEND },
	{ "state", required_argument, NULL, OPT_STATE },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "schema", required_argument, NULL, OPT_SCHEMA },
	{ "schema-rfc7489", required_argument, NULL, OPT_SCHEMA7489 },
	{ "db", required_argument, NULL, OPT_DB },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* usage - print the synopsis; exit 64 (EX_USAGE), or 0 for --help */
static void __attribute__((noreturn))
usage(int help)
{
	fprintf(help ? stdout : stderr,
	    "usage: authmilter-report [-c CONF] [--history FILE]...\n"
	    "         [--day YYYY-MM-DD | --from EPOCH --to EPOCH] [--outdir DIR] [--no-send]\n"
	    "         [--state FILE] [--format rfc9990|rfc7489] [--schema XSD]\n"
	    "         [--schema-rfc7489 XSD] [--db URL] [-v]\n"
	    "       authmilter-report summary [--history FILE]... [--from EPOCH --to EPOCH] [--json]\n"
	    "       authmilter-report enrich [-c CONF] [--max N] [--seconds S] [--no-rdns]\n"
	    "       authmilter-report alerts [-c CONF] [--dry-run | --stdout] [--json]\n"
	    "       (ingest, reports, failures, dashboard, db-init, db-upgrade, import:\n"
	    "        see authmilter-report(8))\n"
	    "The period is yesterday (UTC) unless --day or --from/--to says otherwise.\n");
	exit(help ? 0 : 64);
}

/* day - a YYYY-MM-DD argument as the epoch of its 00:00 UTC, or exit */
static long long
day(const char *s)
{
	struct tm tm, back;
	char *end;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%d", &tm);
	back = tm;
	/* timegm normalises 2023-11-31 to December 1: the date must survive */
	t = end != NULL ? timegm(&tm) : (time_t)-1;
	if (end == NULL || *end != '\0' || strlen(s) != 10 || back.tm_year < 70 || t < 0 ||
	    back.tm_mday != tm.tm_mday || back.tm_mon != tm.tm_mon) {
		fprintf(stderr, "authmilter-report: --day %s: not a date (YYYY-MM-DD)\n", s);
		exit(64);
	}
	return (long long)t;
}

/* epoch - parse a non-negative epoch argument or exit */
static long long
epoch(const char *s)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < 0) {
		fprintf(stderr, "authmilter-report: %s: not an epoch time\n", s);
		exit(64);
	}
	return v;
}

/* default_histories - HistoryFile and its rotated .1 and .gz siblings */
static void
default_histories(const struct conf *c, struct report_opts *o)
{
	static const char *const sfx[] = { "", ".1", ".1.gz", ".gz" };
	size_t i;

	if (c->history_file == NULL)
		return;
	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		struct buf b = BUF_INIT;

		buf_printf(&b, "%s%s", c->history_file, sfx[i]);
		strlist_add(&o->histories, b.data);
		buf_free(&b);
	}
	o->histories_optional = 1;
}

/* default_schema - the installed XSD, when present */
static const char *
default_schema(void)
{
	static const char path[] = AUTHMILTER_DATADIR "/rfc9990-dmarc-aggregate.xsd";

	return access(path, R_OK) == 0 ? path : NULL;
}

/* load_conf - the config file, or every default */
static struct conf *
load_conf(const char *path)
{
	struct buf err = BUF_INIT;
	struct conf *c;

	if (path == NULL)
		return conf_defaults();
	buf_init(&err);
	if ((c = conf_load(path, &err)) == NULL)
		fprintf(stderr, "authmilter-report: %s\n", err.data);
	buf_free(&err);
	return c;
}

/* parse_args - fill o from argv; returns the config path */
static const char *
parse_args(int argc, char **argv, struct report_opts *o, int *have_from, int *have_to)
{
	const char *conf_path = NULL;
	int ch, have_day = 0;

	while ((ch = getopt_long(argc, argv, "c:vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': conf_path = optarg; break;
		case OPT_HISTORY: strlist_add(&o->histories, optarg); break;
		case OPT_FROM: o->begin = epoch(optarg); *have_from = 1; break;
		case OPT_TO: o->end = epoch(optarg); *have_to = 1; break;
		case OPT_DAY: o->begin = day(optarg); o->end = o->begin + 86400; have_day = 1; break;
		case 'h': usage(1);
		case OPT_OUTDIR: o->outdir = optarg; break;
		case OPT_NOSEND: o->no_send = 1; break;
		case OPT_STATE: o->state_path = optarg; break;
		case OPT_SCHEMA: o->schema_path = optarg; break;
		case OPT_SCHEMA7489: o->rfc7489_schema = optarg; break;
		case OPT_DB: o->db_url = optarg; break;
		case 'v': log_set_debug(1); break;
		case OPT_FORMAT:
			if (strcmp(optarg, "rfc9990") == 0)
				o->format = REPORT_RFC9990;
			else if (strcmp(optarg, "rfc7489") == 0)
				o->format = REPORT_RFC7489;
			else
				usage(0);
			break;
		default: usage(0);
		}
	}
	if (optind != argc || *have_from != *have_to || (have_day && *have_from))
		usage(0);
	if (have_day)
		*have_from = *have_to = 1;
	return conf_path;
}

/* run_defaults - what the options left unset: the state file and schema
 * from the config, the sendmail and give-up times, the resolver that checks
 * external destinations (none with --no-send) */
static void
run_defaults(struct conf *c, struct report_opts *o)
{
	if (o->state_path == NULL)
		o->state_path = c->report_state_file;
	if (o->schema_path == NULL)
		o->schema_path = default_schema();
	else if (strcmp(o->schema_path, "none") == 0) {
		log_warnx("--schema none: reports are not validated before they leave");
		o->schema_path = NULL;
		o->no_validate = 1;
	}
	o->progress = isatty(2);
	o->sendmail_timeout = 300;
	o->give_up_after = 5L * 86400;
	if (!o->no_send) {
		struct buf err = BUF_INIT;

		o->dns = dns_new(&c->nameservers, (int)c->dns_timeout, c->trust_anchor_file, &err);
		if (o->dns == NULL)
			log_warnx("resolver: %s; external destinations cannot be verified",
			    err.data ? err.data : "?");
		buf_free(&err);
	}
}

/* main - options, defaults, one report_run */
int
main(int argc, char **argv)
{
	struct report_opts o;
	struct conf *c;
	int have_from = 0, have_to = 0, rc;
	const char *conf_path;

	if (argc > 1 && strcmp(argv[1], "summary") == 0)
		return summary_main(argc - 1, argv + 1);
	if (argc > 1 && cmd_db_is(argv[1]))
		return cmd_db_main(argc - 1, argv + 1);
	if (argc > 1 && cmd_ingest_is(argv[1]))
		return cmd_ingest_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "dashboard") == 0)
		return dash_store_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "enrich") == 0)
		return enrich_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "alerts") == 0)
		return alerts_cmd_main(argc - 1, argv + 1);
	memset(&o, 0, sizeof(o));
	log_open("authmilter-report", 0, NULL, 1);
	conf_path = parse_args(argc, argv, &o, &have_from, &have_to);
	if ((c = load_conf(conf_path)) == NULL)
		return 78;
	log_open("authmilter-report", c->syslog, c->syslog_facility, 1);
	signal(SIGPIPE, SIG_IGN);
	o.conf = c;
	o.now = time(NULL);
	if (!have_from) {
		/* RFC 9990 §"date_range": typically one UTC day from 0000 UTC */
		o.end = (long long)(o.now - o.now % 86400);
		o.begin = o.end - 86400;
	}
	if (o.end <= o.begin) {
		fprintf(stderr, "authmilter-report: --to must be after --from\n");
		return 64;
	}
	/* site-wide reports from SQL, unless --history names files */
	if (o.db_url == NULL && o.histories.n == 0)
		o.db_url = c->history_database;
	if (o.db_url != NULL && o.histories.n > 0) {
		fprintf(stderr, "authmilter-report: --db and --history exclude each other\n");
		return 64;
	}
	if (o.histories.n == 0 && o.db_url == NULL)
		default_histories(c, &o);
	if (o.histories.n == 0 && o.db_url == NULL) {
		fprintf(stderr, "authmilter-report: no --history and no HistoryFile\n");
		return 64;
	}
	run_defaults(c, &o);
	rc = report_run(&o);
	dns_free(o.dns);
	strlist_free(&o.histories);
	conf_free(c);
	return rc;
}
