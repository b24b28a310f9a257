/* dmarc.h - (not yet written) */
#ifndef AUTHMILTER_DMARC_H
#define AUTHMILTER_DMARC_H
#endif
