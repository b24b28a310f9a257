/*
 * ingest_store.c - received reports into the database (ingest_store.h)
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "buf.h"
#include "ingest_store.h"
#include "ingest_text.h"
#include "report_gz.h"
#include "store.h"
#include "xalloc.h"

#define KEYS_MAX 64	/* (disposition, dkim, spf) outcomes split per day */

struct ingest_store {
	struct store	   *s;
	struct store_stmt  *agg, *fail;
};

static const char ins_agg[] =
    "INSERT INTO agg_report (org_name, email, report_id, policy_domain, policy_p,"
    " policy_sp, policy_np, policy_adkim, policy_aspf, policy_pct, policy_testing,"
    " date_begin, date_end, format, nrows, messages, errors, notes, source, message_id,"
    " ingested_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,"
    " $15, $16, $17, $18, $19, $20, $21) ON CONFLICT DO NOTHING RETURNING id";
static const char ins_fail[] =
    "INSERT INTO fail_report (digest, feedback_type, reporter, arrival, arrival_ts,"
    " source_ip, reported_domain, from_domain, auth_failure, auth_results,"
    " delivery_result, dkim_domain, dkim_selector, spf_dns, original_mail_from,"
    " original_rcpt_to, identity_alignment, headers, plain, notes, source, message_id,"
    " ingested_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,"
    " $15, $16, $17, $18, $19, $20, $21, $22, $23) ON CONFLICT DO NOTHING RETURNING id";
static const char find_rej[] = "SELECT count(*) FROM ingest_reject WHERE digest = $1";

/* ingest_store_new - see ingest_store.h */
struct ingest_store *
ingest_store_new(struct store *s, struct buf *err)
{
	struct ingest_store *is = xcalloc(1, sizeof(*is));

	is->s = s;
	if ((is->agg = store_prepare(s, ins_agg, err)) == NULL ||
	    (is->fail = store_prepare(s, ins_fail, err)) == NULL) {
		ingest_store_free(is);
		return NULL;
	}
	return is;
}

/* ingest_store_free - see ingest_store.h */
void
ingest_store_free(struct ingest_store *is)
{
	if (is == NULL)
		return;
	store_stmt_free(is->agg);
	store_stmt_free(is->fail);
	free(is);
}

/* utf8 - s as valid UTF-8 (each byte that is not becomes U+FFFD): s itself
 * when it is, else tmp's text; NULL stays NULL */
static const char *
utf8(struct buf *tmp, const char *s)
{
	size_t len;

	return s == NULL ? NULL : ingest_utf8_fix(tmp, s, strlen(s), &len);
}

/* lines - the strings of l, one per line, into b (NULL when l is empty) */
static const char *
lines(struct buf *b, const struct strlist *l)
{
	size_t i;

	if (l->n == 0)
		return NULL;
	buf_init(b);
	for (i = 0; i < l->n; i++)
		buf_printf(b, "%s%s", i ? "\n" : "", l->v[i]);
	return b->data;
}

/* sha256_hex - the SHA-256 of a[0..na) and b[0..nb) in hex into out[65] */
static int
sha256_hex(const char *a, size_t na, const char *b, size_t nb, char out[65], struct buf *err)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	int ok = c != NULL && EVP_DigestInit_ex(c, EVP_sha256(), NULL) == 1 &&
	    EVP_DigestUpdate(c, a, na) == 1 && EVP_DigestUpdate(c, b, nb) == 1 &&
	    EVP_DigestFinal_ex(c, md, &mdlen) == 1;

	EVP_MD_CTX_free(c);
	if (!ok) {
		buf_adds(err, "cannot compute SHA-256");
		return -1;
	}
	for (i = 0; i < mdlen; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}

/* insert_id - run an INSERT ... ON CONFLICT DO NOTHING RETURNING id: the
 * new id into *id and 1, or 0 when the row was there, -1 with err */
static int
insert_id(struct store_stmt *st, size_t n, const char *const *v, long long *id,
    struct buf *err)
{
	if (store_query(st, n, v, err) != 0)
		return -1;
	if (store_next(st) != 1)
		return 0;
	*id = store_col_int(st, 0);
	while (store_next(st) == 1)
		;
	return 1;
}

/* num - a number as text into b */
static const char *
num(struct buf *b, long long v)
{
	buf_init(b);
	buf_printf(b, "%lld", v);
	return b->data;
}

