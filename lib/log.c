/*
 * log.c - syslog and stderr logging
 *
 * The state below is set once by log_open() before any thread exists and only
 * read afterwards, so no lock is needed; syslog(3) and one fprintf per line to
 * an unbuffered stderr are themselves thread-safe.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#define SYSLOG_NAMES
#include <syslog.h>

#include "log.h"

static int log_syslog;
static int log_stderr = 1;
static int log_debugging;
static const char *log_ident = "authmilter";

/* facility_code - syslog facility number for a name, -1 when unknown */
static int
facility_code(const char *name)
{
	int i;

	for (i = 0; facilitynames[i].c_name != NULL; i++)
		if (strcasecmp(facilitynames[i].c_name, name) == 0)
			return facilitynames[i].c_val;
	return -1;
}

/* log_facility_valid - is name a syslog facility (mail, local0, ...)? */
int
log_facility_valid(const char *name)
{
	return facility_code(name) >= 0;
}

/* log_open - choose the sinks; call once before threads start */
void
log_open(const char *ident, int use_syslog, const char *facility, int use_stderr)
{
	int fac = facility ? facility_code(facility) : LOG_MAIL;

	log_ident = ident;
	if (log_syslog)
		closelog();
	log_syslog = use_syslog;
	log_stderr = use_stderr;
	if (use_syslog)
		openlog(ident, LOG_PID | LOG_NDELAY, fac < 0 ? LOG_MAIL : fac);
}

/* log_set_debug - enable or disable debug lines */
void
log_set_debug(int on)
{
	log_debugging = on;
}

/* vlog - one line to each sink */
static void
vlog(int pri, int with_errno, const char *fmt, va_list ap)
{
	char line[8192];
	int saved = errno;
	size_t n;

	vsnprintf(line, sizeof(line), fmt, ap);
	if (with_errno) {
		n = strlen(line);
		snprintf(line + n, sizeof(line) - n, ": %s", strerror(saved));
	}
	if (log_syslog)
		syslog(pri, "%s", line);
	if (log_stderr)
		fprintf(stderr, "%s: %s\n", log_ident, line);
	errno = saved;
}

#define LOGFN(fn, pri, err)			\
void						\
fn(const char *fmt, ...)			\
{						\
	va_list ap;				\
	va_start(ap, fmt);			\
	vlog(pri, err, fmt, ap);		\
	va_end(ap);				\
}

/* log_err, log_warn, log_warnx, log_info - the levels */
LOGFN(log_err, LOG_ERR, 0)
LOGFN(log_warn, LOG_WARNING, 1)
LOGFN(log_warnx, LOG_WARNING, 0)
LOGFN(log_info, LOG_INFO, 0)

/* log_debug - only when debugging is on */
void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_debugging)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, 0, fmt, ap);
	va_end(ap);
}

/* fatal - log with strerror(errno) and exit */
void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, 1, fmt, ap);
	va_end(ap);
	exit(EXIT_FAILURE);
}

/* fatalx - log and exit */
void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, 0, fmt, ap);
	va_end(ap);
	exit(EXIT_FAILURE);
}
