/*
 * cmd_ingest.h - the received-report subcommands of authmilter-report:
 * ingest (cmd_ingest.c), reports and failures (cmd_reports.c);
 * authmilter-report(8), INGEST
 */
#ifndef AUTHMILTER_CMD_INGEST_H
#define AUTHMILTER_CMD_INGEST_H

#include "store.h"

/* cmd_ingest_is - 1 when word names one of the subcommands */
int	cmd_ingest_is(const char *word);
/* cmd_ingest_main - run argv[0] (the subcommand) with its options; exit status */
int	cmd_ingest_main(int argc, char **argv);
/* the filters of "reports" and "failures" */
struct cmd_query {
	int		json;		/* JSON lines, else a table */
	const char     *domain;	/* policy (or From/reported) domain, lower case; or NULL */
	long long	from, to;	/* [from, to): epoch; 0 and LLONG_MAX unless given */
};

/* cmd_reports_run - "reports" or "failures" (cmd) over the open store s;
 * exit status (0, or 75 when the database cannot be read) */
int	cmd_reports_run(const char *cmd, struct store *s, const struct cmd_query *q);

#endif
