/*
 * ingest_xmlfix.h - repair the bytes of a received aggregate report before
 * the XML parser sees them: the quirks real reporters send, each repair
 * leaving a recovery note
 */
#ifndef AUTHMILTER_INGEST_XMLFIX_H
#define AUTHMILTER_INGEST_XMLFIX_H

#include <stddef.h>

#include "buf.h"
#include "strlist.h"

/* ingest_xmlfix - write a repaired copy of xml[0..n) to out (appended):
 *  - an 8-bit encoding declared (windows-1252, ISO-8859-1, US-ASCII) is
 *    converted to UTF-8 and the declaration rewritten; in a UTF-8 document,
 *    bytes that are not UTF-8 are read as windows-1252;
 *  - control bytes XML 1.0 forbids (§2.2) become '?';
 *  - a DOCTYPE declaration is dropped (no DTD, no entities: billion laughs,
 *    external entities);
 *  - '&' not starting one of XML's five entity or a character reference
 *    becomes "&amp;", '<' not starting markup becomes "&lt;".
 * Each repair kind adds one note to notes. */
void	ingest_xmlfix(const char *xml, size_t n, struct buf *out, struct strlist *notes);

#endif
