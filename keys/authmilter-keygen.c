/*
 * authmilter-keygen.c - (not yet written)
 */
#include "config.h"

#include <stdio.h>

int
main(void)
{
	fprintf(stderr, "usage: authmilter-keygen ...\n");
	return 64;
}
