/*
 * authmilter-testkey.c - check published DKIM keys against private keys
 *
 * For each key (one given on the command line, or every KeyTable entry or
 * the Domain/Selector/KeyFile short form of a config file) it fetches
 * SELECTOR._domainkey.DOMAIN TXT through our resolver (lib/dns, so the
 * config's Nameservers and TrustAnchorFile apply), parses the key record
 * (RFC 6376 §3.6.1) and compares its public key with the private key.
 * RSA and Ed25519 (RFC 8463) alike.  One line per key, key=value fields.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "buf.h"
#include "conf.h"
#include "dkim_key.h"
#include "dns.h"
#include "keys_opt.h"

/* exit statuses, worst wins when several keys are tested */
enum {
	TK_OK = 0,		/* every published key matches */
	TK_MISMATCH = 1,	/* a record publishes another key */
	TK_NOTFOUND = 2,	/* no key record at the selector */
	TK_INVALID = 3,		/* unparsable or revoked record */
	TK_DNSERR = 4,		/* temporary or DNSSEC failure */
	TK_USAGE = 64,
	TK_NOKEY = 66,		/* private key file unusable */
	TK_CONFIG = 78
};

struct opts {
	struct strlist	servers;
	const char     *trust_anchor;
	int		timeout;
	int		verbose;
};

/* usage - print the synopsis and exit */
static void __attribute__((noreturn))
usage(int status)
{
	fprintf(status ? stderr : stdout,
	    "usage: authmilter-testkey -c config [-v] [--nameserver ADDR[:PORT]]...\n"
	    "       authmilter-testkey -d domain -s selector -k keyfile [-v]\n"
	    "                          [--nameserver ADDR[:PORT]]... [--trust-anchor FILE]\n"
	    "                          [--timeout SECONDS]\n");
	exit(status);
}

/* worse - the status to keep of two */
static int
worse(int a, int b)
{
	return a > b ? a : b;
}

/* warn_record - things that work but that an operator wants to know */
static void
warn_record(const char *name, const struct dkim_key_rec *rec, unsigned bits)
{
	if (rec->testing)
		printf("%s: warning: t=y, the domain is testing DKIM (RFC 6376 §3.6.1)\n", name);
	if (rec->h != NULL && strstr(rec->h, "sha256") == NULL)
		printf("%s: warning: h=%s does not allow sha256 (RFC 8301 §3.1)\n", name, rec->h);
	if (rec->s != NULL && strstr(rec->s, "email") == NULL && strchr(rec->s, '*') == NULL)
		printf("%s: warning: s=%s excludes email\n", name, rec->s);
	if ((rec->k == NULL || strcasecmp(rec->k, "rsa") == 0) && bits > 0 && bits < 1024)
		printf("%s: warning: %u-bit RSA key, verifiers must refuse it (RFC 8301 §3.2)\n",
		    name, bits);
	else if ((rec->k == NULL || strcasecmp(rec->k, "rsa") == 0) && bits > 0 && bits < 2048)
		printf("%s: warning: %u-bit RSA key, 2048 bits recommended (RFC 8301 §3.2)\n",
		    name, bits);
}

/* check_record - one TXT record against the key; prints the result line */
static int
check_record(const char *name, const char *keyname, const char *txt,
    const struct dkim_key *k, enum dns_sec sec, int verbose)
{
	struct dkim_key_rec rec;
	char why[256];
	unsigned bits = 0;
	int m, st;

	st = dkim_key_rec_parse(txt, strlen(txt), &rec, why, sizeof(why));
	if (st != DKIM_KEY_REC_OK) {
		printf("%s key=%s result=%s reason=\"%s\" dnssec=%s\n", name, keyname,
		    st == DKIM_KEY_REC_REVOKED ? "revoked" : "invalid", why, dns_sec_str(sec));
		dkim_key_rec_free(&rec);
		return TK_INVALID;
	}
	m = dkim_key_rec_match(&rec, k, &bits, why, sizeof(why));
	if (m == 1)
		printf("%s key=%s result=match alg=%s bits=%u dnssec=%s%s\n", name, keyname,
		    dkim_key_alg(k), bits, dns_sec_str(sec), rec.testing ? " testing=yes" : "");
	else
		printf("%s key=%s result=%s reason=\"%s\" alg=%s bits=%u private_bits=%u "
		    "dnssec=%s\n", name, keyname, m == 0 ? "mismatch" : "invalid", why,
		    rec.k ? rec.k : "rsa", bits, dkim_key_bits(k), dns_sec_str(sec));
	if (verbose)
		printf("%s: record \"%s\"\n", name, txt);
	if (m >= 0)
		warn_record(name, &rec, bits);
	dkim_key_rec_free(&rec);
	return m == 1 ? TK_OK : m == 0 ? TK_MISMATCH : TK_INVALID;
}

