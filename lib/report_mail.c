/*
 * report_mail.c - (not yet written)
 */
#include "config.h"
