/*
 * dns_int.h - the inside of struct dns, shared by dns.c (the resolver and
 * its answer cache) and dns_prefetch.c (lookups started before end of
 * message).  Not for other modules: they use dns.h and dns_prefetch.h.
 */
#ifndef AUTHMILTER_DNS_INT_H
#define AUTHMILTER_DNS_INT_H

#include <pthread.h>
#include <time.h>
#include <unbound.h>

#include "dns.h"

struct dns_centry;

struct dns {
	struct ub_ctx  *ctx;
	int		timeout;
	int		wake[2];	/* self-pipe that stops the dispatcher */
	pthread_t	thread;
	int		running;
	pthread_mutex_t	cache_lock;
	struct dns_centry *cache;	/* DNS_CACHE_SLOTS entries */
};

/* dns_fill - a libunbound answer as our result (r zeroed, rcode -1) */
void		dns_fill(struct dns_result *r, const struct ub_result *u);
/* dns_cache_put - keep a copy of a definite answer for ttl seconds */
void		dns_cache_put(struct dns *d, const char *name, int rrtype,
		    const struct dns_result *r, int ttl);
/* dns_cache_get - the live cached answer of name/type, NULL when none: a
 * copy the caller frees when copy is set, else only a pointer that says
 * there is one (not to be dereferenced: another thread may replace it) */
struct dns_result *dns_cache_get(struct dns *d, const char *name, int rrtype, int copy);
/* dns_result_dup - a deep copy (the caller frees it) */
struct dns_result *dns_result_dup(const struct dns_result *r);
/* dns_mono - CLOCK_MONOTONIC seconds (cache expiry) */
time_t		dns_mono(void);

#endif
