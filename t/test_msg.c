/*
 * test_msg.c - lib/msg.c, lib/msg_verify.c and lib/engine.c without the
 * milter or the offline runner: an engine built from a small config
 * (engine_new), a message driven through msg_new .. msg_eom, the verdict
 * read back.  Role selection (IgnoreHosts, authenticated, InternalHosts,
 * MTA, Mode, IgnoreAuthenticatedClients), msg_may_ignore, the header cap,
 * and the verdicts of inbound messages whose checks need no DNS: no client
 * address (no SPF), no DKIM-Signature, and From problems decided before
 * any DMARC lookup.  The name servers are a port nobody answers, so a
 * lookup this test did not expect turns into a temperror it catches.
 *
 * "test_msg dns" (run by msg.sh, which serves t/zones/dmarc.conf on the
 * unbound test server and exports DNS_PORT): the action each DMARC
 * outcome turns into under RejectFailures, RejectString,
 * HoldQuarantinedMessages and TempFailOnDNSError (msg_verify.c's decide).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "conf.h"
#include "engine.h"
#include "msg.h"
#include "msgtext.h"
#include "tap.h"

#define ID "mx.test.example"

/* the name servers' port: 9 (nobody answers) unless run by msg.sh */
static const char *ns_port = "9";

/* eng - an engine from the base config plus extra lines; NULL on error */
static struct engine *
eng(const char *extra)
{
	struct buf text = BUF_INIT, err = BUF_INIT;
	struct engine *e = NULL;
	struct conf *c;

	buf_init(&text);
	buf_init(&err);
	const char *pf = getenv("AUTHMILTER_TEST_DNSPREFETCH");	/* t/lib.sh conf_prefetch */

	buf_printf(&text, "AuthservID %s\nNameservers 127.0.0.1:%s\nDNSTimeout 3\n"
	    "InternalHosts 192.0.2.0/24\nMTA submission\n%s", ID, ns_port, extra);
	if (pf != NULL && (strcmp(pf, "yes") == 0 || strcmp(pf, "no") == 0))
		buf_printf(&text, "\nDNSPrefetch %s\n", pf);
	if ((c = conf_parse("t.conf", text.data, text.len, &err)) != NULL)
		e = engine_new(c, &err);
	if (e == NULL)
		diag("config: %s", err.data);
	buf_free(&text);
	buf_free(&err);
	return e;
}

/* a message's envelope, from the fields the rows use */
struct env_case {
	const char     *label;
	const char     *ip, *host, *auth, *daemon;
	enum msg_role	want;
	const char     *why;	/* LogWhy's reason, in the log line */
};

/* role - msg_new's role for c under e, and its reason in the log line */
static void
role(struct engine *e, const struct env_case *c)
{
	struct msg_env env;
	struct verdict v;
	struct msg *m;
	char want[200];

	memset(&env, 0, sizeof(env));
	env.client_ip = c->ip;
	env.client_host = c->host ? c->host : c->ip;
	env.auth_type = c->auth ? "PLAIN" : NULL;
	env.auth_authen = c->auth;
	env.daemon_name = c->daemon;
	env.mail_from = "<a@client.example>";
	m = msg_new(e, &env);
	is_str(msg_role_str(msg_role(m)), msg_role_str(c->want), "role: %s", c->label);
	msg_eoh(m);
	verdict_init(&v);
	if (msg_role(m) != MSG_ROLE_VERIFY) {	/* verify would look SPF up */
		msg_eom(m, &v);
		snprintf(want, sizeof(want), "why=\"%s\"", c->why);
		ok(v.log && strstr(v.log, want) != NULL, "role: %s: %s in the log line (%s)",
		    c->label, want, v.log ? v.log : "none");
	}
	verdict_free(&v);
	msg_free(m);
}

static const struct env_case roles_sv[] = {
	{ "external client: verify", "198.18.0.1", NULL, NULL, NULL, MSG_ROLE_VERIFY, NULL },
	{ "IgnoreHosts: ignore", "198.51.100.7", NULL, NULL, NULL, MSG_ROLE_IGNORE,
	  "client in IgnoreHosts" },
	{ "IgnoreHosts wins over authentication", "198.51.100.7", NULL, "u", NULL, MSG_ROLE_IGNORE,
	  "client in IgnoreHosts" },
	{ "authenticated: sign", "198.18.0.1", NULL, "u", NULL, MSG_ROLE_SIGN,
	  "client authenticated" },
	{ "InternalHosts: sign", "192.0.2.9", NULL, NULL, NULL, MSG_ROLE_SIGN,
	  "client in InternalHosts" },
	{ "MTA daemon_name: sign", "198.18.0.1", NULL, NULL, "Submission", MSG_ROLE_SIGN,
	  "daemon_name listed in MTA" },
	{ "other daemon_name: verify", "198.18.0.1", NULL, NULL, "smtpd", MSG_ROLE_VERIFY, NULL },
};

