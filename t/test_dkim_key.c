/*
 * test_dkim_key.c - lib/dkim_key.c: private key forms, key records,
 * record/key matching
 *
 * test_dkim_key --sign KEYFILE DOMAIN SELECTOR < msg: helper for keygen.sh,
 * libopendkim as an independent signer of the key files keygen writes
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <opendkim/dkim.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "dkim_key.h"
#include "dkim_tag.h"
#include "fileio.h"
#include "tap.h"

/* one 1024-bit RSA key and one Ed25519 key in every accepted form, made with
 * openssl(1); rsa_p and ed_p are openssl's own public key encodings */
#define RSA_PKCS1_B64 \
	"MIICXAIBAAKBgQDML8YTN5ZrdcZasdAq/jQmaS26Cv1wqwR5/SKJvnqLrbVy7Mzp\n" \
	"z8Df2sGShgl/N+YkX1x7VC8w63fl+jBjPO1n/OIwJbvkuClxYcuSP25zveiLwehn\n" \
	"oU1dm9wnY4880W2TTX0nF1d6tjWbXPfzapW6yMz2BGoCfJ1E6JTzwixHpQIDAQAB\n" \
	"AoGBALFYhTfHvjRTtRas/lt5Mx5xmC/Qv9QOFfNGc6sj8BhFpiXNmyUxNxq3TA3R\n" \
	"sYn3qULKOO89bUeWHSt4pHJtRtzOofsPkmalDLkYVavZ+ZRJqowG8bmuEXASv3cQ\n" \
	"lXAb4fNKiD2EtrAnFgzXEqBAmrYLdGgYGpozwV/TlgIJuj/BAkEA9x9rFvn2mX4+\n" \
	"3/rLJBSF9T29+p6YYt1xE1n417TwP1QXLowzIA2Nh3vrmpr+V63xisJaT2Ay4C9f\n" \
	"aHVZjO8Q6QJBANOFgf6kLvl6bVGwqmWrKM1JaO5z4BCmGUpUbSG0CEIuSNJRIj+t\n" \
	"fqD+cWAf7ABoaIenDmNc27dlwhMkxF4cK10CQH0mli9uq+qUOvdnpZVCJ41JlXrk\n" \
	"8ruu9eMc/58ObVVFGvBh5EppUrG4mlsT/5cb6mWhg+cLCvjqROE7/PwY3nECQQCN\n" \
	"1UMipaMeBFrTYRwRSmD0rpne8vI3F7lznwMCi37SKckIxgCqJEL530PUyfLtHxWg\n" \
	"iINcW0K1SlWFkqzd0hO9Aj9n65PbKGzM14tiOzNG9ZLjdxbq8kFXw1GD4vNpp/Mu\n" \
	"XR+nvkZPWsXuqYekdgxNLG9G/BQdx0JJtRJ+ZqFf/+I=\n"

static const char rsa_pkcs1_pem[] =
	"-----BEGIN RSA PRIVATE KEY-----\n" RSA_PKCS1_B64
	"-----END RSA PRIVATE KEY-----\n";

/* openssl pkcs8 -topk8 -nocrypt -in rsa_pkcs1_pem -outform DER | base64 -w64
 * (test_fixtures checks it is PKCS#8 and the other base64 ones are not) */
#define RSA_PKCS8_B64 \
	"MIICdgIBADANBgkqhkiG9w0BAQEFAASCAmAwggJcAgEAAoGBAMwvxhM3lmt1xlqx\n" \
	"0Cr+NCZpLboK/XCrBHn9Iom+eouttXLszOnPwN/awZKGCX835iRfXHtULzDrd+X6\n" \
	"MGM87Wf84jAlu+S4KXFhy5I/bnO96IvB6GehTV2b3CdjjzzRbZNNfScXV3q2NZtc\n" \
	"9/NqlbrIzPYEagJ8nUTolPPCLEelAgMBAAECgYEAsViFN8e+NFO1Fqz+W3kzHnGY\n" \
	"L9C/1A4V80ZzqyPwGEWmJc2bJTE3GrdMDdGxifepQso47z1tR5YdK3ikcm1G3M6h\n" \
	"+w+SZqUMuRhVq9n5lEmqjAbxua4RcBK/dxCVcBvh80qIPYS2sCcWDNcSoECatgt0\n" \
	"aBgamjPBX9OWAgm6P8ECQQD3H2sW+faZfj7f+sskFIX1Pb36nphi3XETWfjXtPA/\n" \
	"VBcujDMgDY2He+uamv5XrfGKwlpPYDLgL19odVmM7xDpAkEA04WB/qQu+XptUbCq\n" \
	"ZasozUlo7nPgEKYZSlRtIbQIQi5I0lEiP61+oP5xYB/sAGhoh6cOY1zbt2XCEyTE\n" \
	"XhwrXQJAfSaWL26r6pQ692ellUInjUmVeuTyu6714xz/nw5tVUUa8GHkSmlSsbia\n" \
	"WxP/lxvqZaGD5wsK+OpE4Tv8/BjecQJBAI3VQyKlox4EWtNhHBFKYPSumd7y8jcX\n" \
	"uXOfAwKLftIpyQjGAKokQvnfQ9TJ8u0fFaCIg1xbQrVKVYWSrN3SE70CP2frk9so\n" \
	"bMzXi2I7M0b1kuN3FuryQVfDUYPi82mn8y5dH6e+Rk9axe6ph6R2DE0sb0b8FB3H\n" \
	"Qkm1En5moV//4g==\n"

