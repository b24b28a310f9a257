/*
 * msg_sign.c - the outbound half of the pipeline: choose keys, sign
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "msg_int.h"

/* msgs_start - choose signing keys at end of headers */
void
msgs_start(struct msg *m)
{
	(void)m;
}

/* msgs_body - stream the body to the signers */
void
msgs_body(struct msg *m, const unsigned char *p, size_t n)
{
	(void)m;
	(void)p;
	(void)n;
}

/* msgs_eom - add the DKIM-Signature headers */
void
msgs_eom(struct msg *m, struct verdict *v)
{
	(void)m;
	(void)v;
}

/* msgs_free - release outbound state */
void
msgs_free(struct msg *m)
{
	(void)m;
}
