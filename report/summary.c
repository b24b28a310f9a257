/*
 * summary.c - "authmilter-report summary": what the history files say, per
 * policy domain: messages, DMARC pass/fail, aligned DKIM and SPF pass/fail
 * (as DMARC counted them), what was done with the mail, and the busiest
 * source IPs with their country and AS as the milter recorded them.
 *
 * Reads any history file history_reader can (ours, OpenDMARC's, gzip).
 * Output is for people (aligned columns) or, with --json, for scripts.
 */
#include "config.h"

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "history.h"
#include "htab.h"
#include "json.h"
#include "log.h"
#include "summary.h"

/* entries keyed by a string, in the order first seen, indexed by htab;
 * each entry starts with its char *key */
struct map {
	struct htab	idx;
	size_t		n;
	void	      **v;
};

struct src {
	char	       *key;		/* IP address */
	unsigned long	n;
	char		country[3];
	long		asn;
	char	       *asorg;
};

enum { ACT_ACCEPT, ACT_QUARANTINE, ACT_REJECT, ACT_OTHER, NACT };

struct dom {
	char	       *key;		/* policy domain */
	unsigned long	n;
	unsigned long	dmarc_pass, dmarc_fail;
	unsigned long	dkim_pass, dkim_fail, spf_pass, spf_fail;
	unsigned long	act[NACT];
	unsigned long	tempfail, discard;
	struct map	srcs;
};

struct summary {
	struct map	doms;
	long long	from, to;	/* to 0: no filter */
	unsigned long	records, skipped, outside, files;
};

/* same_key - htab_intern's question: does entry pos have the key in arg */
struct map_key {
	const struct map *m;
	const char *key;
};

static int
same_key(const void *arg, size_t pos)
{
	const struct map_key *k = arg;

	return strcmp(*(char **)k->m->v[pos], k->key) == 0;
}

/* map_get - the entry for key, created zeroed (size bytes) when missing */
static void *
map_get(struct map *m, const char *key, size_t size)
{
	struct map_key k = { m, key };
	size_t i = htab_intern(&m->idx, htab_hash(key, strlen(key)), same_key, &k, m->n);

	if (i == m->n) {
		m->v = xrealloc(m->v, (m->n + 1) * sizeof(*m->v));
		m->v[i] = xcalloc(1, size);
		*(char **)m->v[i] = xstrdup(key);
		m->n++;
	}
	return m->v[i];
}

/* map_list - the entries as an array (caller frees the array only) */
static void **
map_list(const struct map *m)
{
	void **out = xcalloc(m->n + 1, sizeof(*out));

	if (m->n)
		memcpy(out, m->v, m->n * sizeof(*out));
	return out;
}

/* summary_free - every domain and source */
static void
summary_free(struct summary *s)
{
	struct dom *d;
	struct src *x;
	size_t i, j;

	for (i = 0; i < s->doms.n; i++) {
		d = s->doms.v[i];
		for (j = 0; j < d->srcs.n; j++) {
			x = d->srcs.v[j];
			free(x->key);
			free(x->asorg);
			free(x);
		}
		htab_free(&d->srcs.idx);
		free(d->srcs.v);
		free(d->key);
		free(d);
	}
	htab_free(&s->doms.idx);
	free(s->doms.v);
}

/* add_record - count one record */
static void
add_record(struct summary *s, const struct history_rec *r)
{
	const char *name = r->pdomain ? r->pdomain : r->from ? r->from : "(none)";
	struct dom *d;
	struct src *x;

	if (s->to && (r->received < s->from || r->received >= s->to)) {
		s->outside++;
		return;
	}
	s->records++;
	d = map_get(&s->doms, name, sizeof(*d));
	d->n++;
	if (r->policy == HISTORY_POLICY_PASS)
		d->dmarc_pass++;
	else if (r->policy != HISTORY_POLICY_ABSENT)
		d->dmarc_fail++;
	d->dkim_pass += r->align_dkim == HISTORY_ALIGN_PASS;
	d->dkim_fail += r->align_dkim == HISTORY_ALIGN_FAIL;
	d->spf_pass += r->align_spf == HISTORY_ALIGN_PASS;
	d->spf_fail += r->align_spf == HISTORY_ALIGN_FAIL;
	switch (r->action) {
	case HISTORY_ACTION_ACCEPT: d->act[ACT_ACCEPT]++; break;
	case HISTORY_ACTION_QUARANTINE: d->act[ACT_QUARANTINE]++; break;
	case HISTORY_ACTION_REJECT: d->act[ACT_REJECT]++; break;
	case HISTORY_ACTION_TEMPFAIL: d->tempfail++; d->act[ACT_OTHER]++; break;
	case HISTORY_ACTION_DISCARD: d->discard++; d->act[ACT_OTHER]++; break;
	default: d->act[ACT_OTHER]++; break;
	}
	x = map_get(&d->srcs, r->ipaddr ? r->ipaddr : "(unknown)", sizeof(*x));
	x->n++;
	if (r->country && strlen(r->country) == 2)
		memcpy(x->country, r->country, 3);
	if (r->asn)
		x->asn = r->asn;
	if (r->asorg) {
		free(x->asorg);
		x->asorg = xstrdup(r->asorg);
	}
}

