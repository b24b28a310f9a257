/* address.h - (not yet written) */
#ifndef AUTHMILTER_ADDRESS_H
#define AUTHMILTER_ADDRESS_H
#endif
