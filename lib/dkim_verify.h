/* dkim_verify.h - (not yet written) */
#ifndef AUTHMILTER_DKIM_VERIFY_H
#define AUTHMILTER_DKIM_VERIFY_H
#endif
