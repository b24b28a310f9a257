/*
 * geoip_tool.c - t/geoip.sh helper: geoip_tool COUNTRY.mmdb|- ASN.mmdb|- IP...
 * prints "IP rc country asn asorg" per IP, or the open error (exit 1)
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "geoip.h"

int
main(int argc, char **argv)
{
	struct buf err = BUF_INIT;
	struct geoip *g;
	char country[3], asorg[128];
	long asn;
	int i, rc;

	if (argc < 3) {
		fprintf(stderr, "usage: geoip_tool COUNTRY.mmdb|- ASN.mmdb|- IP...\n");
		return 64;
	}
	buf_init(&err);
	g = geoip_open(strcmp(argv[1], "-") ? argv[1] : NULL,
	    strcmp(argv[2], "-") ? argv[2] : NULL, &err);
	if (g == NULL) {
		printf("error: %s\n", err.data);
		buf_free(&err);
		return 1;
	}
	for (i = 3; i < argc; i++) {
		rc = geoip_lookup(g, argv[i], country, &asn, asorg, sizeof(asorg));
		printf("%s %d [%s] %ld [%s]\n", argv[i], rc, country, asn, asorg);
	}
	geoip_close(g);
	buf_free(&err);
	return 0;
}
