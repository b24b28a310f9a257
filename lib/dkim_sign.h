/* dkim_sign.h - (not yet written) */
#ifndef AUTHMILTER_DKIM_SIGN_H
#define AUTHMILTER_DKIM_SIGN_H
#endif
