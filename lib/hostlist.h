/*
 * hostlist.h - host/network lists: InternalHosts, IgnoreHosts, PeerList,
 * ExternalIgnoreList (OpenDKIM's "dataset" of hosts)
 *
 * Entries: IPv4 and IPv6 addresses, CIDR networks, host names (exact,
 * ".example.com" or "*.example.com" for subdomains), each optionally
 * negated with '!'.  The most specific matching entry decides (longest
 * prefix for addresses; longest name for host names; an address entry beats
 * a host name entry).  A spec is any data set form of dataset.h: an inline
 * comma/space list, csl:LIST, file:PATH or /PATH with entries one per line
 * ('#' comments), or refile:PATH, whose entries may also be '*' patterns
 * matched against the host name and the address text (OpenDKIM's refile:).
 */
#ifndef AUTHMILTER_HOSTLIST_H
#define AUTHMILTER_HOSTLIST_H

#include "buf.h"

struct hostlist;

/* hostlist_new - parse a data set spec (NULL or "" gives an empty list); NULL with
 * "file:line: why" or "entry: why" in err */
struct hostlist *hostlist_new(const char *spec, struct buf *err);
/* hostlist_parse - entries from text; name is used in error messages */
struct hostlist *hostlist_parse(const char *name, const char *text, struct buf *err);
/* hostlist_match - 1 when ip (textual) or hostname (may be NULL) is listed */
int	hostlist_match(const struct hostlist *h, const char *ip, const char *hostname);
/* hostlist_empty - 1 when nothing can match (NULL or no entries) */
int	hostlist_empty(const struct hostlist *h);
void	hostlist_free(struct hostlist *h);

#endif
