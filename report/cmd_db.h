/*
 * cmd_db.h - the database subcommands of authmilter-report: import,
 * db-init, db-upgrade (authmilter-report(8), DATABASE)
 */
#ifndef AUTHMILTER_CMD_DB_H
#define AUTHMILTER_CMD_DB_H

/* cmd_db_is - 1 when word names one of the subcommands */
int	cmd_db_is(const char *word);
/* cmd_db_main - run argv[0] (the subcommand) with its options; exit status */
int	cmd_db_main(int argc, char **argv);

#endif
