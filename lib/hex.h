/*
 * hex.h - hexadecimal digits: the one decoder behind every "%HH" and
 * "\xHH" escape we read (rua URIs, the reporter's state file, history
 * values)
 */
#ifndef AUTHMILTER_HEX_H
#define AUTHMILTER_HEX_H

#include <stddef.h>

/* hex_digit - the value of one hex digit (either case), -1 if c is none */
int	hex_digit(int c);
/* hex_byte - the byte spelt by the two hex digits at p (n bytes are
 * readable there), -1 when n < 2 or either is not a hex digit */
int	hex_byte(const char *p, size_t n);

#endif
