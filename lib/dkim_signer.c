/*
 * dkim_signer.c - the outbound DKIM set-up of one engine (RFC 6376)
 *
 * At engine build: read the KeyTable and SigningTable (tables.c) or the
 * Domain/Selector/KeyFile short form, load every key once (dkim_key.c:
 * RequireSafeKeys, RSA and Ed25519), check that every key name the
 * SigningTable uses exists, and build the header lists (SignHeaders,
 * OmitHeaders, OversignHeaders, OversignHeadersIfPresent), the
 * canonicalization and SignatureTTL.  Messages are signed in dkim_sign.c.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "address.h"
#include "conf.h"
#include "dataset.h"
#include "dkim_key.h"
#include "dkim_signer.h"
#include "log.h"
#include "tables.h"
#include "tables_pg.h"

/*
 * The default SignHeaders: every field whose change alters what a reader
 * sees or what a receiver acts on.  RFC 6376 §5.4.1's list (OpenDKIM 2.10
 * and later sign it and Resent-Sender by default), what OpenDKIM signed before
 * 2.10 (RFC 4871 §5.5: Sender, Message-ID, MIME-Version and the Content-*
 * fields, so a replayed message cannot be re-wrapped), and
 * List-Unsubscribe-Post, which RFC 8058 §4 requires under a valid
 * signature with List-Unsubscribe for one-click unsubscription.
 */
static const char *const sign_default_hdrs[] = {
	"from", "sender", "reply-to", "subject", "date", "message-id", "to", "cc",
	"mime-version", "content-type", "content-transfer-encoding", "content-id",
	"content-description", "resent-date", "resent-from", "resent-sender", "resent-to",
	"resent-cc", "resent-message-id", "in-reply-to", "references", "list-id", "list-help",
	"list-unsubscribe", "list-unsubscribe-post", "list-subscribe", "list-post",
	"list-owner", "list-archive", NULL
};

/* list_words - a data set (dataset.h), words appended lower-cased */
static int
list_words(const char *spec, struct strlist *out, struct buf *err)
{
	return dataset_words(spec, out, 1, err);
}

/* valid_hdr - an RFC 5322 §3.6.8 field name we accept in a list (letters,
 * digits, "-" and "_", what OpenDKIM accepts in its header lists) */
static int
valid_hdr(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
			return 0;
	return 1;
}

/* hdr_edit - add or remove name in l (lower case) */
static void
hdr_edit(struct strlist *l, const char *name, int add)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcasecmp(l->v[i], name) == 0)
			break;
	if (add && i == l->n)
		strlist_add(l, name);
	else if (!add && i < l->n) {
		free(l->v[i]);
		memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof(*l->v));
		l->n--;
	}
}

/*
 * hdr_list - a header list keyword (OpenDKIM syntax): a list replaces def;
 * a list containing "*" edits def, "+name" adding and "-name" removing.
 */
static int
hdr_list(const char *kw, const char *spec, const char *const *def, struct strlist *out,
    struct buf *err)
{
	struct strlist words = { 0, NULL };
	size_t i;
	int star = 0, rc = 0;

	if (spec && list_words(spec, &words, err) != 0)
		return -1;
	for (i = 0; i < words.n; i++)
		if (strcmp(words.v[i], "*") == 0)
			star = 1;
	if ((spec == NULL || star) && def)
		for (i = 0; def[i]; i++)
			strlist_add(out, def[i]);
	for (i = 0; i < words.n && rc == 0; i++) {
		const char *w = words.v[i];
		int add = *w != '-';

		if (strcmp(w, "*") == 0 || strcmp(w, ".") == 0)
			continue;
		if (*w == '+' || *w == '-')
			w++;
		if (!valid_hdr(w)) {
			buf_printf(err, "%s: \"%s\" is not a header field name", kw, words.v[i]);
			rc = -1;
		} else
			hdr_edit(out, w, add);
	}
	strlist_free(&words);
	return rc;
}