/* cnt - a count as a database number (capped at 2^63-1) */
static long long
cnt(uint64_t n)
{
	return n > (uint64_t)INT64_MAX ? INT64_MAX : (long long)n;
}

/* insert_report - the agg_report row: 1 new (*id), 0 there, -1 */
static int
insert_report(struct ingest_store *is, const struct ingest_origin *o,
    const struct ingest_agg *a, long long *id, struct buf *err)
{
	const struct ingest_policy *p = &a->policy;
	struct buf t[10];
	const char *v[21];
	size_t i;
	int rc;

	memset(t, 0, sizeof(t));
	v[0] = a->org_name; v[1] = a->email; v[2] = a->report_id; v[3] = p->domain;
	v[4] = p->p; v[5] = p->sp; v[6] = p->np; v[7] = p->adkim; v[8] = p->aspf;
	v[9] = p->pct >= 0 ? num(&t[0], p->pct) : NULL;
	v[10] = p->testing;
	v[11] = num(&t[1], a->begin);
	v[12] = num(&t[2], a->end);
	v[13] = ingest_agg_format_name(a->format);
	v[14] = num(&t[3], (long long)a->nrows);
	v[15] = num(&t[4], cnt(a->messages));
	v[16] = lines(&t[5], &a->errors);
	v[17] = lines(&t[6], &a->notes);
	v[18] = utf8(&t[7], o->source);
	v[19] = utf8(&t[8], o->message_id);
	v[20] = num(&t[9], o->now);
	rc = insert_id(is->agg, 21, v, id, err);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		buf_free(&t[i]);
	return rc;
}

/* val_s - a text load value (NULL is SQL NULL) */
static struct store_val
val_s(const char *s)
{
	return (struct store_val){ s, s ? strlen(s) : 0, 0, s == NULL };
}

/* val_i - a number load value */
static struct store_val
val_i(long long i)
{
	return (struct store_val){ NULL, 0, i, 0 };
}

/* auth_lines - "domain selector result" per auth result, one per line */
static const char *
auth_lines(struct buf *b, const struct ingest_auth *v, size_t n)
{
	size_t i;

	if (n == 0)
		return NULL;
	buf_reset(b);
	for (i = 0; i < n; i++)
		buf_printf(b, "%s%s %s %s", i ? "\n" : "", v[i].domain ? v[i].domain : "-",
		    v[i].selector ? v[i].selector : "-", v[i].result ? v[i].result : "-");
	return b->data;
}

/* reason_lines - "type comment" per reason, one per line */
static const char *
reason_lines(struct buf *b, const struct ingest_row *r)
{
	size_t i;

	if (r->nreasons == 0)
		return NULL;
	buf_reset(b);
	for (i = 0; i < r->nreasons; i++)
		buf_printf(b, "%s%s%s%s", i ? "\n" : "", r->reasons[i].type ? r->reasons[i].type : "-",
		    r->reasons[i].comment ? " " : "", r->reasons[i].comment ? r->reasons[i].comment : "");
	return b->data;
}

static const char *const row_cols[] = { "report", "n", "source_ip", "count", "disposition",
    "dkim", "spf", "reasons", "header_from", "envelope_from", "envelope_to", "auth_dkim",
    "auth_spf" };
static const enum store_type row_types[] = { STORE_INT, STORE_INT, STORE_TEXT, STORE_INT,
    STORE_TEXT, STORE_TEXT, STORE_TEXT, STORE_TEXT, STORE_TEXT, STORE_TEXT, STORE_TEXT,
    STORE_TEXT, STORE_TEXT };

