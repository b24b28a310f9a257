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

#include "buf.h"
#include "log.h"

static int log_syslog;
static int log_stderr = 1;
static int log_debug_on;
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
	log_debug_on = on;
}

/* log_debugging - see log.h */
int
log_debugging(void)
{
	return log_debug_on;
}

/* log_bare - may v be written without quotes */
static int
log_bare(const char *v, size_t n)
{
	size_t i;

	if (n == 0 || n > LOG_VALUE_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '=')
			return 0;
	}
	return 1;
}

/* log_quote - see log.h */
void
log_quote(struct buf *b, const char *s, size_t n)
{
	size_t i, lim = n > LOG_VALUE_MAX ? LOG_VALUE_MAX : n;

	if (log_bare(s, n)) {
		buf_add(b, s, n);
		return;
	}
	buf_addc(b, '"');
	for (i = 0; i < lim; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			buf_addc(b, '\\');
			buf_addc(b, c);
		} else if (c < 0x20 || c >= 0x7f)
			buf_printf(b, "\\x%02x", c);
		else
			buf_addc(b, c);
	}
	if (lim < n)
		buf_adds(b, "...");
	buf_addc(b, '"');
}

/* log_kv - see log.h */
void
log_kv(struct buf *b, const char *key, const char *val)
{
	buf_printf(b, " %s=", key);
	if (val == NULL)
		val = "-";
	log_quote(b, val, strlen(val));
}

/* log_kvq - see log.h */
void
log_kvq(struct buf *b, const char *key, const char *val)
{
	size_t n;

	if (val == NULL)
		val = "-";
	n = strlen(val);
	buf_printf(b, " %s=", key);
	if (log_bare(val, n)) {
		buf_addc(b, '"');
		buf_add(b, val, n);
		buf_addc(b, '"');
	} else
		log_quote(b, val, n);
}

/* log_defang - a finished line with its control bytes as \xNN (cut to
 * outlen): the last defence against a CR, LF or ESC a caller left in */
static void
log_defang(const char *in, char *out, size_t outlen)
{
	size_t o = 0;

	for (; *in && o + 5 < outlen; in++) {
		unsigned char c = (unsigned char)*in;

		if (c < 0x20 || c == 0x7f)
			o += (size_t)snprintf(out + o, outlen - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
}

/* vlog - one line to each sink */
static void
vlog(int pri, int with_errno, const char *fmt, va_list ap)
{
	char raw[8192], line[8192];
	int saved = errno;
	size_t n;

	vsnprintf(raw, sizeof(raw), fmt, ap);
	if (with_errno) {
		n = strlen(raw);
		snprintf(raw + n, sizeof(raw) - n, ": %s", strerror(saved));
	}
	log_defang(raw, line, sizeof(line));
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

	if (!log_debug_on)
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
