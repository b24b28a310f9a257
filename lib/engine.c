/*
 * engine.c - build and release the shared handles of one config snapshot
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dataset.h"
#include "dkim_signer.h"
#include "dkim_verify.h"
#include "dmarc.h"
#include "dns.h"
#include "engine.h"
#include "geoip.h"
#include "history.h"
#include "hostlist.h"
#include "log.h"
#include "spf.h"

static pthread_mutex_t engine_lock = PTHREAD_MUTEX_INITIALIZER;

/* split_words - NULL-terminated vector of a data set's words (dataset.h) */
static int
split_words(const char *kw, const char *spec, char ***out, struct buf *err)
{
	struct strlist l = { 0, NULL };
	struct buf why = BUF_INIT;
	char **v;
	size_t i;

	buf_init(&why);
	if (spec != NULL && dataset_words(spec, &l, 0, &why) != 0) {
		buf_printf(err, "%s: %s", kw, why.data);
		buf_free(&why);
		strlist_free(&l);
		return -1;
	}
	buf_free(&why);
	v = xcalloc(l.n + 1, sizeof(*v));
	for (i = 0; i < l.n; i++)
		v[i] = xstrdup(l.v[i]);
	strlist_free(&l);
	*out = v;
	return 0;
}

/* load_hostlist - one host list keyword, error prefixed with its name */
static int
load_hostlist(struct hostlist **out, const char *keyword, const char *spec, struct buf *err)
{
	struct buf why = BUF_INIT;

	buf_init(&why);
	*out = hostlist_new(spec, &why);
	if (*out == NULL)
		buf_printf(err, "%s: %s", keyword, why.data);
	buf_free(&why);
	return *out ? 0 : -1;
}

/* engine_new - see engine.h */
struct engine *
engine_new(struct conf *c, struct buf *err)
{
	struct engine *e = xcalloc(1, sizeof(*e));
	char host[256];

	e->refs = 1;
	e->conf = c;
	if (c->authserv_id && strcmp(c->authserv_id, "HOSTNAME") != 0)	/* OpenDKIM's word */
		e->authserv_id = xstrdup(c->authserv_id);
	else {
		if (gethostname(host, sizeof(host)) != 0)
			strcpy(host, "localhost");
		host[sizeof(host) - 1] = '\0';
		e->authserv_id = xstrdup(host);
	}
	if (load_hostlist(&e->internal, "InternalHosts", c->internal_hosts, err) != 0 ||
	    load_hostlist(&e->ignore, "IgnoreHosts", c->ignore_hosts, err) != 0 ||
	    load_hostlist(&e->peers, "PeerList", c->peer_list, err) != 0 ||
	    split_words("MTA", c->mta, &e->mta, err) != 0)
		goto fail;
	if ((e->dns = dns_new(&c->nameservers, (int)c->dns_timeout, c->trust_anchor_file, err)) == NULL)
		goto fail;
	/* inbound: SPF, DKIM verification, DMARC engines are built here */
	if ((e->spf = spf_engine_new(e->dns, c, err)) == NULL)
		goto fail;
	if ((e->dmarc = dmarc_engine_new(e->dns, c, err)) == NULL)
		goto fail;
	if ((e->dkim = dkimv_engine_new(e->dns, c, err)) == NULL)
		goto fail;
	/* outbound: the signer (tables and keys) is built here */
	if ((e->signer = dkim_signer_new(c, err)) == NULL)
		goto fail;
	/* history: GeoIP databases are opened here (per engine: SIGHUP reopens) */
	if ((c->geoip_db || c->geoasn_db) &&
	    (e->geoip = geoip_open(c->geoip_db, c->geoasn_db, err)) == NULL)
		goto fail;
	return e;
fail:
	engine_unref(e);
	return NULL;
}

/* engine_open_history - see engine.h */
int
engine_open_history(struct engine *e, const struct engine *prev, struct buf *err)
{
	const char *path = e->conf->history_file;

	if (path == NULL || e->history != NULL)
		return 0;
	if (prev != NULL && prev->history != NULL && prev->conf->history_file != NULL &&
	    strcmp(prev->conf->history_file, path) == 0) {
		e->history = history_ref(prev->history);
		return 0;
	}
	e->history = history_open(path, err);
	return e->history ? 0 : -1;
}

/* engine_ref - one more holder */
struct engine *
engine_ref(struct engine *e)
{
	pthread_mutex_lock(&engine_lock);
	e->refs++;
	pthread_mutex_unlock(&engine_lock);
	return e;
}

/* engine_destroy - free every handle */
static void
engine_destroy(struct engine *e)
{
	size_t i;

	/* inbound, outbound, history handles are released here */
	history_close(e->history);
	geoip_close(e->geoip);
	spf_engine_free(e->spf);
	dmarc_engine_free(e->dmarc);
	dkimv_engine_free(e->dkim);
	dkim_signer_free(e->signer);
	dns_free(e->dns);
	hostlist_free(e->internal);
	hostlist_free(e->ignore);
	hostlist_free(e->peers);
	for (i = 0; e->mta && e->mta[i]; i++)
		free(e->mta[i]);
	free(e->mta);
	free(e->authserv_id);
	conf_free(e->conf);
	free(e);
}

/* engine_unref - drop a reference; the last one frees */
void
engine_unref(struct engine *e)
{
	int last;

	if (e == NULL)
		return;
	pthread_mutex_lock(&engine_lock);
	last = --e->refs == 0;
	pthread_mutex_unlock(&engine_lock);
	if (last)
		engine_destroy(e);
}