static const char rsa_pkcs8_pem[] =
	"-----BEGIN PRIVATE KEY-----\n" RSA_PKCS8_B64
	"-----END PRIVATE KEY-----\n";

static const char rsa_pkcs8_b64[] = RSA_PKCS8_B64;

static const char rsa_pkcs1_b64_lines[] = RSA_PKCS1_B64;

static const char rsa_pkcs1_b64[] =
	"MIICXAIBAAKBgQDML8YTN5ZrdcZasdAq/jQmaS26Cv1wqwR5/SKJvnqLrbVy7Mzpz8Df2sGShgl/N+YkX1x7VC8w63fl+jBjPO1n/OIwJbvkuClxYcuSP25zveiLwehnoU1dm9wnY4880W2TTX0nF1d6tjWbXPfzapW6yMz2BGoCfJ1E6JTzwixHpQIDAQABAoGBALFYhTfHvjRTtRas/lt5Mx5xmC/Qv9QOFfNGc6sj8BhFpiXNmyUxNxq3TA3RsYn3qULKOO89bUeWHSt4pHJtRtzOofsPkmalDLkYVavZ+ZRJqowG8bmuEXASv3cQlXAb4fNKiD2EtrAnFgzXEqBAmrYLdGgYGpozwV/TlgIJuj/BAkEA9x9rFvn2mX4+3/rLJBSF9T29+p6YYt1xE1n417TwP1QXLowzIA2Nh3vrmpr+V63xisJaT2Ay4C9faHVZjO8Q6QJBANOFgf6kLvl6bVGwqmWrKM1JaO5z4BCmGUpUbSG0CEIuSNJRIj+tfqD+cWAf7ABoaIenDmNc27dlwhMkxF4cK10CQH0mli9uq+qUOvdnpZVCJ41JlXrk8ruu9eMc/58ObVVFGvBh5EppUrG4mlsT/5cb6mWhg+cLCvjqROE7/PwY3nECQQCN1UMipaMeBFrTYRwRSmD0rpne8vI3F7lznwMCi37SKckIxgCqJEL530PUyfLtHxWgiINcW0K1SlWFkqzd0hO9Aj9n65PbKGzM14tiOzNG9ZLjdxbq8kFXw1GD4vNpp/MuXR+nvkZPWsXuqYekdgxNLG9G/BQdx0JJtRJ+ZqFf/+I=";

static const char rsa_p[] =
	"MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDML8YTN5ZrdcZasdAq/jQmaS26Cv1wqwR5/SKJvnqLrbVy7Mzpz8Df2sGShgl/N+YkX1x7VC8w63fl+jBjPO1n/OIwJbvkuClxYcuSP25zveiLwehnoU1dm9wnY4880W2TTX0nF1d6tjWbXPfzapW6yMz2BGoCfJ1E6JTzwixHpQIDAQAB";

