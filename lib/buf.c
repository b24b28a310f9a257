/*
 * buf.c - growable byte buffers (see buf.h)
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* buf_init - empty buffer whose data is a valid empty string */
void
buf_init(struct buf *b)
{
	b->cap = 64;
	b->len = 0;
	b->data = xmalloc(b->cap);
	b->data[0] = '\0';
}

/* buf_free - release the data; the buffer may be buf_init'ed again */
void
buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

/* buf_drop - see buf.h */
void
buf_drop(struct buf *b, size_t n)
{
	if (n == 0 || b->data == NULL)
		return;
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
	b->data[b->len] = '\0';
}

/* buf_reset - keep the memory, drop the content */
void
buf_reset(struct buf *b)
{
	if (b->data == NULL)
		buf_init(b);
	b->len = 0;
	b->data[0] = '\0';
}

/* buf_reserve - make room for n more bytes and the terminator */
void
buf_reserve(struct buf *b, size_t n)
{
	if (b->data == NULL)
		buf_init(b);
	if (b->len + n + 1 <= b->cap)
		return;
	while (b->len + n + 1 > b->cap)
		b->cap *= 2;
	b->data = xrealloc(b->data, b->cap);
}

/* buf_add - append n bytes */
void
buf_add(struct buf *b, const void *p, size_t n)
{
	buf_reserve(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

/* buf_adds - append a C string */
void
buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

/* buf_addc - append one byte */
void
buf_addc(struct buf *b, int c)
{
	char ch = (char)c;

	buf_add(b, &ch, 1);
}

/* buf_vprintf - append formatted text */
void
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	int n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return;
	buf_reserve(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

/* buf_printf - append formatted text */
void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

/* buf_steal - hand the string out and leave b empty (unallocated) */
char *
buf_steal(struct buf *b)
{
	char *p;

	if (b->data == NULL)
		buf_init(b);
	p = b->data;
	b->data = NULL;
	b->len = b->cap = 0;
	return p;
}
