/*
 * runner.h - the offline runner: the milter pipeline over a message file
 */
#ifndef AUTHMILTER_RUNNER_H
#define AUTHMILTER_RUNNER_H

#include "buf.h"
#include "strlist.h"
#include "engine.h"

struct runner_opts {
	const char     *message;	/* file, "-" for stdin */
	const char     *client_ip;
	const char     *client_host;
	const char     *helo;
	const char     *mail_from;
	const char     *auth_user;
	const char     *daemon_name;
	const char     *queue_id;
	struct strlist	rcpts;
	int		json;
};

/* runner_run - evaluate one message; prints the verdict; exit status */
int	runner_run(struct engine *e, const struct runner_opts *o);

#endif
