/*
 * engine.h - every shared handle built from one config snapshot
 *
 * An engine is immutable once built and reference-counted: each connection
 * holds a reference for its lifetime, SIGHUP builds a new engine and swaps it
 * in, and the old one is freed when its last connection closes.  Library
 * handles (resolver, libopendkim, libspf2, keys, GeoIP) and the history
 * appender live here, never in globals.
 */
#ifndef AUTHMILTER_ENGINE_H
#define AUTHMILTER_ENGINE_H

#include "buf.h"
#include "conf.h"

struct dns;
struct hostlist;
struct spf_engine;
struct dkimv_engine;
struct dmarc_engine;
struct dkim_signer;
struct geoip;
struct history;

struct engine {
	int		refs;		/* under engine_lock in engine.c */
	struct conf    *conf;		/* owned */
	char	       *authserv_id;	/* AuthservID, or the host name */
	struct dns     *dns;		/* owned */

	/* roles */
	struct hostlist *internal;	/* InternalHosts */
	struct hostlist *ignore;	/* IgnoreHosts */
	struct hostlist *peers;		/* PeerList */
	char	      **mta;		/* MTA daemon names, NULL-terminated */

	/* inbound */
	struct spf_engine *spf;
	struct dkimv_engine *dkim;
	struct dmarc_engine *dmarc;

	/* outbound */
	struct dkim_signer *signer;

	/* history */
	struct geoip   *geoip;
	struct history *history;	/* a reference (engine_open_history): the
					 * engine it replaced shares it when
					 * HistoryFile is unchanged; NULL when
					 * none or not opened (the runner) */
};

/* engine_new - build from c (taken over, also on failure); NULL with err */
struct engine  *engine_new(struct conf *c, struct buf *err);
/*
 * engine_open_history - give e the appender its HistoryFile names: prev's
 * (a new reference) when prev is not NULL and has the same HistoryFile,
 * else a newly opened one.  Call before e is shared (it is immutable once
 * shared).  0, or -1 with err.  The appender is closed when the last engine
 * holding it is freed.
 */
int		engine_open_history(struct engine *e, const struct engine *prev, struct buf *err);
struct engine  *engine_ref(struct engine *e);
void		engine_unref(struct engine *e);

#endif
