/*
 * milterload.c - load driver for milters: replays message files at a given
 * concurrency against one milter, or a chain of milters the way Postfix
 * runs smtpd_milters, and reports throughput, latency per phase, the
 * answers received (checked against expectations, so that a fast wrong
 * answer is caught), errors, and the CPU and peak RSS of given processes.
 *
 * usage: milterload --milter SOCKET [--milter SOCKET]... [options] MSG...
 *   -c, --concurrency N   parallel connections (8)
 *   -n, --count N         messages to send (1000); or
 *   -d, --duration S      send for S seconds
 *   --warmup N            unmeasured messages first (0)
 *   --per-conn K          messages per milter connection (1: as Postfix
 *                         does for a one-message SMTP session)
 *   --client-ip IP --client-name N --helo H --from A --rcpt A
 *   --auth-user U         envelope and macros, as for miltc
 *   --from-header         MAIL FROM is each message's From: address, and
 *                         "%d" in --helo stands for its domain (a corpus
 *                         of messages from distinct domains)
 *   --gap MS              the SMTP client's round trip: wait MS ms before
 *                         each phase of --gap-at, as an MTA waits for the
 *                         client's next command (default 0: back to back)
 *   --gap-at LIST         phases that wait (helo,mail,header: Postfix with
 *                         a PIPELINING client, which sends MAIL, RCPT and
 *                         DATA at once and the message after the 354
 *                         reply; Postfix hands the milters the headers,
 *                         body and end of message only once the client's
 *                         final dot is in the queue file, back to back).
 *                         Names: helo mail rcpt data header body eom
 *   --expect-action A     final action every message must get (accept,
 *                         reject, tempfail, discard)
 *   --expect-header RE    a header added or changed by the chain must match
 *                         this POSIX ERE ("Name: value", unfolded); repeatable
 *   --pid LABEL=PID       report CPU s per 1,000 messages (utime+stime from
 *                         /proc/PID/stat over the measured run) and VmHWM
 *   --label L --tsv FILE  name of the run; append a TSV row to FILE
 *   --timeout S           per read/write (30)
 *
 * Chains: Postfix gives each milter in smtpd_milters the message in turn;
 * the cleanup server applies a milter's header edits to the queue file
 * before the next one reads it, so the second milter sees the first one's
 * Authentication-Results (which is how OpenDMARC gets OpenDKIM's results).
 * A reject, tempfail or discard ends the chain. Here each milter gets the
 * whole transaction in turn with the edits of the earlier ones applied.
 *
 * Output (stdout), key=value lines:
 *   run label=L milters=M conc=C msgs=N secs=S rate=R errors=E wrong=W
 *   latency_ms phase=P n=N p50=A p99=B max=C   (P: connect mail header
 *              body eom content total; connect = socket to HELO reply, for
 *              messages that opened a connection; content = first header
 *              sent to the end-of-message reply, what the SMTP client
 *              waits after its final dot; in a chain, phases are summed)
 *   actions accept=N reject=N ...
 *   cpu label=L pid=P cpu_s=S cpu_s_per_1k=X vmhwm_kb=K
 *   error|wrong: first few examples (stderr)
 * Exit: 0 all fine, 1 wrong answers, 2 errors (timeouts, protocol errors).
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <regex.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "milterproto.h"

#define MAX_MILTERS 4
#define MAX_EXPECT 8
#define MAX_PIDS 8
enum { L_CONNECT, L_MAIL, L_HEADER, L_BODY, L_EOM, L_CONTENT, L_TOTAL,
	L_COUNT };
static const char *const lat_names[L_COUNT] = { "connect", "mail", "header",
	"body", "eom", "content", "total" };

struct samples {
	double *v;
	size_t n, cap;
};

struct stats {
	struct samples lat[L_COUNT];
	unsigned long msgs, errors, wrong;
	unsigned long actions[MP_ACT_SHUTDOWN + 1];
};

struct cfg {
	const char *milters[MAX_MILTERS];
	int nmilters;
	MP_MSG **msgs;
	size_t nmsgs;
	MP_ENV env;
	int from_header;
	char **msg_from, **msg_helo;	/* per message with --from-header */
	int conc, per_conn, timeout_ms;
	unsigned long count, warmup;
	double duration;
	int expect_action;
	regex_t expect[MAX_EXPECT];
	const char *expect_src[MAX_EXPECT];
	int nexpect;
};

