/*
 * history.h - history records (OpenDMARC's keyword-per-line format) and the
 * crash-safe appender
 */
#ifndef AUTHMILTER_HISTORY_H
#define AUTHMILTER_HISTORY_H

struct history_rec;

void	history_rec_free(struct history_rec *r);

#endif