static const char ed_pem[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MC4CAQAwBQYDK2VwBCIEIBvBEyvyzvWCPXdrrIXUteuj2yodn7MN6L5wxuxGUW/Y\n"
	"-----END PRIVATE KEY-----\n";

static const char ed_seed[] =
	"G8ETK/LO9YI9d2ushdS166PbKh2fsw3ovnDG7EZRb9g=\n";

static const char ed_p[] =
	"4b2zBwBP3p5EZqypp02m4OXKnjfyxie7xtXx4nNFarE=\n";

static const char rsa_pkcs1_pubkey_p[] = "MIGJAoGBAMwvxhM3lmt1xlqx0Cr+NCZpLboK/XCrBHn9Iom+eouttXLszOnPwN/awZKGCX835iRfXHtULzDrd+X6MGM87Wf84jAlu+S4KXFhy5I/bnO96IvB6GehTV2b3CdjjzzRbZNNfScXV3q2NZtc9/NqlbrIzPYEagJ8nUTolPPCLEelAgMBAAE=";

/* an unencrypted P-256 key: a valid key of a type DKIM cannot use */
static const char ec_pem[] =
	"-----BEGIN PRIVATE KEY-----\n"
	"MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgKnlVec6b34xn5DaR\n"
	"1FD23q0/Ymbt6MOFhDQGQkX99LahRANCAARaLoAFKaL5cQwKWzhjjW++gUyf3oMn\n"
	"TNzWZzaEGZ4AffohqWkspTxQlIyFS5jnoMmBFwF/RsCVamGhLwO1yuys\n"
	"-----END PRIVATE KEY-----\n";

/*
 * libopendkim 2.11.0~beta2 leaks the EVP_PKEY of every Ed25519 signature:
 * dkim_free() frees sig_signature's crypto state only for RSA keys.  Under
 * AddressSanitizer, unwind fully so t/lsan.supp's libopendkim entry sees
 * the libopendkim frame (the fast unwinder stops inside libcrypto).
 */
const char *__asan_default_options(void);
const char *__lsan_default_suppressions(void);

/* __asan_default_options - full stacks, so suppressions can match */
const char *
__asan_default_options(void)
{
	return "fast_unwind_on_malloc=0";
}

/* __lsan_default_suppressions - the libopendkim Ed25519 leak above */
const char *
__lsan_default_suppressions(void)
{
	return "leak:dkim_privkey_load\nleak:libopendkim.so\n";
}

/* trim - the fixture without its trailing newline */
static char *
trim(const char *s)
{
	char *t = strdup(s);
	size_t n = strlen(t);

	while (n > 0 && (t[n - 1] == '\n' || t[n - 1] == ' '))
		t[--n] = '\0';
	return t;
}

/* check_form - parse one fixture and compare alg, bits and p= */
static struct dkim_key *
check_form(const char *label, const char *data, const char *alg, unsigned bits,
    const char *want_p)
{
	struct buf err = BUF_INIT, p = BUF_INIT;
	struct dkim_key *k;
	char *wp = trim(want_p);

	k = dkim_key_parse(data, strlen(data), label, &err);
	if (!ok(k != NULL, "parse %s", label)) {
		diag("%s", err.data ? err.data : "");
		buf_free(&err);
		free(wp);
		return NULL;
	}
	is_str(dkim_key_alg(k), alg, "%s: algorithm", label);
	is_int(dkim_key_bits(k), bits, "%s: bits", label);
	dkim_key_public_b64(k, &p);
	is_str(p.data, wp, "%s: p= equals openssl's public key", label);
	buf_free(&p);
	buf_free(&err);
	free(wp);
	return k;
}

/* der_of - the DER a base64 fixture holds (OpenSSL's decoder, not ours) */
static unsigned char *
der_of(const char *b64, int *len)
{
	EVP_ENCODE_CTX *ctx = EVP_ENCODE_CTX_new();
	unsigned char *der = malloc(strlen(b64));
	int n = 0, m = 0;

	EVP_DecodeInit(ctx);
	if (EVP_DecodeUpdate(ctx, der, &n, (const unsigned char *)b64, (int)strlen(b64)) < 0 ||
	    EVP_DecodeFinal(ctx, der + n, &m) < 0)
		n = m = -1;
	EVP_ENCODE_CTX_free(ctx);
	*len = n + m;
	return der;
}

/* is_pkcs8 - 1 when the base64 fixture is a PrivateKeyInfo (RFC 5208 §5) */
static int
is_pkcs8(const char *b64)
{
	int len;
	unsigned char *der = der_of(b64, &len);
	const unsigned char *p = der;
	PKCS8_PRIV_KEY_INFO *p8 = len > 0 ? d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, len) : NULL;
	int r = p8 != NULL && p == der + len;

	PKCS8_PRIV_KEY_INFO_free(p8);
	free(der);
	return r;
}

/* test_fixtures - each base64 DER fixture is the form its label names, so a
 * form row cannot pass on the wrong fixture */
static void
test_fixtures(void)
{
	ok(is_pkcs8(rsa_pkcs8_b64), "fixture: rsa_pkcs8_b64 is PKCS#8");
	ok(!is_pkcs8(rsa_pkcs1_b64_lines), "fixture: rsa_pkcs1_b64_lines is not PKCS#8");
	ok(!is_pkcs8(rsa_pkcs1_b64), "fixture: rsa_pkcs1_b64 is not PKCS#8");
}

