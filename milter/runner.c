/*
 * runner.c - the offline runner (authmilter --test-message): reads a message
 * file (LF or CRLF), feeds it to the same pipeline the milter callbacks
 * drive, and prints the verdict as text or JSON.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fileio.h"
#include "log.h"
#include "msg.h"
#include "msgtext.h"
#include "runner.h"

/* print_text - a human-readable verdict */
static void
print_text(const struct verdict *v)
{
	size_t i;

	printf("action: %s\n", verdict_action_str(v->action));
	if (v->smtp_code)
		printf("reply: %s %s %s\n", v->smtp_code, v->smtp_xcode ? v->smtp_xcode : "",
		    v->smtp_text ? v->smtp_text : "");
	for (i = 0; i < v->nrm; i++)
		printf("remove: %s #%d\n", v->rm[i].name, v->rm[i].index);
	for (i = 0; i < v->nadd; i++)
		printf("add: %s:%s\n", v->add[i].name, v->add[i].value);
	if (v->log)
		printf("log: %s\n", v->log);
}

/* runner_run - see runner.h */
int
runner_run(struct engine *e, const struct runner_opts *o)
{
	struct buf text = BUF_INIT, out = BUF_INIT;
	struct msg_env env;
	struct verdict v;
	struct msg *m;
	size_t i;

	if (fileio_read(&text, o->message, &out) != 0) {
		log_warnx("%s", out.data);
		buf_free(&out);
		buf_free(&text);
		return 1;
	}
	memset(&env, 0, sizeof(env));
	env.client_ip = o->client_ip;
	env.client_host = o->client_host ? o->client_host : o->client_ip;
	env.helo = o->helo;
	env.mail_from = o->mail_from ? o->mail_from : "";
	env.auth_type = o->auth_user ? "PLAIN" : NULL;
	env.auth_authen = o->auth_user;
	env.daemon_name = o->daemon_name;
	env.queue_id = o->queue_id ? o->queue_id : "TEST";
	m = msg_new(e, &env);
	for (i = 0; i < o->rcpts.n; i++)
		msg_rcpt(m, o->rcpts.v[i]);
	msgtext_feed_msg(m, text.data, text.len, 65536);	/* Postfix's chunk size */
	verdict_init(&v);
	msg_eom(m, &v);
	msg_record(m, &v, v.action);	/* the engine has no history file: a no-op */
	if (o->json) {
		buf_init(&out);
		verdict_json(&v, &out);
		fwrite(out.data, 1, out.len, stdout);
		buf_free(&out);
	} else
		print_text(&v);
	verdict_free(&v);
	msg_free(m);
	buf_free(&text);
	return 0;
}
