/*
 * enrich.c - "authmilter-report enrich": reverse DNS, AS and country of the
 * source IPs of stored aggregate reports, into ip_info (enrich.h says when
 * and how much; sql/006-sources the table)
 *
 * One run: the addresses to look up are chosen by one query (grouped
 * first, so 1,000,000 rows cost one pass), looked up by ENRICH_THREADS
 * threads sharing one resolver and one deadline, then written in one
 * transaction (the store is not thread-safe: only this thread touches it).
 */
#include "config.h"

#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "enrich.h"
#include "log.h"
#include "rdns.h"
#include "store_schema.h"

#define DAY	86400

/* new addresses first, then temporary failures, then stale rows; the
 * addresses sending the most messages first in each */
static const char pick_sql[] =
	"SELECT g.ip FROM (SELECT source_ip AS ip, sum(count) AS n FROM agg_row"
	" GROUP BY source_ip) g LEFT JOIN ip_info i ON i.ip = g.ip"
	" WHERE i.ip IS NULL OR i.rdns_status = 'retry' OR i.looked_up < CAST($1 AS bigint)"
	" ORDER BY CASE WHEN i.ip IS NULL THEN 0 WHEN i.rdns_status = 'retry' THEN 1 ELSE 2 END,"
	" g.n DESC, g.ip LIMIT CAST($2 AS bigint)";
/* a temporary failure keeps the name found before */
static const char put_sql[] =
	"INSERT INTO ip_info (ip, rdns, rdns_ok, rdns_status, asn, as_org, country, looked_up)"
	" VALUES ($1, $2, CAST($3 AS bigint), $4, CAST($5 AS bigint), $6, $7, CAST($8 AS bigint))"
	" ON CONFLICT (ip) DO UPDATE SET"
	" rdns = CASE WHEN excluded.rdns_status = 'retry' THEN ip_info.rdns ELSE excluded.rdns END,"
	" rdns_ok = CASE WHEN excluded.rdns_status = 'retry' THEN ip_info.rdns_ok"
	" ELSE excluded.rdns_ok END, rdns_status = excluded.rdns_status, asn = excluded.asn,"
	" as_org = excluded.as_org, country = excluded.country, looked_up = excluded.looked_up";

/* one address of the run */
struct item {
	char	       *ip;
	int		done;
	struct rdns_result r;
	char		country[3];
	long		asn;
	char		asorg[256];
};

/* the work the threads share */
struct pool {
	struct item    *it;
	size_t		n, next;
	pthread_mutex_t	mu;
	const struct enrich_opts *o;
	time_t		deadline;
};

/* look_up - one address: GeoIP, then its name within the run's deadline */
static void
look_up(const struct pool *p, struct item *x, time_t left)
{
	struct dns_budget b;

	if (p->o->geoip != NULL)
		geoip_lookup(p->o->geoip, x->ip, x->country, &x->asn, x->asorg, sizeof(x->asorg));
	if (p->o->dns != NULL) {
		dns_budget_begin(&b, (int)left);
		rdns_lookup(p->o->dns, x->ip, &x->r);
		dns_budget_end(&b);
	}
	x->done = 1;
}

/* worker - take the next address until none is left or the deadline passed */
static void *
worker(void *arg)
{
	struct pool *p = arg;
	size_t i;
	time_t left;

	for (;;) {
		pthread_mutex_lock(&p->mu);
		i = p->next++;
		pthread_mutex_unlock(&p->mu);
		if (i >= p->n || (left = p->deadline - time(NULL)) <= 0)
			return NULL;
		look_up(p, &p->it[i], left);
	}
}

/* pick - the run's addresses into *it (caller frees); their count, or -1 */
static long
pick(struct store *s, const struct enrich_opts *o, struct item **it, struct buf *err)
{
	char stale[32], max[32];
	const char *p[2] = { stale, max };
	struct store_stmt *st;
	size_t n = 0, cap = 0;

	snprintf(stale, sizeof(stale), "%lld", (long long)o->now - (long long)o->refresh_days * DAY);
	snprintf(max, sizeof(max), "%ld", o->max);
	*it = NULL;
	if ((st = store_prepare(s, pick_sql, err)) == NULL)
		return -1;
	if (store_query(st, 2, p, err) != 0) {
		store_stmt_free(st);
		return -1;
	}
	while (store_next(st) == 1) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			*it = xrealloc(*it, cap * sizeof(**it));
		}
		memset(&(*it)[n], 0, sizeof(**it));
		(*it)[n++].ip = xstrdup(store_col(st, 0) ? store_col(st, 0) : "");
	}
	store_stmt_free(st);
	return (long)n;
}

