/*
 * msg_int.h - the inside of struct msg, shared by msg.c (the pipeline),
 * msg_verify.c (inbound) and msg_sign.c (outbound).  Not for other modules.
 */
#ifndef AUTHMILTER_MSG_INT_H
#define AUTHMILTER_MSG_INT_H

#include "buf.h"
#include "strlist.h"
#include "msg.h"

struct msg_hdr {
	char	       *name;
	char	       *value;		/* as received, folds normalised to CRLF */
};

struct msg_verify;
struct dnspf;
struct msg_sign;

struct msg {
	struct engine  *eng;		/* referenced */
	char	       *client_ip, *client_host, *helo, *mail_from;
	char	       *auth_type, *auth_authen, *daemon_name;
	char	       *queue_id;
	struct strlist	rcpts;
	struct msg_hdr *hdrs;
	size_t		nhdrs;
	size_t		hdr_bytes;
	int		hdr_overflow;	/* more header data than we keep: refused */
	size_t		hdr_seen;	/* fields received, kept or not */
	size_t		hdr_seen_bytes;
	size_t		body_bytes;
	enum msg_role	role;
	char	       *role_why;
	struct msg_verify *verify;	/* msg_verify.c owns it */
	struct msg_sign *sign;		/* msg_sign.c owns it */
	struct dnspf   *pf;		/* DNSPrefetch: lookups started early */
	size_t		pf_sigs;	/* DKIM-Signature fields seen for it */
};

/* msg_verify.c: inbound evaluation */
void	msgv_start(struct msg *m);		/* at eoh */
void	msgv_body(struct msg *m, const unsigned char *p, size_t n);
void	msgv_eom(struct msg *m, struct verdict *v);
void	msgv_free(struct msg *m);
/* DNSPrefetch: start the lookups the envelope names (at msg_new), and
 * those a header field names (each kept field) */
void	msgv_prefetch_env(struct msg *m);
void	msgv_prefetch_header(struct msg *m, const char *name, const char *value);

/* msg_sign.c: outbound signing */
void	msgs_start(struct msg *m);		/* at eoh */
void	msgs_body(struct msg *m, const unsigned char *p, size_t n);
void	msgs_eom(struct msg *m, struct verdict *v);
void	msgs_free(struct msg *m);

#endif
