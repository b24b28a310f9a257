/*
 * cmd_db.c - "authmilter-report import | db-init | db-upgrade": the command
 * lines over the storage layer (store.h), its schema (store_schema.h) and
 * the history import (hist_import.h)
 *
 * Exit status: 0 done; 64 usage; 78 the database's schema does not match
 * this program (the message says what to run); 1 anything else (the
 * database cannot be reached, a file cannot be read, a statement failed:
 * what was committed stays, and a new run goes on from there).
 */
#include "config.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "cmd_db.h"
#include "hist_import.h"
#include "log.h"
#include "store.h"
#include "store_schema.h"

#ifndef AUTHMILTER_DATADIR
#define AUTHMILTER_DATADIR "/usr/share/authmilter"
#endif

struct db_args {
	const char     *cmd;
	const char     *url;
	const char     *host;
	const char     *sqldir;
	long long	to;		/* db-upgrade --to */
	size_t		batch;
	int		first;		/* argv index of the first HISTORY */
};

/* cmd_db_is - see cmd_db.h */
int
cmd_db_is(const char *word)
{
	return strcmp(word, "import") == 0 || strcmp(word, "db-init") == 0 ||
	    strcmp(word, "db-upgrade") == 0;
}

/* usage - the synopsis; exit 64, or 0 for --help */
static void __attribute__((noreturn))
usage(int help)
{
	fprintf(help ? stdout : stderr,
	    "usage: authmilter-report db-init --db URL [--sql-dir DIR] [--to VERSION]\n"
	    "       authmilter-report db-upgrade --db URL [--sql-dir DIR] [--to VERSION]\n"
	    "       authmilter-report import --db URL [--host ID] [--batch N] [-v] HISTORY...\n"
	    "URL: sqlite:PATH, a plain path (SQLite), postgresql://... or libpq key=value\n");
	exit(help ? 0 : 64);
}

/* number - a positive number argument, or exit */
static long long
number(const char *s)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v <= 0) {
		fprintf(stderr, "authmilter-report: %s: not a positive number\n", s);
		exit(64);
	}
	return v;
}

/* parse - options into a; exits on a usage error */
static void
parse(int argc, char **argv, struct db_args *a)
{
	static const struct option lo[] = {
		{ "db", required_argument, NULL, 'd' }, { "host", required_argument, NULL, 'H' },
		{ "sql-dir", required_argument, NULL, 'S' }, { "to", required_argument, NULL, 't' },
		{ "batch", required_argument, NULL, 'b' }, { "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	int ch, import = strcmp(argv[0], "import") == 0;

	memset(a, 0, sizeof(*a));
	a->cmd = argv[0];
	a->sqldir = AUTHMILTER_DATADIR "/sql";
	while ((ch = getopt_long(argc, argv, "vh", lo, NULL)) != -1) {
		switch (ch) {
		case 'd': a->url = optarg; break;
		case 'H': a->host = optarg; break;
		case 'S': a->sqldir = optarg; break;
		case 't': a->to = number(optarg); break;
		case 'b': a->batch = (size_t)number(optarg); break;
		case 'v': log_set_debug(1); break;
		case 'h': usage(1);
		default: usage(0);
		}
	}
	a->first = optind;
	if (a->url == NULL || (import && optind == argc) || (!import && optind != argc) ||
	    (import && a->to) || (!import && (a->host || a->batch)))
		usage(0);
}

/* run_schema - db-init (creates or upgrades) or db-upgrade (needs a schema) */
static int
run_schema(struct store *s, const struct db_args *a, struct buf *err)
{
	long long from, now;

	if (strcmp(a->cmd, "db-upgrade") == 0) {
		if (store_schema_version(s, &from, err) != 0)
			return 1;
		if (from == 0) {
			buf_adds(err, "database has no authmilter schema: run authmilter-report db-init");
			return 78;
		}
	}
	if (store_schema_upgrade(s, a->sqldir, a->to, &from, &now, err) != 0)
		return from > STORE_SCHEMA_VERSION ? 78 : 1;
	if (from == now)
		printf("%s: schema version %lld, nothing to do\n", store_kind_name(s), now);
	else
		printf("%s: schema version %lld -> %lld\n", store_kind_name(s), from, now);
	return 0;
}

/* run_import - each HISTORY file in turn */
static int
run_import(struct store *s, const struct db_args *a, char **argv, int argc, struct buf *err)
{
	struct hist_import_stats st;
	char host[HOST_NAME_MAX + 1];
	int i, rc = 0;

	if (store_schema_check(s, err) != 0)
		return 78;
	if (a->host == NULL) {
		if (gethostname(host, sizeof(host)) != 0)
			snprintf(host, sizeof(host), "localhost");
		host[sizeof(host) - 1] = '\0';
	}
	for (i = a->first; i < argc; i++) {
		struct buf e = BUF_INIT;

		if (hist_import_file(s, a->host ? a->host : host, argv[i], a->batch, &st, &e) != 0) {
			log_warnx("import: %s", e.data ? e.data : "failed");
			rc = 1;
		} else if (st.empty)
			printf("%s: no whole record yet\n", argv[i]);
		else
			printf("%s: %llu records imported, %llu skipped, at offset %lld\n", argv[i],
			    st.records, st.skipped, st.pos);
		buf_free(&e);
	}
	return rc;
}

/* cmd_db_main - see cmd_db.h */
int
cmd_db_main(int argc, char **argv)
{
	struct buf err = BUF_INIT;
	struct db_args a;
	struct store *s;
	int rc;

	log_open("authmilter-report", 0, NULL, 1);
	parse(argc, argv, &a);
	if ((s = store_open(a.url, &err)) == NULL)
		rc = 1;
	else if (strcmp(a.cmd, "import") == 0)
		rc = run_import(s, &a, argv, argc, &err);
	else
		rc = run_schema(s, &a, &err);
	if (rc != 0 && err.len > 0)
		fprintf(stderr, "authmilter-report %s: %s\n", a.cmd, err.data);
	store_close(s);
	buf_free(&err);
	return rc;
}