struct run {
	const struct cfg *cfg;
	atomic_ulong next;
	unsigned long limit;	/* 0: until deadline */
	double deadline;
	atomic_int reported;	/* examples printed */
	pthread_mutex_t lock;
	struct stats total;
};

/* now_s - monotonic seconds */
static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* sample_add - record one latency */
static void sample_add(struct samples *s, double v)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1024;
		s->v = xrealloc(s->v, s->cap * sizeof(double));
	}
	s->v[s->n++] = v;
}

/* example - print one error or wrong answer, the first 5 only */
static void example(struct run *r, const char *kind, const char *text)
{
	if (atomic_fetch_add(&r->reported, 1) < 5)
		fprintf(stderr, "milterload: %s: %s\n", kind, text);
}

/* span - end of the latest phase of [from, to] reached, or 0 */
static double span(const MP_RESULT *res, int from, int to)
{
	double t = 0;

	for (int p = from; p <= to; p++)
		if (res->t_done[p] > t)
			t = res->t_done[p];
	return t;
}

/* add_phases - add one milter's phase durations to lat[] */
static void add_phases(const MP_RESULT *res, double lat[L_COUNT])
{
	static const int grp[4][2] = { { MP_PH_MAIL, MP_PH_RCPT },
		{ MP_PH_DATA, MP_PH_EOH }, { MP_PH_BODY, MP_PH_BODY },
		{ MP_PH_EOM, MP_PH_EOM } };
	double prev = res->t_start;

	for (int g = 0; g < 4; g++) {
		double end = span(res, grp[g][0], grp[g][1]);
		if (end > 0) {
			lat[L_MAIL + g] += end - prev;
			prev = end;
		}
	}
	if (res->t_content > 0 && res->t_done[MP_PH_EOM] > 0)
		lat[L_CONTENT] += res->t_done[MP_PH_EOM] - res->t_content;
}

/* header_ok - whether some header edit matches the expression */
static int header_ok(const regex_t *re, MP_RESULT *res, int n)
{
	struct buf b = BUF_INIT;
	int hit = 0;

	for (int m = 0; m < n && !hit; m++)
		for (size_t i = 0; i < res[m].nedits && !hit; i++) {
			const MP_EDIT *e = &res[m].edits[i];
			if (e->op > MP_ED_CHGHEADER)
				continue;
			const char *v = e->value;
			if (res[m].leadspc && (*v == ' ' || *v == '\t'))
				v++;
			buf_reset(&b);
			buf_printf(&b, "%s: ", e->name);
			for (; *v; v++)	/* unfold */
				if (*v != '\r' && *v != '\n')
					buf_addc(&b, *v);
			hit = regexec(re, b.data, 0, NULL, 0) == 0;
		}
	buf_free(&b);
	return hit;
}

/* check - compare a message's outcome with the expectations */
static int check(struct run *r, MP_RESULT *res, int n, int action)
{
	const struct cfg *c = r->cfg;
	char why[300];

	const char *reply = n > 0 && res[n - 1].reply ? res[n - 1].reply : "";

	if (c->expect_action >= 0 && action != c->expect_action) {
		snprintf(why, sizeof(why), "action %s, expected %s%s%s",
			 mp_action_name(action), mp_action_name(c->expect_action),
			 *reply ? ": " : "", reply);
		example(r, "wrong", why);
		return 0;
	}
	for (int i = 0; i < c->nexpect; i++)
		if (!header_ok(&c->expect[i], res, n)) {
			snprintf(why, sizeof(why), "no header matches /%s/",
				 c->expect_src[i]);
			example(r, "wrong", why);
			return 0;
		}
	return 1;
}

