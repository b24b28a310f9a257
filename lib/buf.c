/*
 * buf.c - growable byte buffers, string lists and allocation helpers
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* oom - there is no sane way on from here */
static void
oom(size_t n)
{
	fprintf(stderr, "authmilter: out of memory allocating %zu bytes\n", n);
	abort();
}

/* xmalloc - malloc that never returns NULL */
void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		oom(n);
	return p;
}

/* xcalloc - calloc that never returns NULL */
void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		oom(n * size);
	return p;
}

/* xrealloc - realloc that never returns NULL */
void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		oom(n);
	return q;
}

/* xstrdup - strdup that never returns NULL */
char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

/* xstrndup - copy at most n bytes of s and terminate */
char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

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

/* buf_reset - keep the memory, drop the content */
void
buf_reset(struct buf *b)
{
	if (b->data == NULL)
		buf_init(b);
	b->len = 0;
	b->data[0] = '\0';
}

/* buf_grow - make room for n more bytes and the terminator */
static void
buf_grow(struct buf *b, size_t n)
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
	buf_grow(b, n);
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
	buf_grow(b, (size_t)n);
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

/* buf_json_str - JSON string literal (RFC 8259 §7); bytes >= 0x80 pass through */
void
buf_json_str(struct buf *b, const char *s, size_t n)
{
	size_t i;

	buf_addc(b, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		switch (c) {
		case '"': buf_adds(b, "\\\""); break;
		case '\\': buf_adds(b, "\\\\"); break;
		case '\n': buf_adds(b, "\\n"); break;
		case '\r': buf_adds(b, "\\r"); break;
		case '\t': buf_adds(b, "\\t"); break;
		default:
			if (c < 0x20 || c == 0x7f)
				buf_printf(b, "\\u%04x", c);
			else
				buf_addc(b, c);
		}
	}
	buf_addc(b, '"');
}

/* strlist_add - append a copy of s */
void
strlist_add(struct strlist *l, const char *s)
{
	l->v = xrealloc(l->v, (l->n + 2) * sizeof(*l->v));
	l->v[l->n++] = xstrdup(s);
	l->v[l->n] = NULL;
}

/* strlist_free - free every string and the vector */
void
strlist_free(struct strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* buf_read_file - see buf.h */
int
buf_read_file(struct buf *b, const char *path, struct buf *err)
{
	char chunk[8192];
	size_t n;
	FILE *fp;
	int bad;

	if ((fp = fopen(path, "r")) == NULL) {
		buf_printf(err, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(b, chunk, n);
	bad = ferror(fp);
	fclose(fp);
	if (bad) {
		buf_printf(err, "%s: read error", path);
		return -1;
	}
	return 0;
}
