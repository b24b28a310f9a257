/*
 * milterproto.h - MTA side of the Sendmail milter protocol, version 6, for
 * the test client (miltc) and the load driver (bench/milterload).
 *
 * Speaks to a milter the way Postfix's milter8 client does: option
 * negotiation offering every action and the protocol steps Postfix offers,
 * Postfix's macros, headers with SMFIP_HDR_LEADSPC, CRLF body chunks of at
 * most 64 KiB, several messages per connection.
 *
 * Ownership: mp_msg_* and mp_result hand out memory owned by the MP_MSG or
 * MP_RESULT they belong to; free with mp_msg_free / mp_result_clear. An
 * MP_CONN owns its socket; mp_close frees it. No globals: one MP_CONN per
 * thread is safe.
 */
#ifndef MILTERPROTO_H
#define MILTERPROTO_H

#include <stddef.h>

/* phases, in protocol order; also the --abort-at / --close-at names */
enum mp_phase {
	MP_PH_NONE = 0,
	MP_PH_OPTNEG,
	MP_PH_CONNECT,
	MP_PH_HELO,
	MP_PH_MAIL,
	MP_PH_RCPT,
	MP_PH_DATA,
	MP_PH_HEADER,
	MP_PH_EOH,
	MP_PH_BODY,
	MP_PH_EOM,
	MP_PH_QUIT,
	MP_PH_COUNT
};

/* final action for a message (or a connection) */
enum mp_action {
	MP_ACT_CONTINUE = 0,
	MP_ACT_ACCEPT,
	MP_ACT_REJECT,
	MP_ACT_TEMPFAIL,
	MP_ACT_DISCARD,
	MP_ACT_CONNFAIL,
	MP_ACT_SHUTDOWN
};

/* status of mp_* calls */
enum mp_status {
	MP_OK = 0,	/* conversation went on normally */
	MP_DONE,	/* the milter decided early (see result.action) */
	MP_ABORTED,	/* --abort-at: ABORT sent instead of the phase */
	MP_CLOSED,	/* --close-at: socket closed instead of the phase */
	MP_ERROR	/* I/O error, timeout or protocol violation: see mp_why */
};

/* message modification requested at end of message */
enum mp_edit_op {
	MP_ED_ADDHEADER,
	MP_ED_INSHEADER,
	MP_ED_CHGHEADER,
	MP_ED_QUARANTINE,
	MP_ED_ADDRCPT,
	MP_ED_ADDRCPT_PAR,
	MP_ED_DELRCPT,
	MP_ED_CHGFROM,
	MP_ED_REPLBODY
};

typedef struct {
	int op;		/* enum mp_edit_op */
	long index;	/* insheader / chgheader index, else 0 */
	char *name;	/* header name, address or reason */
	char *value;	/* header value ("" = delete for chgheader), args */
	size_t len;	/* replbody: bytes of replacement body */
} MP_EDIT;

/* a reply other than continue, at any phase (one per rejected RCPT...) */
typedef struct {
	int phase;
	int action;
	char *text;	/* SMTP reply text or NULL */
} MP_REPLY;

typedef struct {
	int action;	/* enum mp_action; CONTINUE when none */
	int phase;	/* phase that decided (enum mp_phase) */
	char *reply;	/* SMTP reply text ("451 4.7.1 why") or NULL */
	MP_EDIT *edits;
	size_t nedits;
	size_t cap;
	MP_REPLY *replies;
	size_t nreplies;
	int leadspc;	/* header values carry their own leading space */
	double t_start;	/* monotonic seconds when the call began */
	double t_done[MP_PH_COUNT]; /* monotonic seconds each phase ended; 0 =
				       not reached */
	double t_content; /* when the first header was sent (after its gap) */
} MP_RESULT;

/* one parsed message: headers as name/value (value keeps leading space and
 * folding with LF line ends, as Postfix passes it) and a CRLF body */
typedef struct {
	char *name;
	char *value;
} MP_HDR;

