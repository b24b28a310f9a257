/*
 * keys_opt.h - the command-line options of the key tools, from one spec
 *
 * Each tool describes its options once, as words separated by spaces:
 *
 *	"a:algorithm"	-a VALUE and --algorithm VALUE
 *	"h+help"	-h and --help, no value
 *	"N=nameserver"	--nameserver VALUE only
 *	"T-table"	--table only, no value
 *
 * keys_opt_next works as getopt_long(3) over that table: it returns the
 * letter, optarg holds the value, -1 after the last option, '?' for an
 * unknown one.
 *
 * Ownership: the struct holds everything it needs; spec is not kept.
 */
#ifndef AUTHMILTER_KEYS_OPT_H
#define AUTHMILTER_KEYS_OPT_H

#include <getopt.h>

#define KEYS_OPT_MAX	16	/* options per tool */

struct keys_opt {
	struct option	lo[KEYS_OPT_MAX + 1];	/* long options, zero row last */
	char		so[2 * KEYS_OPT_MAX + 1];	/* short option string */
	char		names[512];		/* the long names, NUL-separated */
};

/* keys_opt_init - the tables for spec; a malformed or oversized spec is a
 * programming error and aborts */
void		keys_opt_init(struct keys_opt *o, const char *spec);
/* keys_opt_next - the next option of argv, as getopt_long */
int		keys_opt_next(struct keys_opt *o, int argc, char **argv);

#endif
