/*
 * history.c - history record writer, parser and appender
 */
#include "config.h"

#include <stdlib.h>

#include "history.h"

/* history_rec_free - release a record */
void
history_rec_free(struct history_rec *r)
{
	free(r);
}