typedef struct {
	MP_HDR *hdrs;
	size_t nhdrs;
	char *body;	/* CRLF line ends */
	size_t bodylen;
} MP_MSG;

/* envelope and connection data, all strings not copied */
typedef struct {
	const char *client_ip;	 /* default 198.18.0.1 */
	const char *client_name; /* default "[client_ip]" (unknown) */
	const char *helo;
	const char *from;	 /* without angle brackets; "" = null path */
	const char *const *rcpts;
	size_t nrcpts;
	const char *auth_user;	 /* NULL: not authenticated */
	const char *daemon_name; /* {daemon_name} */
	const char *hostname;	 /* j */
	const char *queue_id;	 /* i; NULL: generated */
	int abort_at;		 /* enum mp_phase or MP_PH_NONE */
	int close_at;
	int hold_at;		 /* before sending this phase, create
				    HOLD_FILE.reached and wait until HOLD_FILE
				    exists (MP_PH_NONE: never) */
	const char *hold_file;
	int limit_actions;	 /* 0: offer every action at OPTNEG; 1: only */
	unsigned long actions;	 /* these SMFIF_* bits (an MTA that cannot
				    add or change headers, say) */
	double gap_s;		 /* the SMTP client's round trip: sleep this
				    long before each phase in gap_at */
	unsigned gap_at;	 /* bits 1 << enum mp_phase (HELO MAIL RCPT
				    DATA HEADER BODY EOM) */
} MP_ENV;

typedef struct MP_CONN MP_CONN;

/* the envelope options every driver takes (miltc, milterload): rows for a
 * getopt_long table, and mp_env_option to apply one */
enum { MP_OPT_CLIENT_IP = 0x1000, MP_OPT_CLIENT_NAME, MP_OPT_HELO, MP_OPT_FROM,
	MP_OPT_RCPT, MP_OPT_AUTH_USER };
#define MP_ENV_LONGOPTS \
	{ "client-ip", 1, NULL, MP_OPT_CLIENT_IP }, \
	{ "client-name", 1, NULL, MP_OPT_CLIENT_NAME }, \
	{ "helo", 1, NULL, MP_OPT_HELO }, { "from", 1, NULL, MP_OPT_FROM }, \
	{ "rcpt", 1, NULL, MP_OPT_RCPT }, { "auth-user", 1, NULL, MP_OPT_AUTH_USER }
/* mp_env_option - option o (getopt_long's return) with its argument into
 * env; rcpts has room for every argument (argc).  1 when o is one of
 * MP_ENV_LONGOPTS, else 0 */
int mp_env_option(MP_ENV *env, const char **rcpts, int o, const char *arg);

MP_MSG *mp_msg_parse(const char *data, size_t len);
MP_MSG *mp_msg_load(const char *path);
MP_MSG *mp_msg_copy(const MP_MSG *msg);
void mp_msg_apply(MP_MSG *msg, const MP_RESULT *res);
void mp_msg_free(MP_MSG *msg);

MP_CONN *mp_open(const char *spec, int timeout_ms, char *why, size_t whylen);
int mp_optneg(MP_CONN *c, const MP_ENV *env);
int mp_connect(MP_CONN *c, const MP_ENV *env, MP_RESULT *res);
int mp_message(MP_CONN *c, const MP_ENV *env, const MP_MSG *msg, MP_RESULT *res);
int mp_abort(MP_CONN *c);
void mp_close(MP_CONN *c, int send_quit);
const char *mp_why(const MP_CONN *c);
void mp_negotiated(const MP_CONN *c, unsigned long *version,
		   unsigned long *actions, unsigned long *protocol);
int mp_leadspc(const MP_CONN *c);

void mp_result_init(MP_RESULT *res);
void mp_result_clear(MP_RESULT *res);

const char *mp_phase_name(int phase);
int mp_phase_parse(const char *name);
const char *mp_action_name(int action);
const char *mp_edit_name(int op);

#endif
