/*
 * dash_store.h - the dashboard (dash.h) over the received reports stored by
 * ingest: "authmilter-report dashboard"; authmilter-report(8), DASHBOARD
 */
#ifndef AUTHMILTER_DASH_STORE_H
#define AUTHMILTER_DASH_STORE_H

#include "buf.h"
#include "dash.h"

/* dash_store_fill - the dash_fill_fn filling d from the open store arg
 * (struct store *): the rules are in dash_store.c's header; 0, or -1 with err */
int	dash_store_fill(struct dash_data *d, void *arg, struct buf *err);
/* dash_store_main - "dashboard [-c CONF] [--db URL] --out DIR [--quiet]"
 * (argv[0] the subcommand); exit 0, 1 (reading the database or writing
 * the site failed), 64 (usage), 75 (the database cannot be opened) */
int	dash_store_main(int argc, char **argv);

#endif