/* check_key - fetch SELECTOR._domainkey.DOMAIN and compare with k */
static int
check_key(struct dns *dns, const char *domain, const char *selector, const char *keyname,
    const struct dkim_key *k, int verbose)
{
	struct strlist txt = { 0, NULL };
	struct buf name = BUF_INIT;
	enum dns_sec sec = DNS_SEC_INSECURE;
	enum dns_status ds;
	char why[256];
	size_t i, ndkim = 0;
	int status = TK_OK;

	buf_init(&name);
	buf_printf(&name, "%s._domainkey.%s", selector, domain);
	ds = dns_txt_lookup(dns, name.data, &txt, &sec, why, sizeof(why));
	if (ds != DNS_OK) {
		printf("%s key=%s result=%s reason=\"%s\" dnssec=%s\n", name.data, keyname,
		    ds == DNS_NOTFOUND ? "notfound" : "dnserror", why, dns_sec_str(sec));
		status = ds == DNS_NOTFOUND ? TK_NOTFOUND : TK_DNSERR;
		goto out;
	}
	/* a TXT record that is not a tag-list is somebody else's (e.g. SPF) */
	for (i = 0; i < txt.n; i++) {
		if (strchr(txt.v[i], '=') == NULL) {
			if (verbose)
				printf("%s: ignoring TXT \"%s\"\n", name.data, txt.v[i]);
			continue;
		}
		ndkim++;
		status = worse(status, check_record(name.data, keyname, txt.v[i], k, sec,
		    verbose));
	}
	if (ndkim == 0) {
		printf("%s key=%s result=notfound reason=\"no key record among %zu TXT\" "
		    "dnssec=%s\n", name.data, keyname, txt.n, dns_sec_str(sec));
		status = TK_NOTFOUND;
	} else if (ndkim > 1)
		printf("%s: warning: %zu key records; verifiers may use any one "
		    "(RFC 6376 §3.6.2.2)\n", name.data, ndkim);
out:
	strlist_free(&txt);
	buf_free(&name);
	return status;
}

/* load_key - a key file, or inline key data as a KeyTable may carry */
static struct dkim_key *
load_key(const char *spec, int require_safe)
{
	struct buf err = BUF_INIT;
	struct dkim_key *k;
	struct stat st;

	buf_init(&err);
	if (spec[0] == '/' || spec[0] == '.' || stat(spec, &st) == 0) {
		k = dkim_key_load(spec, require_safe, &err);
		if (k != NULL && !require_safe && stat(spec, &st) == 0 &&
		    (st.st_mode & (S_IRGRP | S_IWGRP | S_IROTH | S_IWOTH)))
			printf("%s: warning: mode %04o, readable or writable by others\n", spec,
			    (unsigned)(st.st_mode & 07777));
	} else
		k = dkim_key_parse(spec, strlen(spec), "(inline key)", &err);
	if (k == NULL)
		fprintf(stderr, "authmilter-testkey: %s\n", err.data);
	buf_free(&err);
	return k;
}

/* test_one - load, check, free */
static int
test_one(struct dns *dns, const char *domain, const char *selector, const char *keyspec,
    int require_safe, int verbose)
{
	struct dkim_key *k = load_key(keyspec, require_safe);
	int status;

	if (k == NULL)
		return TK_NOKEY;
	status = check_key(dns, domain, selector, keyspec[0] == '/' || keyspec[0] == '.' ?
	    keyspec : "(inline)", k, verbose);
	dkim_key_free(k);
	return status;
}

/*
 * test_keytable_line - one "name domain:selector:key" line of an OpenDKIM
 * KeyTable (opendkim.conf(5)); 0 when tested, -1 when malformed
 */
static int
test_keytable_line(struct dns *dns, char *line, int require_safe, int verbose, int *status)
{
	char *name, *value, *domain, *selector, *key;

	name = strtok(line, " \t");
	value = strtok(NULL, " \t");
	if (name == NULL || value == NULL)
		return -1;
	domain = value;
	if ((selector = strchr(domain, ':')) == NULL)
		return -1;
	*selector++ = '\0';
	if ((key = strchr(selector, ':')) == NULL)
		return -1;
	*key++ = '\0';
	if (*domain == '\0' || *selector == '\0' || *key == '\0')
		return -1;
	if (strcmp(domain, "%") == 0) {
		printf("%s: skipped: domain \"%%\" is the signing domain, known only per "
		    "message\n", name);
		return 0;
	}
	*status = worse(*status, test_one(dns, domain, selector, key, require_safe, verbose));
	return 0;
}

