/*
 * verdict.h - what the pipeline decided about one message
 *
 * A plain struct the caller reads: the milter applies it with smfi_* calls,
 * the offline runner prints it.  Every pointer inside is owned by the
 * verdict and released by verdict_free().
 */
#ifndef AUTHMILTER_VERDICT_H
#define AUTHMILTER_VERDICT_H

#include <stddef.h>

#include "buf.h"

enum verdict_action {
	VERDICT_ACCEPT,
	VERDICT_REJECT,		/* smtp_code/xcode/text say how */
	VERDICT_TEMPFAIL,	/* idem */
	VERDICT_QUARANTINE,	/* accept into the MTA's hold queue */
	VERDICT_DISCARD
};

struct verdict_hdr {
	char	       *name;
	char	       *value;	/* leading space included, folds as "\r\n\t" */
};

/* a header to delete: the index-th (1-based) header of that name, counted
 * over the headers as received.  The milter deletes highest index first, so
 * one deletion never shifts the index of another (CVE-2022-48521). */
struct verdict_rm {
	char	       *name;
	int		index;
};

/* one DKIM signature's evaluation */
struct verdict_dkim {
	char	       *domain;		/* header.d */
	char	       *selector;	/* header.s */
	char	       *result;		/* RFC 8601 word */
	char	       *reason;		/* human-readable, may be NULL */
	char	       *b_prefix;	/* first characters of b=, for header.b */
	char	       *algorithm;	/* rsa-sha256, ed25519-sha256, ... */
	unsigned	bits;		/* key size, 0 when unknown */
	int		testing;	/* key has t=y */
	int		length_limit;	/* signature has l= */
	int		dnssec;		/* enum dns_sec of the key record */
};

struct verdict_results {
	char	       *role;		/* "verify", "sign", "ignore" */
	char	       *spf;		/* MAIL FROM identity, RFC 8601 word */
	char	       *spf_domain;	/* the domain evaluated (smtp.mailfrom) */
	char	       *spf_reason;
	char	       *spf_helo;	/* HELO identity */
	char	       *spf_helo_domain;
	struct verdict_dkim *dkim;
	size_t		ndkim;
	char	       *dmarc;		/* pass, fail, none, temperror, permerror */
	char	       *dmarc_from;	/* header.from */
	char	       *policy;		/* published policy applied: none, quarantine, reject */
	char	       *disposition;	/* what we did: none, quarantine, reject */
	char	       *reason;		/* why that disposition */
};

struct history_rec;

struct verdict {
	enum verdict_action action;
	char	       *smtp_code;	/* "550" */
	char	       *smtp_xcode;	/* "5.7.1" */
	char	       *smtp_text;
	char	       *quarantine_reason;
	struct verdict_hdr *add;	/* to add at the top, in top-to-bottom order */
	size_t		nadd;
	struct verdict_rm *rm;
	size_t		nrm;
	struct verdict_results res;
	struct history_rec *hist;	/* history record, NULL when none */
	char	       *log;		/* the per-message log line */
};

void	verdict_init(struct verdict *v);
void	verdict_free(struct verdict *v);
/* verdict_add_header - append (copied) to the headers added at the top */
void	verdict_add_header(struct verdict *v, const char *name, const char *value);
void	verdict_remove_header(struct verdict *v, const char *name, int index);
/* verdict_set_reply - the action and, for reject/tempfail, the reply;
 * text is kept as verdict_text_clean makes it */
void	verdict_set_reply(struct verdict *v, enum verdict_action a, const char *code,
	    const char *xcode, const char *text);
/* verdict_set_quarantine - quarantine, with a reason cleaned the same way */
void	verdict_set_quarantine(struct verdict *v, const char *reason);

/* SMTP reply and quarantine texts are at most this many bytes (libmilter
 * refuses a reply over 980; an SMTP reply line is 512 with the code) */
#define VERDICT_TEXT_MAX 400

/*
 * verdict_text_clean - text (which may carry peer bytes: a From domain, a
 * parser's reason) made safe for an SMTP reply: every byte outside
 * printable ASCII becomes '?', and the text is cut at VERDICT_TEXT_MAX.
 * Appends to out.
 */
void	verdict_text_clean(const char *text, struct buf *out);
/*
 * verdict_milter_text - text for smfi_setreply: cleaned as above and every
 * '%' doubled (sendmail uses the text as a format; Postfix turns "%%" back
 * into "%" and drops a single '%').  Appends to out.
 */
void	verdict_milter_text(const char *text, struct buf *out);
/* verdict_add_dkim - a new zeroed dkim entry, owned by v */
struct verdict_dkim *verdict_add_dkim(struct verdict *v);
/* verdict_set - replace *field with a copy of s (NULL allowed) */
void	verdict_set(char **field, const char *s);
const char *verdict_action_str(enum verdict_action a);
/* verdict_json - the offline runner's --json object */
void	verdict_json(const struct verdict *v, struct buf *out);

#endif