/* load_rows - the report's records into agg_row (bulk load) */
static int
load_rows(struct ingest_store *is, long long id, const struct ingest_agg *a, struct buf *err)
{
	struct store_load *ld;
	struct store_val v[13];
	struct buf t[3];
	size_t i;
	int rc = 0;

	if (a->nrows == 0)
		return 0;
	if ((ld = store_load_begin(is->s, "agg_row", row_cols, row_types, 13, err)) == NULL)
		return -1;
	for (i = 0; i < 3; i++)
		buf_init(&t[i]);
	for (i = 0; i < a->nrows && rc == 0; i++) {
		const struct ingest_row *r = &a->rows[i];

		v[0] = val_i(id); v[1] = val_i((long long)i); v[2] = val_s(r->source_ip);
		v[3] = val_i(cnt(r->count)); v[4] = val_s(r->disposition); v[5] = val_s(r->dkim);
		v[6] = val_s(r->spf); v[7] = val_s(reason_lines(&t[0], r));
		v[8] = val_s(r->header_from); v[9] = val_s(r->envelope_from);
		v[10] = val_s(r->envelope_to); v[11] = val_s(auth_lines(&t[1], r->auth_dkim, r->ndkim));
		v[12] = val_s(auth_lines(&t[2], r->auth_spf, r->nspf));
		rc = store_load_row(ld, v, err);
	}
	for (i = 0; i < 3; i++)
		buf_free(&t[i]);
	return store_load_end(ld, rc != 0, err) != 0 ? -1 : rc;
}

/* an outcome's total, split per day */
struct outcome {
	const char     *disp, *dkim, *spf;
	uint64_t	n;
};