/*
 * setup_lists - canonicalization, SignatureTTL and the header lists.  A name
 * oversigned (either list) is signed too: h= may not name a field present
 * in the message that was not hashed.  OmitHeaders removes a name from all
 * three lists, From excepted.
 */
static int
setup_lists(struct dkim_signer *s, const struct conf *c, struct buf *err)
{
	struct strlist sign = { 0, NULL }, omit = { 0, NULL }, over = { 0, NULL },
	    opt = { 0, NULL };
	uint64_t ttl = (uint64_t)c->signature_ttl;
	const char *slash;
	size_t i;
	int rc = -1;

	slash = strchr(c->canonicalization, '/');
	s->hc = strncasecmp(c->canonicalization, "relaxed", 7) == 0 ?
	    DKIMC_RELAXED : DKIMC_SIMPLE;
	s->bc = slash == NULL ? s->hc : strcasecmp(slash + 1, "relaxed") == 0 ?
	    DKIMC_RELAXED : DKIMC_SIMPLE;
	s->ttl = ttl;
	if (hdr_list("SignHeaders", c->sign_headers, sign_default_hdrs, &sign, err) != 0 ||
	    hdr_list("OmitHeaders", c->omit_headers, NULL, &omit, err) != 0 ||
	    hdr_list("OversignHeaders", c->oversign_headers, NULL, &over, err) != 0 ||
	    hdr_list("OversignHeadersIfPresent", c->oversign_present_headers, NULL, &opt,
	    err) != 0)
		goto out;
	/* RFC 6376 §5.4: From is required; OpenDKIM ignores an OmitHeaders From */
	hdr_edit(&omit, "from", 0);
	for (i = 0; i < omit.n; i++) {
		hdr_edit(&sign, omit.v[i], 0);
		hdr_edit(&over, omit.v[i], 0);
		hdr_edit(&opt, omit.v[i], 0);
	}
	/* a strict oversign wins over the conditional one */
	for (i = 0; i < over.n; i++)
		hdr_edit(&opt, over.v[i], 0);
	hdr_edit(&sign, "from", 1);
	for (i = 0; i < over.n; i++)
		hdr_edit(&sign, over.v[i], 1);
	for (i = 0; i < opt.n; i++)
		hdr_edit(&sign, opt.v[i], 1);
	rc = 0;
	/* hdr_eoh and sig_value use them */
	s->sign_hdrs = sign;
	s->over_hdrs = over;
	s->opt_hdrs = opt;
	sign.n = over.n = opt.n = 0;
	sign.v = over.v = opt.v = NULL;
out:
	strlist_free(&sign);
	strlist_free(&omit);
	strlist_free(&over);
	strlist_free(&opt);
	return rc;
}

/* load_pg - a pgsql: table (tables_pg.h); errors name the keyword's file:line */
static int
load_pg(const struct conf *c, const char *kw, const char *spec, struct keytable *kt,
    struct signtable *st, struct buf *err)
{
	struct buf why = BUF_INIT;
	size_t line = conf_key_line(c, kw);
	int rc;

	buf_init(&why);
	rc = kt ? tables_pg_keytable(spec, kt, &why) : tables_pg_signtable(spec, st, &why);
	if (rc != 0 && line > 0)
		buf_printf(err, "%s:%zu: %s: %s", c->path, line, kw, why.data);
	else if (rc != 0)
		buf_printf(err, "%s: %s", kw, why.data);
	buf_free(&why);
	return rc;
}

/* load_table - one table keyword into kt or st */
static int
load_table(const struct conf *c, const char *kw, const char *spec, struct keytable *kt,
    struct signtable *st, struct buf *err)
{
	struct buf text = BUF_INIT, why = BUF_INIT;
	const char *path;
	int refile, rc;

