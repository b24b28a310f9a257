/*
 * summary.h - "authmilter-report summary": per policy domain counts from
 * history files, as an aligned text table or JSON
 */
#ifndef AUTHMILTER_SUMMARY_H
#define AUTHMILTER_SUMMARY_H

/*
 * summary_main - argv[0] is "summary"; options:
 *   [-c CONF] [--history FILE]... [--from EPOCH --to EPOCH] [--top N] [--json]
 * Without --history, CONF's HistoryFile and its rotated siblings (.1, .1.gz,
 * .gz; missing ones ignored).  Exit 0, 64 on usage errors, 66 when a named
 * file cannot be read, 78 on a config error.
 */
int	summary_main(int argc, char **argv);

#endif
