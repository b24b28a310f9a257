/* report.h - (not yet written) */
#ifndef AUTHMILTER_REPORT_H
#define AUTHMILTER_REPORT_H
#endif
