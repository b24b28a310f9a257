/*
 * metrics_http.h - the MetricsSocket HTTP listener (libmicrohttpd's own
 * thread); called from main() and the signal thread only
 */
#ifndef AUTHMILTER_METRICS_HTTP_H
#define AUTHMILTER_METRICS_HTTP_H

/* metrics_http_start - listen at spec (MetricsSocket; NULL: off); -1 logged */
int	metrics_http_start(const char *spec);
/* metrics_http_reconf - after a reload: a changed spec restarts the
 * listener; when the new one cannot listen the old one stays, logged */
void	metrics_http_reconf(const char *spec);
/* metrics_http_stop - close the listener, if any */
void	metrics_http_stop(void);

#endif
