/*
 * fuzz_msg.c - libFuzzer target: the whole per-message pipeline, in process
 *
 * Input: byte 0 picks the role (odd: client 127.0.0.1, an InternalHost, so
 * the message is signed; even: client 198.18.0.1, verified) and, with bit 1,
 * MultiValueFrom strictest with RejectMultipleFromFields no (every From
 * field evaluated, malformed ones read leniently) instead of
 * RejectMultiValueFrom yes; then one line
 * with the MAIL FROM address; then the message (LF or CRLF), split into
 * header fields and body the way the offline runner does, and fed through
 * msg_new/msg_header/msg_eoh/msg_body/msg_eom/msg_free.
 *
 * DNS: FUZZ_DNS_PORT names an unbound on 127.0.0.1 (t/fuzz/run.sh starts
 * one serving t/zones/hostile.conf); without it verification lookups go to
 * a closed port and fail fast.  Signing uses an Ed25519 key made at start.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "conf.h"
#include "dkim_key.h"
#include "engine.h"
#include "log.h"
#include "msg.h"
#include "msgtext.h"
#include "verdict.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* setup - an engine, built once per flavour */
static struct engine *
setup(int strictest)
{
	struct buf err = BUF_INIT, text = BUF_INIT, pem = BUF_INIT;
	char dir[] = "/tmp/fuzz_msg.XXXXXX", path[64];
	const char *port = getenv("FUZZ_DNS_PORT");
	struct dkim_key *k;
	struct conf *c;
	struct engine *e;
	FILE *fp;

	log_open("fuzz", 0, NULL, 0);
	buf_init(&err);
	buf_init(&text);
	buf_init(&pem);
	if (mkdtemp(dir) == NULL || (k = dkim_key_generate("ed25519", 0, &err)) == NULL)
		abort();
	if (dkim_key_private_pem(k, &pem) != 0)
		abort();
	dkim_key_free(k);
	snprintf(path, sizeof(path), "%s/key.pem", dir);
	umask(077);
	if ((fp = fopen(path, "w")) == NULL)
		abort();
	fwrite(pem.data, 1, pem.len, fp);
	fclose(fp);
	buf_printf(&text,
	    "Mode sv\nAuthservID mx.fuzz.example\nSyslog no\nInternalHosts 127.0.0.1\n"
	    "Nameservers 127.0.0.1:%s\nDNSTimeout 1\nDomain hostile.test\nSelector fz\n"
	    "KeyFile %s\nMaximumSignaturesToVerify 5\nAddReceivedSPF yes\n"
	    "RejectFailures yes\n%s\n", port ? port : "9", path,
	    strictest ? "MultiValueFrom strictest\nRejectMultipleFromFields no" :
	    "RejectMultiValueFrom yes");
	c = conf_parse("fuzz.conf", text.data, text.len, &err);
	if (c == NULL || (e = engine_new(c, &err)) == NULL) {
		fprintf(stderr, "fuzz_msg: %s\n", err.data);
		abort();
	}
	buf_free(&err);
	buf_free(&text);
	buf_free(&pem);
	return e;
}

/* LLVMFuzzerTestOneInput - one message through the pipeline */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct engine *engines[2];
	struct engine *e;
	const char *p = (const char *)data, *end = p + size, *nl;
	struct msg_env env;
	struct verdict v;
	struct msg *m;
	char *mfrom;

	if (size < 2)
		return 0;
	if ((e = engines[(data[0] >> 1) & 1]) == NULL)
		e = engines[(data[0] >> 1) & 1] = setup((data[0] >> 1) & 1);
	memset(&env, 0, sizeof(env));
	env.client_ip = (data[0] & 1) ? "127.0.0.1" : "198.18.0.1";
	env.client_host = "[client]";
	env.helo = "client.hostile.test";
	env.queue_id = "FUZZ";
	p++;
	nl = memchr(p, '\n', (size_t)(end - p));
	if (nl == NULL)
		return 0;
	mfrom = xstrndup(p, (size_t)(nl - p));
	env.mail_from = mfrom;
	m = msg_new(e, &env);
	msg_rcpt(m, "bob@rcpt.test");
	msgtext_feed_msg(m, nl + 1, (size_t)(end - nl - 1), 0);
	verdict_init(&v);
	msg_eom(m, &v);
	msg_record(m, &v, v.action);
	if (v.action == VERDICT_REJECT && v.smtp_code == NULL)
		abort();	/* a reject always says why */
	verdict_free(&v);
	msg_free(m);
	free(mfrom);
	return 0;
}
