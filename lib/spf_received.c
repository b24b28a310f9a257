/*
 * spf_received.c - the Received-SPF header field (RFC 7208 §9.1)
 *
 * The result, a comment with the reason, then key-value pairs: a value is
 * written as a dot-atom when it is one, else as a quoted-string; control
 * bytes are dropped.  Pure: no I/O, no globals.
 */
#include "config.h"

#include <ctype.h>
#include <string.h>

#include "spf.h"
#include "spf_received.h"

/* spf_received_kv - a key-value-pair value: dot-atom, else quoted-string (RFC 7208 §9.1) */
static void
spf_received_kv(struct buf *out, const char *v)
{
	const char *p;
	int atom = *v != '\0' && *v != '.';

	for (p = v; *p && atom; p++)
		atom = isalnum((unsigned char)*p) || strchr("!#$%&'*+-/=?^_`{|}~", *p) ||
		    (*p == '.' && p[1] != '.' && p[1] != '\0');
	if (atom) {
		buf_adds(out, v);
		return;
	}
	buf_addc(out, '"');
	for (p = v; *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_addc(out, '\\');
		if ((unsigned char)*p >= ' ' && *p != 0x7f)
			buf_addc(out, *p);
	}
	buf_addc(out, '"');
}

/* spf_received_comment - text inside a comment, parentheses and backslashes escaped */
static void
spf_received_comment(struct buf *out, const char *t)
{
	for (; *t; t++) {
		if (*t == '(' || *t == ')' || *t == '\\')
			buf_addc(out, '\\');
		if ((unsigned char)*t >= ' ' && *t != 0x7f)
			buf_addc(out, *t);
	}
}

/* spf_received_spf - see spf_received.h */
void
spf_received_spf(const struct spf_outcome *o, const char *client_ip, const char *helo,
    const char *envelope_from, const char *receiver, struct buf *out)
{
	buf_adds(out, o->result[0] ? o->result : "none");
	buf_adds(out, " (");
	if (receiver && *receiver) {
		spf_received_comment(out, receiver);
		buf_adds(out, ": ");
	}
	spf_received_comment(out, o->reason);
	buf_adds(out, ")");
	if (receiver && *receiver) {
		buf_adds(out, " receiver=");
		spf_received_kv(out, receiver);
		buf_addc(out, ';');
	}
	if (client_ip && *client_ip) {
		buf_adds(out, " client-ip=");
		spf_received_kv(out, client_ip);
		buf_addc(out, ';');
	}
	buf_adds(out, " envelope-from=");
	spf_received_kv(out, envelope_from && *envelope_from ? envelope_from : o->sender);
	buf_addc(out, ';');
	if (helo && *helo) {
		buf_adds(out, " helo=");
		spf_received_kv(out, helo);
		buf_addc(out, ';');
	}
	if (o->identity[0]) {
		buf_adds(out, " identity=");
		buf_adds(out, o->identity);
		buf_addc(out, ';');
	}
	if (strcmp(o->result, "permerror") == 0 || strcmp(o->result, "temperror") == 0) {
		buf_adds(out, " problem=");
		spf_received_kv(out, o->reason);
		buf_addc(out, ';');
	}
}