	if (tables_pg_is(spec))
		return load_pg(c, kw, spec, kt, st, err);
	buf_init(&why);
	if (tables_spec(spec, &path, &refile, &why) != 0 ||
	    tables_read(path, &text, &why) != 0) {
		buf_printf(err, "%s: %s", kw, why.data);
		buf_free(&why);
		buf_free(&text);
		return -1;
	}
	rc = kt ? tables_keytable_parse(path, text.data ? text.data : "", text.len, refile, kt, &why)
	    : tables_signtable_parse(path, text.data ? text.data : "", text.len, refile, st, &why);
	if (rc != 0)
		buf_printf(err, "%s: %s", kw, why.data);
	buf_free(&why);
	buf_free(&text);
	return rc;
}

/* table_name - spec's name in messages: the file, or pgsql:TABLE (never the
 * connection string, which may hold a password) */
static void
table_name(const char *spec, struct buf *out)
{
	struct tables_pg_spec ps;
	const char *path;
	int refile;

	if (tables_pg_is(spec) && tables_pg_spec(spec, &ps, out) == 0)
		buf_printf(out, "pgsql:%s", ps.table);
	else if (!tables_pg_is(spec) && tables_spec(spec, &path, &refile, out) == 0)
		buf_adds(out, path);
}

/* short_form - Domain, Selector, KeyFile as a one-key table pair; with
 * SubDomains the lookup also tries bare parent domains */
static int
short_form(struct dkim_signer *s, const struct conf *c, struct buf *err)
{
	struct strlist doms = { 0, NULL };
	size_t i;

	if (c->domain == NULL || c->selector == NULL || c->key_file == NULL) {
		buf_adds(err, "signing without KeyTable needs Domain, Selector and KeyFile");
		return -1;
	}
	if (list_words(c->domain, &doms, err) != 0)
		return -1;
	for (i = 0; i < doms.n; i++) {
		struct keytable_entry *k;
		struct signtable_entry *e;

		s->kt.v = xrealloc(s->kt.v, (s->kt.n + 1) * sizeof(*s->kt.v));
		k = &s->kt.v[s->kt.n++];
		memset(k, 0, sizeof(*k));
		k->name = xstrdup(doms.v[i]);
		/* Domain "*": sign everything, d= the From domain */
		k->domain = xstrdup(strcmp(doms.v[i], "*") == 0 ? "%" : doms.v[i]);
		k->selector = xstrdup(c->selector);
		k->key = xstrdup(c->key_file);
		s->st.v = xrealloc(s->st.v, (s->st.n + 1) * sizeof(*s->st.v));
		e = &s->st.v[s->st.n++];
		memset(e, 0, sizeof(*e));
		e->pattern = xstrdup(doms.v[i]);
		strlist_add(&e->keys, doms.v[i]);
	}
	strlist_free(&doms);
	return 0;
}

/* load_keys - every KeyTable key, each file read once */
static int
load_keys(struct dkim_signer *s, const struct conf *c, struct buf *err)
{
	size_t i, j;

	s->key = xcalloc(s->kt.n + 1, sizeof(*s->key));
	s->owned = xcalloc(s->kt.n + 1, sizeof(*s->owned));
	for (i = 0; i < s->kt.n; i++) {
		const struct keytable_entry *e = &s->kt.v[i];
		struct buf name = BUF_INIT;

		for (j = 0; j < i && !e->inline_key; j++)
			if (!s->kt.v[j].inline_key && strcmp(s->kt.v[j].key, e->key) == 0)
				break;
		if (!e->inline_key && j < i) {
			s->key[i] = s->key[j];
			continue;
		}
		if (e->inline_key) {
			buf_init(&name);
			buf_printf(&name, "KeyTable entry \"%s\" (line %zu)", e->name, e->line);
			s->key[i] = dkim_key_parse(e->key, strlen(e->key), name.data, err);
			buf_free(&name);
		} else
			s->key[i] = dkim_key_load(e->key, c->require_safe_keys, err);
		if (s->key[i] == NULL)
			return -1;
		s->owned[s->nowned++] = s->key[i];
	}
	return 0;
}

/* check_refs - every SigningTable key name must be in the KeyTable ("%"
 * depends on the message and is checked then) */
