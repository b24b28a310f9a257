/*
 * alerts.c - the alert rules over aggregated numbers, the decision to mail
 * each alert again or not, and the alerts' text (alerts.h; the rules are
 * stated there and in authmilter-report(8), ALERTS)
 *
 * Pure: the numbers come in dash.h's model and alerts.h's structs, filled
 * by alerts_store.c (or a unit test); integer arithmetic only, so the
 * thresholds' edges are exact.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alerts.h"
#include "json.h"
#include "log.h"

#define DAY	86400

static const char *const rule_words[] = { "new-source", "pass-rate", "reporter-stopped",
	"ingest-errors" };

/* alerts_spans - see alerts.h: whole UTC days before today's, so a
 * report of one day (begin at 00:00, end at 23:59:59) meets the window or
 * the lookback, never both */
void
alerts_spans(const struct alert_rules *r, time_t now, struct alert_spans *sp)
{
	time_t today = now - ((now % DAY) + DAY) % DAY;

	sp->now = now;
	sp->win_from = today - (time_t)r->window * DAY;
	sp->lb_from = sp->win_from - (time_t)r->lookback * DAY;
	sp->pass_from = today - (time_t)r->pass_period * DAY;
}

/* stamp - t formatted by fmt (strftime, UTC) appended to out */
static void
stamp(struct buf *out, time_t t, const char *fmt)
{
	char s[40];
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL || strftime(s, sizeof(s), fmt, &tm) == 0)
		snprintf(s, sizeof(s), "%lld", (long long)t);
	buf_adds(out, s);
}

/* utc - t as "YYYY-MM-DD HH:MM UTC" */
static void
utc(struct buf *out, time_t t)
{
	stamp(out, t, "%Y-%m-%d %H:%M UTC");
}

/* since - " since YYYY-MM-DD" (the UTC day t starts) */
static void
since(struct buf *out, time_t t)
{
	stamp(out, t, " since %Y-%m-%d");
}

/* quote - peer text s appended to out through log_quote (ASCII, quoted
 * when it has to be) */
static void
quote(struct buf *out, const char *s)
{
	s = s ? s : "";
	log_quote(out, s, strlen(s));
}

/* add - a new alert at the end of out; text is taken over (freed by the caller's buf) */
static void
add(struct alert_list *out, enum alert_rule rule, const char *domain, const char *subject,
    unsigned long value, unsigned long total, struct buf *text)
{
	struct alert *a;

	if (out->n == out->cap) {
		out->cap = out->cap ? out->cap * 2 : 8;
		out->v = xrealloc(out->v, out->cap * sizeof(*out->v));
	}
	a = &out->v[out->n++];
	memset(a, 0, sizeof(*a));
	a->rule = rule;
	a->domain = xstrdup(domain);
	a->subject = xstrdup(subject);
	a->value = value;
	a->total = total;
	a->text = xstrdup(text->data ? text->data : "");
	buf_free(text);
}

/* cmp_str - qsort/bsearch over an array of string pointers */
static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* alerts_new_sources - see alerts.h: the lookback's IPs sorted once, each
 * window source with enough failing messages looked up there */
void
alerts_new_sources(const struct alert_rules *r, const struct alert_spans *sp,
    const struct dash_domain *win, const struct dash_domain *lb, struct alert_list *out)
{
	const char **seen;
	size_t i;

	if (r->new_source <= 0 || win->nsrc == 0)
		return;
	seen = xcalloc(lb->nsrc + 1, sizeof(*seen));
	for (i = 0; i < lb->nsrc; i++)
		seen[i] = lb->src[i].ip;
	qsort(seen, lb->nsrc, sizeof(*seen), cmp_str);
	for (i = 0; i < win->nsrc; i++) {
		const struct dash_source *s = &win->src[i];
		unsigned long failing = s->messages > s->dmarc_pass ? s->messages - s->dmarc_pass : 0;
		struct buf t = BUF_INIT;

		if (failing < (unsigned long)r->new_source ||
		    bsearch(&s->ip, seen, lb->nsrc, sizeof(*seen), cmp_str) != NULL)
			continue;
		buf_init(&t);
		quote(&t, win->name);
		buf_adds(&t, ": new source ");
		quote(&t, s->ip);
		buf_printf(&t, " sent %lu messages failing DMARC (of %lu)", failing, s->messages);
		since(&t, sp->win_from);
		buf_printf(&t, "; none in the %ld days before", r->lookback);
		add(out, ALERT_NEW_SOURCE, win->name, s->ip, failing, s->messages, &t);
	}
	free(seen);
}

