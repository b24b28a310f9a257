/*
 * xalloc.h - allocation helpers that never return NULL
 *
 * The x* allocators abort the process when memory runs out: a daemon that
 * cannot allocate a few bytes cannot do anything useful, and libmilter's
 * tempfail-on-crash keeps the mail queued.  What they return is the
 * caller's, released with free(3).
 */
#ifndef AUTHMILTER_XALLOC_H
#define AUTHMILTER_XALLOC_H

#include <stddef.h>

void   *xmalloc(size_t n);
void   *xcalloc(size_t n, size_t size);
void   *xrealloc(void *p, size_t n);
char   *xstrdup(const char *s);
char   *xstrndup(const char *s, size_t n);

#endif
