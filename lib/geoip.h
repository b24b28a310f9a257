/* geoip.h - (not yet written) */
#ifndef AUTHMILTER_GEOIP_H
#define AUTHMILTER_GEOIP_H
#endif
