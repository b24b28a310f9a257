/*
 * nullmilter.c - the milter protocol's ceiling, for the end-to-end benchmark
 * (t/bench/e2e.sh): a libmilter filter that asks for every step, answers
 * none of them (SMFIP_NR_* for each step the MTA offers to skip the reply
 * of), adds one header at end of message and does no other work.  What an
 * MTA loses with it in smtpd_milters is the price of the protocol itself.
 *
 *   nullmilter -p SOCKET        (SOCKET as libmilter spells it:
 *                                unix:/path, inet:port@host)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <libmilter/mfapi.h>

/* every no-reply flag libmilter knows */
#define NULL_NR (SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_MAIL | SMFIP_NR_RCPT | \
	SMFIP_NR_DATA | SMFIP_NR_UNKN | SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY)

/* null_negotiate - one action (add a header), no reply where possible */
static sfsistat
null_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1, unsigned long f2,
    unsigned long f3, unsigned long *pf0, unsigned long *pf1, unsigned long *pf2,
    unsigned long *pf3)
{
	(void)ctx;
	(void)f2;
	(void)f3;
	*pf0 = f0 & SMFIF_ADDHDRS;
	*pf1 = f1 & NULL_NR;
	*pf2 = *pf3 = 0;
	return SMFIS_CONTINUE;
}

/* null_connect - a step asked for and not answered */
static sfsistat
null_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *sa)
{
	(void)ctx;
	(void)host;
	(void)sa;
	return SMFIS_NOREPLY;
}

/* null_args - HELO, MAIL, RCPT: not answered */
static sfsistat
null_args(SMFICTX *ctx, char **argv)
{
	(void)ctx;
	(void)argv;
	return SMFIS_NOREPLY;
}

/* null_helo - not answered */
static sfsistat
null_helo(SMFICTX *ctx, char *name)
{
	(void)ctx;
	(void)name;
	return SMFIS_NOREPLY;
}

/* null_header - not answered */
static sfsistat
null_header(SMFICTX *ctx, char *name, char *value)
{
	(void)ctx;
	(void)name;
	(void)value;
	return SMFIS_NOREPLY;
}

/* null_ctx - DATA and EOH: not answered */
static sfsistat
null_ctx(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_NOREPLY;
}

/* null_body - not answered */
static sfsistat
null_body(SMFICTX *ctx, unsigned char *p, size_t n)
{
	(void)ctx;
	(void)p;
	(void)n;
	return SMFIS_NOREPLY;
}

/* null_unknown - not answered */
static sfsistat
null_unknown(SMFICTX *ctx, const char *cmd)
{
	(void)ctx;
	(void)cmd;
	return SMFIS_NOREPLY;
}

/* null_eom - the one reply: one header, then continue */
static sfsistat
null_eom(SMFICTX *ctx)
{
	smfi_addheader(ctx, "X-Null-Milter", "yes");
	return SMFIS_CONTINUE;
}

/* null_done - abort and close need no answer work either */
static sfsistat
null_done(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_CONTINUE;
}

int
main(int argc, char **argv)
{
	struct smfiDesc d;
	const char *sock = NULL;
	int c;

	while ((c = getopt(argc, argv, "p:")) != -1)
		if (c == 'p')
			sock = optarg;
	if (sock == NULL) {
		fprintf(stderr, "usage: nullmilter -p SOCKET\n");
		return 2;
	}
	memset(&d, 0, sizeof(d));
	d.xxfi_name = "nullmilter";
	d.xxfi_version = SMFI_VERSION;
	d.xxfi_flags = SMFIF_ADDHDRS;
	d.xxfi_connect = null_connect;
	d.xxfi_helo = null_helo;
	d.xxfi_envfrom = null_args;
	d.xxfi_envrcpt = null_args;
	d.xxfi_header = null_header;
	d.xxfi_eoh = null_ctx;
	d.xxfi_body = null_body;
	d.xxfi_eom = null_eom;
	d.xxfi_abort = null_done;
	d.xxfi_close = null_done;
	d.xxfi_unknown = null_unknown;
	d.xxfi_data = null_ctx;
	d.xxfi_negotiate = null_negotiate;
	if (smfi_setconn((char *)sock) == MI_FAILURE || smfi_register(d) == MI_FAILURE) {
		fprintf(stderr, "nullmilter: cannot use %s\n", sock);
		return 1;
	}
	umask(0);	/* the MTA's user connects to the unix socket */
	if (strncmp(sock, "unix:", 5) == 0 || strncmp(sock, "local:", 6) == 0)
		unlink(strchr(sock, ':') + 1);
	return smfi_main() == MI_SUCCESS ? 0 : 1;
}
