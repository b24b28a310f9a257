/*
 * report_xml.c - (not yet written)
 */
#include "config.h"
