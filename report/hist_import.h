/*
 * hist_import.h - history files into the database, each record exactly once
 *
 * For each (host, file identity) the database remembers the byte offset up
 * to which the file's records are stored (table import_file).  The
 * identity is the SHA-256 of the file's first record: a file renamed by
 * logrotate, compressed, or copied to the reporting host keeps its
 * progress; a truncated or replaced file starts with another record, so
 * it starts over.  Records are loaded in batches; each batch runs in one
 * transaction that locks the file's progress row, reads from the offset
 * it holds, appends the records and moves the offset, so a killed import
 * loses nothing and a second import running at the same time waits and
 * then goes on from where the first stopped.  Only whole records are
 * stored: a torn last record is left for the next run.
 * I/O: the history files (plain or gzip) and the database.
 */
#ifndef AUTHMILTER_HIST_IMPORT_H
#define AUTHMILTER_HIST_IMPORT_H

#include "buf.h"
#include "store.h"

struct hist_import_stats {
	unsigned long long records;	/* stored by this run */
	unsigned long long skipped;	/* malformed records passed over */
	long long	pos;		/* where the file's progress stands */
	int		empty;		/* no whole record yet: nothing remembered */
};

/*
 * hist_import_file - store the new records of path for host; batch is the
 * number of records per transaction (0: the default).  0 with *st filled,
 * or -1 with err (what was committed before stays).
 */
int	hist_import_file(struct store *s, const char *host, const char *path, size_t batch,
	    struct hist_import_stats *st, struct buf *err);

#endif
