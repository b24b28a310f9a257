/*
 * keys_opt.c - getopt_long tables for the key tools built from one spec
 * string (keys_opt.h), so each tool lists its options once
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "keys_opt.h"

/* keys_opt_init - see keys_opt.h */
void
keys_opt_init(struct keys_opt *o, const char *spec)
{
	const char *p = spec;
	size_t n = 0, sl = 0, nl = 0, len;

	memset(o, 0, sizeof(*o));
	while (*p) {
		char letter = p[0], kind = p[1];

		if (letter == '\0' || strchr(":+=-", kind) == NULL || n == KEYS_OPT_MAX)
			abort();
		p += 2;
		len = strcspn(p, " ");
		if (len == 0 || nl + len + 1 > sizeof(o->names))
			abort();
		memcpy(o->names + nl, p, len);
		o->lo[n].name = o->names + nl;
		o->lo[n].has_arg = kind == ':' || kind == '=' ? required_argument : no_argument;
		o->lo[n].val = (unsigned char)letter;
		nl += len + 1;
		n++;
		if (kind == ':' || kind == '+') {
			o->so[sl++] = letter;
			if (kind == ':')
				o->so[sl++] = ':';
		}
		p += len;
		p += strspn(p, " ");
	}
}

/* keys_opt_next - see keys_opt.h */
int
keys_opt_next(struct keys_opt *o, int argc, char **argv)
{
	return getopt_long(argc, argv, o->so, o->lo, NULL);
}
