/* dkim_key.h - (not yet written) */
#ifndef AUTHMILTER_DKIM_KEY_H
#define AUTHMILTER_DKIM_KEY_H
#endif
