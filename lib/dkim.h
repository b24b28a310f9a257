/* dkim.h - (not yet written) */
#ifndef AUTHMILTER_DKIM_H
#define AUTHMILTER_DKIM_H
#endif
