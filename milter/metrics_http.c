/*
 * metrics_http.c - the MetricsSocket listener: HTTP GET /metrics served by
 * libmicrohttpd on its own internal thread, never on a milter worker's
 * path (a scrape reads the atomics of lib/metrics.c, nothing else).
 * Any other path is 404, any other method 405.
 *
 * Reload: a MetricsSocket that changes restarts the listener; the new
 * socket is bound before the old one is closed, so a new one that cannot
 * be bound (in use; a port below 1024 after the privileges were dropped)
 * leaves the old one serving and the error is logged: restart the daemon to
 * apply it.  Only the signal thread and main() call in here.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "buf.h"
#include "log.h"
#include "metrics.h"
#include "metrics_http.h"

static struct MHD_Daemon *mh_daemon;
static char *mh_spec;		/* the MetricsSocket it listens on */

#if MHD_VERSION < 0x00097002
typedef int mhd_result;
#else
typedef enum MHD_Result mhd_result;
#endif

/* answer - one response with status and body */
static mhd_result
answer(struct MHD_Connection *conn, unsigned status, const char *type, struct buf *body)
{
	struct MHD_Response *r;
	mhd_result rc;

	r = MHD_create_response_from_buffer(body->len, body->data, MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	rc = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return rc;
}

/* handler - libmicrohttpd's request callback */
static mhd_result
handler(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
    const char *version, const char *data, size_t *data_size, void **state)
{
	struct buf body = BUF_INIT;
	mhd_result rc;

	buf_init(&body);
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
		buf_adds(&body, "method not allowed\n");
		rc = answer(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", &body);
	} else if (strcmp(url, "/metrics") != 0) {
		buf_adds(&body, "not found; try /metrics\n");
		rc = answer(conn, MHD_HTTP_NOT_FOUND, "text/plain", &body);
	} else {
		metrics_format(&body);
		rc = answer(conn, MHD_HTTP_OK, METRICS_CONTENT_TYPE, &body);
	}
	buf_free(&body);
	return rc;
}

/* listen_on - a daemon listening at spec, NULL (logged) when it cannot */
static struct MHD_Daemon *
listen_on(const char *spec)
{
	struct sockaddr_storage ss;
	struct buf err = BUF_INIT;
	struct MHD_Daemon *d;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD;

	buf_init(&err);
	if (metrics_socket_parse(spec, &ss, &err) != 0) {
		log_err("MetricsSocket %s", err.data);
		buf_free(&err);
		return NULL;
	}
	buf_free(&err);
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	d = MHD_start_daemon(flags, 0, NULL, NULL, handler, NULL,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)16,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10,
	    MHD_OPTION_END);
	if (d == NULL)
		log_err("MetricsSocket %s: cannot listen (in use, or no permission?)", spec);
	return d;
}

/* metrics_http_start - see metrics_http.h */
int
metrics_http_start(const char *spec)
{
	if (spec == NULL)
		return 0;
	if ((mh_daemon = listen_on(spec)) == NULL)
		return -1;
	mh_spec = xstrdup(spec);
	log_info("metrics served at %s", spec);
	return 0;
}

/* metrics_http_reconf - see metrics_http.h */
void
metrics_http_reconf(const char *spec)
{
	struct MHD_Daemon *d = NULL;

	if ((spec == NULL && mh_spec == NULL) ||
	    (spec != NULL && mh_spec != NULL && strcmp(spec, mh_spec) == 0))
		return;
	if (spec != NULL && (d = listen_on(spec)) == NULL) {
		log_err("MetricsSocket: still serving at %s; restart the daemon to move it",
		    mh_spec ? mh_spec : "(off)");
		return;
	}
	metrics_http_stop();
	mh_daemon = d;
	mh_spec = spec ? xstrdup(spec) : NULL;
	log_info("metrics %s%s", spec ? "now served at " : "no longer served", spec ? spec : "");
}

/* metrics_http_stop - see metrics_http.h */
void
metrics_http_stop(void)
{
	if (mh_daemon != NULL)
		MHD_stop_daemon(mh_daemon);
	mh_daemon = NULL;
	free(mh_spec);
	mh_spec = NULL;
}
