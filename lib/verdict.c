/*
 * verdict.c - building, freeing and printing verdicts
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "history.h"
#include "json.h"
#include "verdict.h"

/* verdict_init - an accept with nothing to do */
void
verdict_init(struct verdict *v)
{
	memset(v, 0, sizeof(*v));
	v->action = VERDICT_ACCEPT;
}

/* free_dkim - one signature entry's strings */
static void
free_dkim(struct verdict_dkim *d)
{
	free(d->domain);
	free(d->selector);
	free(d->result);
	free(d->reason);
	free(d->b_prefix);
	free(d->algorithm);
}

/* verdict_free - release everything a verdict owns */
void
verdict_free(struct verdict *v)
{
	struct verdict_results *r = &v->res;
	size_t i;

	free(v->smtp_code);
	free(v->smtp_xcode);
	free(v->smtp_text);
	free(v->quarantine_reason);
	for (i = 0; i < v->nadd; i++) {
		free(v->add[i].name);
		free(v->add[i].value);
	}
	free(v->add);
	for (i = 0; i < v->nrm; i++)
		free(v->rm[i].name);
	free(v->rm);
	for (i = 0; i < r->ndkim; i++)
		free_dkim(&r->dkim[i]);
	free(r->dkim);
	free(r->role);
	free(r->spf);
	free(r->spf_domain);
	free(r->spf_reason);
	free(r->spf_helo);
	free(r->spf_helo_domain);
	free(r->dmarc);
	free(r->dmarc_from);
	free(r->policy);
	free(r->disposition);
	free(r->reason);
	history_rec_free(v->hist);
	free(v->log);
	verdict_init(v);
}

/* verdict_set - replace a string field with a copy */
void
verdict_set(char **field, const char *s)
{
	free(*field);
	*field = s ? xstrdup(s) : NULL;
}

/* verdict_add_header - queue a header for insertion at the top */
void
verdict_add_header(struct verdict *v, const char *name, const char *value)
{
	v->add = xrealloc(v->add, (v->nadd + 1) * sizeof(*v->add));
	v->add[v->nadd].name = xstrdup(name);
	v->add[v->nadd].value = xstrdup(value);
	v->nadd++;
}

/* verdict_remove_header - queue the deletion of name's index-th occurrence */
void
verdict_remove_header(struct verdict *v, const char *name, int index)
{
	v->rm = xrealloc(v->rm, (v->nrm + 1) * sizeof(*v->rm));
	v->rm[v->nrm].name = xstrdup(name);
	v->rm[v->nrm].index = index;
	v->nrm++;
}

/* verdict_text_clean - see verdict.h */
void
verdict_text_clean(const char *text, struct buf *out)
{
	size_t i;

	for (i = 0; text[i] && i < VERDICT_TEXT_MAX; i++) {
		unsigned char c = (unsigned char)text[i];

		buf_addc(out, c < 0x20 || c >= 0x7f ? '?' : c);
	}
}

/* verdict_milter_text - see verdict.h */
void
verdict_milter_text(const char *text, struct buf *out)
{
	struct buf t = BUF_INIT;
	size_t i;

	buf_init(&t);
	verdict_text_clean(text, &t);
	for (i = 0; i < t.len; i++) {
		if (t.data[i] == '%')
			buf_addc(out, '%');
		buf_addc(out, t.data[i]);
	}
	buf_free(&t);
}

/* set_clean - *field = the cleaned copy of text */
static void
set_clean(char **field, const char *text)
{
	struct buf b = BUF_INIT;

	if (text == NULL) {
		verdict_set(field, NULL);
		return;
	}
	buf_init(&b);
	verdict_text_clean(text, &b);
	free(*field);
	*field = buf_steal(&b);
}

/* verdict_set_reply - see verdict.h */
void
verdict_set_reply(struct verdict *v, enum verdict_action a, const char *code,
    const char *xcode, const char *text)
{
	v->action = a;
	verdict_set(&v->smtp_code, code);
	verdict_set(&v->smtp_xcode, xcode);
	set_clean(&v->smtp_text, text);
}