/* status_word - the rdns_status of an address looked up */
static const char *
status_word(const struct enrich_opts *o, const struct item *x, struct enrich_stats *st)
{
	if (o->dns == NULL)
		return "off";
	switch (x->r.status) {
	case DNS_OK:
		st->named++;
		st->confirmed += x->r.confirmed != 0;
		return "ok";
	case DNS_NOTFOUND: st->noname++; return "none";
	case DNS_RETRY: st->retry++; return "retry";
	default: st->failed++; return "fail";
	}
}

/* put - one address's row; 0 or -1 */
static int
put(struct store_stmt *st, const struct enrich_opts *o, const struct item *x,
    struct enrich_stats *stats, struct buf *err)
{
	char ok[4], asn[32], when[32];
	const char *status = status_word(o, x, stats);
	const char *p[8] = { x->ip, x->r.name[0] ? x->r.name : NULL, ok, status,
	    x->asn > 0 ? asn : NULL, x->asorg[0] ? x->asorg : NULL,
	    x->country[0] ? x->country : NULL, when };

	snprintf(ok, sizeof(ok), "%d", x->r.confirmed != 0);
	snprintf(asn, sizeof(asn), "%ld", x->asn);
	snprintf(when, sizeof(when), "%lld", (long long)o->now);
	stats->geo += x->asn > 0 || x->country[0] != '\0';
	return store_query(st, 8, p, err);
}

/* write_all - the addresses looked up, in one transaction; 0 or -1 */
static int
write_all(struct store *s, const struct enrich_opts *o, struct item *it, size_t n,
    struct enrich_stats *stats, struct buf *err)
{
	struct store_stmt *st = NULL;
	size_t i;

	if (store_begin(s, err) != 0 || (st = store_prepare(s, put_sql, err)) == NULL)
		goto fail;
	for (i = 0; i < n; i++) {
		if (!it[i].done) {
			stats->left++;
			continue;
		}
		if (put(st, o, &it[i], stats, err) != 0)
			goto fail;
		stats->done++;
	}
	store_stmt_free(st);
	return store_commit(s, err);
fail:
	store_stmt_free(st);
	store_rollback(s);
	return -1;
}

/* enrich_run - see enrich.h */
int
enrich_run(struct store *s, const struct enrich_opts *o, struct enrich_stats *stats,
    struct buf *err)
{
	struct pool p;
	pthread_t th[ENRICH_THREADS];
	size_t i, nth;
	long n;
	int rc;

	memset(stats, 0, sizeof(*stats));
	memset(&p, 0, sizeof(p));
	if ((n = pick(s, o, &p.it, err)) < 0)
		return -1;
	p.n = (size_t)n;
	p.o = o;
	p.deadline = time(NULL) + o->seconds;
	stats->picked = (unsigned long)n;
	pthread_mutex_init(&p.mu, NULL);
	/* GeoIP alone is a memory lookup: no thread needed */
	nth = o->dns == NULL ? 0 : p.n < ENRICH_THREADS ? p.n : ENRICH_THREADS;
	for (i = 0; i < nth; i++)
		if (pthread_create(&th[i], NULL, worker, &p) != 0)
			break;
	nth = i;
	if (nth == 0)
		worker(&p);
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&p.mu);
	rc = write_all(s, o, p.it, p.n, stats, err);
	for (i = 0; i < p.n; i++)
		free(p.it[i].ip);
	free(p.it);
	return rc;
}

/* enrich_usage - the synopsis; exit 64, or 0 for --help */
static void __attribute__((noreturn))
enrich_usage(int help)
{
	fprintf(help ? stdout : stderr,
	    "usage: authmilter-report enrich [-c CONF] [--db URL] [--max N] [--seconds S]"
	    " [--no-rdns] [--quiet]\n");
	exit(help ? 0 : 64);
}