static const struct env_case roles_v[] = {
	{ "Mode v, internal: verify", "192.0.2.9", NULL, NULL, NULL, MSG_ROLE_VERIFY, NULL },
	{ "Mode v, IgnoreAuthenticatedClients: ignore", "198.18.0.1", NULL, "u", NULL,
	  MSG_ROLE_IGNORE, "authenticated client, IgnoreAuthenticatedClients" },
};

static const struct env_case roles_s[] = {
	{ "Mode s, external: ignore", "198.18.0.1", NULL, NULL, NULL, MSG_ROLE_IGNORE,
	  "external client and Mode has no v" },
	{ "Mode s, internal: sign", "192.0.2.9", NULL, NULL, NULL, MSG_ROLE_SIGN,
	  "client in InternalHosts" },
};

#define ROWS(a) a, sizeof(a) / sizeof(a[0])

/* the role rows under each config, and msg_may_ignore's answer */
static const struct {
	const char     *conf;
	const struct env_case *rows;
	size_t		n;
	int		may_ignore;
} configs[] = {
	{ "IgnoreHosts 198.51.100.7\nLogWhy yes\n", ROWS(roles_sv), 1 },
	{ "Mode v\nIgnoreAuthenticatedClients yes\nLogWhy yes\n", ROWS(roles_v), 1 },
	{ "Mode s\nLogWhy yes\n", ROWS(roles_s), 1 },
	{ "", NULL, 0, 0 },	/* the defaults: Mode sv, no lists */
};

/* test_roles - DESIGN.md §2 role rules under each config */
static void
test_roles(void)
{
	struct engine *e;
	size_t i, k;

	for (i = 0; i < sizeof(configs) / sizeof(configs[0]); i++) {
		e = eng(configs[i].conf);
		if (!ok(e != NULL, "engine from config %zu", i))
			continue;
		for (k = 0; k < configs[i].n; k++)
			role(e, &configs[i].rows[k]);
		is_int(msg_may_ignore(e), configs[i].may_ignore, "config %zu: msg_may_ignore", i);
		engine_unref(e);
	}
}

/* run - one inbound message without a client address (so no SPF) */
static void
run(struct engine *e, const char *text, struct verdict *v)
{
	struct msg_env env;
	struct msg *m;

	memset(&env, 0, sizeof(env));
	env.mail_from = "<>";
	env.queue_id = "QID1";
	m = msg_new(e, &env);
	msgtext_feed_msg(m, text, strlen(text), 7);
	verdict_init(v);
	msg_eom(m, v);
	msg_record(m, v, v->action);
	msg_free(m);
}

/* added - the value of the index-th added header called name, or NULL */
static const char *
added(const struct verdict *v, const char *name)
{
	size_t i;

	for (i = 0; i < v->nadd; i++)
		if (strcmp(v->add[i].name, name) == 0)
			return v->add[i].value;
	return NULL;
}

/* contains - s is not NULL and has sub */
static int
contains(const char *s, const char *sub)
{
	return s != NULL && strstr(s, sub) != NULL;
}

