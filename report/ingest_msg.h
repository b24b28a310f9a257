/*
 * ingest_msg.h - everything a received report message holds: the aggregate
 * report documents in its parts (found by content: gzip, zip or XML with a
 * <feedback> element, whatever the declared type) and a failure report
 */
#ifndef AUTHMILTER_INGEST_MSG_H
#define AUTHMILTER_INGEST_MSG_H

#include <stddef.h>

#include "buf.h"
#include "strlist.h"
#include "ingest_arf.h"
#include "ingest_unpack.h"

struct ingest_found {
	struct ingest_docs docs;	/* aggregate report documents */
	int		has_arf;
	struct ingest_arf arf;		/* when has_arf */
	struct strlist	rejects;	/* "part N type: reason" per refused part */
	struct strlist	notes;		/* MIME and unpacking recoveries */
};

/* ingest_msg_scan - walk msg[0..n) and collect its reports into out
 * (zeroed by the caller; lim NULL: defaults; the limits hold for the whole
 * message).  Free with ingest_found_free. */
void	ingest_msg_scan(const char *msg, size_t n, const struct ingest_limits *lim,
	    struct ingest_found *out);
void	ingest_found_free(struct ingest_found *f);

#endif