/* conns_close - QUIT and close every connection of a worker */
static void conns_close(MP_CONN **conns, int n, int quit)
{
	for (int i = 0; i < n; i++) {
		mp_close(conns[i], quit);
		conns[i] = NULL;
	}
}

/* conns_open - connect, OPTNEG, CONNECT, HELO to every milter; returns
 * MP_OK, MP_DONE (a milter decided at connect: *action) or MP_ERROR */
static int conns_open(struct run *r, MP_CONN **conns, const MP_ENV *env,
		      int *action)
{
	const struct cfg *c = r->cfg;
	char why[300];

	for (int i = 0; i < c->nmilters; i++) {
		MP_RESULT res;
		int st;
		conns[i] = mp_open(c->milters[i], c->timeout_ms, why, sizeof(why));
		if (conns[i] == NULL) {
			example(r, "error", why);
			return MP_ERROR;
		}
		mp_result_init(&res);
		st = mp_optneg(conns[i], env);
		if (st == MP_OK)
			st = mp_connect(conns[i], env, &res);
		*action = res.action;
		mp_result_clear(&res);
		if (st == MP_ERROR)
			example(r, "error", mp_why(conns[i]));
		if (st != MP_OK)
			return st;
	}
	return MP_OK;
}

/* chain - one message through every milter; returns MP_OK or MP_ERROR,
 * the final action in *action and phase latencies added to lat[] */
static int chain(struct run *r, MP_CONN **conns, const MP_ENV *env,
		 const MP_MSG *msg, MP_RESULT *res, int *nres, int *action,
		 double lat[L_COUNT])
{
	const struct cfg *c = r->cfg;
	MP_MSG *cur = NULL;
	int st = MP_OK;

	*action = MP_ACT_ACCEPT;
	*nres = 0;
	for (int i = 0; i < c->nmilters; i++) {
		const MP_MSG *in = cur ? cur : msg;
		st = mp_message(conns[i], env, in, &res[i]);
		(*nres)++;
		if (st == MP_ERROR) {
			example(r, "error", mp_why(conns[i]));
			break;
		}
		add_phases(&res[i], lat);
		*action = res[i].action;
		if (*action != MP_ACT_ACCEPT && *action != MP_ACT_CONTINUE)
			break;
		if (i + 1 < c->nmilters) {	/* the next one sees the edits */
			if (cur == NULL)
				cur = mp_msg_copy(msg);
			mp_msg_apply(cur, &res[i]);
		}
	}
	if (*action == MP_ACT_CONTINUE)
		*action = MP_ACT_ACCEPT;
	mp_msg_free(cur);
	return st == MP_ERROR ? MP_ERROR : MP_OK;
}

/* merge - add a worker's statistics to the run's */
static void merge(struct run *r, struct stats *s)
{
	pthread_mutex_lock(&r->lock);
	for (int l = 0; l < L_COUNT; l++)
		for (size_t i = 0; i < s->lat[l].n; i++)
			sample_add(&r->total.lat[l], s->lat[l].v[i]);
	r->total.msgs += s->msgs;
	r->total.errors += s->errors;
	r->total.wrong += s->wrong;
	for (int a = 0; a <= MP_ACT_SHUTDOWN; a++)
		r->total.actions[a] += s->actions[a];
	pthread_mutex_unlock(&r->lock);
	for (int l = 0; l < L_COUNT; l++)
		free(s->lat[l].v);
}