/* test_forms - every accepted private key form */
static void
test_forms(void)
{
	static const struct {
		const char *label, *data, *alg, *p;
		unsigned bits;
	} t[] = {
		{ "RSA PKCS#1 PEM", rsa_pkcs1_pem, "rsa", rsa_p, 1024 },
		{ "RSA PKCS#8 PEM", rsa_pkcs8_pem, "rsa", rsa_p, 1024 },
		{ "RSA PKCS#8 base64 DER (64-col lines)", rsa_pkcs8_b64, "rsa", rsa_p, 1024 },
		{ "RSA PKCS#1 base64 DER (64-col lines)", rsa_pkcs1_b64_lines, "rsa", rsa_p, 1024 },
		{ "RSA PKCS#1 base64 DER (one line)", rsa_pkcs1_b64, "rsa", rsa_p, 1024 },
		{ "Ed25519 PKCS#8 PEM", ed_pem, "ed25519", ed_p, 256 },
		{ "Ed25519 raw seed base64", ed_seed, "ed25519", ed_p, 256 },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		dkim_key_free(check_form(t[i].label, t[i].data, t[i].alg, t[i].bits, t[i].p));
}

/* test_bad - inputs that are not usable keys */
static void
test_bad(void)
{
	static const struct {
		const char *label, *data, *want;
	} t[] = {
		{ "empty", "", "not a usable private key" },
		{ "garbage", "hello world", "not a usable private key" },
		{ "base64 of 31 bytes", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==",
		    "not a usable private key" },
		{ "public key PEM", "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA4b2zBwBP3p5EZqypp02m4OXKnjfyxie7xtXx4nNFarE=\n"
		    "-----END PUBLIC KEY-----\n", "not a usable private key" },
		{ "truncated PEM", "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIBvB\n",
		    "not a usable private key" },
		{ "P-256 key", ec_pem, "not an RSA or Ed25519 key" },
	};
	struct buf err = BUF_INIT;
	struct dkim_key *k;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		buf_init(&err);
		k = dkim_key_parse(t[i].data, strlen(t[i].data), "thekey", &err);
		ok(k == NULL && err.data != NULL && strstr(err.data, t[i].want) != NULL &&
		    strncmp(err.data, "thekey: ", 8) == 0, "refused: %s", t[i].label);
		if (err.data != NULL)
			diag("%s", err.data);
		dkim_key_free(k);
		buf_free(&err);
	}
	k = dkim_key_parse("MC4CAQ\0AA", 9, "nul", &err);
	ok(k == NULL && strstr(err.data, "NUL") != NULL, "refused: NUL byte");
	buf_free(&err);
	dkim_key_free(NULL);
	ok(1, "dkim_key_free(NULL) is a no-op");
}

/* write_file - create path with data and mode */
static void
write_file(const char *path, const char *data, mode_t mode)
{
	FILE *f = fopen(path, "w");

	fputs(data, f);
	fclose(f);
	chmod(path, mode);
}

/* try_load - 1 when dkim_key_load succeeds; err (when refused) must name path */
static int
try_load(const char *path, int safe, const char *want_err)
{
	struct buf err = BUF_INIT;
	struct dkim_key *k = dkim_key_load(path, safe, &err);
	int r = k != NULL;

	if (k == NULL && want_err != NULL && (strstr(err.data, path) == NULL ||
	    strstr(err.data, want_err) == NULL)) {
		diag("error \"%s\" lacks \"%s\"", err.data, want_err);
		r = -1;
	}
	dkim_key_free(k);
	buf_free(&err);
	return r;
}

/* test_load - files, permissions, directories */
static void
test_load(void)
{
	char dir[] = "/tmp/test_dkim_key.XXXXXX", sub[256], path[300];

	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/k.private", dir);
	write_file(path, rsa_pkcs1_pem, 0600);
	is_int(try_load(path, 1, NULL), 1, "load 0600 file with RequireSafeKeys");
	chmod(path, 0640);
	is_int(try_load(path, 1, "unsafe permissions 0640"), 0, "0640 refused, error names the file");
	chmod(path, 0604);
	is_int(try_load(path, 1, "unsafe permissions"), 0, "0604 refused");
	is_int(try_load(path, 0, NULL), 1, "0604 accepted without RequireSafeKeys");
	write_file(path, rsa_pkcs8_b64, 0600);
	is_int(try_load(path, 1, NULL), 1, "load a PKCS#8 base64 DER file");
	unlink(path);
	is_int(try_load(path, 0, "No such file"), 0, "missing file: error names it");

	snprintf(sub, sizeof(sub), "%s/open", dir);
	mkdir(sub, 0700);
	chmod(sub, 0777);
	snprintf(path, sizeof(path), "%s/k.private", sub);
	write_file(path, ed_seed, 0600);
	is_int(try_load(path, 1, "directory is writable by others"), 0,
	    "key in a world-writable directory refused");
	chmod(sub, 01777);
	is_int(try_load(path, 1, NULL), 1, "sticky world-writable directory accepted");
	unlink(path);
	rmdir(sub);
	is_int(try_load(dir, 0, "not a regular file"), 0, "a directory is refused");
	rmdir(dir);
}

