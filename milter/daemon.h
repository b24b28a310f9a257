/*
 * daemon.h - process plumbing: socket, privileges, pid file, background,
 * signals
 */
#ifndef AUTHMILTER_DAEMON_H
#define AUTHMILTER_DAEMON_H

#include "conf.h"
#include "engine.h"

/* daemon_block_signals - block HUP, USR1, TERM, INT in this thread and every
 * thread created after; call before any thread exists */
void	daemon_block_signals(void);
/* daemon_detach - fork; the parent waits until daemon_ready() or exits 1 */
int	daemon_detach(void);
/* daemon_ready - tell a waiting parent that start-up succeeded (or not) */
void	daemon_ready(int ok, const char *why);
/* daemon_socket - hand Socket to libmilter and bind it under UMask */
int	daemon_socket(const struct conf *c);
/* daemon_drop_privileges - switch to UserID; refuse root unless allowed */
int	daemon_drop_privileges(const struct conf *c);
int	daemon_write_pidfile(const char *path);
/* daemon_malloc_arenas - one malloc arena (unless MALLOC_ARENA_MAX is
 * set), before any thread starts */
void	daemon_malloc_arenas(void);
/* daemon_thread_stacks - a smaller default stack for the threads libmilter
 * starts, so that glibc's stack cache keeps them across connections */
void	daemon_thread_stacks(void);
/* daemon_start_signal_thread - SIGHUP reloads conf_path, SIGUSR1 reopens logs */
int	daemon_start_signal_thread(const char *conf_path);
/* daemon_history - engine_open_history(e, prev); -1 when the file cannot be
 * opened (the reason is logged) */
int	daemon_history(struct engine *e, const struct engine *prev);

#endif
