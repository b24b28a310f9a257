/*
 * spf_dns.h - libspf2's DNS layer over our resolver (lib/dns.h), where the
 * RFC 7208 §4.6.4 processing limits are enforced
 *
 * libspf2 counts DNS-querying terms per record (its count restarts inside
 * every include) and has no void-lookup limit, so this layer counts every
 * query of one check_host() evaluation itself, in a struct spf_dns_eval
 * the evaluator (lib/spf.c) keeps on its stack.  libspf2 hands a layer only
 * (layer, name, type, should_cache), never the request, so that struct
 * reaches the layer through one thread-local pointer set by spf_dns_begin
 * and cleared by spf_dns_end around exactly one synchronous evaluation.
 * A query asked outside such a pair is answered without being counted.
 *
 * Ownership: spf_dns_layer_new does not take over dns (the caller keeps it
 * alive until spf_dns_layer_free); the layer is freed by spf_dns_layer_free,
 * never by SPF_server_free (which frees only layers it made).
 */
#ifndef AUTHMILTER_SPF_DNS_H
#define AUTHMILTER_SPF_DNS_H

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <stddef.h>

/* libspf2's headers need the five above first */
#include <spf2/spf.h>

#include "buf.h"
#include "strlist.h"

struct dns;

/* RFC 7208 §4.6.4 processing limits */
enum {
	spf_dns_max_lookups = 10,	/* DNS-querying terms per evaluation */
	spf_dns_max_voids = 2,		/* void lookups per evaluation */
	spf_dns_max_names = 10		/* MX names of an mx term; PTR names used */
};

/* which limit an evaluation went over (the result is then a permerror) */
enum spf_dns_over {
	SPF_DNS_OVER_NONE,
	SPF_DNS_OVER_LOOKUPS,	/* more than spf_dns_max_lookups terms */
	SPF_DNS_OVER_VOIDS,	/* more than spf_dns_max_voids void lookups */
	SPF_DNS_OVER_MX,	/* an mx term found more than 10 MX names */
	SPF_DNS_OVER_SYNTAX	/* a record fetched is invalid (RFC 7208 §4.6) */
};

/*
 * struct spf_dns_eval - the DNS side of one evaluation, read by the caller
 * after spf_dns_end.  allow holds the names of the last MX or PTR answer:
 * their address lookups belong to that mx/ptr term and are not terms of
 * their own (RFC 7208 §4.6.4).
 */
struct spf_dns_eval {
	int		lookups;	/* DNS-querying terms */
	int		voids;		/* void lookups of those terms */
	enum spf_dns_over over;
	int		record_seen;	/* the first TXT query fetches the record itself */
	int		temp;		/* a query failed temporarily */
	struct strlist	allow;		/* names of the last MX/PTR answer not yet asked */
	int		allow_ptr;	/* allow came from a PTR answer */
	char		why[160];	/* the last temporary DNS failure */
	char		syntax[160];	/* why a record is invalid */
};

/* spf_dns_layer_new - a libspf2 DNS layer resolving through dns (not copied) */
SPF_dns_server_t *spf_dns_layer_new(struct dns *dns);
/* spf_dns_layer_free - release a layer; NULL is a no-op */
void		spf_dns_layer_free(SPF_dns_server_t *layer);

/* spf_dns_begin - clear ev and count the calling thread's queries in it */
void		spf_dns_begin(struct spf_dns_eval *ev);
/* spf_dns_end - stop counting in ev (its counters stay readable) */
void		spf_dns_end(struct spf_dns_eval *ev);

#endif
