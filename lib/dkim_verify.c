/*
 * dkim_verify.c - (not yet written)
 */
#include "config.h"