/* test_keytable - every entry of a flat-file KeyTable */
static int
test_keytable(struct dns *dns, const char *spec, int require_safe, int verbose)
{
	const char *path = strncmp(spec, "file:", 5) == 0 ? spec + 5 : spec;
	char line[8192];
	FILE *f;
	int status = TK_OK, lineno = 0, n = 0;

	if (path[0] != '/' && strchr(path, ':') != NULL) {
		fprintf(stderr, "authmilter-testkey: KeyTable %s: only flat files are "
		    "supported\n", spec);
		return TK_CONFIG;
	}
	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "authmilter-testkey: %s: %s\n", path, strerror(errno));
		return TK_CONFIG;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p = line + strspn(line, " \t");

		lineno++;
		p[strcspn(p, "\r\n")] = '\0';
		if (*p == '#' || *p == '\0')
			continue;
		n++;
		if (test_keytable_line(dns, p, require_safe, verbose, &status) < 0) {
			fprintf(stderr, "authmilter-testkey: %s:%d: expected \"name "
			    "domain:selector:keyfile\"\n", path, lineno);
			status = worse(status, TK_CONFIG);
		}
	}
	fclose(f);
	if (n == 0)
		fprintf(stderr, "authmilter-testkey: %s: no keys\n", path);
	return n == 0 ? worse(status, TK_CONFIG) : status;
}

/* test_config - the KeyTable, else the Domain/Selector/KeyFile short form */
static int
test_config(const char *path, struct opts *o)
{
	struct buf err = BUF_INIT;
	struct conf *c;
	struct dns *dns;
	char *domains, *d, *save = NULL;
	int status = TK_OK;
	size_t i;

	buf_init(&err);
	if ((c = conf_load(path, &err)) == NULL) {
		fprintf(stderr, "authmilter-testkey: %s\n", err.data);
		buf_free(&err);
		return TK_CONFIG;
	}
	if (o->servers.n == 0)
		for (i = 0; i < c->nameservers.n; i++)
			strlist_add(&o->servers, c->nameservers.v[i]);
	dns = dns_new(&o->servers, o->timeout ? o->timeout : (int)c->dns_timeout,
	    o->trust_anchor ? o->trust_anchor : c->trust_anchor_file, &err);
	if (dns == NULL) {
		fprintf(stderr, "authmilter-testkey: %s\n", err.data);
		status = TK_CONFIG;
	} else if (c->key_table != NULL)
		status = test_keytable(dns, c->key_table, c->require_safe_keys, o->verbose);
	else if (c->domain != NULL && c->selector != NULL && c->key_file != NULL) {
		domains = xstrdup(c->domain);
		for (d = strtok_r(domains, ", \t", &save); d != NULL;
		    d = strtok_r(NULL, ", \t", &save))
			status = worse(status, test_one(dns, d, c->selector, c->key_file,
			    c->require_safe_keys, o->verbose));
		free(domains);
	} else {
		fprintf(stderr, "authmilter-testkey: %s: no KeyTable and no "
		    "Domain/Selector/KeyFile\n", path);
		status = TK_CONFIG;
	}
	dns_free(dns);
	conf_free(c);
	buf_free(&err);
	return status;
}

int
main(int argc, char **argv)
{
	const char *conf = NULL, *domain = NULL, *selector = NULL, *key = NULL;
	struct opts o;
	struct buf err = BUF_INIT;
	struct keys_opt ko;
	struct dns *dns;
	int c, status;

	memset(&o, 0, sizeof(o));
	keys_opt_init(&ko, "c:config d:domain s:selector k:key N=nameserver A=trust-anchor "
	    "t=timeout v+verbose h+help");
	while ((c = keys_opt_next(&ko, argc, argv)) != -1) {
		switch (c) {
		case 'c': conf = optarg; break;
		case 'd': domain = optarg; break;
		case 's': selector = optarg; break;
		case 'k': key = optarg; break;
		case 'N': strlist_add(&o.servers, optarg); break;
		case 'A': o.trust_anchor = optarg; break;
		case 't':
			o.timeout = atoi(optarg);
			if (o.timeout < 1 || o.timeout > 300)
				usage(TK_USAGE);
			break;
		case 'v': o.verbose = 1; break;
		case 'h': usage(0);
		default: usage(TK_USAGE);
		}
	}
	if (optind != argc || (conf == NULL) == (domain == NULL && selector == NULL &&
	    key == NULL) || (conf == NULL && (!domain || !selector || !key)))
		usage(TK_USAGE);
	if (conf != NULL)
		status = test_config(conf, &o);
	else {
		buf_init(&err);
		dns = dns_new(&o.servers, o.timeout ? o.timeout : 10, o.trust_anchor, &err);
		if (dns == NULL) {
			fprintf(stderr, "authmilter-testkey: %s\n", err.data);
			status = TK_USAGE;
		} else
			status = test_one(dns, domain, selector, key, 0, o.verbose);
		dns_free(dns);
		buf_free(&err);
	}
	strlist_free(&o.servers);
	return status;
}
