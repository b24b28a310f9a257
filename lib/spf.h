/* spf.h - (not yet written) */
#ifndef AUTHMILTER_SPF_H
#define AUTHMILTER_SPF_H
#endif
