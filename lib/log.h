/*
 * log.h - the logging API: syslog and/or stderr
 *
 * log_warn appends strerror(errno); log_warnx does not.  Per-message lines
 * start with the queue id and use key=value fields (house style rule 8).
 * Safe to call from any thread; log_open is called once before threads start.
 */
#ifndef AUTHMILTER_LOG_H
#define AUTHMILTER_LOG_H

void	log_open(const char *ident, int use_syslog, const char *facility, int use_stderr);
void	log_set_debug(int on);
int	log_facility_valid(const char *name);
void	log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
