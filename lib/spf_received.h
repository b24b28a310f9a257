/*
 * spf_received.h - the Received-SPF header field (RFC 7208 §9.1) of an SPF
 * outcome (spf.h)
 *
 * Pure: formatting only.  Peer-controlled text (HELO, MAIL FROM, reasons
 * quoting them) is escaped inside comments and quoted as key-value pairs.
 */
#ifndef AUTHMILTER_SPF_RECEIVED_H
#define AUTHMILTER_SPF_RECEIVED_H

#include "buf.h"

struct spf_outcome;

/*
 * spf_received_spf - append the value of a Received-SPF header (everything
 * after "Received-SPF: ") for outcome o to out; receiver may be NULL.
 */
void		spf_received_spf(const struct spf_outcome *o, const char *client_ip,
		    const char *helo, const char *envelope_from, const char *receiver,
		    struct buf *out);

#endif