/* read_file - add every record of one history file; -1 when unreadable */
static int
read_file(struct summary *s, const char *path, int optional)
{
	struct history_reader *rd;
	struct history_rec *r;
	struct buf err = BUF_INIT;
	int rc;

	buf_init(&err);
	if ((rd = history_reader_open(path, &err)) == NULL) {
		if (!optional || access(path, F_OK) == 0)
			fprintf(stderr, "authmilter-report: %s\n", err.data);
		buf_free(&err);
		return optional ? 0 : -1;
	}
	s->files++;
	while ((rc = history_reader_next(rd, &r)) == 1) {
		add_record(s, r);
		history_rec_free(r);
	}
	if (rc < 0)
		fprintf(stderr, "authmilter-report: %s: read error\n", path);
	s->skipped += history_reader_skipped(rd);
	history_reader_close(rd);
	buf_free(&err);
	return rc < 0 ? -1 : 0;
}

/* cmp_dom - most messages first, then by name */
static int
cmp_dom(const void *a, const void *b)
{
	const struct dom *x = *(const struct dom *const *)a, *y = *(const struct dom *const *)b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* cmp_src - most messages first, then by address */
static int
cmp_src(const void *a, const void *b)
{
	const struct src *x = *(const struct src *const *)a, *y = *(const struct src *const *)b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* a text table: cells row by row, numeric columns right-aligned */
#define NCOLMAX 12
struct table {
	size_t		ncol, nrow;
	const char     *numeric;	/* one char per column: 'n' or 's' */
	char	      **cell;
};

/* table_add - append one row of ncol cells (copied; terminal-safe) */
static void
table_add(struct table *t, const char *const *cells)
{
	size_t i;
	char *c, *p;

	t->cell = xrealloc(t->cell, (t->nrow + 1) * t->ncol * sizeof(*t->cell));
	for (i = 0; i < t->ncol; i++) {
		c = xstrdup(cells[i] ? cells[i] : "");
		for (p = c; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		t->cell[t->nrow * t->ncol + i] = c;
	}
	t->nrow++;
}

/* table_print - aligned columns, two spaces apart; frees the cells */
static void
table_print(struct table *t, FILE *out)
{
	size_t w[NCOLMAX] = { 0 }, r, c, len;
	const char *v;

	for (r = 0; r < t->nrow; r++)
		for (c = 0; c < t->ncol; c++)
			if ((len = strlen(t->cell[r * t->ncol + c])) > w[c])
				w[c] = len;
	for (r = 0; r < t->nrow; r++) {
		for (c = 0; c < t->ncol; c++) {
			v = t->cell[r * t->ncol + c];
			if (c + 1 == t->ncol && t->numeric[c] != 'n')
				fprintf(out, "%s", v);	/* no trailing blanks */
			else
				fprintf(out, t->numeric[c] == 'n' ? "%*s" : "%-*s", (int)w[c], v);
			fputs(c + 1 == t->ncol ? "\n" : "  ", out);
			free(t->cell[r * t->ncol + c]);
		}
	}
	free(t->cell);
	t->cell = NULL;
	t->nrow = 0;
}

/* num - a counter as text in the caller's buffer */
static const char *
num(unsigned long v, char buf[32])
{
	snprintf(buf, 32, "%lu", v);
	return buf;
}

/* print_text - the domain table, then the sources table */
static void
print_text(struct dom **d, size_t nd, size_t top, const struct summary *s, FILE *out)
{
	static const char *const h1[] = { "DOMAIN", "MESSAGES", "DMARC-PASS", "DMARC-FAIL",
	    "DKIM-PASS", "DKIM-FAIL", "SPF-PASS", "SPF-FAIL", "ACCEPTED", "QUARANTINED",
	    "REJECTED", "OTHER" };
	static const char *const h2[] = { "DOMAIN", "SOURCE-IP", "MESSAGES", "COUNTRY", "ASN",
	    "AS-ORGANISATION" };
	struct table t1 = { 12, 0, "snnnnnnnnnnn", NULL }, t2 = { 6, 0, "ssnsns", NULL };
	char b[12][32], asn[32];
	const char *row[12];
	struct src **x;
	size_t i, j;

	fprintf(out, "%lu records from %lu files", s->records, s->files);
	if (s->skipped)
		fprintf(out, ", %lu malformed or torn records skipped", s->skipped);
	if (s->to)
		fprintf(out, ", received in [%lld, %lld), %lu outside", s->from, s->to,
		    s->outside);
	fprintf(out, "\nDKIM and SPF: aligned pass/fail as DMARC counted them\n\n");
	table_add(&t1, h1);
	for (i = 0; i < nd; i++) {
		row[0] = d[i]->key;
		row[1] = num(d[i]->n, b[1]);
		row[2] = num(d[i]->dmarc_pass, b[2]);
		row[3] = num(d[i]->dmarc_fail, b[3]);
		row[4] = num(d[i]->dkim_pass, b[4]);
		row[5] = num(d[i]->dkim_fail, b[5]);
		row[6] = num(d[i]->spf_pass, b[6]);
		row[7] = num(d[i]->spf_fail, b[7]);
		for (j = 0; j < NACT; j++)
			row[8 + j] = num(d[i]->act[j], b[8 + j]);
		table_add(&t1, row);
	}
	table_print(&t1, out);
	if (top == 0 || nd == 0)
		return;
	fprintf(out, "\nTop %zu source IPs per domain\n\n", top);
	table_add(&t2, h2);
	for (i = 0; i < nd; i++) {
		x = (struct src **)map_list(&d[i]->srcs);
		qsort(x, d[i]->srcs.n, sizeof(*x), cmp_src);
		for (j = 0; j < d[i]->srcs.n && j < top; j++) {
			row[0] = d[i]->key;
			row[1] = x[j]->key;
			row[2] = num(x[j]->n, b[2]);
			row[3] = x[j]->country[0] ? x[j]->country : "-";
			snprintf(asn, sizeof(asn), "%ld", x[j]->asn);
			row[4] = x[j]->asn ? asn : "-";
			row[5] = x[j]->asorg ? x[j]->asorg : "-";
			table_add(&t2, row);
		}
		free(x);
	}
	table_print(&t2, out);
}

/* json_dom - one domain object */
static void
json_dom(struct buf *b, const struct dom *d, size_t top)
{
	struct src **x;
	size_t j;

	buf_adds(b, "{\"domain\":");
	json_str(b, d->key, strlen(d->key));
	buf_printf(b, ",\"messages\":%lu,\"dmarc\":{\"pass\":%lu,\"fail\":%lu,\"none\":%lu}",
	    d->n, d->dmarc_pass, d->dmarc_fail, d->n - d->dmarc_pass - d->dmarc_fail);
	buf_printf(b, ",\"dkim\":{\"pass\":%lu,\"fail\":%lu},\"spf\":{\"pass\":%lu,\"fail\":%lu}",
	    d->dkim_pass, d->dkim_fail, d->spf_pass, d->spf_fail);
	buf_printf(b, ",\"action\":{\"accept\":%lu,\"quarantine\":%lu,\"reject\":%lu,"
	    "\"tempfail\":%lu,\"discard\":%lu,\"other\":%lu}", d->act[ACT_ACCEPT],
	    d->act[ACT_QUARANTINE], d->act[ACT_REJECT], d->tempfail, d->discard,
	    d->act[ACT_OTHER] - d->tempfail - d->discard);
	buf_adds(b, ",\"sources\":[");
	x = (struct src **)map_list(&d->srcs);
	qsort(x, d->srcs.n, sizeof(*x), cmp_src);
	for (j = 0; j < d->srcs.n && j < top; j++) {
		buf_adds(b, j ? ",{\"ip\":" : "{\"ip\":");
		json_str(b, x[j]->key, strlen(x[j]->key));
		buf_printf(b, ",\"messages\":%lu,\"country\":", x[j]->n);
		if (x[j]->country[0])
			json_str(b, x[j]->country, strlen(x[j]->country));
		else
			buf_adds(b, "null");
		buf_printf(b, ",\"asn\":%ld,\"asorg\":", x[j]->asn);
		if (x[j]->asorg)
			json_str(b, x[j]->asorg, strlen(x[j]->asorg));
		else
			buf_adds(b, "null");
		buf_addc(b, '}');
	}
	free(x);
	buf_adds(b, "]}");
}

/* print_json - one object */
static void
print_json(struct dom **d, size_t nd, size_t top, const struct summary *s, FILE *out)
{
	struct buf b = BUF_INIT;
	size_t i;

	buf_init(&b);
	buf_printf(&b, "{\"files\":%lu,\"records\":%lu,\"skipped\":%lu,", s->files, s->records,
	    s->skipped);
	if (s->to)
		buf_printf(&b, "\"from\":%lld,\"to\":%lld,\"outside\":%lu,", s->from, s->to,
		    s->outside);
	buf_adds(&b, "\"domains\":[");
	for (i = 0; i < nd; i++) {
		if (i)
			buf_addc(&b, ',');
		json_dom(&b, d[i], top);
	}
	buf_adds(&b, "]}\n");
	fputs(b.data, out);
	buf_free(&b);
}

/* usage - the synopsis; exit 64 */
static int
usage(void)
{
	fprintf(stderr, "usage: authmilter-report summary [-c CONF] [--history FILE]... "
	    "[--from EPOCH --to EPOCH] [--top N] [--json]\n");
	return 64;
}

/* epoch_arg - a non-negative integer argument; -1 when invalid */
static long long
epoch_arg(const char *s)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	return *s && *end == '\0' && v >= 0 ? v : -1;
}

/* default_files - CONF's HistoryFile and its rotated siblings */
static int
default_files(const char *conf_path, struct strlist *files)
{
	static const char *const sfx[] = { "", ".1", ".1.gz", ".gz" };
	struct buf err = BUF_INIT, b = BUF_INIT;
	struct conf *c;
	size_t i;

	buf_init(&err);
	c = conf_path ? conf_load(conf_path, &err) : conf_defaults();
	if (c == NULL) {
		fprintf(stderr, "authmilter-report: %s\n", err.data);
		buf_free(&err);
		return 78;
	}
	for (i = 0; c->history_file && i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		buf_init(&b);
		buf_printf(&b, "%s%s", c->history_file, sfx[i]);
		strlist_add(files, b.data);
		buf_free(&b);
	}
	conf_free(c);
	buf_free(&err);
	if (files->n == 0) {
		fprintf(stderr, "authmilter-report: no --history and no HistoryFile\n");
		return 64;
	}
	return 0;
}

/* the command line of "summary" (summary.h) */
struct args {
	struct strlist	files;		/* --history, in order */
	const char     *conf_path;	/* -c */
	long long	top, from, to;	/* from and to: -1 when not given */
	int		json;
};

/* parse_args - argv into a (a->files the caller frees); 0, or 64 on a usage error */
static int
parse_args(int argc, char **argv, struct args *a)
{
	enum { O_HISTORY = 256, O_FROM, O_TO, O_TOP, O_JSON };
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "history", required_argument, NULL, O_HISTORY },
		{ "from", required_argument, NULL, O_FROM },
		{ "to", required_argument, NULL, O_TO },
		{ "top", required_argument, NULL, O_TOP },
		{ "json", no_argument, NULL, O_JSON },
		{ NULL, 0, NULL, 0 }
	};
	int ch, rc = 0;

	memset(a, 0, sizeof(*a));
	a->top = 5;
	a->from = a->to = -1;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
		switch (ch) {
		case 'c': a->conf_path = optarg; break;
		case O_HISTORY: strlist_add(&a->files, optarg); break;
		case O_FROM: if ((a->from = epoch_arg(optarg)) < 0) rc = 64; break;
		case O_TO: if ((a->to = epoch_arg(optarg)) < 0) rc = 64; break;
		case O_TOP: if ((a->top = epoch_arg(optarg)) < 0) rc = 64; break;
		case O_JSON: a->json = 1; break;
		default: rc = 64;
		}
	}
	if (rc || optind != argc || (a->from < 0) != (a->to < 0) ||
	    (a->to >= 0 && a->to <= a->from))
		return 64;
	return 0;
}

