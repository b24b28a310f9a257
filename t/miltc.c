/*
 * miltc.c - a one-message milter client for tests: speaks milter protocol
 * version 6 to a milter socket the way Postfix does (see milterproto.h).
 *
 * usage: miltc -s SOCKET [options] MESSAGE_FILE
 *   SOCKET           inet:PORT@HOST, inet:HOST:PORT, inet6:..., unix:/path,
 *                    local:/path
 *   --client-ip IP   (198.18.0.1)      --client-name NAME (unknown)
 *   --helo H         --from ADDR       --rcpt ADDR (repeatable)
 *   --auth-user U    ({auth_type} PLAIN, {auth_authen} U at MAIL)
 *   --daemon-name D  ({daemon_name})   --hostname J (macro j)
 *   --queue-id Q     (macro i)         --count N (N transactions, one
 *                                       connection)
 *   --abort-at PHASE send ABORT instead of PHASE in the first transaction
 *                    (connect, helo: ABORT, then QUIT; no transaction)
 *   --close-at PHASE close the socket instead of sending PHASE
 *   --hold-at PHASE --hold-file F   before sending PHASE, create F.reached
 *                    and wait until F exists (a test looks at what the
 *                    milter did before that phase: t/prefetch.sh)
 *   --timeout S      per read/write (10)      --json
 *   --actions MASK   offer only these SMFIF_* action bits at OPTNEG (e.g.
 *                    0: an MTA that lets the milter change nothing)
 *   PHASE: optneg connect helo mail rcpt data header eoh body eom quit
 *
 * Text output, one event per line, in this order:
 *   optneg version V actions 0xA protocol 0xP   the milter's answer
 *   message N                                   start of transaction N
 *   reply PHASE ACTION [SMTP TEXT]              every reply but continue
 *                                               (ACTION: accept reject
 *                                               tempfail discard connfail
 *                                               shutdown), in order
 *   addheader NAME: VALUE
 *   insheader INDEX NAME: VALUE
 *   chgheader NAME INDEX VALUE | chgheader NAME INDEX <deleted>
 *   quarantine REASON
 *   addrcpt ADDR | addrcpt_par ADDR ARGS | delrcpt ADDR | chgfrom ADDR ARGS
 *   replbody LENGTH
 *   action ACTION                               outcome of transaction N
 *                                               (continue = none decided)
 *   abort PHASE | close PHASE                   --abort-at / --close-at hit
 *   quit                                        QUIT sent
 *   error TEXT                                  then exit 2
 * Header VALUEs are shown as stored in the message with the one leading
 * space after the colon removed; CR and LF inside are written \r and \n.
 * A decision at connect or helo prints "message 0", its reply and action.
 *
 * --json prints instead one object per transaction:
 *   {"message":N,"action":"accept","phase":"eom","reply":"451 ..."|null,
 *    "replies":[{"phase":..,"action":..,"text":..|null}],
 *    "edits":[{"op":"insheader","index":0,"name":..,"value":..}]}
 * plus {"abort":PHASE} / {"close":PHASE} / {"error":TEXT} objects.
 *
 * Exit: 0 when the conversation went as asked, 2 on a protocol error,
 * I/O error or timeout, 64 on bad usage or an unreadable message.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "milterproto.h"

static int json;

/* shown - a value as printed: leading space dropped, CR/LF escaped */
static void shown(struct buf *b, const char *v, int leadspc)
{
	if (leadspc && (*v == ' ' || *v == '\t'))
		v++;
	for (; *v; v++) {
		if (*v == '\r')
			buf_adds(b, "\\r");
		else if (*v == '\n')
			buf_adds(b, "\\n");
		else
			buf_addc(b, *v);
	}
}

/* print_edit_text - one edit as a text line */
static void print_edit_text(const MP_EDIT *e, int leadspc)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "%s ", mp_edit_name(e->op));
	switch (e->op) {
	case MP_ED_INSHEADER:
		buf_printf(&b, "%ld ", e->index);
		/* fall through */
	case MP_ED_ADDHEADER:
		buf_printf(&b, "%s: ", e->name);
		shown(&b, e->value, leadspc);
		break;
	case MP_ED_CHGHEADER:
		buf_printf(&b, "%s %ld ", e->name, e->index);
		if (e->value[0] == '\0')
			buf_adds(&b, "<deleted>");
		else
			shown(&b, e->value, leadspc);
		break;
	case MP_ED_REPLBODY:
		buf_printf(&b, "%zu", e->len);
		break;
	default:
		shown(&b, e->name, 0);
		if (e->value && e->value[0]) {
			buf_addc(&b, ' ');
			shown(&b, e->value, 0);
		}
		break;
	}
	printf("%s\n", b.data);
	buf_free(&b);
}

