/*
 * replay.c - run a libFuzzer target's LLVMFuzzerTestOneInput over files,
 * without libFuzzer: t/fuzz_regress.sh links it with one t/fuzz/fuzz_*.c
 * in the normal build to replay t/fuzz/regress/ and the seed corpora.
 *   replay_TARGET FILE...    exit 0 when every input ran to its end
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* main - one call per file */
int
main(int argc, char **argv)
{
	struct buf b = BUF_INIT;
	char chunk[65536];
	size_t n;
	FILE *fp;
	int i;

	for (i = 1; i < argc; i++) {
		if ((fp = fopen(argv[i], "rb")) == NULL) {
			perror(argv[i]);
			return 2;
		}
		buf_init(&b);
		while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
			buf_add(&b, chunk, n);
		fclose(fp);
		/* an exact-size heap copy, so that ASan sees any read past it */
		{
			uint8_t *d = xmalloc(b.len ? b.len : 1);

			memcpy(d, b.data, b.len);
			LLVMFuzzerTestOneInput(d, b.len);
			free(d);
		}
		buf_free(&b);
		printf("replayed %s\n", argv[i]);
	}
	return 0;
}