/* print_summary - the domains, most messages first, as text or JSON on stdout */
static void
print_summary(const struct summary *s, const struct args *a)
{
	struct dom **d = (struct dom **)map_list(&s->doms);

	qsort(d, s->doms.n, sizeof(*d), cmp_dom);
	if (a->json)
		print_json(d, s->doms.n, (size_t)a->top, s, stdout);
	else
		print_text(d, s->doms.n, (size_t)a->top, s, stdout);
	free(d);
}

/* summary_main - see summary.h */
int
summary_main(int argc, char **argv)
{
	struct summary s;
	struct args a;
	int rc, optional = 0;
	size_t i;

	if (parse_args(argc, argv, &a) != 0) {
		strlist_free(&a.files);
		return usage();
	}
	log_open("authmilter-report", 0, NULL, 1);
	if (a.files.n == 0) {
		optional = 1;
		if ((rc = default_files(a.conf_path, &a.files)) != 0) {
			strlist_free(&a.files);
			return rc;
		}
	}
	memset(&s, 0, sizeof(s));
	if (a.to >= 0) {
		s.from = a.from;
		s.to = a.to;
	}
	rc = 0;
	for (i = 0; i < a.files.n; i++)
		if (read_file(&s, a.files.v[i], optional) != 0)
			rc = 66;
	print_summary(&s, &a);
	summary_free(&s);
	strlist_free(&a.files);
	return rc;
}