/* worker - send messages until the count or the deadline is reached */
static void *worker(void *arg)
{
	struct run *r = arg;
	const struct cfg *c = r->cfg;
	MP_CONN *conns[MAX_MILTERS] = { 0 };
	MP_RESULT res[MAX_MILTERS];
	struct stats s;
	int on_conn = 0;

	memset(&s, 0, sizeof(s));
	for (;;) {
		unsigned long idx = atomic_fetch_add(&r->next, 1);
		double lat[L_COUNT] = { 0 }, t0 = now_s();
		int action = MP_ACT_ACCEPT, st = MP_OK, nres = 0;
		MP_ENV env = c->env;
		if ((r->limit && idx >= r->limit) ||
		    (!r->limit && t0 >= r->deadline))
			break;
		if (c->from_header) {
			env.from = c->msg_from[idx % c->nmsgs];
			env.helo = c->msg_helo[idx % c->nmsgs];
		}
		if (conns[0] == NULL || on_conn >= c->per_conn) {
			conns_close(conns, c->nmilters, 1);
			on_conn = 0;
			st = conns_open(r, conns, &env, &action);
			lat[L_CONNECT] = now_s() - t0;
			if (st == MP_OK)
				sample_add(&s.lat[L_CONNECT], lat[L_CONNECT]);
		}
		for (int i = 0; i < c->nmilters; i++)
			mp_result_init(&res[i]);
		if (st == MP_OK)
			st = chain(r, conns, &env, c->msgs[idx % c->nmsgs],
				   res, &nres, &action, lat);
		on_conn++;
		s.msgs++;
		if (st == MP_ERROR) {
			s.errors++;
			conns_close(conns, c->nmilters, 0);
		} else {
			if (st == MP_DONE)	/* decided at connect */
				conns_close(conns, c->nmilters, 1);
			s.actions[action]++;
			if (!check(r, res, nres, action))
				s.wrong++;
			for (int l = L_MAIL; l < L_TOTAL; l++)
				sample_add(&s.lat[l], lat[l]);
			sample_add(&s.lat[L_TOTAL], now_s() - t0);
		}
		for (int i = 0; i < c->nmilters; i++)
			mp_result_clear(&res[i]);
	}
	conns_close(conns, c->nmilters, 1);
	merge(r, &s);
	return NULL;
}

/* run_phase - run workers for limit messages (or until the deadline) */
static void run_phase(struct run *r, const struct cfg *c, unsigned long limit,
		      double duration)
{
	pthread_t *t = xcalloc((size_t)c->conc, sizeof(pthread_t));

	memset(r, 0, sizeof(*r));
	r->cfg = c;
	r->limit = limit;
	r->deadline = now_s() + duration;
	pthread_mutex_init(&r->lock, NULL);
	for (int i = 0; i < c->conc; i++)
		if (pthread_create(&t[i], NULL, worker, r) != 0) {
			fprintf(stderr, "milterload: pthread_create: %s\n",
				strerror(errno));
			exit(2);
		}
	for (int i = 0; i < c->conc; i++)
		pthread_join(t[i], NULL);
	pthread_mutex_destroy(&r->lock);
	free(t);
}

/* cmp_double - qsort order */
static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* pct - the p-th percentile (nearest rank) of sorted samples */
static double pct(const struct samples *s, double p)
{
	size_t k;

	if (s->n == 0)
		return 0;
	k = (size_t)(p / 100.0 * (double)s->n + 0.999999);
	if (k < 1)
		k = 1;
	if (k > s->n)
		k = s->n;
	return s->v[k - 1];
}