/* test_generate - new keys, sizes, round trip through PEM */
static void
test_generate(void)
{
	static const struct {
		const char *alg;
		unsigned bits, want_bits;
	} t[] = {
		{ "rsa", 1024, 1024 }, { "rsa", 2048, 2048 }, { "ed25519", 0, 256 },
	};
	struct buf err = BUF_INIT, pem = BUF_INIT, p1 = BUF_INIT, p2 = BUF_INIT;
	struct dkim_key *k, *k2;
	size_t i;

	k = dkim_key_generate("rsa", 1023, &err);
	ok(k == NULL && strstr(err.data, "1023") != NULL, "1023-bit RSA refused");
	buf_reset(&err);
	k = dkim_key_generate("dsa", 1024, &err);
	ok(k == NULL && strstr(err.data, "dsa") != NULL, "unknown algorithm refused");
	buf_reset(&err);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		k = dkim_key_generate(t[i].alg, t[i].bits, &err);
		if (!ok(k != NULL, "generate %s %u", t[i].alg, t[i].bits))
			continue;
		is_int(dkim_key_bits(k), t[i].want_bits, "generated %s size", t[i].alg);
		buf_reset(&pem);
		dkim_key_private_pem(k, &pem);
		k2 = dkim_key_parse(pem.data, pem.len, "pem", &err);
		buf_reset(&p1);
		buf_reset(&p2);
		dkim_key_public_b64(k, &p1);
		if (k2 != NULL)
			dkim_key_public_b64(k2, &p2);
		ok(k2 != NULL && p1.len > 0 && strcmp(p1.data, p2.data) == 0,
		    "%s: PEM round trip keeps the key", t[i].alg);
		ok(strncmp(pem.data, strcmp(t[i].alg, "rsa") == 0 ?
		    "-----BEGIN RSA PRIVATE KEY-----\n" : "-----BEGIN PRIVATE KEY-----\n",
		    20) == 0 && strstr(pem.data, strcmp(t[i].alg, "rsa") == 0 ?
		    "BEGIN RSA PRIVATE KEY" : "BEGIN PRIVATE KEY") != NULL,
		    "%s: key file form (RSA PKCS#1, Ed25519 PKCS#8)", t[i].alg);
		dkim_key_free(k2);
		dkim_key_free(k);
	}
	buf_free(&err);
	buf_free(&pem);
	buf_free(&p1);
	buf_free(&p2);
}