/* jstr - append "key":string-or-null */
static void jstr(struct buf *b, const char *key, const char *v)
{
	buf_printf(b, "\"%s\":", key);
	if (v == NULL)
		buf_adds(b, "null");
	else
		json_str(b, v, strlen(v));
}

/* print_json - one transaction as a JSON object */
static void print_json(unsigned n, const MP_RESULT *r)
{
	struct buf b = BUF_INIT, v = BUF_INIT;

	buf_printf(&b, "{\"message\":%u,", n);
	jstr(&b, "action", mp_action_name(r->action));
	buf_addc(&b, ',');
	jstr(&b, "phase", mp_phase_name(r->phase));
	buf_addc(&b, ',');
	jstr(&b, "reply", r->reply);
	buf_adds(&b, ",\"replies\":[");
	for (size_t i = 0; i < r->nreplies; i++) {
		buf_adds(&b, i ? ",{" : "{");
		jstr(&b, "phase", mp_phase_name(r->replies[i].phase));
		buf_addc(&b, ',');
		jstr(&b, "action", mp_action_name(r->replies[i].action));
		buf_addc(&b, ',');
		jstr(&b, "text", r->replies[i].text);
		buf_addc(&b, '}');
	}
	buf_adds(&b, "],\"edits\":[");
	for (size_t i = 0; i < r->nedits; i++) {
		const MP_EDIT *e = &r->edits[i];
		buf_adds(&b, i ? ",{" : "{");
		jstr(&b, "op", mp_edit_name(e->op));
		buf_printf(&b, ",\"index\":%ld,", e->index);
		jstr(&b, "name", e->name);
		buf_addc(&b, ',');
		buf_reset(&v);
		if (e->op == MP_ED_REPLBODY)
			buf_printf(&v, "%zu", e->len);
		else if (e->value) {
			const char *s = e->value;
			int hdr = e->op <= MP_ED_CHGHEADER;
			if (hdr && r->leadspc && (*s == ' ' || *s == '\t'))
				s++;
			buf_adds(&v, s);
		}
		jstr(&b, "value", v.data ? v.data : "");
		buf_addc(&b, '}');
	}
	buf_adds(&b, "]}");
	printf("%s\n", b.data);
	buf_free(&b);
	buf_free(&v);
}

/* print_result - what a transaction (or connect, n = 0) produced */
static void print_result(unsigned n, const MP_RESULT *r)
{
	if (json) {
		print_json(n, r);
		return;
	}
	for (size_t i = 0; i < r->nreplies; i++) {
		struct buf b = BUF_INIT;
		if (r->replies[i].text)
			shown(&b, r->replies[i].text, 0);
		printf("reply %s %s%s%s\n", mp_phase_name(r->replies[i].phase),
		       mp_action_name(r->replies[i].action),
		       b.data && b.len ? " " : "", b.data && b.len ? b.data : "");
		buf_free(&b);
	}
	for (size_t i = 0; i < r->nedits; i++)
		print_edit_text(&r->edits[i], r->leadspc);
	printf("action %s\n", mp_action_name(r->action));
}

/* event - print "abort PHASE", "close PHASE", "error TEXT" */
static void event(const char *what, const char *arg)
{
	struct buf b = BUF_INIT;

	if (json) {
		buf_printf(&b, "{\"%s\":", what);
		json_str(&b, arg, strlen(arg));
		printf("%s}\n", b.data);
	} else {
		printf("%s %s\n", what, arg);
	}
	buf_free(&b);
	fflush(stdout);
}

/* usage - print usage and exit 64 */
static void usage(void)
{
	fprintf(stderr, "usage: miltc -s SOCKET [--client-ip IP] "
		"[--client-name N] [--helo H] [--from A] [--rcpt A]... "
		"[--auth-user U] [--daemon-name D] [--hostname J] "
		"[--queue-id Q] [--count N] [--abort-at PHASE] "
		"[--close-at PHASE] [--hold-at PHASE --hold-file F] [--timeout S] [--actions MASK] [--json] MESSAGE_FILE\n");
	exit(64);
}

/* phase_arg - a phase name from the command line */
static int phase_arg(const char *s)
{
	int p = mp_phase_parse(s);

	if (p <= MP_PH_NONE) {
		fprintf(stderr, "miltc: unknown phase %s\n", s);
		usage();
	}
	return p;
}

