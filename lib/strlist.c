/*
 * strlist.c - counted lists of owned strings (see strlist.h)
 */
#include "config.h"

#include <stdlib.h>

#include "strlist.h"
#include "xalloc.h"

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