/* verdict_set_quarantine - see verdict.h */
void
verdict_set_quarantine(struct verdict *v, const char *reason)
{
	v->action = VERDICT_QUARANTINE;
	set_clean(&v->quarantine_reason, reason);
}

/* verdict_add_dkim - a new, zeroed signature entry */
struct verdict_dkim *
verdict_add_dkim(struct verdict *v)
{
	struct verdict_results *r = &v->res;

	r->dkim = xrealloc(r->dkim, (r->ndkim + 1) * sizeof(*r->dkim));
	memset(&r->dkim[r->ndkim], 0, sizeof(r->dkim[0]));
	return &r->dkim[r->ndkim++];
}

/* verdict_action_str - the action word */
const char *
verdict_action_str(enum verdict_action a)
{
	switch (a) {
	case VERDICT_ACCEPT: return "accept";
	case VERDICT_REJECT: return "reject";
	case VERDICT_TEMPFAIL: return "tempfail";
	case VERDICT_QUARANTINE: return "quarantine";
	default: return "discard";
	}
}

/* jstr - "key": value-or-null */
static void
jstr(struct buf *out, const char *key, const char *val, int comma)
{
	if (comma)
		buf_adds(out, ", ");
	json_str(out, key, strlen(key));
	buf_adds(out, ": ");
	if (val)
		json_str(out, val, strlen(val));
	else
		buf_adds(out, "null");
}

/* verdict_json - one JSON object (DESIGN.md §5, offline runner) */
void
verdict_json(const struct verdict *v, struct buf *out)
{
	const struct verdict_results *r = &v->res;
	struct buf reply = BUF_INIT;
	size_t i;

	buf_adds(out, "{");
	jstr(out, "action", verdict_action_str(v->action), 0);
	if (v->smtp_code) {
		buf_init(&reply);
		buf_printf(&reply, "%s %s %s", v->smtp_code, v->smtp_xcode ? v->smtp_xcode : "",
		    v->smtp_text ? v->smtp_text : "");
		jstr(out, "reply", reply.data, 1);
		buf_free(&reply);
	} else
		jstr(out, "reply", NULL, 1);
	jstr(out, "quarantine_reason", v->quarantine_reason, 1);
	buf_adds(out, ", \"add_headers\": [");
	for (i = 0; i < v->nadd; i++) {
		buf_adds(out, i ? ", {" : "{");
		jstr(out, "name", v->add[i].name, 0);
		jstr(out, "value", v->add[i].value, 1);
		buf_adds(out, "}");
	}
	buf_adds(out, "], \"remove_headers\": [");
	for (i = 0; i < v->nrm; i++) {
		buf_printf(out, "%s{", i ? ", " : "");
		jstr(out, "name", v->rm[i].name, 0);
		buf_printf(out, ", \"index\": %d}", v->rm[i].index);
	}
	buf_adds(out, "], \"results\": {");
	jstr(out, "role", r->role, 0);
	jstr(out, "spf", r->spf, 1);
	jstr(out, "spf_domain", r->spf_domain, 1);
	jstr(out, "spf_helo", r->spf_helo, 1);
	buf_adds(out, ", \"dkim\": [");
	for (i = 0; i < r->ndkim; i++) {
		const struct verdict_dkim *d = &r->dkim[i];

		buf_adds(out, i ? ", {" : "{");
		jstr(out, "domain", d->domain, 0);
		jstr(out, "selector", d->selector, 1);
		jstr(out, "result", d->result, 1);
		jstr(out, "reason", d->reason, 1);
		jstr(out, "algorithm", d->algorithm, 1);
		buf_printf(out, ", \"bits\": %u, \"testing\": %s}", d->bits, d->testing ? "true" : "false");
	}
	buf_adds(out, "]");
	jstr(out, "dmarc", r->dmarc, 1);
	jstr(out, "header_from", r->dmarc_from, 1);
	jstr(out, "policy", r->policy, 1);
	jstr(out, "disposition", r->disposition, 1);
	jstr(out, "reason", r->reason, 1);
	buf_adds(out, "}");
	jstr(out, "log", v->log, 1);
	buf_adds(out, "}\n");
}
