/*
 * authres.h - RFC 8601 Authentication-Results: writing ours, recognising
 * forged ones
 *
 * authres_build only serialises what the pipeline decided; it appends to a
 * caller-owned buffer.  The parser functions are pure and keep no pointers.
 */
#ifndef AUTHMILTER_AUTHRES_H
#define AUTHMILTER_AUTHRES_H

#include <stddef.h>

#include "buf.h"
#include "verdict.h"

/* lines are folded (CRLF TAB) before they pass this many columns, counting
 * the "Authentication-Results: " field name (RFC 5322 §2.1.1) */
#define AUTHRES_FOLD	78

/*
 * authres_build - append the header field VALUE, leading space included, to
 * out: " mx.example.net; spf=pass smtp.mailfrom=a.example; dkim=pass
 * (2048-bit key) header.d=a.example header.s=sel header.a=rsa-sha256
 * header.b=AbCd1234; dmarc=pass (p=reject dis=none) header.from=a.example
 * policy.dmarc=reject", or " mx.example.net; none" when r holds no result.
 * Values that are not RFC 2045 tokens are quoted; when the whole field does
 * not fit in AUTHRES_FOLD columns every method starts a new line
 * ("\r\n\t"), and an over-long method folds between its properties.
 */
void	authres_build(const char *authserv_id, const struct verdict_results *r,
	    struct buf *out);

/*
 * authres_authserv_id - the authserv-id of an incoming Authentication-Results
 * value (RFC 8601 §2.2): CFWS and comments skipped, a quoted-string
 * unquoted, the optional authres-version accepted, and a ";" required after
 * them.  Copies it NUL-terminated into out; 0 on success, -1 when the value
 * is malformed or the id does not fit in outlen.
 */
int	authres_authserv_id(const char *value, size_t len, char *out, size_t outlen);

/*
 * authres_is_ours - 1 when value (NUL-terminated) carries our_id or one of
 * trusted_ids (comma and/or space separated, may be NULL) as its authserv-id;
 * case-insensitive, one trailing dot ignored on either side; "our_id/ANY"
 * (AuthservIDWithJobID's form) is ours too.  A malformed value is not ours (0).
 */
int	authres_is_ours(const char *value, const char *our_id, const char *trusted_ids);

#endif
