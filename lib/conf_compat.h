/*
 * conf_compat.h - the fate of every OpenDKIM and OpenDMARC keyword
 *
 * Every keyword of Debian's opendkim.conf(5) and opendmarc.conf(5) (and the
 * older names tutorials still carry) has one row here: implemented (a row of
 * conf_keys.c with the same name), an alias of one of ours (the value
 * translated), accepted with a notice because it has no meaning here, or
 * refused with a message naming what to use instead.  conf.c consults this
 * table for a keyword that is not in conf_keys.c; authmilter.conf(5) prints
 * it as the migration table.  A row's quiet values are the ones that ask for
 * what happens here anyway: those lines are taken without a notice.
 */
#ifndef AUTHMILTER_CONF_COMPAT_H
#define AUTHMILTER_CONF_COMPAT_H

#include <stddef.h>

#include "buf.h"

enum conf_compat_fate {
	COMPAT_IMPLEMENTED,	/* our keyword of the same name */
	COMPAT_ALIAS,		/* taken as .target, value translated */
	COMPAT_NOTICE,		/* accepted without effect; a notice says why */
	COMPAT_REFUSED		/* an error naming the replacement */
};

#define COMPAT_DKIM	1	/* opendkim.conf(5) */
#define COMPAT_DMARC	2	/* opendmarc.conf(5) */
#define COMPAT_OLD	4	/* an older OpenDKIM name, not in the man page */

struct conf_compat {
	const char     *name;
	int		origin;		/* COMPAT_DKIM | COMPAT_DMARC | COMPAT_OLD */
	enum conf_compat_fate fate;
	const char     *quiet;		/* '|' values taken silently; "yes"/"no"
					 * make the keyword a boolean */
	const char     *valid;		/* '|' values accepted at all, or NULL */
	const char     *target;		/* COMPAT_ALIAS: our keyword */
	/* xlate - the target's value for v; 0, or -1 with the reason in err */
	int	      (*xlate)(const char *v, struct buf *out, struct buf *err);
	const char     *why;		/* the reason, and what to use instead */
};

enum conf_compat_outcome {
	COMPAT_OUT_QUIET,	/* taken, nothing to say */
	COMPAT_OUT_NOTICE,	/* taken, msg holds the notice */
	COMPAT_OUT_ALIAS,	/* set r->target to *value (caller frees) */
	COMPAT_OUT_ERROR	/* refused, msg holds why */
};

/* conf_compat_table - every row, in alphabetical order */
const struct conf_compat *conf_compat_table(size_t *n);
/* conf_compat_find - the row of a keyword (case-insensitive), or NULL */
const struct conf_compat *conf_compat_find(const char *name);
/* conf_compat_apply - the outcome of "r->name value"; *value is set (and
 * owned by the caller) for COMPAT_OUT_ALIAS only */
enum conf_compat_outcome conf_compat_apply(const struct conf_compat *r, const char *v,
	    char **value, struct buf *msg);
/* conf_compat_fate_word - "implemented", "alias", "notice", "refused" */
const char     *conf_compat_fate_word(enum conf_compat_fate f);
/* conf_compat_write_man - the migration table for authmilter.conf(5) */
void		conf_compat_write_man(struct buf *out);
/* conf_compat_man_text - s as roff-safe text (backslashes, hyphens, a leading
 * dot or quote) appended to out; for every man page the keyword tables make */
void		conf_compat_man_text(struct buf *out, const char *s);

#endif
