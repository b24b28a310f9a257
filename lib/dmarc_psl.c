/*
 * dmarc_psl.c - the Public Suffix List, for DMARCStandard rfc7489
 *
 * RFC 7489 section 3.2 finds the Organizational Domain with a public suffix
 * list.  The rules follow https://publicsuffix.org/list/ : normal rules,
 * wildcards ("*.ck"), exceptions ("!www.ck"), the longest matching rule
 * wins, an exception beats everything, and when nothing matches the
 * implicit rule "*" applies (an unlisted TLD such as .example is a public
 * suffix).  The list lives in the engine, never in a global: libopendmarc's
 * opendmarc_tld_read_file() keeps one process-wide table, which a reload
 * would swap under running threads.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "address.h"
#include "dmarc.h"

struct dmarc_psl {
	char	      **rule;		/* "N:co.uk", "W:ck" (for *.ck), "E:www.ck"; sorted */
	size_t		n;
};

/* psl_cmp - qsort/bsearch order of rule strings */
static int
psl_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* psl_has - is kind:name a rule */
static int
psl_has(const struct dmarc_psl *psl, char kind, const char *name)
{
	struct buf key = BUF_INIT;
	char *k;
	int found;

	buf_init(&key);
	buf_printf(&key, "%c:%s", kind, name);
	k = key.data;
	found = bsearch(&k, psl->rule, psl->n, sizeof(*psl->rule), psl_cmp) != NULL;
	buf_free(&key);
	return found;
}

/* psl_line - one line of the list into a rule, or nothing */
static void
psl_line(struct dmarc_psl *psl, char *line, size_t *cap)
{
	char kind = 'N', *name, *end, *norm;
	struct buf r = BUF_INIT;

	end = line + strcspn(line, " \t\r\n");	/* a rule ends at white space */
	*end = '\0';
	if (line[0] == '\0' || strncmp(line, "//", 2) == 0)
		return;
	name = line;
	if (name[0] == '!') {
		kind = 'E';
		name++;
	} else if (strncmp(name, "*.", 2) == 0) {
		kind = 'W';
		name += 2;
	}
	if (strchr(name, '*') != NULL)
		return;		/* inner wildcards are not used by the list */
	if ((norm = address_domain_normalize(name, strlen(name))) == NULL)
		return;
	buf_init(&r);
	buf_printf(&r, "%c:%s", kind, norm);
	free(norm);
	if (psl->n == *cap) {
		*cap = *cap ? *cap * 2 : 1024;
		psl->rule = xrealloc(psl->rule, *cap * sizeof(*psl->rule));
	}
	psl->rule[psl->n++] = buf_steal(&r);
}

/* dmarc_psl_load - see dmarc.h */
struct dmarc_psl *
dmarc_psl_load(const char *path, struct buf *err)
{
	struct dmarc_psl *psl;
	char *line = NULL;
	size_t linecap = 0, cap = 0;
	FILE *fp;

	if (path == NULL || (fp = fopen(path, "r")) == NULL) {
		buf_printf(err, "PublicSuffixList: %s: %s", path ? path : "(unset)",
		    path ? strerror(errno) : "rfc7489 mode needs a list");
		return NULL;
	}
	psl = xcalloc(1, sizeof(*psl));
	while (getline(&line, &linecap, fp) != -1)
		psl_line(psl, line, &cap);
	free(line);
	if (ferror(fp)) {
		buf_printf(err, "PublicSuffixList: %s: %s", path, strerror(errno));
		fclose(fp);
		dmarc_psl_free(psl);
		return NULL;
	}
	fclose(fp);
	if (psl->n == 0) {
		buf_printf(err, "PublicSuffixList: %s: no rules", path);
		dmarc_psl_free(psl);
		return NULL;
	}
	qsort(psl->rule, psl->n, sizeof(*psl->rule), psl_cmp);
	return psl;
}

/* dmarc_psl_free - release the list */
void
dmarc_psl_free(struct dmarc_psl *psl)
{
	size_t k;

	if (psl == NULL)
		return;
	for (k = 0; k < psl->n; k++)
		free(psl->rule[k]);
	free(psl->rule);
	free(psl);
}

/* dmarc_psl_org - see dmarc.h */
char *
dmarc_psl_org(const struct dmarc_psl *psl, const char *domain)
{
	const char *label[128], *s;
	size_t n = 0, j, ps;

	for (s = domain; n < 128; ) {
		label[n++] = s;
		if ((s = strchr(s, '.')) == NULL)
			break;
		s++;
	}
	/* an exception rule names the registrable domain itself */
	for (j = 0; j < n; j++)
		if (psl_has(psl, 'E', label[j]))
			return xstrdup(label[j]);
	/* longest matching normal or wildcard rule; else the implicit "*" */
	ps = n - 1;
	for (j = 0; j < n; j++)
		if (psl_has(psl, 'N', label[j]) || (j + 1 < n && psl_has(psl, 'W', label[j + 1]))) {
			ps = j;
			break;
		}
	return xstrdup(label[ps == 0 ? 0 : ps - 1]);
}
