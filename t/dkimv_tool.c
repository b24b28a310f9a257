/*
 * dkimv_tool.c - drive lib/dkim_verify over message files (for t/dkim_verify.sh)
 *
 *   dkimv_tool [-n NAMESERVER] [-T DNSTIMEOUT] [-m MINKEYBITS] [-x MAXSIGS]
 *              [-c CHUNK] FILE...
 *
 * Splits each message's header block as an MTA does (as milter/runner.c
 * does), feeds the body with CRLF line ends in CHUNK-byte pieces, and prints
 * one line per signature evaluated:
 *
 *   FILE d=DOMAIN s=SELECTOR a=ALG result=WORD bits=N testing=0|1 l=0|1
 *        dnssec=WORD b=PREFIX reason="..."
 *
 * or "FILE none" for a message without signatures.  Exit 0 unless a file
 * cannot be read or the engine cannot be built.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "dkim_verify.h"
#include "dns.h"
#include "fileio.h"
#include "msgtext.h"
#include "verdict.h"

/* msgtext callbacks: straight to the verifier */
static void
on_header(void *arg, const char *name, const char *value)
{
	dkimv_header(arg, name, value);
}

static void
on_eoh(void *arg)
{
	dkimv_eoh(arg);
}

static void
on_body(void *arg, const unsigned char *p, size_t n)
{
	dkimv_body(arg, p, n);
}

/* print_results - one line per signature */
static void
print_results(const char *file, const struct verdict *vd)
{
	size_t i;
	const struct verdict_dkim *d;

	if (vd->res.ndkim == 0)
		printf("%s none\n", file);
	for (i = 0; i < vd->res.ndkim; i++) {
		d = &vd->res.dkim[i];
		printf("%s d=%s s=%s a=%s result=%s bits=%u testing=%d l=%d dnssec=%s b=%s "
		    "reason=\"%s\"\n", file, d->domain, d->selector,
		    d->algorithm ? d->algorithm : "-", d->result, d->bits, d->testing,
		    d->length_limit, dns_sec_str((enum dns_sec)d->dnssec),
		    d->b_prefix ? d->b_prefix : "-", d->reason ? d->reason : "");
	}
}

/* run_one - verify one file */
static int
run_one(struct dkimv_engine *de, const char *file, size_t chunk)
{
	struct buf text = BUF_INIT, err = BUF_INIT;
	struct verdict vd;
	struct dkimv *v;
	static const struct msgtext_cb feed = { on_header, on_eoh, on_body };

	if (fileio_read(&text, file, &err) != 0) {
		fprintf(stderr, "%s\n", err.data);
		buf_free(&err);
		buf_free(&text);
		return -1;
	}
	verdict_init(&vd);
	v = dkimv_new(de, "TESTQID");
	msgtext_feed(text.data, text.len, chunk, &feed, v);
	dkimv_eom(v);
	dkimv_results(v, &vd);
	dkimv_free(v);
	print_results(file, &vd);
	verdict_free(&vd);
	buf_free(&text);
	return 0;
}

int
main(int argc, char **argv)
{
	struct conf *c = conf_defaults();
	struct buf err = BUF_INIT;
	struct dkimv_engine *de;
	struct dns *d;
	size_t chunk = 4096;
	int ch, rc = 0;

	buf_init(&err);
	while ((ch = getopt(argc, argv, "n:T:m:x:c:")) != -1) {
		switch (ch) {
		case 'n': strlist_add(&c->nameservers, optarg); break;
		case 'T': c->dns_timeout = atol(optarg); break;
		case 'm': c->min_key_bits = atol(optarg); break;
		case 'x': c->max_verify_sigs = atol(optarg); break;
		case 'c': chunk = (size_t)atol(optarg); break;
		default:
			fprintf(stderr, "usage: dkimv_tool [-n NS] [-T SEC] [-m BITS] [-x N] "
			    "[-c CHUNK] FILE...\n");
			return 2;
		}
	}
	if (chunk == 0)
		chunk = 1;
	if ((d = dns_new(&c->nameservers, (int)c->dns_timeout, NULL, &err)) == NULL ||
	    (de = dkimv_engine_new(d, c, &err)) == NULL) {
		fprintf(stderr, "dkimv_tool: %s\n", err.data);
		return 1;
	}
	for (; optind < argc; optind++)
		if (run_one(de, argv[optind], chunk) != 0)
			rc = 1;
	fflush(stdout);
	dkimv_engine_free(de);
	dns_free(d);
	conf_free(c);
	buf_free(&err);
	return rc;
}