/* converse - connect, N transactions, quit; returns the exit status */
static int converse(const char *sock, int timeout_ms, MP_ENV *env,
		    const MP_MSG *msg, unsigned count)
{
	char why[300];
	MP_RESULT res;
	MP_CONN *c = mp_open(sock, timeout_ms, why, sizeof(why));
	int r, abort_at = env->abort_at;

	if (c == NULL) {
		event("error", why);
		return 2;
	}
	mp_result_init(&res);
	r = mp_optneg(c, env);
	if (r == MP_OK && !json) {
		unsigned long v, a, p;
		mp_negotiated(c, &v, &a, &p);
		printf("optneg version %lu actions 0x%lx protocol 0x%lx\n", v,
		       a, p);
	}
	if (r == MP_OK)
		r = mp_connect(c, env, &res);
	if (r == MP_DONE) {
		if (!json)
			printf("message 0\n");
		print_result(0, &res);
	}
	for (unsigned i = 1; r == MP_OK && i <= count; i++) {
		mp_result_clear(&res);
		env->abort_at = i == 1 ? abort_at : MP_PH_NONE;
		if (!json)
			printf("message %u\n", i);
		r = mp_message(c, env, msg, &res);
		if (r == MP_OK || r == MP_DONE)
			print_result(i, &res);
		if (r == MP_ABORTED)
			event("abort", mp_phase_name(abort_at));
		if (r == MP_DONE || r == MP_ABORTED)
			r = MP_OK;
	}
	if (r == MP_ABORTED) {	/* at connect or helo */
		event("abort", mp_phase_name(abort_at));
		r = MP_OK;
	}
	if (r == MP_CLOSED)
		event("close", mp_phase_name(env->close_at));
	else if (r == MP_ERROR)
		event("error", mp_why(c));
	else if (env->close_at == MP_PH_QUIT) {
		event("close", "quit");
		r = MP_CLOSED;
	} else if (!json)
		printf("quit\n");
	mp_close(c, r == MP_OK || r == MP_DONE);
	mp_result_clear(&res);
	return r == MP_ERROR ? 2 : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", 1, NULL, 's' }, MP_ENV_LONGOPTS,
		{ "daemon-name", 1, NULL, 'd' },
		{ "hostname", 1, NULL, 'j' }, { "queue-id", 1, NULL, 'i' },
		{ "count", 1, NULL, 'c' }, { "abort-at", 1, NULL, 'A' },
		{ "close-at", 1, NULL, 'C' }, { "timeout", 1, NULL, 't' },
		{ "hold-at", 1, NULL, 'H' }, { "hold-file", 1, NULL, 'F' },
		{ "json", 0, NULL, 'J' }, { "actions", 1, NULL, 'X' },
		{ NULL, 0, NULL, 0 }
	};
	MP_ENV env = { .from = "sender@test.example" };
	const char *sock = NULL;
	const char **rcpts = xcalloc((size_t)argc, sizeof(char *));
	unsigned count = 1;
	double timeout = 10;
	int o;

	while ((o = getopt_long(argc, argv, "s:", opts, NULL)) != -1) {
		if (mp_env_option(&env, rcpts, o, optarg))
			continue;
		switch (o) {
		case 's': sock = optarg; break;
		case 'd': env.daemon_name = optarg; break;
		case 'j': env.hostname = optarg; break;
		case 'i': env.queue_id = optarg; break;
		case 'c': count = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'A': env.abort_at = phase_arg(optarg); break;
		case 'C': env.close_at = phase_arg(optarg); break;
		case 'H': env.hold_at = phase_arg(optarg); break;
		case 'F': env.hold_file = optarg; break;
		case 't': timeout = strtod(optarg, NULL); break;
		case 'J': json = 1; break;
		case 'X':
			env.limit_actions = 1;
			env.actions = strtoul(optarg, NULL, 0);
			break;
		default: usage();
		}
	}
	if (sock == NULL || optind != argc - 1 || count < 1 || timeout <= 0)
		usage();
	env.rcpts = rcpts;
	MP_MSG *msg = mp_msg_load(argv[optind]);
	if (msg == NULL) {
		perror(argv[optind]);
		free(rcpts);
		return 64;
	}
	int rc = converse(sock, (int)(timeout * 1000), &env, msg, count);
	mp_msg_free(msg);
	free(rcpts);
	return rc;
}
