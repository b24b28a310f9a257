/*
 * ingest_walk.h - the inputs of report ingest: files, folders (recursed;
 * a Maildir read as one), mboxes and standard input, each input parsed by
 * libingest into the reports it holds and handed to a callback
 *
 * An input is a report file (.xml, .xml.gz, .zip: told by content), one
 * message (.eml, a Maildir file, standard input) or one message of an
 * mbox.  I/O: reads the files and directories named.
 */
#ifndef AUTHMILTER_INGEST_WALK_H
#define AUTHMILTER_INGEST_WALK_H

#include <stddef.h>

#include "buf.h"
#include "ingest_msg.h"

#define INGEST_WALK_MAX_DEPTH	32	/* folders nested */

struct ingest_item {
	const char     *source;		/* the path, "-" for standard input */
	size_t		index;		/* message number in an mbox (1...), else 0 */
	char	       *message_id;	/* a message's Message-ID, or NULL */
	const char     *raw;		/* the input's bytes */
	size_t		len;
	int		is_file;	/* 1: a report file whose bytes are one gzip stream */
	struct ingest_found found;	/* its reports; rejects says what was refused */
};

/* the callback: 0 goes on, -1 stops the walk */
typedef int (*ingest_walk_fn)(struct ingest_item *it, void *arg);

/* ingest_walk_path - every input under path ("-": standard input);
 * 0, -1 when fn stopped the walk, 1 when some file or folder could not be
 * read (each such error logged with log_warnx, the walk goes on) */
int	ingest_walk_path(const char *path, ingest_walk_fn fn, void *arg);

#endif