/* enrich_args - the command line over the configuration's values; exits
 * on a usage error */
static void
enrich_args(int argc, char **argv, const char **conf, const char **url, long *max,
    long *secs, int *nordns, int *quiet)
{
	static const struct option lo[] = {
		{ "config", required_argument, NULL, 'c' }, { "db", required_argument, NULL, 'd' },
		{ "max", required_argument, NULL, 'm' }, { "seconds", required_argument, NULL, 's' },
		{ "no-rdns", no_argument, NULL, 'n' }, { "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	const struct conf_key *k;
	char *end;
	int ch;

	while ((ch = getopt_long(argc, argv, "c:h", lo, NULL)) != -1) {
		switch (ch) {
		case 'c': *conf = optarg; break;
		case 'd': *url = optarg; break;
		case 'm': case 's':
			/* within the bounds of the keyword the option overrides */
			k = conf_key_find(ch == 'm' ? "ReportEnrichMax" : "ReportEnrichSeconds");
			*(ch == 'm' ? max : secs) = strtol(optarg, &end, 10);
			if (*end != '\0' || *optarg == '\0' || *(ch == 'm' ? max : secs) < k->min ||
			    *(ch == 'm' ? max : secs) > k->max)
				enrich_usage(0);
			break;
		case 'n': *nordns = 1; break;
		case 'q': *quiet = 1; break;
		case 'h': enrich_usage(1);
		default: enrich_usage(0);
		}
	}
	if (optind != argc)
		enrich_usage(0);
}

/* enrich_say - the run's one line on standard output, unless quiet */
static void
enrich_say(const struct enrich_stats *st, int quiet)
{
	char line[400];

	snprintf(line, sizeof(line), "enrich: %lu addresses looked up: %lu named (%lu"
	    " forward-confirmed), %lu without PTR, %lu to retry, %lu failed; %lu with GeoIP"
	    " data; %lu left for the next run", st->done, st->named, st->confirmed,
	    st->noname, st->retry, st->failed, st->geo, st->left);
	if (!quiet)
		printf("%s\n", line);
}

/* enrich_open - resolver and GeoIP of the configuration; 0, or -1 with err */
static int
enrich_open(const struct conf *c, int nordns, struct enrich_opts *o, struct buf *err)
{
	if (!nordns && c->report_rdns &&
	    (o->dns = dns_new(&c->nameservers, (int)c->dns_timeout, c->trust_anchor_file, err)) == NULL)
		return -1;
	if ((c->geoip_db || c->geoasn_db) &&
	    (o->geoip = geoip_open(c->geoip_db, c->geoasn_db, err)) == NULL)
		return -1;
	return 0;
}

/* enrich_main - see enrich.h */
int
enrich_main(int argc, char **argv)
{
	struct enrich_opts o;
	struct enrich_stats st;
	struct buf err = BUF_INIT;
	struct conf *c;
	struct store *s = NULL;
	const char *conf = NULL, *url = NULL;
	long max = 0, secs = 0;
	int nordns = 0, quiet = 0, rc = 78;

	log_open("authmilter-report", 0, NULL, 1);
	enrich_args(argc, argv, &conf, &url, &max, &secs, &nordns, &quiet);
	memset(&o, 0, sizeof(o));
	buf_init(&err);
	if ((c = conf ? conf_load(conf, &err) : conf_defaults()) == NULL ||
	    enrich_open(c, nordns, &o, &err) != 0)
		goto out;
	o.max = max ? max : c->report_enrich_max;
	o.seconds = secs ? secs : c->report_enrich_seconds;
	o.refresh_days = c->report_enrich_refresh;
	o.now = time(NULL);
	url = url ? url : c->report_database;
	rc = store_absent(url, &err) ? 66 : 75;
	if (rc == 75 && (s = store_schema_open(url, &err)) != NULL &&
	    (rc = enrich_run(s, &o, &st, &err) == 0 ? 0 : 75) == 0)
		enrich_say(&st, quiet);
out:
	if (rc != 0)
		log_warnx("enrich: %s", err.data ? err.data : "failed");
	store_close(s);
	dns_free(o.dns);
	geoip_close(o.geoip);
	conf_free(c);
	buf_free(&err);
	return rc;
}