/* alerts_pass_rate - see alerts.h: a day counts when it meets the period */
void
alerts_pass_rate(const struct alert_rules *r, const struct alert_spans *sp,
    const struct dash_domain *dom, struct alert_list *out)
{
	unsigned long pass = 0, total = 0;
	struct buf t = BUF_INIT;
	size_t i;

	if (r->pass_rate <= 0)
		return;
	for (i = 0; i < dom->ndays; i++) {
		const struct dash_day *d = &dom->days[i];

		if (d->day + DAY > sp->pass_from && d->day < sp->now) {
			pass += d->pass;
			total += d->pass + d->fail;
		}
	}
	/* pass/total < rate/100, without division */
	if (total < (unsigned long)r->pass_min ||
	    (unsigned long long)pass * 100 >= (unsigned long long)r->pass_rate * total)
		return;
	buf_init(&t);
	quote(&t, dom->name);
	buf_adds(&t, ": ");
	dash_rate_text(&t, pass, total);
	buf_printf(&t, " of %lu messages passed DMARC", total);
	since(&t, sp->pass_from);
	buf_printf(&t, " (alert below %ld%%)", r->pass_rate);
	add(out, ALERT_PASS_RATE, dom->name, "", pass, total, &t);
}

/* reported - 1 when win lists the organisation name */
static int
reported(const struct dash_domain *win, const char *name)
{
	size_t i;

	for (i = 0; i < win->norgs; i++)
		if (strcmp(win->orgs[i].name, name) == 0)
			return 1;
	return 0;
}

/* alerts_reporters - see alerts.h: "usual" is more than half of the
 * lookback's days and at least reporter_min messages */
void
alerts_reporters(const struct alert_rules *r, const struct alert_spans *sp,
    const struct dash_domain *win, const struct alert_org *lb, size_t n,
    struct alert_list *out)
{
	size_t i;

	if (r->reporter_min <= 0)
		return;
	for (i = 0; i < n; i++) {
		struct buf t = BUF_INIT;

		if (lb[i].messages < (unsigned long)r->reporter_min ||
		    lb[i].days * 2 <= (unsigned long)r->lookback || reported(win, lb[i].name))
			continue;
		buf_init(&t);
		quote(&t, win->name);
		buf_adds(&t, ": ");
		quote(&t, lb[i].name);
		buf_adds(&t, " sent no report");
		since(&t, sp->win_from);
		buf_printf(&t, "; its reports covered %lu messages on %lu of the %ld days before",
		    lb[i].messages, lb[i].days, r->lookback);
		add(out, ALERT_REPORTER_STOPPED, win->name, lb[i].name, lb[i].days,
		    lb[i].messages, &t);
	}
}

/* alerts_ingest - see alerts.h: the subject is the newest refusal's id, so
 * a new refusal is a new alert */
void
alerts_ingest(const struct alert_rules *r, const struct alert_spans *sp,
    const struct alert_ingest *ie, struct alert_list *out)
{
	struct buf t = BUF_INIT;
	char id[32];

	if (r->ingest_errors <= 0 || ie->count < (unsigned long)r->ingest_errors)
		return;
	buf_init(&t);
	buf_printf(&t, "%lu input%s refused by ingest", ie->count, ie->count == 1 ? "" : "s");
	since(&t, sp->win_from);
	buf_adds(&t, "; newest at ");
	utc(&t, ie->newest);
	buf_adds(&t, " from ");
	quote(&t, ie->source);
	buf_adds(&t, ": ");
	quote(&t, ie->reason);
	snprintf(id, sizeof(id), "%lld", ie->newest_id);
	add(out, ALERT_INGEST_ERRORS, "", id, ie->count, ie->count, &t);
}

/* alerts_rule_word - see alerts.h */
const char *
alerts_rule_word(enum alert_rule rule)
{
	return rule_words[rule];
}

/* alerts_rule_find - see alerts.h */
int
alerts_rule_find(const char *word)
{
	size_t i;

	for (i = 0; i < sizeof(rule_words) / sizeof(rule_words[0]); i++)
		if (strcmp(rule_words[i], word) == 0)
			return (int)i;
	return -1;
}