/* same - whether two outcome words are equal (NULL as "") */
static int
same(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

/* outcomes - the report's messages per (disposition, dkim, spf) into o[];
 * past KEYS_MAX distinct ones, the rest join the last */
static size_t
outcomes(const struct ingest_agg *a, struct outcome *o)
{
	size_t i, k, n = 0;

	for (i = 0; i < a->nrows; i++) {
		const struct ingest_row *r = &a->rows[i];

		for (k = 0; k < n; k++)
			if (same(o[k].disp, r->disposition) && same(o[k].dkim, r->dkim) &&
			    same(o[k].spf, r->spf))
				break;
		if (k == n && n == KEYS_MAX)
			k = n - 1;
		else if (k == n)
			o[n++] = (struct outcome){ r->disposition, r->dkim, r->spf, 0 };
		o[k].n += r->count;
	}
	return n;
}

static const char *const day_cols[] = { "report", "day", "policy_domain", "disposition",
    "dkim", "spf", "messages" };
static const enum store_type day_types[] = { STORE_INT, STORE_INT, STORE_TEXT, STORE_TEXT,
    STORE_TEXT, STORE_TEXT, STORE_INT };

/* load_days - the report's messages per UTC day and outcome into agg_day */
static int
load_days(struct ingest_store *is, long long id, const struct ingest_agg *a, struct buf *err)
{
	struct outcome o[KEYS_MAX];
	struct ingest_day d[INGEST_DAYS_MAX];
	struct store_load *ld;
	struct store_val v[7];
	size_t no = outcomes(a, o), i, k, nd;
	int rc = 0;

	if (no == 0)
		return 0;
	if ((ld = store_load_begin(is->s, "agg_day", day_cols, day_types, 7, err)) == NULL)
		return -1;
	for (i = 0; i < no && rc == 0; i++) {
		nd = ingest_day_split(a->begin, a->end, o[i].n, d, INGEST_DAYS_MAX);
		for (k = 0; k < nd && rc == 0; k++) {
			v[0] = val_i(id); v[1] = val_i(d[k].day); v[2] = val_s(a->policy.domain);
			v[3] = val_s(o[i].disp ? o[i].disp : ""); v[4] = val_s(o[i].dkim ? o[i].dkim : "");
			v[5] = val_s(o[i].spf ? o[i].spf : ""); v[6] = val_i(cnt(d[k].n));
			rc = store_load_row(ld, v, err);
		}
	}
	return store_load_end(ld, rc != 0, err) != 0 ? -1 : rc;
}

/* load_raw - the report's bytes, gzip'd, into agg_raw */
static int
load_raw(struct ingest_store *is, long long id, const char *raw, size_t rawlen,
    const char *xml, size_t xmllen, struct buf *err)
{
	static const char *const cols[] = { "report", "raw" };
	static const enum store_type types[] = { STORE_INT, STORE_BLOB };
	struct buf gz = BUF_INIT;
	struct store_load *ld;
	struct store_val v[2];
	int rc;

	buf_init(&gz);
	if (raw == NULL) {
		if (report_gz_compress(xml, xmllen, NULL, &gz) != 0) {
			buf_adds(err, "cannot compress the report");
			buf_free(&gz);
			return -1;
		}
		raw = gz.data;
		rawlen = gz.len;
	}
	if ((ld = store_load_begin(is->s, "agg_raw", cols, types, 2, err)) == NULL) {
		buf_free(&gz);
		return -1;
	}
	v[0] = val_i(id);
	v[1] = (struct store_val){ raw, rawlen, 0, 0 };
	rc = store_load_row(ld, v, err);
	rc = store_load_end(ld, rc != 0, err) != 0 ? -1 : rc;
	buf_free(&gz);
	return rc;
}

/* ingest_store_agg - see ingest_store.h */
int
ingest_store_agg(struct ingest_store *is, const struct ingest_origin *o,
    const struct ingest_agg *a, const char *raw, size_t rawlen, const char *xml,
    size_t xmllen, struct buf *err)
{
	long long id = 0;
	int rc = insert_report(is, o, a, &id, err);

	if (rc != 1)
		return rc;
	if (load_raw(is, id, raw, rawlen, xml, xmllen, err) != 0 ||
	    load_rows(is, id, a, err) != 0 || load_days(is, id, a, err) != 0)
		return -1;
	return 1;
}

/* ingest_store_fail - see ingest_store.h */
int
ingest_store_fail(struct ingest_store *is, const struct ingest_origin *o,
    const struct ingest_arf *f, const char *msg, size_t len, struct buf *err)
{
	const char *src[23] = { NULL, f->feedback_type, f->reporter, f->arrival, NULL,
	    f->source_ip, f->reported_domain, f->from_domain, f->auth_failure, f->auth_results,
	    f->delivery_result, f->dkim_domain, f->dkim_selector, f->spf_dns,
	    f->original_mail_from, f->original_rcpt_to, f->identity_alignment, f->headers,
	    f->plain ? "1" : "0", NULL, o->source, o->message_id, NULL };
	const char *v[23];
	struct buf t[23];
	char digest[65];
	long long id;
	size_t i;
	int rc;

	if (sha256_hex(msg, len, "", 0, digest, err) != 0)
		return -1;
	memset(t, 0, sizeof(t));
	for (i = 0; i < 23; i++)
		v[i] = utf8(&t[i], src[i]);
	v[0] = digest;
	v[4] = f->arrival_epoch >= 0 ? num(&t[4], f->arrival_epoch) : NULL;
	v[19] = lines(&t[19], &f->notes);
	v[22] = num(&t[22], o->now);
	rc = insert_id(is->fail, 23, v, &id, err);
	for (i = 0; i < 23; i++)
		buf_free(&t[i]);
	return rc;
}

/* ingest_store_reject - see ingest_store.h */
int
ingest_store_reject(struct ingest_store *is, const struct ingest_origin *o,
    const char *reason, const char *raw, size_t len, struct buf *err)
{
	static const char *const cols[] = { "digest", "reason", "source", "message_id", "raw",
	    "raw_len", "ingested_at" };
	static const enum store_type types[] = { STORE_TEXT, STORE_TEXT, STORE_TEXT, STORE_TEXT,
	    STORE_BLOB, STORE_INT, STORE_INT };
	const char *p[1];
	struct store_load *ld;
	struct store_val v[7];
	struct buf t[3];
	char digest[65];
	long long have;
	int rc;

	if (sha256_hex(reason, strlen(reason) + 1, raw, len, digest, err) != 0)
		return -1;
	p[0] = digest;
	if (store_query_int(is->s, find_rej, 1, p, 0, &have, err) != 0)
		return -1;
	if (have > 0)
		return 0;
	if ((ld = store_load_begin(is->s, "ingest_reject", cols, types, 7, err)) == NULL)
		return -1;
	memset(t, 0, sizeof(t));
	v[0] = val_s(digest);
	v[1] = val_s(utf8(&t[0], reason));
	v[2] = val_s(utf8(&t[1], o->source));
	v[3] = val_s(utf8(&t[2], o->message_id));
	v[4] = (struct store_val){ raw, len > INGEST_REJECT_RAW_MAX ? INGEST_REJECT_RAW_MAX : len,
	    0, 0 };
	v[5] = val_i((long long)len);
	v[6] = val_i(o->now);
	rc = store_load_row(ld, v, err);
	rc = store_load_end(ld, rc != 0, err) != 0 ? -1 : rc;
	buf_free(&t[0]);
	buf_free(&t[1]);
	buf_free(&t[2]);
	return rc == 0 ? 1 : -1;
}