/* test_verify - verdicts that need no lookup */
static void
test_verify(void)
{
	struct engine *e = eng("");
	struct verdict v;

	ok(e != NULL, "engine: defaults");
	if (e == NULL)
		return;
	run(e, "From: a@one.example\nFrom: b@two.example\nSubject: x\n\nbody\n", &v);
	is_str(verdict_action_str(v.action), "reject", "two From fields: rejected");
	ok(v.smtp_code && strcmp(v.smtp_code, "550") == 0 && strcmp(v.smtp_xcode, "5.7.1") == 0,
	    "two From fields: 550 5.7.1");
	is_str(v.smtp_text, "message rejected: 2 From header fields; RFC 5322 allows exactly one",
	    "two From fields: the reply says why");
	is_str(v.res.reason, "RejectMultipleFromFields", "two From fields: reason");
	is_str(v.res.dmarc, "permerror", "two From fields: dmarc=permerror");
	ok(contains(added(&v, "Authentication-Results"), " " ID ";"),
	    "two From fields: Authentication-Results with our authserv-id");
	ok(contains(v.log, "QID1: client=unknown") && contains(v.log, "action=reject"),
	    "two From fields: the log line (%s)", v.log);
	verdict_free(&v);

	run(e, "Authentication-Results: other.example; spf=pass\n"
	    "Authentication-Results: " ID "; dmarc=pass header.from=x.example\n"
	    "Authentication-Results: MX.Test.Example.; dkim=pass\n"
	    "Subject: no From\n\nbody\n", &v);
	is_str(verdict_action_str(v.action), "accept", "no From: accepted (RejectMultiValueFrom no)");
	is_str(v.res.dmarc, "permerror", "no From: dmarc=permerror");
	is_str(v.res.reason, "no From field", "no From: the reason");
	ok(v.nrm == 2 && strcmp(v.rm[0].name, "Authentication-Results") == 0 &&
	    v.rm[0].index == 2 && v.rm[1].index == 3,
	    "forged Authentication-Results: ours removed by index (2, 3), the other kept");
	ok(contains(added(&v, "Authentication-Results"), "dmarc=permerror"),
	    "no From: our header says dmarc=permerror (%s)", added(&v, "Authentication-Results"));
	ok(added(&v, "Received-SPF") == NULL, "no Received-SPF unless AddReceivedSPF");
	verdict_free(&v);
	engine_unref(e);

	e = eng("RequiredHeaders yes\nRejectMultiValueFrom yes\n");
	ok(e != NULL, "engine: RequiredHeaders, RejectMultiValueFrom");
	if (e == NULL)
		return;
	run(e, "From: a@x.example\nSubject: no Date\n\nbody\n", &v);
	is_str(v.res.reason, "RequiredHeaders", "RequiredHeaders: a message without Date refused");
	is_str(v.smtp_text, "0 Date fields (RFC 5322 section 3.6 allows exactly one)",
	    "RequiredHeaders: the reply says why");
	verdict_free(&v);
	run(e, "Date: Thu, 3 Dec 2026 10:00:00 +0000\nFrom: a@x.example, b@y.example\n\nbody\n", &v);
	is_str(verdict_action_str(v.action), "reject", "RejectMultiValueFrom: two From domains refused");
	is_str(v.res.reason, "RejectMultiValueFrom", "RejectMultiValueFrom: reason");
	is_str(v.smtp_text, "message rejected: From names several domains",
	    "RejectMultiValueFrom: the reply names the problem");
	verdict_free(&v);
	engine_unref(e);
}

/* test_header_cap - a header block over the limit is refused, whatever the role */
static void
test_header_cap(void)
{
	struct engine *e = eng("");
	struct msg_env env;
	struct verdict v;
	struct msg *m;
	size_t i;

	if (e == NULL)
		return;
	memset(&env, 0, sizeof(env));
	env.client_ip = "192.0.2.9";	/* InternalHosts: sign */
	m = msg_new(e, &env);
	msg_header(m, "From", " a@x.example");
	for (i = 0; i < 20000; i++)
		msg_header(m, "X-Filler", " x");
	msg_eoh(m);
	msg_body(m, (const unsigned char *)"body\r\n", 6);
	verdict_init(&v);
	msg_eom(m, &v);
	is_str(verdict_action_str(v.action), "reject", "header cap: 20,001 fields refused");
	ok(v.smtp_code && strcmp(v.smtp_code, "552") == 0 && strcmp(v.smtp_xcode, "5.3.4") == 0,
	    "header cap: 552 5.3.4");
	ok(contains(v.smtp_text, "20001 fields"), "header cap: the reply counts every field (%s)",
	    v.smtp_text);
	ok(contains(v.log, "role=sign") && contains(v.log, "reason=\"header too large\""),
	    "header cap: the log line (%s)", v.log);
	ok(v.nadd == 0, "header cap: nothing added");
	verdict_free(&v);
	msg_free(m);

	m = msg_new(e, &env);
	msg_header(m, "From", " a@x.example");
	msg_header(m, "X-Big", " x");
	msg_eoh(m);
	verdict_init(&v);
	msg_eom(m, &v);
	ok(v.action == VERDICT_ACCEPT && contains(v.log, "role=sign dkim=unsigned") &&
	    contains(v.log, "no signing keys configured"),
	    "under the cap, internal client: signing path, no keys (%s)", v.log);
	verdict_free(&v);
	msg_free(m);
	engine_unref(e);
}

