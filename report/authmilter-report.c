/*
 * authmilter-report.c - RFC 9990 aggregate reports from history files
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

int
main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "usage: authmilter-report [-c CONF] [--history FILE]... [--from EPOCH --to EPOCH]\n"
	    "         [--outdir DIR] [--no-send] [--state FILE] [--format rfc9990|rfc7489]\n"
	    "       authmilter-report summary [--history FILE]... [--from EPOCH --to EPOCH] [--json]\n");
	return 64;
}