static int
check_refs(const struct dkim_signer *s, const char *table, struct buf *err)
{
	size_t i, j, idx;

	for (i = 0; i < s->st.n; i++)
		for (j = 0; j < s->st.v[i].keys.n; j++) {
			const char *k = s->st.v[i].keys.v[j];

			if (strcmp(k, "%") != 0 && tables_keytable_find(&s->kt, k, &idx, 1) == 0) {
				buf_printf(err, "SigningTable: %s:%zu: key \"%s\" is not in the KeyTable",
				    table, s->st.v[i].line, k);
				return -1;
			}
		}
	return 0;
}

/* dkim_signer_new - see dkim_signer.h */
struct dkim_signer *
dkim_signer_new(const struct conf *c, struct buf *err)
{
	struct dkim_signer *s = xcalloc(1, sizeof(*s));
	struct buf name = BUF_INIT;
	int rc;

	s->multiple = c->multiple_signatures;
	s->subdomains = c->subdomains;
	s->add_identity = c->add_identity;
	if (c->dont_sign_mail_to && list_words(c->dont_sign_mail_to, &s->dont_sign_to, err) != 0)
		goto fail;
	if (c->key_table || c->signing_table) {
		if (c->key_table == NULL || c->signing_table == NULL) {
			buf_printf(err, "%s is set but %s is not", c->key_table ? "KeyTable" :
			    "SigningTable", c->key_table ? "SigningTable" : "KeyTable");
			goto fail;
		}
		if (c->domain || c->selector || c->key_file)
			log_warnx("KeyTable is set: Domain, Selector and KeyFile are ignored");
		if (load_table(c, "KeyTable", c->key_table, &s->kt, NULL, err) != 0 ||
		    load_table(c, "SigningTable", c->signing_table, NULL, &s->st, err) != 0)
			goto fail;
		buf_init(&name);
		table_name(c->signing_table, &name);
		rc = check_refs(s, name.data, err);
		buf_free(&name);
		if (rc != 0)
			goto fail;
	} else if (c->domain || c->selector || c->key_file) {
		if (short_form(s, c, err) != 0)
			goto fail;
	}
	if (load_keys(s, c, err) != 0 || setup_lists(s, c, err) != 0)
		goto fail;
	return s;
fail:
	dkim_signer_free(s);
	return NULL;
}

/* dkim_signer_free - release tables, keys and lists */
void
dkim_signer_free(struct dkim_signer *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->nowned; i++)
		dkim_key_free(s->owned[i]);
	free(s->owned);
	free(s->key);
	tables_keytable_free(&s->kt);
	tables_signtable_free(&s->st);
	strlist_free(&s->dont_sign_to);
	strlist_free(&s->sign_hdrs);
	strlist_free(&s->over_hdrs);
	strlist_free(&s->opt_hdrs);
	free(s);
}

/* dkim_signer_nkeys - see dkim_signer.h */
size_t
dkim_signer_nkeys(const struct dkim_signer *s)
{
	return s ? s->kt.n : 0;
}

/* dkim_signer_dont_sign_to - see dkim_signer.h */
int
dkim_signer_dont_sign_to(const struct dkim_signer *s, const char *rcpt)
{
	char *dom = address_domain_of(rcpt), *local = NULL, *d2 = NULL;
	struct buf addr = BUF_INIT;
	size_t i, dl = dom ? strlen(dom) : 0;
	int hit = 0;

	/* the address as the MTA passes it ("<u@d>"), read as a path */
	if (address_parse_path(rcpt, &local, &d2) == 0 && d2 != NULL)
		buf_printf(&addr, "%s@%s", local, d2);
	for (i = 0; s && i < s->dont_sign_to.n && !hit; i++) {
		const char *e = s->dont_sign_to.v[i];
		size_t el = strlen(e);

		hit = strcasecmp(e, rcpt) == 0 || (addr.data && strcasecmp(e, addr.data) == 0) ||
		    (dom && strcasecmp(e, dom) == 0) ||
		    (e[0] == '.' && dl > el && strcasecmp(dom + dl - el, e) == 0);
	}
	free(dom);
	free(local);
	free(d2);
	buf_free(&addr);
	return hit;
}
