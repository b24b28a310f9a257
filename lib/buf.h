/*
 * buf.h - growable byte buffers
 *
 * A struct buf owns its data; buf_free() releases it.  data is always
 * NUL-terminated (after buf_init), so it can be used as a C string when the
 * content holds no NUL bytes.  Growing never fails: memory comes from the
 * x* allocators (xalloc.h, included here for every buffer user), which
 * abort when none is left.
 */
#ifndef AUTHMILTER_BUF_H
#define AUTHMILTER_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "xalloc.h"

struct buf {
	char   *data;
	size_t	len;
	size_t	cap;
};

#define BUF_INIT { NULL, 0, 0 }

void	buf_init(struct buf *b);
void	buf_free(struct buf *b);
void	buf_reset(struct buf *b);
/* buf_drop - remove the first n bytes (n <= len), keeping the rest and its NUL */
void	buf_drop(struct buf *b, size_t n);
void	buf_add(struct buf *b, const void *p, size_t n);
void	buf_adds(struct buf *b, const char *s);
void	buf_addc(struct buf *b, int c);
void	buf_printf(struct buf *b, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));
void	buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* buf_steal - hand the data (NUL-terminated, caller frees) out; b is reset */
char   *buf_steal(struct buf *b);
/* buf_reserve - room for n more bytes (and the terminator): appending up to
 * n bytes then never moves the data (no stale copy left in freed memory) */
void	buf_reserve(struct buf *b, size_t n);

#endif