/* proc_cpu - utime+stime of a process in seconds, -1 when gone */
static double proc_cpu(long pid)
{
	char path[64], line[1024];
	FILE *fp;
	unsigned long ut = 0, st = 0;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	size_t n = fread(line, 1, sizeof(line) - 1, fp);
	fclose(fp);
	line[n] = '\0';
	char *p = strrchr(line, ')');	/* comm may hold spaces */
	if (p == NULL || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u "
				"%*u %*u %lu %lu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* proc_hwm - VmHWM (peak RSS) in KiB, -1 when unknown */
static long proc_hwm(long pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	if ((fp = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp))
		if (sscanf(line, "VmHWM: %ld", &kb) == 1)
			break;
	fclose(fp);
	return kb;
}


struct pidref {
	const char *label;
	long pid;
	double cpu0, cpu1;
};

/* report - print the run's figures; append a TSV row when asked */
static void report(struct run *r, const struct cfg *c, const char *label,
		   double secs, struct pidref *pids, int npids,
		   const char *tsv)
{
	struct stats *t = &r->total;
	struct buf row = BUF_INIT, head = BUF_INIT;
	double rate = secs > 0 ? (double)t->msgs / secs : 0;

	printf("run label=%s milters=%d conc=%d msgs=%lu secs=%.3f rate=%.1f "
	       "errors=%lu wrong=%lu\n", label, c->nmilters, c->conc, t->msgs,
	       secs, rate, t->errors, t->wrong);
	buf_adds(&head, "label\tmilters\tconc\tmsgs\tsecs\tmsg_per_s\terrors\t"
		 "wrong");
	buf_printf(&row, "%s\t%d\t%d\t%lu\t%.3f\t%.1f\t%lu\t%lu", label,
		   c->nmilters, c->conc, t->msgs, secs, rate, t->errors,
		   t->wrong);
	for (int l = 0; l < L_COUNT; l++) {
		struct samples *s = &t->lat[l];
		if (s->n > 1)
			qsort(s->v, s->n, sizeof(double), cmp_double);
		printf("latency_ms phase=%s n=%zu p50=%.3f p99=%.3f max=%.3f\n",
		       lat_names[l], s->n, pct(s, 50) * 1e3, pct(s, 99) * 1e3,
		       s->n ? s->v[s->n - 1] * 1e3 : 0.0);
		buf_printf(&head, "\t%s_p50_ms\t%s_p99_ms\t%s_max_ms",
			   lat_names[l], lat_names[l], lat_names[l]);
		buf_printf(&row, "\t%.3f\t%.3f\t%.3f", pct(s, 50) * 1e3,
			   pct(s, 99) * 1e3, s->n ? s->v[s->n - 1] * 1e3 : 0.0);
	}
	printf("actions");
	for (int a = 0; a <= MP_ACT_SHUTDOWN; a++)
		if (t->actions[a])
			printf(" %s=%lu", mp_action_name(a), t->actions[a]);
	printf("\n");
	for (int i = 0; i < npids; i++) {
		double cpu = pids[i].cpu1 - pids[i].cpu0;
		long hwm = proc_hwm(pids[i].pid);
		double per1k = t->msgs ? cpu * 1000.0 / (double)t->msgs : 0;
		printf("cpu label=%s pid=%ld cpu_s=%.3f cpu_s_per_1k=%.3f "
		       "vmhwm_kb=%ld\n", pids[i].label, pids[i].pid, cpu, per1k,
		       hwm);
		buf_printf(&head, "\t%s_cpu_s_per_1k\t%s_vmhwm_kb",
			   pids[i].label, pids[i].label);
		buf_printf(&row, "\t%.3f\t%ld", per1k, hwm);
	}
	fflush(stdout);
	if (tsv) {
		FILE *fp = fopen(tsv, "a");
		if (fp == NULL) {
			perror(tsv);
		} else {
			if (ftell(fp) == 0)
				fprintf(fp, "%s\n", head.data);
			fprintf(fp, "%s\n", row.data);
			fclose(fp);
		}
	}
	buf_free(&head);
	buf_free(&row);
}

/* from_header - the address in a message's From: field (the first one;
 * "<...>" when there is one), or "" */
static char *from_header(const MP_MSG *m)
{
	for (size_t i = 0; i < m->nhdrs; i++) {
		if (strcasecmp(m->hdrs[i].name, "From") != 0)
			continue;
		const char *v = m->hdrs[i].value, *lt = strchr(v, '<'), *e;
		if (lt != NULL && (e = strchr(lt, '>')) != NULL)
			return xstrndup(lt + 1, (size_t)(e - lt - 1));
		v += strspn(v, " \t");
		return xstrndup(v, strcspn(v, " \t\r\n"));
	}
	return xstrdup("");
}

/* envelopes - per message MAIL FROM (its From: address) and HELO (the
 * --helo template with "%d" replaced by that address's domain) */
static void envelopes(struct cfg *c)
{
	const char *tmpl = c->env.helo ? c->env.helo : "mx.%d";

	c->msg_from = xcalloc(c->nmsgs, sizeof(char *));
	c->msg_helo = xcalloc(c->nmsgs, sizeof(char *));
	for (size_t i = 0; i < c->nmsgs; i++) {
		struct buf b = BUF_INIT;
		const char *at, *p;
		c->msg_from[i] = from_header(c->msgs[i]);
		at = strrchr(c->msg_from[i], '@');
		for (p = tmpl; *p; p++)
			if (p[0] == '%' && p[1] == 'd') {
				buf_adds(&b, at ? at + 1 : "");
				p++;
			} else {
				buf_addc(&b, *p);
			}
		c->msg_helo[i] = xstrdup(b.data ? b.data : "");
		buf_free(&b);
	}
}

/* gap_at - a comma-separated list of phase names as MP_ENV.gap_at bits */
static unsigned gap_at(const char *list)
{
	char *dup = xstrdup(list), *save = NULL;
	unsigned bits = 0;

	for (char *t = strtok_r(dup, ",", &save); t;
	     t = strtok_r(NULL, ",", &save)) {
		int ph = mp_phase_parse(t);
		if (ph < MP_PH_HELO || ph > MP_PH_EOM || ph == MP_PH_EOH) {
			fprintf(stderr, "milterload: --gap-at: no phase %s\n", t);
			exit(64);
		}
		bits |= 1u << ph;
	}
	free(dup);
	return bits;
}

/* usage - print usage and exit 64 */
static void usage(void)
{
	fprintf(stderr, "usage: milterload --milter SOCKET [--milter SOCKET] "
		"[-c CONC] [-n COUNT | -d SECS] [--warmup N] [--per-conn K] "
		"[--client-ip IP] [--client-name N] [--helo H] [--from A] "
		"[--rcpt A]... [--auth-user U] [--from-header] [--gap MS] "
		"[--gap-at LIST] [--expect-action A] "
		"[--expect-header RE]... [--pid LABEL=PID]... [--label L] "
		"[--tsv FILE] [--timeout S] MSG...\n");
	exit(64);
}

/* expect_add - compile one --expect-header expression */
static void expect_add(struct cfg *c, const char *re)
{
	if (c->nexpect == MAX_EXPECT)
		usage();
	if (regcomp(&c->expect[c->nexpect], re, REG_EXTENDED | REG_NOSUB)) {
		fprintf(stderr, "milterload: bad expression %s\n", re);
		exit(64);
	}
	c->expect_src[c->nexpect++] = re;
}

/* pid_add - parse LABEL=PID */
static void pid_add(struct pidref *p, int *n, const char *arg)
{
	const char *eq = strchr(arg, '=');

	if (eq == NULL || *n == MAX_PIDS)
		usage();
	p[*n].label = xstrndup(arg, (size_t)(eq - arg));
	p[*n].pid = strtol(eq + 1, NULL, 10);
	(*n)++;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "milter", 1, NULL, 'm' }, { "concurrency", 1, NULL, 'c' },
		{ "count", 1, NULL, 'n' }, { "duration", 1, NULL, 'd' },
		{ "warmup", 1, NULL, 'W' }, { "per-conn", 1, NULL, 'K' },
		MP_ENV_LONGOPTS, { "expect-action", 1, NULL, 'A' },
		{ "expect-header", 1, NULL, 'H' }, { "pid", 1, NULL, 'p' },
		{ "label", 1, NULL, 'l' }, { "tsv", 1, NULL, 'T' },
		{ "timeout", 1, NULL, 't' }, { "from-header", 0, NULL, 'F' },
		{ "gap", 1, NULL, 'G' }, { "gap-at", 1, NULL, 'g' },
		{ NULL, 0, NULL, 0 }
	};
	static struct cfg c;
	static struct run r;
	struct pidref pids[MAX_PIDS];
	const char **rcpts = xcalloc((size_t)argc, sizeof(char *));
	const char *label = "run", *tsv = NULL;
	int o, npids = 0;

	c.conc = 8;
	c.per_conn = 1;
	c.count = 1000;
	c.timeout_ms = 30000;
	c.expect_action = -1;
	c.env.from = "sender@test.example";
	c.env.gap_at = (1u << MP_PH_HELO) | (1u << MP_PH_MAIL) |
		       (1u << MP_PH_HEADER);
	while ((o = getopt_long(argc, argv, "c:n:d:", opts, NULL)) != -1) {
		if (mp_env_option(&c.env, rcpts, o, optarg))
			continue;
		switch (o) {
		case 'm':
			if (c.nmilters == MAX_MILTERS)
				usage();
			c.milters[c.nmilters++] = optarg;
			break;
		case 'c': c.conc = atoi(optarg); break;
		case 'n': c.count = strtoul(optarg, NULL, 10); break;
		case 'd': c.duration = strtod(optarg, NULL); c.count = 0; break;
		case 'W': c.warmup = strtoul(optarg, NULL, 10); break;
		case 'K': c.per_conn = atoi(optarg); break;
		case 'A':
			c.expect_action = -1;
			for (int a = MP_ACT_ACCEPT; a <= MP_ACT_DISCARD; a++)
				if (strcmp(optarg, mp_action_name(a)) == 0)
					c.expect_action = a;
			if (c.expect_action < 0)
				usage();
			break;
		case 'H': expect_add(&c, optarg); break;
		case 'p': pid_add(pids, &npids, optarg); break;
		case 'l': label = optarg; break;
		case 'T': tsv = optarg; break;
		case 't': c.timeout_ms = (int)(strtod(optarg, NULL) * 1000); break;
		case 'F': c.from_header = 1; break;
		case 'G': c.env.gap_s = strtod(optarg, NULL) / 1000.0; break;
		case 'g': c.env.gap_at = gap_at(optarg); break;
		default: usage();
		}
	}
	if (c.nmilters == 0 || optind >= argc || c.conc < 1 ||
	    c.per_conn < 1 || (c.count == 0 && c.duration <= 0) ||
	    c.timeout_ms <= 0)
		usage();
	c.env.rcpts = rcpts;
	c.nmsgs = (size_t)(argc - optind);
	c.msgs = xcalloc(c.nmsgs, sizeof(MP_MSG *));
	for (size_t i = 0; i < c.nmsgs; i++)
		if ((c.msgs[i] = mp_msg_load(argv[optind + (int)i])) == NULL) {
			perror(argv[optind + (int)i]);
			return 64;
		}
	if (c.from_header)
		envelopes(&c);
	if (c.warmup > 0) {
		run_phase(&r, &c, c.warmup, 0);
		for (int l = 0; l < L_COUNT; l++)
			free(r.total.lat[l].v);
	}
	for (int i = 0; i < npids; i++)
		pids[i].cpu0 = proc_cpu(pids[i].pid);
	double t0 = now_s();
	run_phase(&r, &c, c.count, c.duration);
	double secs = now_s() - t0;
	for (int i = 0; i < npids; i++)
		pids[i].cpu1 = proc_cpu(pids[i].pid);
	report(&r, &c, label, secs, pids, npids, tsv);
	for (int l = 0; l < L_COUNT; l++)
		free(r.total.lat[l].v);
	for (size_t i = 0; i < c.nmsgs; i++) {
		mp_msg_free(c.msgs[i]);
		if (c.from_header) {
			free(c.msg_from[i]);
			free(c.msg_helo[i]);
		}
	}
	free(c.msg_from);
	free(c.msg_helo);
	for (int i = 0; i < c.nexpect; i++)
		regfree(&c.expect[i]);
	for (int i = 0; i < npids; i++)
		free((char *)pids[i].label);
	free(c.msgs);
	free(rcpts);
	return r.total.errors ? 2 : r.total.wrong ? 1 : 0;
}
