/*
 * ingest_mbox.h - the simple file walks of report ingest: messages of an
 * mbox (split at "From " lines) and the files of a Maildir
 */
#ifndef AUTHMILTER_INGEST_MBOX_H
#define AUTHMILTER_INGEST_MBOX_H

#include <stddef.h>

#include "buf.h"
#include "strlist.h"

/* ingest_mbox_is - whether p[0..n) starts as an mbox ("From " line) */
int	ingest_mbox_is(const char *p, size_t n);
/* ingest_mbox_next - the next message of the mbox p[0..n) from *off: its
 * bytes (From_ line excluded) in *msg, *len; *off moves past it.  0 at the
 * end.  Messages point into p (not copied). */
int	ingest_mbox_next(const char *p, size_t n, size_t *off, const char **msg, size_t *len);
/* ingest_maildir_list - the message files of the Maildir dir (cur/ and
 * new/, sorted by name), appended to out as paths; -1 with err set when dir
 * is no Maildir or cannot be read */
int	ingest_maildir_list(const char *dir, struct strlist *out, struct buf *err);

#endif