/* test_records - the key record parser, RFC 6376 §3.6.1 */
static void
test_records(void)
{
	static const struct {
		const char *label, *in;
		enum dkim_key_rec_status want;
		const char *k, *p, *h, *n;
		int testing, strict;
	} t[] = {
		{ "minimal", "p=AAAA", DKIM_KEY_REC_OK, NULL, "AAAA", NULL, NULL, 0, 0 },
		{ "full", "v=DKIM1; k=ed25519; h=sha256; t=y:s; s=email; n=hi there; p=AB CD",
		    DKIM_KEY_REC_OK, "ed25519", "ABCD", "sha256", "hi there", 1, 1 },
		{ "trailing semicolon, FWS", " v = DKIM1 ;\r\n\tp = A\r\n\tB ; ",
		    DKIM_KEY_REC_OK, NULL, "AB", NULL, NULL, 0, 0 },
		{ "unknown tags ignored", "v=DKIM1; x_y2=whatever; p=QQ==",
		    DKIM_KEY_REC_OK, NULL, "QQ==", NULL, NULL, 0, 0 },
		{ "t=s only", "t=s; p=QQ==", DKIM_KEY_REC_OK, NULL, "QQ==", NULL, NULL, 0, 1 },
		{ "revoked", "v=DKIM1; p=", DKIM_KEY_REC_REVOKED, NULL, "", NULL, NULL, 0, 0 },
		{ "no p", "v=DKIM1; k=rsa", DKIM_KEY_REC_NO_P, "rsa", NULL, NULL, NULL, 0, 0 },
		{ "empty", "", DKIM_KEY_REC_NO_P, NULL, NULL, NULL, NULL, 0, 0 },
		{ "v not first", "p=AAAA; v=DKIM1", DKIM_KEY_REC_SYNTAX, NULL, NULL, NULL, NULL, 0, 0 },
		{ "v=DKIM2", "v=DKIM2; p=AAAA", DKIM_KEY_REC_SYNTAX, NULL, NULL, NULL, NULL, 0, 0 },
		{ "duplicate p", "p=AAAA; p=BBBB", DKIM_KEY_REC_SYNTAX, NULL, NULL, NULL, NULL, 0, 0 },
		{ "no equals", "v=DKIM1; p", DKIM_KEY_REC_SYNTAX, NULL, NULL, NULL, NULL, 0, 0 },
		{ "tag name starts with digit", "1p=AAAA", DKIM_KEY_REC_SYNTAX, NULL, NULL, NULL, NULL, 0, 0 },
		{ "control char in value", "p=AA\001AA", DKIM_KEY_REC_SYNTAX, NULL, NULL, NULL, NULL, 0, 0 },
		{ "8-bit in value", "n=caf\303\251; p=AAAA", DKIM_KEY_REC_SYNTAX, NULL, NULL, NULL, NULL, 0, 0 },
		{ "double semicolon", "p=AAAA;;", DKIM_KEY_REC_SYNTAX, NULL, NULL, NULL, NULL, 0, 0 },
		{ "SPF record", "v=spf1 -all", DKIM_KEY_REC_SYNTAX, NULL, NULL, NULL, NULL, 0, 0 },
	};
	struct dkim_key_rec rec;
	char why[128];
	size_t i;
	enum dkim_key_rec_status st;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		st = dkim_key_rec_parse(t[i].in, strlen(t[i].in), &rec, why, sizeof(why));
		if (!ok(st == t[i].want, "record: %s", t[i].label))
			diag("status %d (%s), want %d", st, why, t[i].want);
		if (st != DKIM_KEY_REC_SYNTAX) {
			is_str(rec.k, t[i].k, "record: %s: k", t[i].label);
			is_str(rec.p, t[i].p, "record: %s: p", t[i].label);
			is_str(rec.h, t[i].h, "record: %s: h", t[i].label);
			is_str(rec.n, t[i].n, "record: %s: n", t[i].label);
			ok(rec.testing == t[i].testing && rec.strict == t[i].strict,
			    "record: %s: flags", t[i].label);
		}
		dkim_key_rec_free(&rec);
	}
	dkim_key_rec_free(NULL);
}

/* test_sig_taglist - the DKIM-Signature tag-list check (dkim_tag.c) */
static void
test_sig_taglist(void)
{
	static const struct {
		const char     *label, *in;
		int		want;		/* 0 valid, -1 invalid */
		const char     *why;		/* substring of the reason */
	} t[] = {
		{ "dkimpy layout", " v=1; a=rsa-sha256; c=relaxed/simple; d=example.com; s=sel;\r\n"
		    "\t t=1; h=from : to;\r\n\t bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\r\n"
		    "\t b=AbC/+0 9zz\r\n\t Yy==", 0, NULL },
		{ "trailing semicolon", "v=1; d=x; b=QUJD;", 0, NULL },
		{ "one pad", "b=QUI=", 0, NULL },
		{ "FWS before pad", "b=QU\r\n Q \r\n =", 0, NULL },
		{ "case-sensitive names", "s=a; S=b; b=QQ==", 0, NULL },
		{ "duplicate s=", "v=1; s=a; d=x; s=b; b=QQ==", -1, "duplicate tag s=" },
		{ "duplicate unknown tag", "v=1; x_y=1; b=QQ==; x_y=2", -1, "duplicate tag x_y=" },
		{ "duplicate d= across FWS", "d=a;\r\n\td\r\n =b; b=QQ==", -1, "duplicate tag d=" },
		{ "b= with a dot", "v=1; b=AbC.def", -1, "b= is not base64" },
		{ "bh= with a dash", "v=1; bh=Ab-Cd=; b=QQ==", -1, "bh= is not base64" },
		{ "b= empty", "v=1; b=", -1, "b= is not base64" },
		{ "b= only padding", "b==", -1, "b= is not base64" },
		{ "b= three pads", "b=QQ===", -1, "b= is not base64" },
		{ "b= data after pad", "b=QQ=Q", -1, "b= is not base64" },
		{ "bh= quoted", "bh=\"QUJD\"; b=QQ==", -1, "bh= is not base64" },
		{ "double semicolon", "v=1;; b=QQ==", -1, "syntax" },
		{ "no equals", "v=1; b", -1, "syntax" },
		{ "8-bit value", "v=1; z=caf\303\251; b=QQ==", -1, "syntax" },
	};
	struct buf big = BUF_INIT;
	char why[128];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(why, sizeof(why), "-");
		rc = dkim_tag_sig_check(t[i].in, strlen(t[i].in), why, sizeof(why));
		if (!ok(rc == t[i].want && (t[i].why == NULL || strstr(why, t[i].why) != NULL),
		    "signature tag-list: %s", t[i].label))
			diag("rc %d, why \"%s\"", rc, why);
	}
	/* 100,000 distinct tags then one repeated: found, in linear-log time */
	buf_init(&big);
	for (i = 0; i < 100000; i++)
		buf_printf(&big, "t%zu=1;", i);
	buf_adds(&big, "b=QQ==; t77=2");
	rc = dkim_tag_sig_check(big.data, big.len, why, sizeof(why));
	ok(rc == -1 && strstr(why, "duplicate tag t77=") != NULL, "100,000 tags: the duplicate is found");
	buf_free(&big);
}

