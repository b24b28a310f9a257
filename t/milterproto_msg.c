/*
 * milterproto_msg.c - messages for the milter client: parse a message file
 * into headers and a CRLF body, and apply one milter's edits to it, as
 * Postfix's cleanup does to the queue file before the next milter in the
 * list reads it.
 */
#include "milterproto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "fileio.h"

/* add_hdr - append a header (name, value: n bytes, LF folding) */
static void add_hdr(MP_MSG *m, const char *name, size_t nl, const char *value,
		    size_t vl)
{
	m->hdrs = xrealloc(m->hdrs, (m->nhdrs + 1) * sizeof(MP_HDR));
	m->hdrs[m->nhdrs].name = xstrndup(name, nl);
	m->hdrs[m->nhdrs].value = xstrndup(value, vl);
	m->nhdrs++;
}

/* line_end - length of the line at p (without its end), *next past it */
static size_t line_end(const char *p, const char *end, const char **next)
{
	const char *lf = memchr(p, '\n', (size_t)(end - p));
	size_t n;

	if (lf == NULL) {
		*next = end;
		return (size_t)(end - p);
	}
	*next = lf + 1;
	n = (size_t)(lf - p);
	if (n > 0 && p[n - 1] == '\r')
		n--;
	return n;
}

/* mp_msg_parse - headers up to the first empty line, then the body with
 * CRLF line ends (RFC 5322 section 2.1); leading mbox "From " lines become
 * X-Mailbox-Line fields, as Postfix's smtpd makes them.
 * Pure: no I/O. Never fails; a header line without a colon ends the
 * header section. */
MP_MSG *mp_msg_parse(const char *data, size_t len)
{
	MP_MSG *m = xcalloc(1, sizeof(*m));
	const char *p = data, *end = data + len, *next;
	struct buf v = BUF_INIT, body = BUF_INIT;

	/* Postfix's smtpd: leading ">From " / "From " lines (even "From :")
	 * become X-Mailbox-Line header fields */
	while (p < end) {
		size_t n = line_end(p, end, &next), k = 0;

		while (k < n && p[k] == '>')
			k++;
		if (n - k < 5 || strncmp(p + k, "From ", 5) != 0)
			break;
		buf_reset(&v);
		buf_addc(&v, ' ');
		buf_add(&v, p, n);
		add_hdr(m, "X-Mailbox-Line", 14, v.data, v.len);
		p = next;
	}
	while (p < end) {
		size_t n = line_end(p, end, &next);
		const char *colon = memchr(p, ':', n);
		if (n == 0) {
			p = next;
			break;
		}
		if (colon == NULL || colon == p || *p == ' ' || *p == '\t')
			break;
		buf_reset(&v);
		buf_add(&v, colon + 1, n - (size_t)(colon + 1 - p));
		const char *name = p;
		size_t nl = (size_t)(colon - p);
		p = next;
		while (p < end && (*p == ' ' || *p == '\t')) {	/* folding */
			n = line_end(p, end, &next);
			buf_addc(&v, '\n');
			buf_add(&v, p, n);
			p = next;
		}
		while (nl > 0 && (name[nl - 1] == ' ' || name[nl - 1] == '\t'))
			nl--;
		add_hdr(m, name, nl, v.data ? v.data : "", v.len);
	}
	while (p < end) {
		size_t n = line_end(p, end, &next);
		buf_add(&body, p, n);	/* Postfix ends every line */
		buf_add(&body, "\r\n", 2);
		p = next;
	}
	m->bodylen = body.len;
	m->body = body.data ? buf_steal(&body) : xstrdup("");
	buf_free(&v);
	buf_free(&body);
	return m;
}

/* mp_msg_load - read and parse a message file; NULL when unreadable */
MP_MSG *mp_msg_load(const char *path)
{
	struct buf b = BUF_INIT, err = BUF_INIT;
	MP_MSG *m = NULL;

	if (fileio_read(&b, path, &err) == 0)
		m = mp_msg_parse(b.data, b.len);
	buf_free(&b);
	buf_free(&err);
	return m;
}

/* mp_msg_copy - a deep copy */
MP_MSG *mp_msg_copy(const MP_MSG *msg)
{
	MP_MSG *m = xcalloc(1, sizeof(*m));

	for (size_t i = 0; i < msg->nhdrs; i++)
		add_hdr(m, msg->hdrs[i].name, strlen(msg->hdrs[i].name),
			msg->hdrs[i].value, strlen(msg->hdrs[i].value));
	m->body = xmalloc(msg->bodylen + 1);
	memcpy(m->body, msg->body, msg->bodylen + 1);
	m->bodylen = msg->bodylen;
	return m;
}

