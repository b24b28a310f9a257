/*
 * dkim_key.c - (not yet written)
 */
#include "config.h"
