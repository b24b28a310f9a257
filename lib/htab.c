/*
 * htab.c - open-addressing index (see htab.h)
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "htab.h"
#include "xalloc.h"

/* grow - double the slots (16 at first), re-placing each by its hash */
static void
grow(struct htab *t)
{
	size_t cap = t->cap ? t->cap * 2 : 16, i;
	struct htab_slot *v = xcalloc(cap, sizeof(*v));

	for (i = 0; i < t->cap; i++) {
		size_t j = t->v[i].hash & (cap - 1);

		if (t->v[i].pos == 0)
			continue;
		while (v[j].pos != 0)
			j = (j + 1) & (cap - 1);
		v[j] = t->v[i];
	}
	free(t->v);
	t->v = v;
	t->cap = cap;
}

/* htab_intern - see htab.h */
size_t
htab_intern(struct htab *t, uint64_t h, int (*eq)(const void *arg, size_t pos),
    const void *arg, size_t next)
{
	uint32_t h32 = (uint32_t)(h ^ (h >> 32));
	size_t j;

	if (2 * (t->n + 1) > t->cap)
		grow(t);
	for (j = h32 & (t->cap - 1); t->v[j].pos != 0; j = (j + 1) & (t->cap - 1))
		if (t->v[j].hash == h32 && eq(arg, t->v[j].pos - 1))
			return t->v[j].pos - 1;
	t->v[j].pos = (uint32_t)(next + 1);
	t->v[j].hash = h32;
	t->n++;
	return next;
}

/* htab_free - release the slots; the table may be used again */
void
htab_free(struct htab *t)
{
	free(t->v);
	t->v = NULL;
	t->cap = t->n = 0;
}

/* htab_hash - 64-bit multiply-mix over 8-byte words (keys are short, speed
 * matters: the aggregator hashes every record's row) */
uint64_t
htab_hash(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ n, w;

	while (n >= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
		s += 8;
		n -= 8;
	}
	w = 0;
	memcpy(&w, s, n);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 29);
}

/* htab_hash_ci - FNV-1a over the case-folded bytes */
uint64_t
htab_hash_ci(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)tolower((unsigned char)*s)) * 1099511628211ULL;
	return h;
}
