/*
 * dkim_sign.c - (not yet written)
 */
#include "config.h"
