/*
 * htab.h - an open-addressing index from keys to the caller's entries
 *
 * The caller keeps its entries in an array and their keys wherever it
 * likes; the table maps a key to the entry's position.  Each slot holds
 * the position and 32 bits of the key's hash, so a probe compares keys
 * (the caller's eq callback) only when the hashes agree, and growing
 * never asks for a key again.  Linear probing in a power-of-two table
 * kept at most half full.  Used by the header-name grouping of DKIM
 * canonicalization, the report aggregator and the summaries.  (The DNS
 * cache is not an index: a fixed array where a collision replaces the
 * older answer; it keeps its own slots.)
 *
 * Ownership: the table owns its slots only; htab_free releases them.
 */
#ifndef AUTHMILTER_HTAB_H
#define AUTHMILTER_HTAB_H

#include <stddef.h>
#include <stdint.h>

struct htab_slot {
	uint32_t	pos;		/* entry position + 1; 0: empty */
	uint32_t	hash;
};

struct htab {
	struct htab_slot *v;
	size_t		cap, n;
};

#define HTAB_INIT { NULL, 0, 0 }

/*
 * htab_intern - the position of the entry whose key has hash h and for
 * which eq(arg, pos) is true; when there is none, next is recorded as that
 * key's entry and returned (the caller then stores the entry at next, its
 * array's length).  Positions must stay below 2^32 - 1.
 */
size_t		htab_intern(struct htab *t, uint64_t h, int (*eq)(const void *arg, size_t pos),
		    const void *arg, size_t next);
void		htab_free(struct htab *t);
/* htab_hash - a hash of n bytes */
uint64_t	htab_hash(const void *p, size_t n);
/* htab_hash_ci - the same for a string, ASCII letters case-folded */
uint64_t	htab_hash_ci(const char *s);

#endif
