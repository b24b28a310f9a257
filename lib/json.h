/*
 * json.h - JSON text for the runner's --json verdict and the summaries
 */
#ifndef AUTHMILTER_JSON_H
#define AUTHMILTER_JSON_H

#include <stddef.h>

#include "buf.h"

/* json_str - append s (n bytes) as a JSON string literal, quotes included
 * (RFC 8259 §7); bytes >= 0x80 pass through unchanged */
void	json_str(struct buf *b, const char *s, size_t n);

#endif
