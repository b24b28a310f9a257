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
#include "verdict.h"

/* read_file - the whole file */
static int
read_file(const char *path, struct buf *out)
{
	FILE *fp = fopen(path, "rb");
	char chunk[65536];
	size_t n;

	if (fp == NULL) {
		perror(path);
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(out, chunk, n);
	fclose(fp);
	return 0;
}

/* line_end - end of the line at p (before CRLF/LF); *next is the next line */
static const char *
line_end(const char *p, const char *end, const char **next)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	if (nl == NULL) {
		*next = end;
		return end;
	}
	*next = nl + 1;
	return nl > p && nl[-1] == '\r' ? nl - 1 : nl;
}

/* feed_headers - one dkimv_header per field, folds joined with CRLF */
static const char *
feed_headers(struct dkimv *v, const char *p, const char *end)
{
	struct buf name = BUF_INIT, value = BUF_INIT;
	const char *next, *le, *colon;
	int have = 0;

	buf_init(&name);
	buf_init(&value);
	while (p < end) {
		le = line_end(p, end, &next);
		if (le == p) {
			p = next;
			break;
		}
		if ((*p == ' ' || *p == '\t') && have) {
			buf_adds(&value, "\r\n");
			buf_add(&value, p, (size_t)(le - p));
		} else {
			if (have)
				dkimv_header(v, name.data, value.data);
			buf_reset(&name);
			buf_reset(&value);
			have = 0;
			if ((colon = memchr(p, ':', (size_t)(le - p))) == NULL)
				break;
			buf_add(&name, p, (size_t)(colon - p));
			buf_add(&value, colon + 1, (size_t)(le - colon - 1));
			have = 1;
		}
		p = next;
	}
	if (have)
		dkimv_header(v, name.data, value.data);
	buf_free(&name);
	buf_free(&value);
	return p;
}

/* feed_body - CRLF line ends, chunk bytes at a time */
static void
feed_body(struct dkimv *v, const char *p, const char *end, size_t chunk)
{
	struct buf b = BUF_INIT;
	const char *next, *le;
	size_t off;

	buf_init(&b);
	while (p < end) {
		le = line_end(p, end, &next);
		buf_add(&b, p, (size_t)(le - p));
		buf_adds(&b, "\r\n");
		p = next;
	}
	for (off = 0; off < b.len; off += chunk)
		dkimv_body(v, (const unsigned char *)b.data + off,
		    b.len - off < chunk ? b.len - off : chunk);
	buf_free(&b);
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
run_one(struct dkim_engine *de, const char *file, size_t chunk)
{
	struct buf text = BUF_INIT;
	struct verdict vd;
	struct dkimv *v;
	const char *body;

	buf_init(&text);
	if (read_file(file, &text) != 0)
		return -1;
	verdict_init(&vd);
	v = dkimv_new(de, "TESTQID");
	body = feed_headers(v, text.data, text.data + text.len);
	dkimv_eoh(v);
	feed_body(v, body, text.data + text.len, chunk);
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
	struct dkim_engine *de;
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
	    (de = dkim_engine_new(d, c, &err)) == NULL) {
		fprintf(stderr, "dkimv_tool: %s\n", err.data);
		return 1;
	}
	for (; optind < argc; optind++)
		if (run_one(de, argv[optind], chunk) != 0)
			rc = 1;
	fflush(stdout);
	dkim_engine_free(de);
	dns_free(d);
	conf_free(c);
	buf_free(&err);
	return rc;
}
