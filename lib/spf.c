/*
 * spf.c - (not yet written)
 */
#include "config.h"
