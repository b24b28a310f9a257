/*
 * test_hostlist.c - covers lib/hostlist.c: InternalHosts/IgnoreHosts lists
 * (addresses, networks, host names, negation, most specific entry wins,
 * files, refile: patterns, errors).  Pure: no DNS.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hostlist.h"
#include "tap.h"

static const struct {
	const char *label, *spec, *ip, *host;
	int want;
} cases[] = {
	{ "empty list", "", "127.0.0.1", NULL, 0 },
	{ "exact IPv4", "127.0.0.1", "127.0.0.1", NULL, 1 },
	{ "other IPv4", "127.0.0.1", "127.0.0.2", NULL, 0 },
	{ "IPv4 network", "192.0.2.0/24", "192.0.2.77", NULL, 1 },
	{ "outside network", "192.0.2.0/24", "192.0.3.1", NULL, 0 },
	{ "odd prefix", "10.0.0.0/9", "10.127.255.255", NULL, 1 },
	{ "odd prefix, outside", "10.0.0.0/9", "10.128.0.0", NULL, 0 },
	{ "/0 matches all", "0.0.0.0/0", "198.18.0.1", NULL, 1 },
	{ "negated host in network", "192.0.2.0/24, !192.0.2.5", "192.0.2.5", NULL, 0 },
	{ "rest of network", "192.0.2.0/24 !192.0.2.5", "192.0.2.6", NULL, 1 },
	{ "most specific wins, any order", "!192.0.2.5 192.0.2.0/24", "192.0.2.5", NULL, 0 },
	{ "host inside negated net", "!192.0.2.0/24, 192.0.2.5", "192.0.2.5", NULL, 1 },
	{ "IPv6 exact", "::1", "::1", NULL, 1 },
	{ "IPv6 network", "2001:db8::/32", "2001:db8:1::9", NULL, 1 },
	{ "IPv6 outside", "2001:db8::/32", "2001:db9::1", NULL, 0 },
	{ "IPv4-mapped IPv6 client", "192.0.2.0/24", "::ffff:192.0.2.1", NULL, 1 },
	{ "bracketed entry", "[192.0.2.1]", "192.0.2.1", NULL, 1 },
	{ "bracketed network", "[192.0.2.0/24]", "192.0.2.9", NULL, 1 },
	{ "bracketed IPv6", "[2001:db8::1]", "2001:db8::1", NULL, 1 },
	{ "/0 IPv6 matches every IPv6 client", "::/0", "2001:db8::77", NULL, 1 },
	{ "name with _ and -", "_mx-1.example.com", "198.18.0.1", "_MX-1.example.com", 1 },
	{ "family mismatch", "192.0.2.1", "2001:db8::1", NULL, 0 },
	{ "host name exact", "mail.example.com", "198.18.0.1", "mail.example.com", 1 },
	{ "host name case", "Mail.Example.COM", "198.18.0.1", "mail.example.com.", 1 },
	{ "domain suffix", ".example.com", "198.18.0.1", "a.b.example.com", 1 },
	{ "suffix is not the domain", ".example.com", "198.18.0.1", "example.com", 0 },
	{ "*. form", "*.example.com", "198.18.0.1", "x.example.com", 1 },
	{ "suffix not a label boundary", ".example.com", "198.18.0.1", "badexample.com", 0 },
	{ "negated host in domain", ".example.com !bad.example.com", "198.18.0.1", "bad.example.com", 0 },
	{ "address beats name", "!198.18.0.1 mail.example.com", "198.18.0.1", "mail.example.com", 0 },
	{ "[addr] host ignored", "mail.example.com", "198.18.0.1", "[198.18.0.1]", 0 },
	{ "comments and lines", "# internal\n127.0.0.1 # lo\n\n10.0.0.0/8\n", "10.1.2.3", NULL, 1 },
	{ "csl: first", "csl:192.0.2.1,198.18.0.5", "192.0.2.1", NULL, 1 },
	{ "csl: second", "csl:192.0.2.1,198.18.0.5", "198.18.0.5", NULL, 1 },
	{ "csl: other", "csl:192.0.2.1,198.18.0.5", "198.18.0.6", NULL, 0 },
};

static const struct {
	const char *label, *spec, *want;
} bad[] = {
	{ "bad prefix", "192.0.2.0/33", "\"192.0.2.0/33\": bad prefix length" },
	{ "bad v6 prefix", "2001:db8::/129", "\"2001:db8::/129\": bad prefix length" },
	{ "name with slash", "example.com/24", "\"example.com/24\": not an address or network" },
	{ "negative prefix", "192.0.2.0/-1", "\"192.0.2.0/-1\": bad prefix length" },
	{ "empty prefix", "192.0.2.0/", "\"192.0.2.0/\": bad prefix length" },
	{ "prefix with junk", "192.0.2.0/24x", "\"192.0.2.0/24x\": bad prefix length" },
	{ "bracket then prefix", "[192.0.2.0]/24", "\"[192.0.2.0]/24\": not an address or network" },
	{ "lone bracket", "[", "\"[\": not an address, network or host name" },
	{ "junk", "exa$mple", "\"exa$mple\": not an address, network or host name" },
	{ "lone bang", "127.0.0.1, !", "\"!\": empty entry" },
	{ "* pattern inline", "mail*.example.com", "\"mail*.example.com\": not an address, network or host name" },
	{ "db: data set", "db:/etc/mail/hosts.db", "data set type \"db:\" is not supported: export the entries to a file and name it as file:PATH or refile:PATH" },
	{ "ldap: data set", "ldap://ldap.example.com/dc=example", "data set type \"ldap:\" is not supported: export the entries to a file and name it as file:PATH or refile:PATH" },
	{ "path ending in .db", "/etc/opendkim/hosts.db", "/etc/opendkim/hosts.db: Berkeley DB data sets are not supported: export the entries to a text file and name it as file:PATH or refile:PATH" },
	{ "empty refile: name", "refile:", "refile:: empty file name" },
};

int
main(void)
{
	struct buf err = BUF_INIT;
	char path[] = "/tmp/test_hostlist.XXXXXX", spec[64];
	struct hostlist *h;
	size_t i;
	FILE *fp;
	int fd;

	buf_init(&err);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&err);
		h = hostlist_new(cases[i].spec, &err);
		if (!ok(h != NULL, "%s: parses", cases[i].label)) {
			diag("%s", err.data);
			continue;
		}
		is_int(hostlist_match(h, cases[i].ip, cases[i].host), cases[i].want, "%s", cases[i].label);
		hostlist_free(h);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		buf_reset(&err);
		h = hostlist_new(bad[i].spec, &err);
		ok(h == NULL, "%s: refused", bad[i].label);
		is_str(err.data, bad[i].want, "%s: message", bad[i].label);
		hostlist_free(h);
	}
	h = hostlist_new(NULL, &err);
	ok(h != NULL && !hostlist_match(h, "127.0.0.1", NULL), "NULL spec: empty list");
	hostlist_free(h);
	hostlist_free(NULL);
	ok(!hostlist_match(NULL, "127.0.0.1", NULL), "NULL list matches nothing");

	/* file: lists name file and line in errors */
	fd = mkstemp(path);
	fp = fdopen(fd, "w");
	fputs("# InternalHosts\n192.0.2.0/24\n!192.0.2.9\n", fp);
	fclose(fp);
	snprintf(spec, sizeof(spec), "file:%s", path);
	buf_reset(&err);
	h = hostlist_new(spec, &err);
	ok(h && hostlist_match(h, "192.0.2.8", NULL) && !hostlist_match(h, "192.0.2.9", NULL),
	    "file: list");
	hostlist_free(h);
	fp = fopen(path, "a");
	fputs("10.0.0.0/40\n", fp);
	fclose(fp);
	buf_reset(&err);
	ok(hostlist_new(path, &err) == NULL, "bad line in file refused");
	{
		struct buf want = BUF_INIT;

		buf_init(&want);
		buf_printf(&want, "%s:4: \"10.0.0.0/40\": bad prefix length", path);
		is_str(err.data, want.data, "error names file and line");
		buf_free(&want);
	}
	/* refile: entries may be '*' patterns over the name and the address */
	fp = fopen(path, "w");
	fputs("mail*.example.org\n198.51.100.*\n!198.51.100.7\n*.example.com\n", fp);
	fclose(fp);
	snprintf(spec, sizeof(spec), "refile:%s", path);
	buf_reset(&err);
	h = hostlist_new(spec, &err);
	if (!ok(h != NULL, "refile: list with patterns parses"))
		diag("%s", err.data);
	ok(h && hostlist_match(h, "198.18.0.1", "mail3.example.org"), "refile: name pattern");
	ok(h && !hostlist_match(h, "198.18.0.1", "smtp.example.org"), "refile: name pattern, no match");
	ok(h && hostlist_match(h, "198.51.100.20", NULL), "refile: address pattern");
	ok(h && !hostlist_match(h, "198.51.100.7", NULL), "refile: an address entry beats a pattern");
	ok(h && hostlist_match(h, "198.18.0.1", "a.example.com"), "refile: *.domain");
	ok(h && !hostlist_match(h, "198.18.0.1", NULL), "refile: nothing else");
	hostlist_free(h);
	buf_reset(&err);
	ok(hostlist_new(path, &err) == NULL, "the same patterns in a plain file are refused");
	unlink(path);
	buf_reset(&err);
	ok(hostlist_new("file:/nonexistent/hosts", &err) == NULL, "missing file refused");
	is_str(err.data, "/nonexistent/hosts: cannot open: No such file or directory", "names the file");
	buf_free(&err);
	return tap_done();
}
