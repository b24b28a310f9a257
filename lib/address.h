/*
 * address.h - RFC 5322 From and RFC 5321 MAIL FROM parsing
 *
 * Pure parsers: no I/O, no logging, no globals.  Domains come out
 * normalised: ASCII lower-cased, one trailing dot removed, U-labels turned
 * into A-labels with libidn2 (UTS #46 non-transitional processing), as
 * RFC 9989 section 5.3.1 asks.  Address literals ("[192.0.2.1]") are kept
 * verbatim with their brackets.
 *
 * Ownership: every string in an address_list belongs to the list and is
 * released by address_list_free(); address_parse_path(),
 * address_domain_of() and address_domain_normalize() hand out strings the
 * caller frees with free().
 */
#ifndef AUTHMILTER_ADDRESS_H
#define AUTHMILTER_ADDRESS_H

#include <stddef.h>

struct address_mailbox {
	char	       *display;	/* display name unquoted, NULL when absent ("" when empty) */
	char	       *local;		/* local part, quoted-pairs resolved, without quotes */
	char	       *domain;		/* normalised domain, never NULL */
};

struct address_list {
	size_t		n;
	struct address_mailbox *v;
};

/*
 * address_parse_from - parse a From header field value (RFC 5322 section
 * 3.4 address-list with the obs- forms of section 4.4, groups of RFC 6854,
 * UTF-8 of RFC 6532).  0 with every mailbox in out (n may be 0 for an
 * empty group), or -1 with a reason in why and out empty.  A mailbox
 * without a domain is a syntax error.  out is always initialised.
 */
int	address_parse_from(const char *value, size_t len, struct address_list *out,
	    char *why, size_t whylen);
void	address_list_free(struct address_list *l);

/*
 * address_scan_domains - every domain a From field value could be read as
 * naming, for a value address_parse_from() refuses (a missing or extra
 * '>', an unterminated quote...), so that a malformed field cannot hide
 * the domain a mail reader shows: each '@' followed by a domain, wherever
 * it stands (quoted strings and comments included), read once as written
 * and once with comments removed and white space allowed around the dots
 * (obs-domain, RFC 5322 section 4.4).  fn gets each name that
 * address_domain_normalize() accepts, leading and trailing dots removed,
 * duplicates included; a non-zero return stops the scan.  Pure, linear in
 * len.
 */
void	address_scan_domains(const char *value, size_t len,
	    int (*fn)(void *arg, const char *domain), void *arg);

/*
 * address_parse_path - an RFC 5321 reverse-path (section 4.1.2), angle
 * brackets optional, source route skipped.  Returns 0 with *local and
 * *domain set (*domain NULL for a bare local part such as "postmaster"),
 * 1 for the null path "<>" (both NULL), -1 when malformed (both NULL).
 * Comments are not part of RFC 5321 syntax: "u@example.net(.example.com"
 * is malformed, never a domain (CVE-2020-12272).
 */
int	address_parse_path(const char *mail_from, char **local, char **domain);

/*
 * address_domain_of - the domain of an RFC 5321 path (MAIL FROM, RCPT TO):
 * what follows its last '@', read as address_parse_path() reads a domain
 * (an RFC 5321 Domain or address literal with nothing after it;
 * normalised; caller frees).  The local part is not judged: RFC 7208
 * section 4.3 takes the domain of whatever sender it is given (the RFC
 * 7208 suite's "Macro Error@e8.example.com").  NULL for the null path, a
 * path without '@', or a domain that is not one.  Every caller that needs
 * an envelope domain asks this, so that "u@example.net(.example.com"
 * names no domain anywhere (CVE-2020-12272).
 */
char   *address_domain_of(const char *path);

/*
 * address_domain_normalize - lower-case, strip one trailing dot, convert
 * U-labels to A-labels; the result (caller frees) or NULL when the name
 * is empty, has an empty label, or is not valid IDNA.
 */
char   *address_domain_normalize(const char *d, size_t len);

#endif
