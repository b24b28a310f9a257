/*
 * test_buf.c - buffers, JSON strings, string lists
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "strlist.h"
#include "tap.h"

int
main(void)
{
	static const struct {
		const char *label, *in, *want;
	} json[] = {
		{ "plain", "abc", "\"abc\"" },
		{ "quote and backslash", "a\"b\\c", "\"a\\\"b\\\\c\"" },
		{ "CRLF and tab", "a\r\n\tb", "\"a\\r\\n\\tb\"" },
		{ "control byte", "\x01", "\"\\u0001\"" },
		{ "empty", "", "\"\"" },
	};
	struct buf b = BUF_INIT;
	struct strlist l = { 0, NULL };
	size_t i;
	char *s;

	for (i = 0; i < sizeof(json) / sizeof(json[0]); i++) {
		buf_init(&b);
		json_str(&b, json[i].in, strlen(json[i].in));
		is_str(b.data, json[i].want, "json: %s", json[i].label);
		buf_free(&b);
	}
	buf_init(&b);
	for (i = 0; i < 10000; i++)
		buf_printf(&b, "%zu,", i);
	ok(b.len == strlen(b.data), "buf_printf keeps the terminator over many growths");
	ok(strncmp(b.data + b.len - 5, "9999,", 5) == 0, "buf_printf appends in order");
	s = buf_steal(&b);
	ok(b.data == NULL && b.len == 0, "buf_steal leaves the buffer empty");
	free(s);
	buf_add(&b, "x\0y", 3);
	is_int(b.len, 3, "buf_add on an unallocated buffer keeps NUL bytes");
	buf_free(&b);
	buf_free(&b);
	ok(1, "buf_free twice is harmless");
	buf_adds(&b, "abcdef");
	buf_drop(&b, 2);
	is_str(b.data, "cdef", "buf_drop removes the front, keeps the terminator");
	buf_drop(&b, 0);
	is_int(b.len, 4, "buf_drop 0 changes nothing");
	buf_drop(&b, 4);
	ok(b.len == 0 && b.data[0] == '\0', "buf_drop of everything leaves an empty string");
	buf_free(&b);
	buf_drop(&b, 0);
	ok(b.data == NULL, "buf_drop 0 on an unallocated buffer is harmless");
	strlist_add(&l, "one");
	strlist_add(&l, "two");
	is_int(l.n, 2, "strlist counts");
	is_str(l.v[1], "two", "strlist keeps order");
	ok(l.v[2] == NULL, "strlist is NULL-terminated");
	strlist_free(&l);
	return tap_done();
}
