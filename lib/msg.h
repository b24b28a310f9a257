/*
 * msg.h - the evaluation of one message: the pipeline of DESIGN.md §2
 *
 * The milter callbacks and the offline runner drive the same calls in the
 * same order:
 *   msg_new (at MAIL FROM) -> msg_rcpt* -> msg_header* -> msg_eoh
 *     -> msg_body* -> msg_eom => verdict -> (apply it) -> msg_record;
 *   msg_free always.
 * A msg never calls libmilter and never logs through anything but log.h.
 * It holds a reference on its engine until msg_free.
 */
#ifndef AUTHMILTER_MSG_H
#define AUTHMILTER_MSG_H

#include <stddef.h>

#include "engine.h"
#include "verdict.h"

/* the envelope and connection facts the MTA gave us; msg_new copies them */
struct msg_env {
	const char     *client_ip;	/* textual address, NULL when unknown */
	const char     *client_host;	/* reverse name or "[addr]" */
	const char     *helo;
	const char     *mail_from;	/* envelope sender without <>, "" null sender */
	const char     *auth_type;	/* {auth_type}, NULL when not authenticated */
	const char     *auth_authen;	/* {auth_authen} */
	const char     *daemon_name;	/* {daemon_name} */
	const char     *queue_id;	/* {i}, may come later via msg_set_queue_id */
};

enum msg_role {
	MSG_ROLE_VERIFY,
	MSG_ROLE_SIGN,
	MSG_ROLE_IGNORE
};

struct msg;

struct msg     *msg_new(struct engine *e, const struct msg_env *env);
void		msg_set_queue_id(struct msg *m, const char *qid);
void		msg_rcpt(struct msg *m, const char *addr);
/* msg_header - value is everything after the colon, leading white space
 * included; folds may end in CRLF or LF */
void		msg_header(struct msg *m, const char *name, const char *value);
void		msg_eoh(struct msg *m);
/* msg_body - a chunk of the body in SMTP form (CRLF line ends) */
void		msg_body(struct msg *m, const unsigned char *p, size_t n);
/* msg_eom - finish and fill v (verdict_init'ed by the caller); v->hist is
 * the history record, if any, still to be written by msg_record */
void		msg_eom(struct msg *m, struct verdict *v);
/*
 * msg_record - append v's history record (if any) to the engine's history
 * file with the action actually applied, which differs from v->action when
 * carrying out the verdict failed (a header edit the MTA refused becomes a
 * tempfail).  Call once, after the verdict was applied.
 */
void		msg_record(struct msg *m, struct verdict *v, enum verdict_action applied);
void		msg_free(struct msg *m);

enum msg_role	msg_role(const struct msg *m);
/* msg_may_ignore - 0 when no client can get MSG_ROLE_IGNORE under e, so the
 * milter may let the MTA go on at MAIL FROM without waiting for an answer */
int		msg_may_ignore(const struct engine *e);
const char     *msg_role_str(enum msg_role r);
const char     *msg_queue_id(const struct msg *m);

#endif
