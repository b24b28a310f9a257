/*
 * log.h - the logging API: syslog and/or stderr
 *
 * log_warn appends strerror(errno); log_warnx does not.  Per-message lines
 * start with the queue id and use key=value fields (house style rule 8).
 * Safe to call from any thread; log_open is called once before threads start.
 */
#ifndef AUTHMILTER_LOG_H
#define AUTHMILTER_LOG_H

#include <stddef.h>

struct buf;

void	log_open(const char *ident, int use_syslog, const char *facility, int use_stderr);
void	log_set_debug(int on);
/* log_debugging - are debug lines on (to skip building one that would be dropped) */
int	log_debugging(void);
int	log_facility_valid(const char *name);
void	log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));


/*
 * Values in key=value log lines (authmilter(8), LOGGING).  A value made of
 * printable ASCII other than space, '"', '\' and '=' is written bare; any
 * other value (empty, or with such a byte, a control or a non-ASCII byte)
 * is written in double quotes, with '"' as \", '\' as \\ and every byte
 * outside 0x20-0x7e as \xNN.  A value longer than LOG_VALUE_MAX bytes is
 * cut there and ends in "..." inside the quotes.  So a line is always one
 * record, and every key in it is one we wrote.
 */
#define LOG_VALUE_MAX 512

/* log_quote - append the value s (n bytes) as described above */
void	log_quote(struct buf *b, const char *s, size_t n);
/* log_kv - append " key=value"; a NULL value is written "-" */
void	log_kv(struct buf *b, const char *key, const char *val);
/* log_kvq - as log_kv, but the value is always in double quotes */
void	log_kvq(struct buf *b, const char *key, const char *val);

#endif
