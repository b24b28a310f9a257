/*
 * fuzz_conf.c - libFuzzer target: the configuration parser
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf err = BUF_INIT;
	struct conf *c;
	static int quiet;

	if (!quiet) {
		log_open("fuzz", 0, NULL, 0);
		quiet = 1;
	}
	buf_init(&err);
	c = conf_parse("fuzz.conf", (const char *)data, size, &err);
	conf_free(c);
	buf_free(&err);
	return 0;
}
