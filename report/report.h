/*
 * report.h - the aggregate reporter's modules, for callers that want them all
 *
 *   rua.h           rua URI parsing, address checks, destination verification
 *   report_agg.h    history records -> rows per policy domain
 *   report_xml.h    RFC 9990 / RFC 7489 XML, XSD validation
 *   report_gz.h     gzip of a report, and back
 *   report_mail.h   the report message and its sendmail submission
 *   report_state.h  what was generated, queued and sent
 *   report_run.h    one run of authmilter-report
 */
#ifndef AUTHMILTER_REPORT_H
#define AUTHMILTER_REPORT_H

#include "rua.h"
#include "report_xml.h"
#include "report_gz.h"
#include "report_agg.h"
#include "report_mail.h"
#include "report_state.h"
#include "report_run.h"

#endif
