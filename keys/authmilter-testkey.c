/*
 * authmilter-testkey.c - (not yet written)
 */
#include "config.h"

#include <stdio.h>

int
main(void)
{
	fprintf(stderr, "usage: authmilter-testkey ...\n");
	return 64;
}