/* match_one - parse record text and match it against k */
static int
match_one(const char *text, const struct dkim_key *k, unsigned *bits)
{
	struct dkim_key_rec rec;
	char why[128];
	int r;

	dkim_key_rec_parse(text, strlen(text), &rec, why, sizeof(why));
	r = dkim_key_rec_match(&rec, k, bits, why, sizeof(why));
	diag("match: %s", why);
	dkim_key_rec_free(&rec);
	return r;
}

/* test_match - records against private keys */
static void
test_match(void)
{
	struct buf err = BUF_INIT, rec = BUF_INIT;
	struct dkim_key *rsa, *ed, *other;
	char text[1024];
	unsigned bits;

	rsa = dkim_key_parse(rsa_pkcs1_pem, strlen(rsa_pkcs1_pem), "rsa", &err);
	ed = dkim_key_parse(ed_seed, strlen(ed_seed), "ed", &err);
	other = dkim_key_generate("rsa", 1024, &err);
	if (!ok(rsa != NULL && ed != NULL && other != NULL, "keys for matching"))
		return;
	dkim_key_record(rsa, &rec);
	is_int(match_one(rec.data, rsa, &bits), 1, "own record matches (RSA)");
	is_int(bits, 1024, "published RSA size");
	ok(strncmp(rec.data, "v=DKIM1; k=rsa; p=MIGf", 22) == 0, "record text");
	snprintf(text, sizeof(text), "v=DKIM1; p=%s", rsa_pkcs1_pubkey_p);
	is_int(match_one(text, rsa, &bits), 1, "RSAPublicKey (PKCS#1) p= matches");
	is_int(match_one(rec.data, other, NULL), 0, "another RSA key does not match");
	is_int(match_one(rec.data, ed, NULL), 0, "Ed25519 key against k=rsa record");
	buf_reset(&rec);
	dkim_key_record(ed, &rec);
	is_int(match_one(rec.data, ed, &bits), 1, "own record matches (Ed25519)");
	is_int(bits, 256, "published Ed25519 size");
	is_int(match_one(rec.data, rsa, NULL), 0, "RSA key against k=ed25519 record");
	is_int(match_one("v=DKIM1; k=ed25519; p=AAAA", ed, NULL), -1, "short Ed25519 p=");
	is_int(match_one("v=DKIM1; p=!!!!", rsa, NULL), -1, "undecodable p=");
	is_int(match_one("v=DKIM1; k=dsa; p=AAAA", rsa, NULL), -1, "unknown k=");
	is_int(match_one("v=DKIM1; p=", rsa, NULL), -1, "revoked record");
	dkim_key_free(rsa);
	dkim_key_free(ed);
	dkim_key_free(other);
	buf_free(&err);
	buf_free(&rec);
}

/*
 * sign_file - helper mode for t/keygen.sh: sign stdin (LF or CRLF) with the
 * key file through libopendkim, print the signed message with CRLF.
 * libopendkim gets the file's own text (as its KeyTable would); our loader
 * only tells the algorithm.
 */