/* test_queue_id - NOQUEUE until the MTA tells it */
static void
test_queue_id(void)
{
	struct engine *e = eng("IgnoreHosts 198.51.100.7\n");
	struct msg_env env;
	struct msg *m;

	if (e == NULL)
		return;
	memset(&env, 0, sizeof(env));
	env.client_ip = "198.51.100.7";
	m = msg_new(e, &env);
	is_str(msg_queue_id(m), "NOQUEUE", "queue id: NOQUEUE at first");
	msg_set_queue_id(m, "");
	is_str(msg_queue_id(m), "NOQUEUE", "queue id: an empty one is ignored");
	msg_set_queue_id(m, "4ABC");
	is_str(msg_queue_id(m), "4ABC", "queue id: set later");
	msg_free(m);
	/* the message held a reference: the engine outlives engine_unref */
	m = msg_new(e, &env);
	engine_unref(e);
	is_str(msg_role_str(msg_role(m)), "ignore", "engine: a message keeps its engine alive");
	msg_free(m);
}

/* one DMARC outcome and the action it turns into under a config */
struct policy_case {
	const char     *label;
	const char     *conf;		/* lines added to the base config */
	const char     *from;
	const char     *action, *code, *reason;
	const char     *text;		/* reply or quarantine reason; NULL: none */
};

static const struct policy_case policy_cases[] = {
	{ "p=reject: refused", "", "a@strict.example", "reject", "550", "policy",
	  "rejected because strict.example publishes a DMARC reject policy and this message "
	  "failed DMARC" },
	{ "p=reject, RejectString", "RejectString Mail from %s refused by policy\n",
	  "a@strict.example", "reject", "550", "policy", "Mail from strict.example refused by policy" },
	{ "p=reject, RejectFailures no", "RejectFailures no\n", "a@strict.example", "accept", NULL,
	  "RejectFailures no", NULL },
	{ "t=y p=reject, HoldQuarantinedMessages yes", "HoldQuarantinedMessages yes\n",
	  "a@testing.example", "quarantine", NULL, "policy", "DMARC quarantine policy of testing.example" },
	{ "t=y p=reject, HoldQuarantinedMessages no", "", "a@testing.example", "accept", NULL,
	  "HoldQuarantinedMessages no", NULL },
	{ "t=y p=quarantine: none", "", "a@testq.example", "accept", NULL, "testing (t=y)", NULL },
	{ "p=none", "", "a@pol.example", "accept", NULL, "policy none", NULL },
	{ "no record", "", "a@norecord.example", "accept", NULL, NULL, NULL },
	{ "temperror, TempFailOnDNSError yes", "TempFailOnDNSError yes\n", "a@loop.example",
	  "tempfail", "451", "TempFailOnDNSError",
	  "DMARC policy of loop.example could not be determined; try again later" },
	{ "temperror, TempFailOnDNSError no", "", "a@loop.example", "accept", NULL,
	  "dns temperror, accepted", NULL },
};

/* test_policy - each row through an engine of its own */
static void
test_policy(void)
{
	const struct policy_case *c;
	struct engine *e;
	struct verdict v;
	char text[200];
	size_t k;

	for (k = 0; k < sizeof(policy_cases) / sizeof(policy_cases[0]); k++) {
		c = &policy_cases[k];
		if (!ok((e = eng(c->conf)) != NULL, "%s: engine", c->label))
			continue;
		snprintf(text, sizeof(text), "From: %s\nSubject: x\n\nbody\n", c->from);
		run(e, text, &v);
		is_str(verdict_action_str(v.action), c->action, "%s: action", c->label);
		is_str(v.smtp_code, c->code, "%s: reply code", c->label);
		is_str(v.res.reason, c->reason, "%s: reason", c->label);
		is_str(v.action == VERDICT_QUARANTINE ? v.quarantine_reason : v.smtp_text, c->text,
		    "%s: text", c->label);
		verdict_free(&v);
		engine_unref(e);
	}
}

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "dns") == 0) {
		ns_port = getenv("DNS_PORT");
		if (ok(ns_port != NULL, "DNS_PORT set (run through msg.sh)"))
			test_policy();
		return tap_done();
	}
	test_roles();
	test_verify();
	test_header_cap();
	test_queue_id();
	return tap_done();
}
