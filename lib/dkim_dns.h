/*
 * dkim_dns.h - libopendkim's key lookups through the shared resolver
 * (lib/dns)
 *
 * The prefix is dkimdns_ because libopendkim exports dkim_dns_*.  Used by
 * dkim_verify.c when it builds its library handle.
 *
 * Ownership: the resolver is not owned; it must outlive every use of lib.
 */
#ifndef AUTHMILTER_DKIM_DNS_H
#define AUTHMILTER_DKIM_DNS_H

struct dkim_lib;	/* libopendkim's DKIM_LIB */
struct dns;

/* dkimdns_attach - route libopendkim's key lookups through d: each query
 * is answered synchronously by dns_query and handed back as a clean
 * wire-format reply (question plus TXT records) */
void		dkimdns_attach(struct dkim_lib *lib, struct dns *d);

#endif