static int
sign_file(const char *keyfile, const char *domain, const char *selector)
{
	struct buf err = BUF_INIT, msg = BUF_INIT, hdr = BUF_INIT, text = BUF_INIT;
	struct dkim_key *k = dkim_key_load(keyfile, 0, &err);
	DKIM_LIB *lib = dkim_init(NULL, NULL);
	DKIM_STAT st;
	DKIM *d;
	unsigned char *sig;
	char line[4096];
	size_t len, n;
	int inbody = 0;

	if (k == NULL || lib == NULL || fileio_read(&text, keyfile, &err) != 0) {
		fprintf(stderr, "%s\n", err.data ? err.data : "dkim_init failed");
		return 2;
	}
	d = dkim_sign(lib, (const unsigned char *)"keygen", NULL,
	    (dkim_sigkey_t)text.data, (const unsigned char *)selector,
	    (const unsigned char *)domain, DKIM_CANON_RELAXED, DKIM_CANON_RELAXED,
	    strcmp(dkim_key_alg(k), "rsa") == 0 ? DKIM_SIGN_RSASHA256 : DKIM_SIGN_ED25519SHA256,
	    -1, &st);
	if (d == NULL) {
		fprintf(stderr, "dkim_sign: %s\n", dkim_getresultstr(st));
		return 2;
	}
	while (fgets(line, sizeof(line), stdin) != NULL) {
		n = strcspn(line, "\r\n");
		line[n] = '\0';
		if (!inbody && (line[0] == ' ' || line[0] == '\t') && hdr.len > 0) {
			buf_adds(&hdr, "\r\n");
			buf_adds(&hdr, line);
		} else if (!inbody) {
			if (hdr.len > 0)
				dkim_header(d, (unsigned char *)hdr.data, hdr.len);
			buf_reset(&hdr);
			if (line[0] == '\0') {
				dkim_eoh(d);
				inbody = 1;
			} else
				buf_adds(&hdr, line);
		} else {
			dkim_body(d, (unsigned char *)line, n);
			dkim_body(d, (unsigned char *)"\r\n", 2);
		}
		buf_printf(&msg, "%s\r\n", line);
	}
	if (!inbody) {
		if (hdr.len > 0)
			dkim_header(d, (unsigned char *)hdr.data, hdr.len);
		dkim_eoh(d);
	}
	st = dkim_eom(d, NULL);
	if (st != DKIM_STAT_OK || dkim_getsighdr_d(d, strlen("DKIM-Signature: "), &sig,
	    &len) != DKIM_STAT_OK) {
		fprintf(stderr, "dkim_eom: %s %s\n", dkim_getresultstr(st), dkim_geterror(d));
		return 2;
	}
	printf("DKIM-Signature: ");
	for (n = 0; n < len && sig[n] != '\0'; n++) {
		if (sig[n] == '\n' && (n == 0 || sig[n - 1] != '\r'))
			putchar('\r');
		putchar(sig[n]);
	}
	printf("\r\n%s", msg.data);
	dkim_free(d);
	dkim_close(lib);
	dkim_key_free(k);
	buf_free(&err);
	buf_free(&msg);
	buf_free(&hdr);
	buf_free(&text);
	return 0;
}

/* test_key_name - dkim_tag_key_name: the key record name libopendkim asks */
static void
test_key_name(void)
{
	static const struct {
		const char *label, *in, *want;
	} t[] = {
		{ "plain", "v=1; a=rsa-sha256; d=example.com; s=sel; b=QQ==", "sel._domainkey.example.com" },
		{ "folded, white space inside values removed",
		  "v=1; d = exa\r\n\tmple.com ;\r\n s=\r\n sel1; b=QQ==", "sel1._domainkey.example.com" },
		{ "case kept", "s=Sel; d=Example.COM", "Sel._domainkey.Example.COM" },
		{ "no s=", "v=1; d=example.com; b=QQ==", NULL },
		{ "empty d=", "v=1; s=sel; d=; b=QQ==", NULL },
		{ "last tag without ;", "v=1; d=example.com; s=sel", "sel._domainkey.example.com" },
		{ "a name that only starts with s or d", "ss=x; dd=y; s=a; d=b.example", "a._domainkey.b.example" },
	};
	char out[300], small[20];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		rc = dkim_tag_key_name(t[i].in, strlen(t[i].in), out, sizeof(out));
		if (t[i].want == NULL)
			is_int(rc, -1, "key name: %s: none", t[i].label);
		else
			ok(rc == 0 && strcmp(out, t[i].want) == 0, "key name: %s (%s)", t[i].label,
			    rc == 0 ? out : "none");
	}
	is_int(dkim_tag_key_name(t[0].in, strlen(t[0].in), small, sizeof(small)), -1,
	    "key name: longer than the buffer: none");
}

int
main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "--sign") == 0)
		return sign_file(argv[2], argv[3], argv[4]);
	test_fixtures();
	test_forms();
	test_bad();
	test_load();
	test_generate();
	test_records();
	test_sig_taglist();
	test_key_name();
	test_match();
	return tap_done();
}
