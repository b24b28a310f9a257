/*
 * dataset.c - inline lists, csl:, file:, refile: and plain paths (see
 * dataset.h); the database types OpenDKIM can be built with are refused
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset.h"
#include "fileio.h"

/* the database data set types of opendkim(8): refused, data goes in a file */
static const char *const db_types[] = {
	"db:", "dsn:", "ldap:", "ldaps:", "ldapi:", "lua:", "memcache:", "mdb:",
	"erlang:", "redis:", NULL
};

/* dataset_spec - see dataset.h */
int
dataset_spec(const char *spec, enum dataset_kind *kind, const char **body, struct buf *err)
{
	size_t i, len = strlen(spec);

	for (i = 0; db_types[i]; i++)
		if (strncmp(spec, db_types[i], strlen(db_types[i])) == 0) {
			buf_printf(err, "data set type \"%s\" is not supported: export the entries "
			    "to a file and name it as file:PATH or refile:PATH", db_types[i]);
			return -1;
		}
	if (strncmp(spec, "csl:", 4) == 0) {
		*kind = DATASET_INLINE;
		*body = spec + 4;
		return 0;
	}
	if (strncmp(spec, "refile:", 7) == 0) {
		*kind = DATASET_REFILE;
		*body = spec + 7;
	} else if (strncmp(spec, "file:", 5) == 0) {
		*kind = DATASET_FILE;
		*body = spec + 5;
	} else if (spec[0] == '/') {
		*kind = DATASET_FILE;
		*body = spec;
	} else {
		*kind = DATASET_INLINE;
		*body = spec;
		return 0;
	}
	if (**body == '\0') {
		buf_printf(err, "%s: empty file name", spec);
		return -1;
	}
	if (*kind == DATASET_FILE && spec[0] == '/' && len > 3 && strcmp(spec + len - 3, ".db") == 0) {
		/* opendkim(8): a path ending in ".db" is a Sleepycat database */
		buf_printf(err, "%s: Berkeley DB data sets are not supported: export the entries "
		    "to a text file and name it as file:PATH or refile:PATH", spec);
		return -1;
	}
	return 0;
}

/* dataset_text - see dataset.h */
int
dataset_text(const char *spec, struct buf *text, enum dataset_kind *kind, const char **name,
    struct buf *err)
{
	const char *body;

	*name = NULL;
	if (dataset_spec(spec, kind, &body, err) != 0)
		return -1;
	if (*kind == DATASET_INLINE) {
		buf_adds(text, body);
		return 0;
	}
	*name = body;
	return fileio_read(text, body, err);
}

/* dataset_words - see dataset.h */
int
dataset_words(const char *spec, struct strlist *out, int lower, struct buf *err)
{
	struct buf text = BUF_INIT;
	enum dataset_kind kind;
	const char *name;
	char *line, *lsave, *tok, *save, *hash, *p;
	size_t lineno = 0;
	int rc = 0;

	buf_init(&text);
	if (dataset_text(spec, &text, &kind, &name, err) != 0) {
		buf_free(&text);
		return -1;
	}
	for (line = text.data; line && rc == 0; line = lsave) {
		if ((lsave = strchr(line, '\n')) != NULL)
			*lsave++ = '\0';
		lineno++;
		if (kind != DATASET_INLINE && (hash = strchr(line, '#')) != NULL)
			*hash = '\0';
		for (tok = strtok_r(line, ", \t\r", &save); tok; tok = strtok_r(NULL, ", \t\r", &save)) {
			if (kind == DATASET_REFILE && strchr(tok, '*') != NULL) {
				buf_printf(err, "%s:%zu: \"%s\": wildcards are not supported in this list",
				    name, lineno, tok);
				rc = -1;
				break;
			}
			for (p = tok; lower && *p; p++)
				*p = (char)tolower((unsigned char)*p);
			strlist_add(out, tok);
		}
	}
	buf_free(&text);
	return rc;
}
