/*
 * report_agg.c - (not yet written)
 */
#include "config.h"
