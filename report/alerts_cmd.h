/*
 * alerts_cmd.h - "authmilter-report alerts" (alerts_cmd.c);
 * authmilter-report(8), ALERTS
 */
#ifndef AUTHMILTER_ALERTS_CMD_H
#define AUTHMILTER_ALERTS_CMD_H

/* alerts_cmd_main - argv[0] is "alerts"; the exit status: 0 nothing fires,
 * 1 alerts fire, 64 usage, 75 temporary failure (database, sendmail), 78
 * configuration (or the database's schema version) */
int	alerts_cmd_main(int argc, char **argv);

#endif
