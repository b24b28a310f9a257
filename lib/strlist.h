/*
 * strlist.h - a counted, NULL-terminated list of owned strings
 *
 * The list owns every string and the vector; strlist_free() releases them
 * and leaves an empty list.  { 0, NULL } is an empty list.
 */
#ifndef AUTHMILTER_STRLIST_H
#define AUTHMILTER_STRLIST_H

#include <stddef.h>

struct strlist {
	size_t	n;
	char  **v;
};

/* strlist_add - append a copy of s (v stays NULL-terminated) */
void	strlist_add(struct strlist *l, const char *s);
void	strlist_free(struct strlist *l);

#endif
