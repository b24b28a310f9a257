/* tables.h - (not yet written) */
#ifndef AUTHMILTER_TABLES_H
#define AUTHMILTER_TABLES_H
#endif
