/*
 * report_state.c - (not yet written)
 */
#include "config.h"
