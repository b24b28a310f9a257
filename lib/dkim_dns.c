/*
 * dkim_dns.c - (not yet written)
 */
#include "config.h"