/* alerts_find - see alerts.h */
struct alert *
alerts_find(struct alert_list *l, enum alert_rule rule, const char *domain, const char *subject)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i].rule == rule && strcmp(l->v[i].domain, domain) == 0 &&
		    strcmp(l->v[i].subject, subject) == 0)
			return &l->v[i];
	return NULL;
}

/* alerts_decide - see alerts.h */
size_t
alerts_decide(struct alert_list *l, const struct alert_rules *r, time_t now)
{
	size_t i, due = 0;

	for (i = 0; i < l->n; i++) {
		struct alert *a = &l->v[i];

		if (a->last_sent == 0)
			a->status = ALERT_NEW;
		else if (now - a->last_sent >= (time_t)r->renotify * DAY)
			a->status = ALERT_AGAIN;
		else
			a->status = ALERT_SENT;
		due += a->status != ALERT_SENT;
	}
	return due;
}

/* status - the bracketed state of a line */
static void
status(struct buf *out, const struct alert *a)
{
	if (a->status == ALERT_NEW)
		buf_adds(out, "new");
	else {
		buf_adds(out, a->status == ALERT_AGAIN ? "again, last mailed " : "mailed ");
		utc(out, a->last_sent);
	}
}

/* alerts_line - see alerts.h */
void
alerts_line(const struct alert *a, struct buf *out)
{
	buf_printf(out, "%s: %s [", rule_words[a->rule], a->text);
	status(out, a);
	buf_adds(out, "]");
}

/* alerts_json - see alerts.h */
void
alerts_json(const struct alert *a, struct buf *out)
{
	static const char *const st[] = { "new", "again", "mailed" };

	buf_printf(out, "{\"rule\":\"%s\",\"domain\":", rule_words[a->rule]);
	json_str(out, a->domain, strlen(a->domain));
	buf_adds(out, ",\"subject\":");
	json_str(out, a->subject, strlen(a->subject));
	buf_printf(out, ",\"value\":%lu,\"total\":%lu,\"status\":\"%s\",\"last_sent\":", a->value,
	    a->total, st[a->status]);
	if (a->last_sent)
		buf_printf(out, "%lld", (long long)a->last_sent);
	else
		buf_adds(out, "null");
	buf_adds(out, ",\"text\":");
	json_str(out, a->text, strlen(a->text));
	buf_adds(out, "}");
}

/* wrapped - "- TEXT" as lines of at most 900 bytes (RFC 5322 section 2.1.1
 * allows 998), continued after two spaces */
static void
wrapped(struct buf *out, const char *text, const char *tail)
{
	size_t len = strlen(text), off = 0;

	buf_adds(out, "- ");
	while (len - off > 900) {
		buf_add(out, text + off, 900);
		buf_adds(out, "\n  ");
		off += 900;
	}
	buf_printf(out, "%s%s\n", text + off, tail);
}

/* alerts_body - see alerts.h */
void
alerts_body(const struct alert_list *l, const struct alert_spans *sp,
    const struct alert_rules *r, struct buf *out)
{
	size_t i, before = 0;

	buf_adds(out, "authmilter-report alerts at ");
	utc(out, sp->now);
	buf_adds(out, ".\nWindow:");
	since(out, sp->win_from);
	buf_printf(out, " (today and the %ld days before); lookback: the %ld days before it;"
	    " pass rate:", r->window, r->lookback);
	since(out, sp->pass_from);
	buf_printf(out, ".\n\nNew, or last mailed %ld or more days ago:\n\n", r->renotify);
	for (i = 0; i < l->n; i++) {
		if (l->v[i].status == ALERT_SENT)
			before++;
		else
			wrapped(out, l->v[i].text, "");
	}
	if (before > 0)
		buf_adds(out, "\nStill firing, mailed before:\n\n");
	for (i = 0; i < l->n; i++) {
		struct buf tail = BUF_INIT;

		if (l->v[i].status != ALERT_SENT)
			continue;
		buf_init(&tail);
		buf_adds(&tail, " (");
		status(&tail, &l->v[i]);
		buf_adds(&tail, ")");
		wrapped(out, l->v[i].text, tail.data);
		buf_free(&tail);
	}
	buf_adds(out, "\nThe rules are described in authmilter-report(8), ALERTS.\n");
}

/* alerts_free - see alerts.h */
void
alerts_free(struct alert_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].domain);
		free(l->v[i].subject);
		free(l->v[i].text);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}
