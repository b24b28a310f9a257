/*
 * buf.h - growable byte buffers and allocation helpers that never return NULL
 *
 * A struct buf owns its data; buf_free() releases it.  data is always
 * NUL-terminated (after buf_init), so it can be used as a C string when the
 * content holds no NUL bytes.  The x* allocators abort the process when memory
 * runs out: a daemon that cannot allocate a few bytes cannot do anything
 * useful, and libmilter's tempfail-on-crash keeps the mail queued.
 */
#ifndef AUTHMILTER_BUF_H
#define AUTHMILTER_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char   *data;
	size_t	len;
	size_t	cap;
};

#define BUF_INIT { NULL, 0, 0 }

void	buf_init(struct buf *b);
void	buf_free(struct buf *b);
void	buf_reset(struct buf *b);
void	buf_add(struct buf *b, const void *p, size_t n);
void	buf_adds(struct buf *b, const char *s);
void	buf_addc(struct buf *b, int c);
void	buf_printf(struct buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* buf_steal - hand the data (NUL-terminated, caller frees) out; b is reset */
char   *buf_steal(struct buf *b);
/* buf_json_str - append s (n bytes) as a JSON string literal, quotes included */
void	buf_json_str(struct buf *b, const char *s, size_t n);
/* buf_read_file - the whole file at path appended to b; -1 with err naming
 * the file (open or read error) */
int	buf_read_file(struct buf *b, const char *path, struct buf *err);

void   *xmalloc(size_t n);
void   *xcalloc(size_t n, size_t size);
void   *xrealloc(void *p, size_t n);
char   *xstrdup(const char *s);
char   *xstrndup(const char *s, size_t n);

/* strlist - a counted list of owned strings */
struct strlist {
	size_t	n;
	char  **v;
};

void	strlist_add(struct strlist *l, const char *s);
void	strlist_free(struct strlist *l);

#endif
