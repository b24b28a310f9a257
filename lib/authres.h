/* authres.h - (not yet written) */
#ifndef AUTHMILTER_AUTHRES_H
#define AUTHMILTER_AUTHRES_H
#endif
