/*
 * msg_verify.c - the inbound half of the pipeline: SPF, DKIM verification,
 * DMARC, Authentication-Results, the policy action
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "msg_int.h"

/* msgv_start - set up inbound state at end of headers */
void
msgv_start(struct msg *m)
{
	(void)m;
}

/* msgv_body - stream the body to the verifiers */
void
msgv_body(struct msg *m, const unsigned char *p, size_t n)
{
	(void)m;
	(void)p;
	(void)n;
}

/* msgv_eom - results, header edits and action */
void
msgv_eom(struct msg *m, struct verdict *v)
{
	struct buf ar = BUF_INIT;

	buf_init(&ar);
	buf_printf(&ar, " %s; none", m->eng->authserv_id);
	verdict_add_header(v, "Authentication-Results", ar.data);
	buf_free(&ar);
}

/* msgv_free - release inbound state */
void
msgv_free(struct msg *m)
{
	(void)m;
}