/* stored_value - the header value as the MTA stores it: with its leading
 * space when the milter negotiated SMFIP_HDR_LEADSPC, else one is added */
static char *stored_value(const char *v, int leadspc)
{
	size_t n = strlen(v);
	char *s = xmalloc(n + 2);

	if (leadspc) {
		memcpy(s, v, n + 1);
		return s;
	}
	s[0] = ' ';
	memcpy(s + 1, v, n + 1);
	return s;
}

/* insert_hdr - put a header at position idx (0 = top) */
static void insert_hdr(MP_MSG *m, size_t idx, const char *name, char *value)
{
	add_hdr(m, name, strlen(name), "", 0);
	free(m->hdrs[m->nhdrs - 1].name);
	free(m->hdrs[m->nhdrs - 1].value);
	if (idx > m->nhdrs - 1)
		idx = m->nhdrs - 1;
	memmove(&m->hdrs[idx + 1], &m->hdrs[idx],
		(m->nhdrs - 1 - idx) * sizeof(MP_HDR));
	m->hdrs[idx].name = xstrdup(name);
	m->hdrs[idx].value = value;
}

/* change_hdr - change or delete (empty value) the idx-th (1-based)
 * header called name; a missing one is added when there is a value,
 * as sendmail and Postfix do */
static void change_hdr(MP_MSG *m, const char *name, long idx, char *value,
		       int empty)
{
	long seen = 0;

	for (size_t i = 0; i < m->nhdrs; i++) {
		if (strcasecmp(m->hdrs[i].name, name) != 0 || ++seen != idx)
			continue;
		free(m->hdrs[i].value);
		if (empty) {
			free(m->hdrs[i].name);
			memmove(&m->hdrs[i], &m->hdrs[i + 1],
				(m->nhdrs - i - 1) * sizeof(MP_HDR));
			m->nhdrs--;
			free(value);
		} else {
			m->hdrs[i].value = value;
		}
		return;
	}
	if (empty)
		free(value);
	else
		insert_hdr(m, m->nhdrs, name, value);
}

/* mp_msg_apply - apply a milter's header and body edits to msg */
void mp_msg_apply(MP_MSG *msg, const MP_RESULT *res)
{
	for (size_t i = 0; i < res->nedits; i++) {
		const MP_EDIT *e = &res->edits[i];
		switch (e->op) {
		case MP_ED_ADDHEADER:
			insert_hdr(msg, msg->nhdrs, e->name,
				   stored_value(e->value, res->leadspc));
			break;
		case MP_ED_INSHEADER:
			insert_hdr(msg, (size_t)e->index, e->name,
				   stored_value(e->value, res->leadspc));
			break;
		case MP_ED_CHGHEADER:
			change_hdr(msg, e->name, e->index,
				   stored_value(e->value, res->leadspc),
				   e->value[0] == '\0');
			break;
		case MP_ED_REPLBODY:	/* chunks follow each other */
			if (i == 0 || res->edits[i - 1].op != MP_ED_REPLBODY)
				msg->bodylen = 0;
			msg->body = xrealloc(msg->body, msg->bodylen + e->len + 1);
			memcpy(msg->body + msg->bodylen, e->value, e->len);
			msg->bodylen += e->len;
			msg->body[msg->bodylen] = '\0';
			break;
		default:	/* envelope edits do not change content */
			break;
		}
	}
}

/* mp_msg_free - free a message; NULL is a no-op */
void mp_msg_free(MP_MSG *msg)
{
	if (msg == NULL)
		return;
	for (size_t i = 0; i < msg->nhdrs; i++) {
		free(msg->hdrs[i].name);
		free(msg->hdrs[i].value);
	}
	free(msg->hdrs);
	free(msg->body);
	free(msg);
}

/* mp_env_option - see milterproto.h */
int mp_env_option(MP_ENV *env, const char **rcpts, int o, const char *arg)
{
	switch (o) {
	case MP_OPT_CLIENT_IP: env->client_ip = arg; break;
	case MP_OPT_CLIENT_NAME: env->client_name = arg; break;
	case MP_OPT_HELO: env->helo = arg; break;
	case MP_OPT_FROM: env->from = arg; break;
	case MP_OPT_RCPT:
		rcpts[env->nrcpts++] = arg;
		env->rcpts = rcpts;
		break;
	case MP_OPT_AUTH_USER: env->auth_user = arg; break;
	default: return 0;
	}
	return 1;
}
